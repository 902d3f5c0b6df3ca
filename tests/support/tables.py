"""Every table's rows, compared and put back: "a refusal changes nothing" made checkable."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, delete, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Base

# Rows are keyed by table name, then by primary key.
Rows = dict[str, dict[tuple[Any, ...], dict[str, Any]]]

# What legitimately changes on any message: the inbox, where a person is in a dialogue
# (refusals may end one), activity and reachability marks; and the dispatcher's heartbeat,
# which a tick writes whatever the input was.
IGNORED_TABLES = frozenset({"inbox_update", "dialogue_state", "heartbeat"})
IGNORED_COLUMNS = frozenset({"last_active_at", "updated_at", "unreachable_since"})
IGNORED_AUDIT = frozenset({"person.reachable"})
# Never put back: the inbox remembers which updates were handled; the heartbeat is the
# running dispatcher's, not the input's.
KEPT_TABLES = frozenset({"inbox_update", "heartbeat"})


def tables() -> list[Table]:
    """Every table, parents before children."""
    return list(Base.metadata.sorted_tables)


def _key(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c.name] for c in table.primary_key.columns)


async def read(sessions: async_sessionmaker[AsyncSession]) -> Rows:
    """All rows of all tables, as plain dicts."""
    found: Rows = {}
    async with sessions() as db, db.begin():
        for table in tables():
            result = await db.execute(select(table))
            rows = (dict(r._mapping) for r in result)
            found[table.name] = {_key(table, r): r for r in rows}
    return found


def visible(rows: Rows) -> Rows:
    """The rows without what changes on any message."""
    shown: Rows = {}
    for name, by_key in rows.items():
        if name in IGNORED_TABLES:
            continue
        shown[name] = {
            key: {c: v for c, v in row.items() if c not in IGNORED_COLUMNS}
            for key, row in by_key.items()
            if not (name == "audit_event" and row.get("action") in IGNORED_AUDIT)
        }
    return shown


def only_in(rows: Rows, than: Rows) -> Rows:
    """The rows of `rows` whose keys `than` does not have."""
    return {
        name: {k: r for k, r in by_key.items() if k not in than.get(name, {})}
        for name, by_key in rows.items()
    }


def differences(before: Rows, after: Rows) -> list[str]:
    """What changed between two readings, one line per row (empty: nothing)."""
    found: list[str] = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, {}), after.get(name, {})
        for key in sorted(set(old) | set(new), key=repr):
            if key not in new:
                found.append(f"{name} {key}: deleted")
            elif key not in old:
                found.append(f"{name} {key}: added {_short(new[key])}")
            elif old[key] != new[key]:
                changed = {
                    c: (old[key].get(c), v) for c, v in new[key].items() if old[key].get(c) != v
                }
                found.append(f"{name} {key}: changed {_short(changed)}")
    return found


def _short(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 200 else shown[:200] + "…"


def touched(before: Rows, after: Rows) -> set[tuple[str, tuple[Any, ...]]]:
    """(table, key) of every row changed, added or deleted."""
    found: set[tuple[str, tuple[Any, ...]]] = set()
    for name in set(before) | set(after):
        old, new = before.get(name, {}), after.get(name, {})
        found |= {(name, k) for k in set(old) ^ set(new)}
        found |= {(name, k) for k in set(old) & set(new) if old[k] != new[k]}
    return found


def references(rows: Rows, owned: Rows, keys: Iterable[tuple[str, tuple[Any, ...]]]) -> list[str]:
    """Rows among `keys` (as in `rows`) that point by a foreign key at a row of `owned`."""
    by_name = {t.name: t for t in tables()}
    found: list[str] = []
    for name, key in keys:
        row = rows.get(name, {}).get(key)
        if row is None:
            continue
        for fk in by_name[name].foreign_keys:
            target = fk.column.table.name
            value = row.get(fk.parent.name)
            if value is not None and (value,) in owned.get(target, {}):
                found.append(f"{name} {key}.{fk.parent.name} -> their {target} {value}")
    return found


async def restore(sessions: async_sessionmaker[AsyncSession], to: Rows) -> None:
    """Put every table (but the inbox) back to `to`, row by row, in one transaction."""
    now = await read(sessions)
    order = [t for t in tables() if t.name not in KEPT_TABLES]
    async with sessions() as db, db.begin():
        await db.execute(text("PRAGMA defer_foreign_keys = ON"))  # SQLite: checked at commit
        for table in reversed(order):
            gone = set(now[table.name]) - set(to[table.name])
            for key in gone:
                await db.execute(delete(table).where(*_match(table, key)))
        for table in order:
            for key, row in to[table.name].items():
                current = now[table.name].get(key)
                if current is None:
                    await db.execute(insert(table).values(row))
                elif current != row:
                    await db.execute(update(table).where(*_match(table, key)).values(row))


def _match(table: Table, key: tuple[Any, ...]) -> list[Any]:
    return [c == v for c, v in zip(table.primary_key.columns, key, strict=True)]
