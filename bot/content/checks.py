"""Loading the whole content folder and checking that its files agree with one another.

Each file is first valid on its own (:mod:`bot.content.schema`); here the references between
files are followed: sectors name modules and a checklist, checklists include shared sections
and point at modules, modules point at each other, and nothing may be left unused.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.content.includes import resolve_section
from bot.content.loader import Checker, Loc, SourceFile
from bot.content.problems import ContentError, ContentProblem, OpenQuestion
from bot.content.questions import check_step, collect_questions
from bot.content.schema import (
    CORE,
    ISO18091_QUADRANTS,
    ISO18091_TOTAL,
    Checklist,
    ChecklistFile,
    Contact,
    ContactsFile,
    Content,
    Iso18091,
    Item,
    LeaveFile,
    Module,
    Section,
    Sector,
    SectorsFile,
    SharedSection,
)
from bot.shipped import shipped_folder

DEFAULT_CONTENT_ROOT = shipped_folder("content")


@dataclass
class _Loaded:
    sectors: tuple[Sector, ...] | None = None
    sectors_file: SourceFile | None = None
    modules: dict[str, tuple[Module, SourceFile]] | None = None
    shared: dict[str, tuple[SharedSection, SourceFile]] | None = None
    checklists: dict[str, tuple[ChecklistFile, SourceFile]] | None = None
    iso: Iso18091 | None = None
    iso_file: SourceFile | None = None
    leave: dict[date, str] | None = None
    contacts: dict[str, tuple[Contact, SourceFile, int]] | None = None  # with its index
    open_questions: list[OpenQuestion] = field(default_factory=list)
    resolved: dict[str, Checklist] = field(default_factory=dict)
    # modules that exist but are broken: references to them are not reported again
    broken_modules: set[str] = field(default_factory=set)
    broken_checklists: set[str] = field(default_factory=set)


def _yaml_files(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        yield from sorted(p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"})


def _load(root: Path) -> tuple[_Loaded, list[ContentProblem]]:
    check = Checker(root)
    out = _Loaded()
    if not root.is_dir():
        check.add(".", 1, f"folder isi {root} tidak ditemukan")
        return out, check.problems

    # sectors.yaml
    sectors_path = root / "sectors.yaml"
    if not sectors_path.is_file():
        check.add("sectors.yaml", 1, "berkas sectors.yaml tidak ditemukan")
    elif (file := check.read(sectors_path)) is not None:
        out.sectors_file = file
        parsed = check.validate(SectorsFile, file)
        if parsed is not None:
            out.sectors = parsed.sectors
            seen: dict[str, int] = {}
            for index, sector in enumerate(parsed.sectors):
                if sector.key == CORE:
                    check.add(file, ("sectors", index, "key"), "kunci 'core' dipakai bersama")
                if sector.key in seen:
                    check.add(
                        file,
                        ("sectors", index, "key"),
                        f"kunci sektor '{sector.key}' sudah dipakai di baris {seen[sector.key]}",
                    )
                seen.setdefault(sector.key, file.line(("sectors", index, "key")))
                for mindex, module_id in enumerate(sector.modules):
                    if module_id in sector.modules[:mindex]:
                        check.add(
                            file,
                            ("sectors", index, "modules", mindex),
                            f"modul '{module_id}' disebut dua kali",
                        )

    # modules
    modules: dict[str, tuple[Module, SourceFile]] = {}
    for folder in sorted(p for p in root.iterdir() if (p / "modules").is_dir()):
        for path in _yaml_files(folder / "modules"):
            file = check.read(path)
            module = None if file is None else check.validate(Module, file)
            if file is None or module is None:
                out.broken_modules.add(path.stem)
                if file is not None and isinstance(file.data, dict):
                    out.broken_modules.add(str(file.data.get("id")))
                continue
            if module.id != path.stem:
                check.add(
                    file, ("id",), f"id '{module.id}' harus sama dengan nama berkas '{path.stem}'"
                )
            if module.id in modules:
                check.add(
                    file,
                    ("id",),
                    f"id modul '{module.id}' sudah dipakai di {modules[module.id][1].rel}",
                )
                continue
            if not module.sectors and folder.name != CORE:
                module = module.model_copy(update={"sectors": (folder.name,)})
            for index, step in enumerate(module.steps):
                if step.image is not None and not (root / step.image).is_file():
                    check.add(
                        file,
                        ("steps", index, "image"),
                        f"gambar '{step.image}' tidak ditemukan di folder content/",
                    )
            modules[module.id] = (module, file)
    out.modules = modules

    # shared checklist sections
    shared: dict[str, tuple[SharedSection, SourceFile]] = {}
    for path in _yaml_files(root / CORE / "sections"):
        file = check.read(path)
        if file is None:
            continue
        section = check.validate(SharedSection, file)
        if section is None:
            continue
        if section.id != path.stem:
            check.add(
                file, ("id",), f"id '{section.id}' harus sama dengan nama berkas '{path.stem}'"
            )
        shared[section.id] = (section, file)
    out.shared = shared

    # checklists, one per sector folder
    checklists: dict[str, tuple[ChecklistFile, SourceFile]] = {}
    for path in sorted(root.glob("*/checklist.yaml")):
        file = check.read(path)
        checklist = None if file is None else check.validate(ChecklistFile, file)
        if file is None or checklist is None:
            out.broken_checklists.add(path.parent.name)
            continue
        owner = path.parent.name
        if checklist.sector != owner:
            check.add(
                file,
                ("sector",),
                f"sektor '{checklist.sector}' tidak cocok dengan foldernya '{owner}'",
            )
        checklists[owner] = (checklist, file)
    out.checklists = checklists

    # ISO 18091
    iso_path = root / "iso18091" / "indicators.yaml"
    if not iso_path.is_file():
        check.add("iso18091/indicators.yaml", 1, "berkas indikator ISO 18091 tidak ditemukan")
    elif (file := check.read(iso_path)) is not None:
        iso = check.validate(Iso18091, file)
        if iso is not None:
            _check_iso(check, file, iso)
            out.iso, out.iso_file = iso, file

    # contacts
    contacts_path = root / "contacts.yaml"
    contacts: dict[str, tuple[Contact, SourceFile, int]] = {}
    if not contacts_path.is_file():
        check.add("contacts.yaml", 1, "berkas contacts.yaml tidak ditemukan")
    elif (file := check.read(contacts_path)) is not None:
        parsed_contacts = check.validate(ContactsFile, file)
        for index, contact in enumerate(parsed_contacts.contacts if parsed_contacts else ()):
            loc = ("contacts", index)
            if contact.id in contacts:
                check.add(file, (*loc, "id"), f"id kontak '{contact.id}' sudah dipakai")
                continue
            if contact.missing and contact.open_question is None:
                check.add(
                    file,
                    (*loc, "id"),
                    f"kontak '{contact.id}' belum lengkap ({', '.join(contact.missing)}): "
                    "tulis di 'open_question' apa yang masih dicari",
                )
            contacts[contact.id] = (contact, file, index)
    out.contacts = contacts

    # extra leave days
    leave_path = root / "calendar" / "cuti_bersama.yaml"
    leave: dict[date, str] = {}
    if leave_path.is_file() and (file := check.read(leave_path)) is not None:
        data = {"days": file.data} if isinstance(file.data, list) else file.data
        prefix: Loc = () if isinstance(file.data, list) else ("days",)
        days = check.validate(LeaveFile, file, data, wrapped=1 - len(prefix))
        if days is not None:
            for index, day in enumerate(days.days):
                if day.date in leave:
                    check.add(
                        file,
                        (*prefix, index, "date"),
                        f"tanggal {day.date.isoformat()} sudah tercantum",
                    )
                leave[day.date] = day.name
    out.leave = leave

    _cross_check(check, out)
    out.open_questions = collect_questions(
        check,
        out.contacts,
        out.shared,
        out.checklists,
        (out.iso, out.iso_file),
        out.open_questions,
    )
    return out, check.problems


def _check_iso(check: Checker, file: SourceFile, iso: Iso18091) -> None:
    seen_quadrants: set[str] = set()
    seen_ids: set[str] = set()
    for qindex, quadrant in enumerate(iso.quadrants):
        if quadrant.id in seen_quadrants:
            check.add(
                file, ("quadrants", qindex, "id"), f"kuadran '{quadrant.id}' ditulis dua kali"
            )
        seen_quadrants.add(quadrant.id)
        prefix, expected = ISO18091_QUADRANTS[quadrant.id]
        if len(quadrant.indicators) != expected:
            check.add(
                file,
                ("quadrants", qindex, "indicators"),
                f"kuadran '{quadrant.id}' harus punya {expected} indikator "
                f"(sekarang {len(quadrant.indicators)})",
            )
        for iindex, indicator in enumerate(quadrant.indicators):
            loc: Loc = ("quadrants", qindex, "indicators", iindex, "id")
            if not indicator.id.startswith(prefix):
                check.add(
                    file, loc, f"id '{indicator.id}' harus diawali '{prefix}' di kuadran ini"
                )
            if indicator.id in seen_ids:
                check.add(file, loc, f"id indikator '{indicator.id}' sudah dipakai")
            seen_ids.add(indicator.id)
    total = len(iso.indicators)
    if total != ISO18091_TOTAL:
        check.add(
            file, ("quadrants",), f"jumlah indikator harus {ISO18091_TOTAL} (sekarang {total})"
        )


def _cross_check(check: Checker, out: _Loaded) -> None:
    modules = out.modules or {}
    referenced: set[str] = set()
    contacts = out.contacts or {}

    for module, file in modules.values():
        for index, step in enumerate(module.steps):
            check_step(
                check, out.open_questions, file, index, step, contacts, out.contacts is not None
            )
        for index, other in enumerate(module.see_also):
            referenced.add(other)
            if other == module.id:
                check.add(file, ("see_also", index), "modul tidak perlu merujuk dirinya sendiri")
            elif other not in modules and other not in out.broken_modules:
                check.add(file, ("see_also", index), f"modul '{other}' tidak ada")
        if out.sectors is not None:
            keys = {sector.key for sector in out.sectors}
            for index, key in enumerate(module.sectors):
                if key not in keys and file.line(("sectors", index)) > 1:
                    check.add(
                        file, ("sectors", index), f"sektor '{key}' tidak ada di sectors.yaml"
                    )

    def check_items(file: SourceFile, items: Iterable[Item], loc: Loc) -> None:
        for index, item in enumerate(items):
            referenced.add(item.module)
            if item.module not in modules and item.module not in out.broken_modules:
                check.add(file, (*loc, index, "module"), f"modul '{item.module}' tidak ada")

    for shared_section, file in (out.shared or {}).values():
        check_items(file, shared_section.items, ("items",))

    resolved: dict[str, Checklist] = {}
    for folder, (raw, file) in (out.checklists or {}).items():
        sections: list[Section] = []
        item_lines: dict[str, str] = {}
        section_ids: set[str] = set()
        for sindex, entry in enumerate(raw.sections):
            sloc: Loc = ("sections", sindex)
            section = resolve_section(check, file, sloc, entry, out.shared or {})
            if section is None:
                continue
            if section.id in section_ids:
                check.add(file, (*sloc, "id"), f"id bagian '{section.id}' sudah dipakai")
            section_ids.add(section.id)
            if entry.items is not None:
                check_items(file, entry.items, (*sloc, "items"))
            for iindex, item in enumerate(section.items):
                iloc: Loc = (*sloc, "items", iindex, "id") if entry.include is None else sloc
                if item.id in item_lines:
                    check.add(
                        file,
                        iloc,
                        f"id butir '{item.id}' sudah dipakai ({item_lines[item.id]})",
                    )
                item_lines.setdefault(item.id, f"baris {file.line(iloc)}")
            sections.append(section)
        if sections:
            resolved[folder] = Checklist(
                id=raw.id,
                sector=raw.sector,
                title=raw.title,
                version=raw.version,
                sections=tuple(sections),
            )

    if out.sectors is not None and out.sectors_file is not None:
        sfile = out.sectors_file
        for index, sector in enumerate(out.sectors):
            for mindex, module_id in enumerate(sector.modules):
                referenced.add(module_id)
                loc: Loc = ("sectors", index, "modules", mindex)
                if module_id not in modules:
                    if module_id not in out.broken_modules:
                        check.add(sfile, loc, f"modul '{module_id}' tidak ada")
                    continue
                module = modules[module_id][0]
                if module.sectors and sector.key not in module.sectors:
                    check.add(
                        sfile,
                        loc,
                        f"modul '{module_id}' ditulis untuk sektor {', '.join(module.sectors)}, "
                        f"bukan '{sector.key}'",
                    )
            if sector.key in out.broken_checklists:
                continue  # its own problems are already listed
            if out.checklists is None or sector.key not in out.checklists:
                check.add(
                    sfile,
                    ("sectors", index, "checklist"),
                    f"berkas {sector.key}/checklist.yaml tidak ditemukan",
                )
            else:
                raw_checklist = out.checklists[sector.key][0]
                if raw_checklist.id != sector.checklist:
                    check.add(
                        sfile,
                        ("sectors", index, "checklist"),
                        f"daftar periksa '{sector.checklist}' tidak ada; "
                        f"{sector.key}/checklist.yaml ber-id '{raw_checklist.id}'",
                    )
        keys = {sector.key for sector in out.sectors}
        for folder, (_, file) in (out.checklists or {}).items():
            if folder not in keys:
                check.add(file, ("sector",), f"sektor '{folder}' tidak ada di sectors.yaml")

    out.resolved = resolved
    if check.problems:
        return  # with other problems, a module may look unused only because its user is broken
    for module_id, (_, file) in modules.items():
        if module_id not in referenced:
            check.add(
                file,
                ("id",),
                f"modul '{module_id}' tidak dipakai di sectors.yaml, daftar periksa, "
                "atau 'see_also' modul lain",
            )


# --------------------------------------------------------------------------------------------
# Entry points


def check_content(root: Path = DEFAULT_CONTENT_ROOT) -> list[ContentProblem]:
    """Every problem in the content under root (empty when all is well)."""
    return _load(root)[1]


def open_questions(root: Path = DEFAULT_CONTENT_ROOT) -> list[OpenQuestion]:
    """Every point the content marks as still to be confirmed, by file and line."""
    return _load(root)[0].open_questions


def load_content(root: Path = DEFAULT_CONTENT_ROOT) -> Content:
    """Load and check everything under root; raise ContentError listing all problems."""
    loaded, problems = _load(root)
    if problems:
        raise ContentError(problems)
    assert loaded.sectors is not None
    assert loaded.iso is not None
    assert loaded.modules is not None
    return Content(
        sectors=loaded.sectors,
        modules={key: module for key, (module, _) in loaded.modules.items()},
        checklists=loaded.resolved,
        iso18091=loaded.iso,
        extra_leave_days=loaded.leave or {},
        root=root,
        contacts={key: contact for key, (contact, _, _) in (loaded.contacts or {}).items()},
    )
