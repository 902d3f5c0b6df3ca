"""Points the content says are not confirmed yet, gathered for the programme team.

A step that says it is still being asked must carry an `open_question`; contacts, checklist
items and the ISO 18091 file may carry one too. `pendamping content check --open-questions`
lists them all by file and line so the team closes each once, for everyone.
"""

from __future__ import annotations

from bot.content.loader import Checker, Loc, SourceFile
from bot.content.problems import OpenQuestion
from bot.content.schema import ChecklistFile, Contact, Iso18091, SharedSection, Step

# Words that say a point is not confirmed yet.
UNCONFIRMED = ("belum kami pastikan", "sedang menanyakan", "sedang kami tanyakan")


def check_step(
    check: Checker,
    questions: list[OpenQuestion],
    file: SourceFile,
    index: int,
    step: Step,
    contacts: dict[str, tuple[Contact, SourceFile, int]],
    contacts_loaded: bool,
) -> None:
    """A step's contact exists, and a point it says is unconfirmed is marked for the team."""
    loc: Loc = ("steps", index)
    ask: str | None = None
    if step.contact is not None:
        if step.contact not in contacts:
            if contacts_loaded:
                check.add(file, (*loc, "contact"), f"kontak '{step.contact}' tidak ada")
        else:
            ask = contacts[step.contact][0].office
        if step.image is not None:
            check.add(
                file,
                (*loc, "contact"),
                "langkah bergambar tidak bisa memuat kontak (keterangan foto terlalu pendek)",
            )
    text = step.text.lower()
    if step.open_question is None and any(words in text for words in UNCONFIRMED):
        check.add(
            file,
            (*loc, "text"),
            f"langkah {index + 1} menyebut hal yang belum dipastikan: tulis pertanyaannya di "
            "'open_question' supaya tim program menjawabnya",
        )
    if step.open_question is not None:
        questions.append(_question(check, file, (*loc, "open_question"), step.open_question, ask))


def _question(
    check: Checker, file: SourceFile, loc: Loc, question: str, ask: str | None = None
) -> OpenQuestion:
    return OpenQuestion(file.rel, file.line(loc), question, ask, check.root.name or "content")


def collect_questions(
    check: Checker,
    contacts: dict[str, tuple[Contact, SourceFile, int]] | None,
    shared: dict[str, tuple[SharedSection, SourceFile]] | None,
    checklists: dict[str, tuple[ChecklistFile, SourceFile]] | None,
    iso: tuple[Iso18091 | None, SourceFile | None],
    found: list[OpenQuestion],
) -> list[OpenQuestion]:
    """The steps' questions in `found` with those of contacts, checklist items and the ISO
    18091 file, in file order."""
    questions = list(found)
    for contact, file, index in (contacts or {}).values():
        if contact.open_question is not None:
            loc: Loc = ("contacts", index, "open_question")
            questions.append(_question(check, file, loc, contact.open_question, contact.office))
    for shared_section, file in (shared or {}).values():
        for index, item in enumerate(shared_section.items):
            if item.open_question is not None:
                loc = ("items", index, "open_question")
                questions.append(_question(check, file, loc, item.open_question))
    for raw, file in (checklists or {}).values():
        for sindex, entry in enumerate(raw.sections):
            for index, item in enumerate(entry.items or ()):
                if item.open_question is not None:
                    loc = ("sections", sindex, "items", index, "open_question")
                    questions.append(_question(check, file, loc, item.open_question))
    iso_text, iso_file = iso
    if iso_text is not None and iso_file is not None and iso_text.open_question is not None:
        questions.append(_question(check, iso_file, ("open_question",), iso_text.open_question))
    return sorted(questions, key=lambda q: (q.file, q.line))
