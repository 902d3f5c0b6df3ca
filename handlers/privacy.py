"""/privasi and /hapusdata: what we keep, and deleting one's own data (UU 27/2022)."""

from __future__ import annotations

import logging

from bot.i18n import N_
from bot.render import privacy as render
from bot.render.common import MenuKey
from bot.render.privacy import DeleteAction, DeleteButton
from bot.services import privacy
from db.models import Role
from handlers.base import Turn
from handlers.router import ANYONE, Router

log = logging.getLogger(__name__)

router = Router("privacy", roles=ANYONE, outbox_kinds=(privacy.KIND_FORGOTTEN,))


@router.command("privasi", N_("How we look after your data"))
@router.menu(MenuKey.PRIVACY)
async def show_notice(t: Turn) -> None:
    """What we store, why, who sees it, how to have it deleted."""
    t.reply(
        render.notice(
            t.tr,
            known=t.person is not None,
            has_roles=t.person is not None and bool(t.person.role_set),
            contact=t.deps.settings.privacy_contact,
        )
    )


async def _ask(t: Turn) -> None:
    if t.person is None:
        t.reply(render.nothing_to_delete(t.tr))
        return
    owns = Role.UMKM in t.person.role_set
    t.edit(
        render.confirm_delete(
            t.tr, owns_business=owns, coordinator=Role.COORDINATOR in t.person.role_set
        )
    )


@router.command("hapusdata", N_("Delete my data"))
async def ask_to_delete(t: Turn) -> None:
    """/hapusdata: explain what goes, then ask to confirm."""
    await _ask(t)


@router.action(DeleteButton, DeleteAction.ASK)
async def ask_to_delete_from_notice(t: Turn, button: DeleteButton) -> None:
    await _ask(t)


@router.action(DeleteButton, DeleteAction.KEEP)
async def keep_data(t: Turn, button: DeleteButton) -> None:
    t.edit(render.kept(t.tr))


@router.action(DeleteButton, DeleteAction.CONFIRM)
async def delete_my_data(t: Turn, button: DeleteButton) -> None:
    """Delete the person's data now; files go after the commit, coordinators are told."""
    if t.person is None:
        t.edit(render.nothing_to_delete(t.tr))
        return
    try:
        forgotten = await privacy.withdraw(t.db, t.clock, t.person)
    except privacy.LastCoordinator:
        t.edit(render.last_coordinator(t.tr))
        return
    t.person = None  # gone: nothing else may touch the row in this transaction
    log.info("person %s deleted their data", forgotten.person_id)
    data_dir, paths = t.deps.settings.data_dir, forgotten.evidence_paths

    async def remove_files() -> None:
        await privacy.remove_files(data_dir, paths)

    t.later(remove_files)
    t.wake_dispatcher()
    t.edit(render.deleted(t.tr))
