"""Migrations on both engines: from empty, down and up again, and no drift from the models."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from db import migrate
from db.models import Base


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_models_match_migrations(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        assert await conn.run_sync(_diff) == []


async def test_downgrade_to_empty_and_upgrade_again(
    engine: AsyncEngine, database_url: str
) -> None:
    async with engine.connect() as conn:
        before = await conn.run_sync(_tables)
    assert {"person", "person_role", "dialogue_state", "audit_event"} <= before
    await engine.dispose()
    await asyncio.to_thread(migrate.downgrade_sync, database_url, "base")
    async with engine.connect() as conn:
        assert await conn.run_sync(_tables) <= {"alembic_version"}
    await migrate.upgrade(database_url)
    async with engine.connect() as conn:
        assert await conn.run_sync(_tables) == before
        assert await conn.run_sync(_diff) == []
