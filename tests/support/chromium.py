"""Debian's Chromium for the browser tests: where it is, how it starts, and when it's missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Root needs --no-sandbox; the rest keeps Chromium off the (closed) network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> None:
    """Skip the module where Chromium is not installed; in CI (`make test` installs it) fail."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing in CI: apt-get install -y chromium", pytrace=False)
    pytest.skip(
        f"{CHROMIUM} is missing (apt-get install -y chromium); fails instead when CI is set",
        allow_module_level=True,
    )
