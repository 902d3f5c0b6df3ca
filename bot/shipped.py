"""The data folders shipped with the bot (content/, locales/), wherever the code runs from.

In the repository they stay at the top, where programme staff and translators work on them; a
wheel carries them inside the package, under ``bot/_shipped/`` (pyproject.toml force-includes
them), so an installed bot finds them whatever its working directory.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def shipped_folder(name: str) -> Path:
    """The folder ``name`` (``content`` or ``locales``) of the installed copy or the checkout."""
    packaged = resources.files("bot") / "_shipped" / name
    if packaged.is_dir():
        return Path(str(packaged))
    return _CHECKOUT / name
