"""Guidance modules, checklists, ISO 18091 indicators and leave days: schema, loader, checker.

Everything under ``content/`` is written by programme staff as YAML. It is read once at start-up,
validated completely, and handed to the bot as one frozen :class:`Content`. Every problem found is
reported with the file and the line it sits on, in Indonesian, so the author can fix it without
reading Python: ``content/kue/modules/label-kue.yaml:12: langkah 3 terlalu panjang (812 karakter,
batas 700)``.

The parts: :mod:`~bot.content.schema` (the models and their field rules),
:mod:`~bot.content.html` (the Telegram HTML a step may use), :mod:`~bot.content.loader` (YAML
with line numbers, problems in Indonesian) and :mod:`~bot.content.checks` (the folder as a whole,
references between files).
"""

from bot.content.checks import DEFAULT_CONTENT_ROOT, check_content, load_content, open_questions
from bot.content.problems import ContentError, ContentProblem, OpenQuestion
from bot.content.schema import (
    CORE,
    ISO18091_QUADRANTS,
    ISO18091_TOTAL,
    ITEM_ID_LIMIT,
    MAX_STEPS,
    MIN_STEPS,
    NEXT_STEP_LIMIT,
    QUESTION_LIMIT,
    SLUG_LIMIT,
    STEP_TEXT_LIMIT,
    Checklist,
    Contact,
    Content,
    Indicator,
    Iso18091,
    Item,
    LeaveDay,
    Module,
    Quadrant,
    Section,
    Sector,
    Source,
    Step,
    TrafficLights,
)

__all__ = [
    "CORE",
    "DEFAULT_CONTENT_ROOT",
    "ISO18091_QUADRANTS",
    "ISO18091_TOTAL",
    "ITEM_ID_LIMIT",
    "MAX_STEPS",
    "MIN_STEPS",
    "NEXT_STEP_LIMIT",
    "QUESTION_LIMIT",
    "SLUG_LIMIT",
    "STEP_TEXT_LIMIT",
    "Checklist",
    "Contact",
    "Content",
    "ContentError",
    "ContentProblem",
    "Indicator",
    "Iso18091",
    "Item",
    "LeaveDay",
    "Module",
    "OpenQuestion",
    "Quadrant",
    "Section",
    "Sector",
    "Source",
    "Step",
    "TrafficLights",
    "check_content",
    "load_content",
    "open_questions",
]
