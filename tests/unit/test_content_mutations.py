"""Random damage to the content files: the checker reports problems by file and line, never
crashes, whatever the authors' editor did to the YAML."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content import DEFAULT_CONTENT_ROOT, check_content

FILES = sorted(
    str(p.relative_to(DEFAULT_CONTENT_ROOT)) for p in DEFAULT_CONTENT_ROOT.rglob("*.yaml")
)
# Pieces an editor (or a careless paste) leaves in YAML.
DEBRIS = (
    "",
    " ",
    "\t",
    ":",
    "- ",
    "? ",
    "&a ",
    "*a",
    "!!python/object:os.system ",
    "{",
    "]",
    "'",
    '"',
    "#",
    "|",
    ">-",
    "---",
    "...",
    "%YAML 1.1",
    "~",
    "null",
    "12",
    "<b>",
    "\u00a0",
    "\ufeff",
    "💥",
    "x" * 900,
)


@pytest.fixture(scope="module")
def copy() -> Iterator[Path]:
    """One writable copy of the shipped content for all examples (each puts its file back)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "content"
        shutil.copytree(DEFAULT_CONTENT_ROOT, root)
        yield root


@st.composite
def damaged(draw: st.DrawFn) -> tuple[str, str]:
    """A content file and its text after a few random edits."""
    name = draw(st.sampled_from(FILES))
    lines = (DEFAULT_CONTENT_ROOT / name).read_text(encoding="utf-8").split("\n")
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, max(len(lines) - 1, 0)))
        edit = draw(st.sampled_from(("drop", "double", "indent", "dedent", "insert", "cut")))
        line = lines[at] if lines else ""
        if edit == "drop" and lines:
            del lines[at]
        elif edit == "double":
            lines.insert(at, line)
        elif edit == "indent":
            lines[at : at + 1] = [draw(st.sampled_from(("  ", " ", "\t"))) + line]
        elif edit == "dedent":
            lines[at : at + 1] = [line.lstrip()]
        elif edit == "insert":
            piece = draw(st.sampled_from(DEBRIS) | st.text(max_size=20))
            col = draw(st.integers(0, len(line)))
            lines[at : at + 1] = [line[:col] + piece + line[col:]]
        else:
            lines = lines[: at + 1]
    return name, "\n".join(lines)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(damaged())
def test_damaged_content_is_reported_by_file_and_line(copy: Path, edit: tuple[str, str]) -> None:
    name, text = edit
    path = copy / name
    path.write_text(text, encoding="utf-8")
    try:
        problems = check_content(copy)
    finally:
        shutil.copy(DEFAULT_CONTENT_ROOT / name, path)
    files = set(FILES)
    for problem in problems:
        assert problem.file in files, str(problem)
        length = len((copy / problem.file).read_text(encoding="utf-8").split("\n"))
        longest = len(text.split("\n")) if problem.file == name else length
        assert 1 <= problem.line <= max(longest, 1) + 1, str(problem)
        assert problem.message.strip(), str(problem)


def test_a_control_character_is_reported_on_its_line(copy: Path) -> None:
    name = "calendar/cuti_bersama.yaml"
    path = copy / name
    path.write_text("# libur\n# tambahan\n\x08[]\n", encoding="utf-8")
    try:
        problems = check_content(copy)
    finally:
        shutil.copy(DEFAULT_CONTENT_ROOT / name, path)
    assert [(p.file, p.line) for p in problems] == [(name, 3)]
    assert "karakter kontrol #x0008" in problems[0].message
