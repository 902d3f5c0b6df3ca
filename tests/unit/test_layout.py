"""The test tree's layout: shared helpers live in tests/support, no test imports another."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _imported_test_modules(path: Path) -> list[str]:
    """The `tests.*` modules a file imports that are not under tests.support."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.ImportFrom):
            names = ["." * node.level + (node.module or "")]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            in_tests = name.startswith(".") or name == "tests" or name.startswith("tests.")
            if in_tests and not (name == "tests.support" or name.startswith("tests.support.")):
                found.append(name)
    return found


def test_no_test_module_imports_another_test_folder() -> None:
    # conftest.py and tests/support count too: a helper there must not reach into a test folder.
    modules = sorted(TESTS.rglob("*.py"))
    assert len(modules) > 20, "the test tree moved; fix TESTS"
    offenders = {
        str(path.relative_to(TESTS)): names
        for path in modules
        if (names := _imported_test_modules(path))
    }
    assert offenders == {}, "import shared helpers from tests.support instead"


def test_the_check_sees_each_kind_of_import(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "import tests.e2e.people\n"
        "from tests.db.test_checklists import tiny_png\n"
        "from . import conftest\n"
        "from tests.support.png import tiny_png as ok\n"
        "def f():\n"
        "    from tests.localapi import tinybot\n",
        encoding="utf-8",
    )
    assert _imported_test_modules(sample) == [
        "tests.e2e.people",
        "tests.db.test_checklists",
        ".",
        "tests.localapi",
    ]
