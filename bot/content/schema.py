"""The shape of the content: what the bot reads, and the files as written on disk.

Field validators raise ValueError with Indonesian text; the loader shows it to the author as is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from bot.content.html import TAGLIKE, URL, TelegramHTML

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


# --------------------------------------------------------------------------------------------
# Field types


def _plain(limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("kosong, mohon diisi")
        if TAGLIKE.search(value):
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
    if not URL.match(value):
        raise ValueError(f"'{value}' bukan alamat web (harus diawali http:// atau https://)")
    return value


def _rich(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("kosong, mohon diisi")
    checker = TelegramHTML()
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


# --------------------------------------------------------------------------------------------
# Models: what the rest of the bot reads


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Frozen):
    """Where a module's facts come from (DOMAIN.md lists them)."""

    title: Line
    url: Url


class Step(_Frozen):
    """One screen of guidance: Telegram HTML (<b> <i> <u> <a href> <code>), ≤ 700 visible chars.

    ``contact`` names the office (content/contacts.yaml) the step tells the owner to ask; the bot
    shows its card under the step. ``open_question`` marks a point the programme team still has
    to confirm (``pendamping content check --open-questions`` lists them all).
    """

    title: Title | None = None
    text: RichText
    image: ImagePath | None = None  # relative to the content root
    contact: Slug | None = None
    open_question: Paragraph | None = None


class Contact(_Frozen):
    """An office a business owner can go to: what it helps with and how to reach it.

    Unknown details stay empty and the contact carries an ``open_question`` saying what is
    still to be found out; the bot then says the programme team is completing them.
    """

    id: Slug
    office: Title
    helps_with: Line
    address: Line | None = None
    phone: Line | None = None
    whatsapp: Line | None = None
    hours: Line | None = None
    web: Url | None = None
    open_question: Paragraph | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        """The details still unknown: "address", "phone" (no phone, WhatsApp or web), "hours"."""
        reach = self.phone or self.whatsapp or self.web
        return tuple(
            name
            for name, value in (("address", self.address), ("phone", reach), ("hours", self.hours))
            if value is None
        )


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
    """One yes/partly/no question of a checklist (``not_applicable``: may also not apply)."""

    id: ItemId
    question: Question
    weight: int = Field(ge=1, le=3)
    module: Slug
    next_step: NextStep
    evidence_hint: Line | None = None
    open_question: Paragraph | None = None
    # The item can be answered "does not apply" (a non-halal product needs no halal
    # certificate): such an answer is left out of the score and of the next steps.
    not_applicable: bool = False


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


class Criteria(_Frozen):
    """What red, yellow and green mean for one indicator: a short line each (paraphrase)."""

    merah: Line
    kuning: Line
    hijau: Line


class Indicator(_Frozen):
    """One ISO 18091 Annex A indicator, paraphrased, with its short traffic-light criteria."""

    id: Annotated[str, Field(pattern=r"^[IESL][0-9]{2}$")]
    title: Title
    question: Paragraph
    criteria: Criteria


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
    open_question: Paragraph | None = None

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
    contacts: dict[str, Contact] = Field(default_factory=dict)

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


class SectorsFile(_Frozen):
    sectors: tuple[Sector, ...] = Field(min_length=1)


class SectionEntry(_Frozen):
    """A checklist section as written: its own items, or ``include`` of a shared section."""

    id: Slug | None = None
    title: Title | None = None
    items: tuple[Item, ...] | None = None
    include: Slug | None = None
    version: int | None = Field(default=None, ge=1)


class ChecklistFile(_Frozen):
    id: Slug
    sector: Slug
    title: Title
    version: int = Field(ge=1)
    sections: tuple[SectionEntry, ...] = Field(min_length=1)


class SharedSection(_Frozen):
    id: Slug
    title: Title
    version: int = Field(ge=1)
    items: tuple[Item, ...] = Field(min_length=1)


class LeaveFile(_Frozen):
    days: tuple[LeaveDay, ...] = ()


class ContactsFile(_Frozen):
    contacts: tuple[Contact, ...] = Field(min_length=1)
