"""Checklist sections written in place or included from `core/sections/` by reference."""

from __future__ import annotations

from bot.content.loader import Checker, Loc, SourceFile
from bot.content.schema import Section, SectionEntry, SharedSection


def resolve_section(
    check: Checker,
    file: SourceFile,
    loc: Loc,
    entry: SectionEntry,
    shared: dict[str, tuple[SharedSection, SourceFile]],
) -> Section | None:
    """The section an entry stands for: its own, or the shared one it includes at the
    version the shared file has now (else a problem, and None)."""
    own = (entry.id, entry.title, entry.items)
    if entry.include is not None:
        if any(part is not None for part in own):
            check.add(
                file,
                (*loc, "include"),
                "bagian dengan 'include' hanya boleh berisi 'include' dan 'version'",
            )
            return None
        if entry.include not in shared:
            check.add(
                file,
                (*loc, "include"),
                f"bagian bersama '{entry.include}' tidak ada di core/sections/",
            )
            return None
        section, _ = shared[entry.include]
        if entry.version != section.version:
            check.add(
                file,
                (*loc, "version") if entry.version is not None else (*loc, "include"),
                f"bagian bersama '{section.id}' kini versi {section.version}: naikkan 'version' "
                f"daftar periksa ini, lalu tulis version: {section.version} pada include ini",
            )
        return Section(id=section.id, title=section.title, items=section.items)
    if entry.version is not None:
        check.add(file, (*loc, "version"), "'version' hanya dipakai bersama 'include'")
    missing = [
        name for name, part in zip(("id", "title", "items"), own, strict=True) if part is None
    ]
    if missing:
        check.add(
            file,
            loc,
            f"bagian {loc[-1] + 1 if isinstance(loc[-1], int) else ''}: "
            f"kolom {', '.join(repr(m) for m in missing)} wajib diisi (atau pakai 'include')",
        )
        return None
    assert entry.id is not None
    assert entry.title is not None
    assert entry.items is not None
    return Section(id=entry.id, title=entry.title, items=entry.items)
