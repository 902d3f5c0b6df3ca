"""What is wrong in the content, located by file and line for the people who write it."""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True, slots=True)
class OpenQuestion:
    """A point in the content still to be confirmed, where it is and whom it is asked of."""

    file: str
    line: int
    question: str
    ask: str | None = None  # the office asked (a contact's name), when the content says
    root: str = "content"

    def __str__(self) -> str:
        ask = f" (ditanyakan ke: {self.ask})" if self.ask else ""
        return f"{self.root}/{self.file}:{self.line}: {self.question}{ask}"
