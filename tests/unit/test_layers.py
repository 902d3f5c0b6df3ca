"""The linter keeps each layer to its own imports (ruff.toml in bot/services, bot/render)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _lint(path: str, source: str) -> subprocess.CompletedProcess[str]:
    """Ruff on source as if it were the file at path (read from stdin: nothing is written)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--output-format",
            "concise",
            "--stdin-filename",
            str(ROOT / path),
            "-",
        ],
        input=source,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("folder", "statement", "banned"),
    [
        ("bot/services", "from telegram import Bot", "telegram"),
        ("bot/services", "from telegram.error import Forbidden as Bot", "telegram"),
        ("bot/services", "from handlers.base import Turn as Bot", "handlers"),
        ("bot/services", "from bot.render import Reply as Bot", "bot.render"),
        ("bot/services/feature", "from bot.render.common import Reply as Bot", "bot.render"),
        ("bot/render", "from sqlalchemy.ext.asyncio import AsyncSession as Bot", "AsyncSession"),
        ("bot/render", "from db.session import create_engine as Bot", "db.session"),
    ],
)
def test_a_forbidden_import_fails_the_lint(folder: str, statement: str, banned: str) -> None:
    result = _lint(f"{folder}/probe.py", f'{statement}\n\n__all__ = ["Bot"]\n')
    assert result.returncode == 1, result.stdout + result.stderr
    assert "TID251" in result.stdout
    assert banned in result.stdout


def test_the_same_import_is_fine_where_it_belongs() -> None:
    result = _lint("handlers/probe.py", 'from telegram import Bot\n\n__all__ = ["Bot"]\n')
    assert result.returncode == 0, result.stdout + result.stderr
