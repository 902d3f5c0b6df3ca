"""Imports cost only when used: the quick commands never load the database, the settings' or
the catalogs' libraries, or charts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import imports_of

HEAVY = ("sqlalchemy", "matplotlib", "pydantic", "babel")


def _imported(args: list[str], cwd: Path) -> set[str]:
    """Top-level packages a Python run imported, read from `-X importtime`."""
    result, imported = imports_of(args, cwd)
    assert result.returncode == 0, result.stderr[-2000:]
    assert imported, result.stderr[-2000:]
    return imported


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_import_no_database_settings_catalogs_or_charts(
    tmp_path: Path, flag: str
) -> None:
    imported = _imported(["-m", "bot", flag], tmp_path)
    assert "bot" in imported
    assert not imported & set(HEAVY)


def test_charts_import_matplotlib_only_to_draw(tmp_path: Path) -> None:
    modules = "bot.charts, handlers.assessment, handlers.reports"
    imported = _imported(["-c", f"import {modules}"], tmp_path)
    assert "handlers" in imported
    assert "matplotlib" not in imported


def test_the_invite_roles_written_out_are_the_models_roles() -> None:
    # Written out so `--help` needs no SQLAlchemy; they must follow db.models.Role.
    from bot.cli_invite import ROLES
    from db.models import Role

    assert sorted(ROLES) == sorted(role.value for role in Role)
