"""Guidance modules, checklists, ISO 18091 indicators and leave days: schema, loader, checker.

Everything under ``content/`` is written by programme staff as YAML. It is read once at start-up,
validated completely, and handed to the bot as one frozen :class:`Content`. Every problem found is
reported with the file and the line it sits on, in Indonesian, so the author can fix it without
reading Python: ``content/kue/modules/label-kue.yaml:12: langkah 3 terlalu panjang (812 karakter,
batas 700)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

DEFAULT_CONTENT_ROOT = Path(__file__).resolve().parent.parent / "content"

CORE = "core"
STEP_TEXT_LIMIT = 700  # visible characters of one guidance step
QUESTION_LIMIT = 300
NEXT_STEP_LIMIT = 90
ITEM_ID_LIMIT = 16  # keeps "<prefix>:<checklist>:<item>:<answer>" well inside 64 bytes
SLUG_LIMIT = 24
MIN_STEPS, MAX_STEPS = 3, 7

# ISO 18091:2019 Annex A as implemented in github.com/paxasaval/ISO-18091-BACKEND (DOMAIN.md §5):
# quadrant id -> (indicator id prefix, number of indicators). 10 + 8 + 12 + 9 = 39.
ISO18091_QUADRANTS: dict[str, tuple[str, int]] = {
    "institusional": ("I", 10),
    "ekonomi": ("E", 8),
    "sosial": ("S", 12),
    "lingkungan": ("L", 9),
}
ISO18091_TOTAL = 39

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_URL = re.compile(r"^https?://\S+$")
_TAGLIKE = re.compile(r"</?[a-zA-Z][^>]*>")
_ALLOWED_TAGS = frozenset({"b", "i", "u", "a", "code"})
_ALLOWED_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})


# --------------------------------------------------------------------------------------------
# Problems


@dataclass(frozen=True, slots=True)
class ContentProblem:
    """One thing wrong in the content: where (file relative to the root, 1-based line) and what."""

    file: str
    line: int
    message: str
    root: str = "content"

    def __str__(self) -> str:
        return f"{self.root}/{self.file}:{self.line}: {self.message}"


class ContentError(Exception):
    """The content cannot be used; ``problems`` lists everything that is wrong."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} masalah pada isi panduan:\n{lines}")


# --------------------------------------------------------------------------------------------
# Field types (validators raise ValueError with Indonesian text; the checker shows it as is)


