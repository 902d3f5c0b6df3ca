"""The audit trail in the chat: /audit shows the newest events first, a page at a time."""

from __future__ import annotations

from bot.services import people, roles
from db.models import Role
from tests.support.world import World


async def test_audit_shows_who_changed_what_newest_first(world: World) -> None:
    koordinator = world.coordinator("Yuliana")
    await koordinator.send("/start")
    async with world.sessions() as db, db.begin():
        budi = await people.register(db, world.clock, 100_600, "Budi Santoso", [Role.MENTOR])
        yuliana = await people.find_by_telegram_id(db, koordinator.user_id)
        assert yuliana is not None
        world.clock.advance(minutes=5)
        await roles.deactivate(db, world.clock, budi.id, by_id=yuliana.id)

    trail = await koordinator.send("/audit")
    assert "Catatan aktivitas" in trail.text
    lines = trail.text.splitlines()
    newest = lines.index(next(line for line in lines if "akses dijeda" in line))
    assert "7 Des 2026 09.05 WITA" in lines[newest]
    assert "Yuliana · tentang Budi Santoso" in lines[newest + 1]
    assert "peran diberikan (mentor)" in trail.text
    assert trail.text.index("akses dijeda") < trail.text.index("peran diberikan (mentor)")
    assert "Lebih lama ▶" not in koordinator.buttons()

    async with world.sessions() as db, db.begin():
        for _ in range(6):
            await roles.reactivate(db, world.clock, budi.id, by_id=yuliana.id)
            await roles.deactivate(db, world.clock, budi.id, by_id=yuliana.id)
    first = await koordinator.send("/audit")
    assert "Halaman 1 dari 2" in first.text
    older = await koordinator.press("Lebih lama ▶")
    assert "Halaman 2 dari 2" in older.text
    assert "bergabung" in older.text  # the oldest events: Yuliana and Budi registered
    assert "◀ Lebih baru" in koordinator.buttons()
