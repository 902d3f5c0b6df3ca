""" "Ekspor data": a coordinator gets the programme's data as a spreadsheet document."""

from __future__ import annotations

import asyncio

from bot.i18n import N_
from bot.render import exports as render
from bot.render.common import MenuKey
from bot.render.exports import ExportAction, ExportButton
from bot.services import exports
from bot.services.exports import ExportFormat
from db.models import Role
from handlers.base import Turn
from handlers.router import Router

router = Router("exports", roles={Role.COORDINATOR})


@router.command("ekspor", N_("Export data"))
@router.menu(MenuKey.EXPORT)
async def choose_export(t: Turn) -> None:
    t.edit(render.choose_kind(t.tr))


@router.action(ExportButton, ExportAction.KIND)
async def choose_format(t: Turn, button: ExportButton) -> None:
    t.edit(render.choose_format(t.tr, button.what))


@router.action(ExportButton, ExportAction.FILE)
async def send_export(t: Turn, button: ExportButton) -> None:
    """Read the rows in this transaction; the file is written when the reply is sent."""
    fmt, what, tr = button.format or ExportFormat.XLSX, button.what, t.tr
    sheets = await exports.collect(t.db, t.deps.content, what)
    name = exports.filename(fmt, what, tr.local(t.clock.now()).date())

    async def make() -> bytes:
        return await asyncio.to_thread(exports.write, sheets, fmt, tr)

    rows = sum(len(sheet.rows) for sheet in sheets)
    t.reply(render.export_file(tr, what, name, rows, make))
