"""Fill the Indonesian catalog from translation fragments (`locales/pending/*.po`).

Features are written in parallel; each keeps its new msgid/msgstr pairs in a fragment, and
this merges them into `locales/id/LC_MESSAGES/messages.po` after `make locales`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "locales" / "id" / "LC_MESSAGES" / "messages.po"


def main() -> int:
    with TARGET.open("rb") as fp:
        catalog = read_po(fp, locale="id")
    filled = 0
    for fragment in sorted((ROOT / "locales" / "pending").glob("*.po")):
        with fragment.open("rb") as fp:
            pending = read_po(fp, locale="id")
        for message in pending:
            if not message.id or not message.string:
                continue
            target = catalog.get(message.id, message.context)
            if target is not None and (target.string != message.string or target.fuzzy):
                target.string = message.string
                target.flags.discard("fuzzy")
                filled += 1
    with TARGET.open("wb") as fp:
        write_po(fp, catalog, width=0, sort_by_file=True)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"filled {filled}; {len(missing)} without Indonesian", file=sys.stderr)
    for msgid in missing:
        print(f"  missing: {msgid!r}"[:160], file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
