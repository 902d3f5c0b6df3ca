"""The coordinators' desk: a Telegram Mini App served by the bot's own HTTP server.

`signin` checks the `initData` Telegram signs for whoever opens it; `api` serves JSON views
(built by bot/services) under `/desk/api/`, scoped to the person's roles; `static/` holds the
page (HTML, CSS and a little JavaScript, no build step); `server` mounts both under `/desk/`
(beside the webhook, or on BOT_DESK_PORT when polling).
"""

from __future__ import annotations

from db.models import Role

PATH = "/desk/"
# Whom the desk serves: coordinators everything, mentors their questions, focal points
# their agency. A business owner has the chat.
DESK_ROLES = frozenset({Role.COORDINATOR, Role.MENTOR, Role.FOCAL})