def _plain(limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("kosong, mohon diisi")
        if _TAGLIKE.search(value):
            raise ValueError("tidak boleh memuat tag HTML (teks ini ditampilkan apa adanya)")
        if len(value) > limit:
            raise ValueError(f"terlalu panjang ({len(value)} karakter, batas {limit})")
        return value

    return check


def _slug(limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(
                f"'{value}' tidak sah: pakai huruf kecil a-z, angka, dan tanda hubung "
                "(contoh: label-kue)"
            )
        if len(value) > limit:
            raise ValueError(f"'{value}' terlalu panjang ({len(value)} karakter, batas {limit})")
        return value

    return check


def _url(value: str) -> str:
    if not _URL.match(value):
        raise ValueError(f"'{value}' bukan alamat web (harus diawali http:// atau https://)")
    return value


def _rich(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("kosong, mohon diisi")
    checker = _TelegramHTML()
    checker.check(value)
    if checker.errors:
        raise ValueError(checker.errors[0])
    if checker.visible > STEP_TEXT_LIMIT:
        raise ValueError(f"terlalu panjang ({checker.visible} karakter, batas {STEP_TEXT_LIMIT})")
    return value


def _relative_path(value: str) -> str:
    parts = Path(value).parts
    if not value or Path(value).is_absolute() or ".." in parts:
        raise ValueError(f"'{value}' harus jalur relatif di dalam folder content/")
    return value


Slug = Annotated[str, AfterValidator(_slug(SLUG_LIMIT))]
ItemId = Annotated[str, AfterValidator(_slug(ITEM_ID_LIMIT))]
Title = Annotated[str, AfterValidator(_plain(120))]
Line = Annotated[str, AfterValidator(_plain(200))]
Question = Annotated[str, AfterValidator(_plain(QUESTION_LIMIT))]
NextStep = Annotated[str, AfterValidator(_plain(NEXT_STEP_LIMIT))]
Paragraph = Annotated[str, AfterValidator(_plain(600))]
Url = Annotated[str, AfterValidator(_url)]
RichText = Annotated[str, AfterValidator(_rich)]
ImagePath = Annotated[str, AfterValidator(_relative_path)]


class _TelegramHTML(HTMLParser):
    """Checks the HTML subset Telegram accepts in our texts and counts visible characters."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.visible = 0

    def check(self, text: str) -> None:
        self.feed(text)
        self.close()
        for tag in reversed(self.stack):
            self.errors.append(f"memuat <{tag}> yang belum ditutup (tambahkan </{tag}>)")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            self.errors.append(
                f"memuat tag <{tag}> yang tidak diizinkan "
                "(yang boleh: <b>, <i>, <u>, <a href>, <code>)"
            )
        elif tag == "a":
            names = [name for name, _ in attrs]
            href = dict(attrs).get("href")
            if names != ["href"] or href is None or not _URL.match(href):
                self.errors.append(
                    'memuat tautan yang salah tulis; bentuknya <a href="https://...">teks</a>'
                )
        elif attrs:
            self.errors.append(f"memuat <{tag}> dengan atribut, padahal tidak boleh")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.errors.append(f"memuat <{tag}/> yang tidak diizinkan (baris baru: cukup Enter)")

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        elif tag in self.stack:
            self.errors.append(f"memuat </{tag}> sebelum </{self.stack[-1]}> ditutup")
            self.stack.remove(tag)
        else:
            self.errors.append(f"memuat </{tag}> tanpa pembuka <{tag}>")

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            self.errors.append("memuat tanda < atau > yang harus ditulis &lt; atau &gt;")
        if "&" in data:
            self.errors.append("memuat tanda & yang harus ditulis &amp;")
        self.visible += len(data)

    def handle_entityref(self, name: str) -> None:
        if name not in _ALLOWED_ENTITIES:
            self.errors.append(
                f"memuat &{name}; yang tidak dikenal Telegram (yang boleh: &lt; &gt; &amp;)"
            )
        self.visible += 1

    def handle_charref(self, name: str) -> None:
        self.visible += 1

    def handle_comment(self, data: str) -> None:
        self.errors.append("memuat komentar HTML <!-- --> yang tidak diizinkan")

    def handle_decl(self, decl: str) -> None:
        self.errors.append("memuat deklarasi HTML yang tidak diizinkan")

    def handle_pi(self, data: str) -> None:
        self.errors.append("memuat <? ?> yang tidak diizinkan")

    def unknown_decl(self, data: str) -> None:
        self.errors.append("memuat deklarasi HTML yang tidak diizinkan")


# --------------------------------------------------------------------------------------------
# Models: what the rest of the bot reads


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Frozen):
    """Where a module's facts come from (DOMAIN.md lists them)."""

    title: Line
    url: Url


class Step(_Frozen):
    """One screen of guidance: Telegram HTML (<b> <i> <u> <a href> <code>), ≤ 700 visible chars."""

    title: Title | None = None
    text: RichText
    image: ImagePath | None = None  # relative to the content root


class Module(_Frozen):
    """A guidance module read step by step. ``sectors`` empty = shared (core)."""

    id: Slug
    title: Title
    summary: Line
    sectors: tuple[Slug, ...] = ()
    sources: tuple[Source, ...] = Field(min_length=1)
    see_also: tuple[Slug, ...] = ()
    steps: tuple[Step, ...] = Field(min_length=MIN_STEPS, max_length=MAX_STEPS)


class Item(_Frozen):
    """One yes/partly/no question of a checklist."""

    id: ItemId
    question: Question
    weight: int = Field(ge=1, le=3)
    module: Slug
    next_step: NextStep
    evidence_hint: Line | None = None


class Section(_Frozen):
    """A group of checklist items (after shared sections are included)."""

    id: Slug
    title: Title
    items: tuple[Item, ...] = Field(min_length=1)


class Checklist(_Frozen):
    """The SNI-readiness checklist of one sector; ``version`` changes when items change."""

    id: Slug
    sector: Slug
    title: Title
    version: int = Field(ge=1)
    sections: tuple[Section, ...] = Field(min_length=1)

    @property
    def items(self) -> tuple[Item, ...]:
        """All items, in order."""
        return tuple(item for section in self.sections for item in section.items)

    def item(self, item_id: str) -> Item:
        """The item with this id; KeyError when there is none."""
        for candidate in self.items:
            if candidate.id == item_id:
                return candidate
        raise KeyError(item_id)

    def section_of(self, item_id: str) -> Section:
        """The section holding this item; KeyError when there is none."""
        for section in self.sections:
            if any(item.id == item_id for item in section.items):
                return section
        raise KeyError(item_id)


class Sector(_Frozen):
    """A business sector: its name, its modules in reading order, its checklist id."""

    key: Slug
    name: Title
    description: Line
    phase: Literal["pilot", "lanjutan"] = "pilot"
    modules: tuple[Slug, ...] = Field(min_length=1)
    checklist: Slug


class TrafficLights(_Frozen):
    """What red, yellow and green mean in the ISO 18091 self-diagnosis."""

    merah: Paragraph
    kuning: Paragraph
    hijau: Paragraph


class Indicator(_Frozen):
    """One ISO 18091 Annex A indicator, paraphrased."""

    id: Annotated[str, Field(pattern=r"^[IESL][0-9]{2}$")]
    title: Title
    question: Paragraph


class Quadrant(_Frozen):
    """One of the four quadrants of the ISO 18091 self-diagnosis."""

    id: Literal["institusional", "ekonomi", "sosial", "lingkungan"]
    title: Title
    indicators: tuple[Indicator, ...] = Field(min_length=1)


class Iso18091(_Frozen):
    """ISO 18091:2019 Annex A self-diagnosis: 4 quadrants, 39 indicators, traffic lights."""

    title: Title
    note: Paragraph
    sources: tuple[Source, ...] = Field(min_length=1)
    lights: TrafficLights
    quadrants: tuple[Quadrant, ...] = Field(min_length=4, max_length=4)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """All 39 indicators, quadrant by quadrant."""
        return tuple(ind for quadrant in self.quadrants for ind in quadrant.indicators)

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with this id; KeyError when there is none."""
        for candidate in self.indicators:
            if candidate.id == indicator_id:
                return candidate
        raise KeyError(indicator_id)

    def quadrant_of(self, indicator_id: str) -> Quadrant:
        """The quadrant holding this indicator; KeyError when there is none."""
        for quadrant in self.quadrants:
            if any(ind.id == indicator_id for ind in quadrant.indicators):
                return quadrant
        raise KeyError(indicator_id)


class LeaveDay(_Frozen):
    """A non-working day added on top of the ``holidays`` package (cuti bersama, local days)."""

    date: date
    name: Line


class Content(_Frozen):
    """Everything in content/, validated and cross-checked."""

    sectors: tuple[Sector, ...]
    modules: dict[str, Module]
    checklists: dict[str, Checklist]  # by sector key
    iso18091: Iso18091
    extra_leave_days: dict[date, str]
    root: Path  # where the files are, for step images

    def sector(self, key: str) -> Sector:
        """The sector with this key; KeyError when there is none."""
        for sector in self.sectors:
            if sector.key == key:
                return sector
        raise KeyError(key)

    @property
    def sector_keys(self) -> tuple[str, ...]:
        """Sector keys in the order of sectors.yaml."""
        return tuple(sector.key for sector in self.sectors)

    def modules_for(self, sector: str) -> list[Module]:
        """The modules of a sector in reading order."""
        return [self.modules[module_id] for module_id in self.sector(sector).modules]

    def checklist_for(self, sector: str) -> Checklist:
        """The checklist of a sector."""
        self.sector(sector)
        return self.checklists[sector]


# --------------------------------------------------------------------------------------------
# File models: the shapes on disk that differ from what the bot reads


class _SectorsFile(_Frozen):
    sectors: tuple[Sector, ...] = Field(min_length=1)


class _SectionEntry(_Frozen):
    """A checklist section as written: its own items, or ``include`` of a shared section."""

    id: Slug | None = None
    title: Title | None = None
    items: tuple[Item, ...] | None = None
    include: Slug | None = None
    version: int | None = Field(default=None, ge=1)


class _ChecklistFile(_Frozen):
    id: Slug
    sector: Slug
    title: Title
    version: int = Field(ge=1)
    sections: tuple[_SectionEntry, ...] = Field(min_length=1)


class _SharedSection(_Frozen):
    id: Slug
    title: Title
    version: int = Field(ge=1)
    items: tuple[Item, ...] = Field(min_length=1)


class _LeaveFile(_Frozen):
    days: tuple[LeaveDay, ...] = ()


# --------------------------------------------------------------------------------------------
# YAML with line numbers


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a wrong date is a located problem, not a crash."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

Loc = tuple[int | str, ...]
M = TypeVar("M", bound=BaseModel)

_NOUNS = {
    "id": "id",
    "title": "judul",
    "summary": "ringkasan",
    "sectors": "sektor",
    "sources": "sumber",
    "url": "alamat",
    "see_also": "lihat juga",
    "steps": "langkah",
    "image": "gambar",
    "key": "kunci",
    "name": "nama",
    "description": "keterangan",
    "phase": "tahap",
    "modules": "modul",
    "checklist": "daftar periksa",
    "version": "versi",
    "sections": "bagian",
    "items": "butir",
    "question": "pertanyaan",
    "weight": "bobot",
    "module": "modul",
    "next_step": "langkah berikutnya",
    "evidence_hint": "petunjuk bukti",
    "include": "include",
    "sector": "sektor",
    "lights": "arti lampu",
    "quadrants": "kuadran",
    "indicators": "indikator",
    "note": "catatan",
    "days": "hari",
    "date": "tanggal",
}


def _where(loc: Loc) -> str:
    """Indonesian label of a place in a file: ("steps", 2, "title") -> "judul langkah 3"."""
    parts: list[str] = []
    for index, part in enumerate(loc):
        if isinstance(part, int):
            if parts:
                parts[-1] = f"{parts[-1]} {part + 1}"
            else:
                parts.append(f"nomor {part + 1}")
        elif part == "text" and index >= 2 and loc[index - 2] == "steps":
            continue  # a step's text is the step itself
        else:
            parts.append(_NOUNS.get(part, part))
    return " ".join(reversed(parts))


@dataclass
class _File:
    rel: str
    node: yaml.Node | None
    data: Any

    def line(self, loc: Loc) -> int:
        """The line of loc: the key line for a field, the item line for a list entry."""
        node = self.node
        if node is None:
            return 1
        line = node.start_mark.line + 1
        for index, part in enumerate(loc):
            last = index == len(loc) - 1
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == part:
                        if last:
                            return int(key.start_mark.line) + 1
                        node = value
                        line = int(key.start_mark.line) + 1
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    return line
                node = node.value[part]
                line = int(node.start_mark.line) + 1
            else:
                return line
        return line


def _has_inner(error: ErrorDetails, errors: list[ErrorDetails]) -> bool:
    loc = tuple(error["loc"])
    return any(tuple(other["loc"])[: len(loc)] == loc and other is not error for other in errors)


class _Checker:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[ContentProblem] = []

    def add(self, file: _File | str, loc: Loc | int, message: str) -> None:
        rel = file.rel if isinstance(file, _File) else file
        line = loc if isinstance(loc, int) else file.line(loc) if isinstance(file, _File) else 1
        self.problems.append(ContentProblem(rel, line, message, self.root.name or "content"))

    def read(self, path: Path) -> _File | None:
        rel = path.relative_to(self.root).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.add(rel, 1, "berkas harus disimpan sebagai UTF-8")
            return None
        except OSError as exc:
            self.add(rel, 1, f"berkas tidak bisa dibaca ({exc.strerror})")
            return None
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                self.add(rel, 1, "berkas kosong")
                return None
            data = loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            self.add(rel, line, f"penulisan YAML rusak ({exc.problem or exc.context})")
            return None
        except yaml.YAMLError as exc:
            self.add(rel, 1, f"penulisan YAML rusak ({exc})")
            return None
        finally:
            loader.dispose()
        result = _File(rel, node, data)
        self._duplicate_keys(result, node, ())
        return result

    def _duplicate_keys(self, file: _File, node: yaml.Node, loc: Loc) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                name = str(key.value)
                if name in seen:
                    self.problems.append(
                        ContentProblem(
                            file.rel,
                            key.start_mark.line + 1,
                            f"kolom '{name}' ditulis dua kali; hapus salah satunya",
                            self.root.name or "content",
                        )
                    )
                seen.add(name)
                self._duplicate_keys(file, value, (*loc, name))
        elif isinstance(node, yaml.SequenceNode):
            for index, value in enumerate(node.value):
                self._duplicate_keys(file, value, (*loc, index))

    def validate(
        self, model: type[M], file: _File, data: Any = None, *, wrapped: int = 0
    ) -> M | None:
        """Validate file.data (or data wrapped around it: drop that many leading loc parts)."""
        try:
            return model.model_validate(file.data if data is None else data)
        except ValidationError as exc:
            errors = exc.errors()
            for error in errors:
                if error["type"] in {"too_short", "too_long"} and _has_inner(error, errors):
                    continue  # "too few steps" only because a step itself is wrong
                self._pydantic_problem(file, error, wrapped)
            return None

    def _pydantic_problem(self, file: _File, error: ErrorDetails, wrapped: int) -> None:
        loc: Loc = tuple(error["loc"])[wrapped:]
        kind = error["type"]
        ctx = error.get("ctx", {})
        name = str(loc[-1]) if loc else ""
        if kind == "missing":
            self._structural(file, loc, f"kolom '{name}' wajib diisi")
            return
        if kind == "extra_forbidden":
            self._structural(file, loc, f"kolom '{name}' tidak dikenal (salah ketik?)")
            return
        value = error.get("input")
        if kind == "value_error":
            detail = str(ctx.get("error", error["msg"]))
        elif kind == "string_type" and value is None:
            detail = "kosong, mohon diisi"
        elif kind == "string_type":
            detail = "harus berupa teks (beri tanda petik bila perlu)"
        elif kind in {"int_type", "int_parsing", "int_from_float"}:
            detail = "harus berupa bilangan bulat"
        elif kind == "greater_than_equal":
            detail = f"paling kecil {ctx.get('ge')}"
        elif kind == "less_than_equal":
            detail = f"paling besar {ctx.get('le')}"
        elif kind == "too_short":
            detail = (
                f"terlalu sedikit ({ctx.get('actual_length')} isi, paling sedikit "
                f"{ctx.get('min_length')})"
            )
        elif kind == "too_long":
            detail = (
                f"terlalu banyak ({ctx.get('actual_length')} isi, paling banyak "
                f"{ctx.get('max_length')})"
            )
        elif kind in {"tuple_type", "list_type"}:
            detail = "harus berupa daftar (baris-baris diawali '- ')"
        elif kind in {"model_type", "model_attributes_type", "dict_type"}:
            detail = "harus berupa pasangan 'kolom: isi'"
        elif kind.startswith("date"):
            detail = f"'{value}' bukan tanggal yang sah (tulis TTTT-BB-HH, contoh 2026-12-24)"
        elif kind == "literal_error":
            detail = f"harus salah satu dari: {ctx.get('expected')}"
        elif kind == "string_pattern_mismatch":
            detail = f"'{value}' tidak sesuai pola {ctx.get('pattern')}"
        else:
            detail = f"tidak sah ({error['msg']})"
        where = _where(loc)
        self.add(file, loc, f"{where} {detail}" if where else detail)

    def _structural(self, file: _File, loc: Loc, detail: str) -> None:
        where = _where(loc[:-1])
        self.add(file, loc, f"{where}: {detail}" if where else detail)


# --------------------------------------------------------------------------------------------
# Loading and cross-checking


@dataclass
class _Loaded:
    sectors: tuple[Sector, ...] | None = None
    sectors_file: _File | None = None
    modules: dict[str, tuple[Module, _File]] | None = None
    shared: dict[str, tuple[_SharedSection, _File]] | None = None
    checklists: dict[str, tuple[_ChecklistFile, _File]] | None = None
    iso: Iso18091 | None = None
    leave: dict[date, str] | None = None
    resolved: dict[str, Checklist] = field(default_factory=dict)
    # modules that exist but are broken: references to them are not reported again
    broken_modules: set[str] = field(default_factory=set)
    broken_checklists: set[str] = field(default_factory=set)


def _yaml_files(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        yield from sorted(p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"})


def _load(root: Path) -> tuple[_Loaded, list[ContentProblem]]:
    check = _Checker(root)
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
        parsed = check.validate(_SectorsFile, file)
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
    modules: dict[str, tuple[Module, _File]] = {}
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
    shared: dict[str, tuple[_SharedSection, _File]] = {}
    for path in _yaml_files(root / CORE / "sections"):
        file = check.read(path)
        if file is None:
            continue
        section = check.validate(_SharedSection, file)
        if section is None:
            continue
        if section.id != path.stem:
            check.add(
                file, ("id",), f"id '{section.id}' harus sama dengan nama berkas '{path.stem}'"
            )
        shared[section.id] = (section, file)
    out.shared = shared

    # checklists, one per sector folder
    checklists: dict[str, tuple[_ChecklistFile, _File]] = {}
    for path in sorted(root.glob("*/checklist.yaml")):
        file = check.read(path)
        checklist = None if file is None else check.validate(_ChecklistFile, file)
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
            out.iso = iso

    # extra leave days
    leave_path = root / "calendar" / "cuti_bersama.yaml"
    leave: dict[date, str] = {}
    if leave_path.is_file() and (file := check.read(leave_path)) is not None:
        data = {"days": file.data} if isinstance(file.data, list) else file.data
        prefix: Loc = () if isinstance(file.data, list) else ("days",)
        days = check.validate(_LeaveFile, file, data, wrapped=1 - len(prefix))
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
    return out, check.problems


def _check_iso(check: _Checker, file: _File, iso: Iso18091) -> None:
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


def _cross_check(check: _Checker, out: _Loaded) -> None:
    modules = out.modules or {}
    referenced: set[str] = set()

    for module, file in modules.values():
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

    def check_items(file: _File, items: Iterable[Item], loc: Loc) -> None:
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
            section = _resolve_section(check, file, sloc, entry, out.shared or {})
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


def _resolve_section(
    check: _Checker,
    file: _File,
    loc: Loc,
    entry: _SectionEntry,
    shared: dict[str, tuple[_SharedSection, _File]],
) -> Section | None:
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


# --------------------------------------------------------------------------------------------
# Public entry points


def check_content(root: Path = DEFAULT_CONTENT_ROOT) -> list[ContentProblem]:
    """Every problem in the content under root (empty when all is well)."""
    return _load(root)[1]


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
    )
