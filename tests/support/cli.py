"""The `pendamping` command as an operator runs it: a real subprocess of this checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A developer's own settings must not reach the command under test.
SETTINGS_PREFIXES = ("TELEGRAM_", "BOT_", "WEBHOOK_", "SIMULATOR_", "DATABASE_")


def command_env(settings: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment without any bot setting, plus `settings`, importing this checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_PREFIXES)}
    return {**env, **(settings or {}), "PYTHONPATH": str(ROOT)}


def run_command(
    args: Sequence[str],
    cwd: Path,
    settings: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` in cwd (so no developer .env is read); the caller checks the code."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=command_env(settings),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def imports_of(
    args: Sequence[str], cwd: Path
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """`python -X importtime ARGS` in cwd: its result, and the top-level packages it (or a
    child it forked) imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        cwd=cwd,
        env=command_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [line for line in result.stderr.splitlines() if line.startswith("import time:")]
    return result, {line.rsplit("|", 1)[1].strip().split(".")[0] for line in lines}
