"""Broadcasts: a coordinator's message to an audience, planned as one outbox row per person.

A broadcast is a draft until it is sent or scheduled; then every recipient gets one row of
kind `broadcast` (unique per broadcast and person: the outbox's (kind, recipient, key)). The
dispatcher sends them like any row, so a restart resumes where it stopped and nobody gets
the message twice.

`views` is what a broadcast is and how screens read it, `audience` whom it reaches (and the
people picked in /orang), `planning` drafts, moments and the rows planned now or later,
`running` a new time, pause, going on, cancel and the progress view's moments, `formatting`
the Telegram HTML a broadcast typed on the desk may use. The public
names of each are re-exported here, so `broadcasts.send_now(...)` works.
"""

from bot.services.broadcasts.audience import (
    clear_picks,
    is_picked,
    picked,
    reach,
    set_target,
    toggle_pick,
)
from bot.services.broadcasts.formatting import BadText
from bot.services.broadcasts.planning import (
    BadMoment,
    ShownIn,
    create_draft,
    draft_reach,
    parse_local,
    parse_moment,
    schedule,
    send_now,
)
from bot.services.broadcasts.running import (
    Due,
    cancel,
    pause,
    progress_due,
    reschedule,
    resume,
    show_progress_in,
    start_due,
)
from bot.services.broadcasts.views import (
    ACTIVE,
    KIND,
    MAX_AHEAD,
    PAUSED_DUE,
    STARS_PER_MESSAGE,
    BroadcastRef,
    Content,
    Counts,
    Reach,
    Target,
    Unreached,
    View,
    all_for_export,
    content_of,
    counts,
    history,
    key,
    target_of,
    unreached,
    view,
)

__all__ = [
    "ACTIVE",
    "KIND",
    "MAX_AHEAD",
    "PAUSED_DUE",
    "STARS_PER_MESSAGE",
    "BadMoment",
    "BadText",
    "BroadcastRef",
    "Content",
    "Counts",
    "Due",
    "Reach",
    "ShownIn",
    "Target",
    "Unreached",
    "View",
    "all_for_export",
    "cancel",
    "clear_picks",
    "content_of",
    "counts",
    "create_draft",
    "draft_reach",
    "history",
    "is_picked",
    "key",
    "parse_local",
    "parse_moment",
    "pause",
    "picked",
    "progress_due",
    "reach",
    "reschedule",
    "resume",
    "schedule",
    "send_now",
    "set_target",
    "show_progress_in",
    "start_due",
    "target_of",
    "toggle_pick",
    "unreached",
    "view",
]
