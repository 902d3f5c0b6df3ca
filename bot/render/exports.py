"""Exporting data in the chat: choose what, then the format; the file comes as a document."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.callbacks import CallbackData
from bot.i18n import N_, Translator
from bot.render import Attachment, Button, Reply, rows
from bot.render.common import back_to_menu
from bot.render.text import lines
from bot.services.exports import TITLES, ExportFormat, ExportKind


class ExportAction(StrEnum):
    KIND = "k"  # what was chosen: ask for the format
    FILE = "f"  # both chosen: make the file


@dataclass(frozen=True)
class ExportButton(CallbackData, prefix="ex"):
    action: ExportAction
    what: ExportKind
    format: ExportFormat | None = None


ALL_LABEL = N_("Everything (one sheet each)")
FORMAT_LABELS = {
    ExportFormat.XLSX: N_("Excel (XLSX)"),
    ExportFormat.CSV: N_("CSV"),
}


def _label(tr: Translator, what: ExportKind) -> str:
    return tr.gettext(ALL_LABEL if what is ExportKind.ALL else TITLES[what])


def _kind_button(tr: Translator, what: ExportKind) -> Button:
    return Button(_label(tr, what), ExportButton(ExportAction.KIND, what).pack())


def choose_kind(tr: Translator) -> Reply:
    kinds = [_kind_button(tr, kind) for kind in ExportKind if kind is not ExportKind.ALL]
    return Reply(
        lines(
            tr.html("<b>Export data</b>"),
            tr.html(
                "Which data would you like as a spreadsheet? Evidence photos are not included, "
                "only their file names and dates."
            ),
        ),
        (*rows(*kinds), (_kind_button(tr, ExportKind.ALL),), back_to_menu(tr)),
    )


def choose_format(tr: Translator, what: ExportKind) -> Reply:
    formats = [
        Button(tr.gettext(FORMAT_LABELS[f]), ExportButton(ExportAction.FILE, what, f).pack())
        for f in ExportFormat
    ]
    note = (
        tr.html("With CSV, every kind comes as its own file in one ZIP archive.")
        if what is ExportKind.ALL
        else None
    )
    return Reply(
        lines(tr.html("Export: <b>{what}</b>. Which format?").format(what=_label(tr, what)), note),
        (tuple(formats), back_to_menu(tr)),
    )


def export_file(
    tr: Translator,
    what: ExportKind,
    filename: str,
    rows_count: int,
    make: Callable[[], Awaitable[bytes]],
) -> Reply:
    """The document; its file is written after the transaction, off the event loop."""
    caption = tr.nhtml(
        "📄 {what}: {n} row. Times are in {zone}.",
        "📄 {what}: {n} rows. Times are in {zone}.",
        rows_count,
    ).format(what=_label(tr, what), n=rows_count, zone=tr.zone_label)
    return Reply(caption, (back_to_menu(tr),), attachment=Attachment(b"", filename, False, make))
