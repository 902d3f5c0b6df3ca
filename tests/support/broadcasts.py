"""What the broadcast tests (the chat's and the desk's) share: people to broadcast to, and a
run of the progress job."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot import broadcasting
from bot.services import people
from db.models import Business, Role
from tests.support.people import Person
from tests.support.world import World


async def member(
    world: World,
    name: str,
    role: Role = Role.UMKM,
    *,
    sector: str = "kue",
    consent: bool = True,
    paused: bool = False,
    blocked: bool = False,
) -> Person:
    """Someone known to the bot with a role (a business owner has a business of `sector`)."""
    person = world.person(name)
    async with world.sessions() as db, db.begin():
        row = await people.register(db, world.clock, person.user_id, name, [role])
        row.consent_at = world.clock.now() if consent else None
        row.deactivated_at = world.clock.now() if paused else None
        row.unreachable_since = world.clock.now() if blocked else None
        if role is Role.UMKM:
            db.add(
                Business(
                    name=f"Usaha {name}",
                    sector=sector,
                    owner_name=name,
                    owner_id=row.id,
                    created_at=world.clock.now(),
                )
            )
    return person


@dataclass(frozen=True)
class Mixed:
    """Business owners of two sectors, three left out (each for a reason), a focal point."""

    owners: list[Person]  # sector kue
    tenun: Person
    left_out: list[Person]  # no consent, access paused, blocked the bot
    focal: Person


async def mixed_audience(world: World, owners: Sequence[str]) -> Mixed:
    return Mixed(
        owners=[await member(world, name) for name in owners],
        tenun=await member(world, "Dewi", sector="tenun"),
        left_out=[
            await member(world, "Eko", consent=False),
            await member(world, "Fani", paused=True),
            await member(world, "Gita", blocked=True),
        ],
        focal=await member(world, "Hana", Role.FOCAL),
    )


async def refresh_progress(world: World) -> None:
    """The progress job's run, as the JobQueue would make it (starts due ones, ends done ones)."""
    assert world.app is not None
    await broadcasting.refresh(world.deps, world.app.bot)
