"""The shipped content loads cleanly; broken copies are reported with the right file and line."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.content import (
    DEFAULT_CONTENT_ROOT,
    ISO18091_QUADRANTS,
    ITEM_ID_LIMIT,
    STEP_TEXT_LIMIT,
    ContentError,
    ContentProblem,
    check_content,
    load_content,
    open_questions,
)

SECTORS = {"kue", "tenun", "sasando", "hotel"}

# A small valid module that replaces core/modules/iso9001-umk.yaml in the broken copies, so the
# line numbers asserted below are fixed by this text alone.
MODULE = """\
id: iso9001-umk
title: Mutu
summary: Ringkas.
sources:
  - title: Sumber
    url: https://example.org/a
see_also: [sni-dasar]
steps:
  - title: Satu
    text: Langkah pertama.
  - title: Dua
    text: Langkah kedua.
  - title: Tiga
    text: Langkah ketiga.
"""
MODULE_FILE = "core/modules/iso9001-umk.yaml"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A writable copy of the shipped content, with MODULE in place of iso9001-umk."""
    copy = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_ROOT, copy)
    (copy / MODULE_FILE).write_text(MODULE, encoding="utf-8")
    return copy


def write_module(root: Path, text: str) -> None:
    (root / MODULE_FILE).write_text(text, encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing needle."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def only(problems: list[ContentProblem]) -> ContentProblem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# --- the shipped content ---------------------------------------------------------------------


def test_shipped_content_has_no_problems() -> None:
    assert [str(p) for p in check_content(DEFAULT_CONTENT_ROOT)] == []


def test_shipped_content_covers_every_sector() -> None:
    content = load_content(DEFAULT_CONTENT_ROOT)
    assert set(content.sector_keys) == SECTORS
    for key in SECTORS:
        modules = content.modules_for(key)
        assert modules, key
        checklist = content.checklist_for(key)
        assert checklist.sector == key
        assert checklist.items, key
        for item in checklist.items:
            assert item.module in content.modules
            assert len(item.id) <= ITEM_ID_LIMIT
        assert len({item.id for item in checklist.items}) == len(checklist.items)
    for key in SECTORS - {"hotel"}:
        # About ten minutes to fill in; every pilot checklist asks for the NIB first.
        assert 10 <= len(content.checklist_for(key).items) <= 17, key
        assert 3 <= len(content.checklist_for(key).sections) <= 6, key


def test_shipped_modules_name_sources_and_fit_telegram() -> None:
    content = load_content(DEFAULT_CONTENT_ROOT)
    for module in content.modules.values():
        assert module.sources, module.id
        assert all(s.url.startswith(("http://", "https://")) for s in module.sources)
        assert 3 <= len(module.steps) <= 7, module.id
        assert all(step.text for step in module.steps)


def test_shipped_core_modules_are_shared_by_pilot_sectors() -> None:
    content = load_content(DEFAULT_CONTENT_ROOT)
    for key in ("kue", "tenun", "sasando"):
        ids = [m.id for m in content.modules_for(key)]
        assert {"sni-dasar", "sni-bina-umk", "iso9001-umk"} <= set(ids)
        section_ids = [s.id for s in content.checklist_for(key).sections]
        assert "mutu" in section_ids


def test_shipped_iso18091_has_39_indicators_in_four_quadrants() -> None:
    iso = load_content(DEFAULT_CONTENT_ROOT).iso18091
    assert len(iso.indicators) == 39
    counts = {q.id: len(q.indicators) for q in iso.quadrants}
    assert counts == {"institusional": 10, "ekonomi": 8, "sosial": 12, "lingkungan": 9}
    for quadrant in iso.quadrants:
        prefix = ISO18091_QUADRANTS[quadrant.id][0]
        assert all(ind.id.startswith(prefix) for ind in quadrant.indicators)
    assert iso.indicator("S12").title
    assert iso.quadrant_of("L01").id == "lingkungan"
    assert all((iso.lights.merah, iso.lights.kuning, iso.lights.hijau))


def test_shipped_content_is_frozen() -> None:
    content = load_content(DEFAULT_CONTENT_ROOT)
    module = content.modules["sni-dasar"]
    with pytest.raises(ValueError, match="frozen"):
        module.title = "lain"  # type: ignore[misc]  # the point is that assignment fails


def test_checklist_item_lookup() -> None:
    checklist = load_content(DEFAULT_CONTENT_ROOT).checklist_for("kue")
    assert checklist.item("mutu-kartu").module == "iso9001-umk"
    assert checklist.section_of("pkp").id == "izin"
    with pytest.raises(KeyError):
        checklist.item("tidak-ada")


# --- broken copies -------------------------------------------------------------------------


def test_fixture_module_is_valid(root: Path) -> None:
    assert check_content(root) == []


def test_overlong_step_names_file_and_line(root: Path) -> None:
    write_module(root, MODULE.replace("Langkah ketiga.", "x" * (STEP_TEXT_LIMIT + 1)))
    problem = only(check_content(root))
    assert (problem.file, problem.line) == (MODULE_FILE, 14)
    assert str(problem) == (
        "content/core/modules/iso9001-umk.yaml:14: langkah 3 terlalu panjang "
        "(701 karakter, batas 700)"
    )


def test_step_length_counts_visible_text_only(root: Path) -> None:
    write_module(root, MODULE.replace("Langkah ketiga.", "<b>" + "x" * STEP_TEXT_LIMIT + "</b>"))
    assert check_content(root) == []


def test_unknown_key_names_file_and_line(root: Path) -> None:
    write_module(
        root,
        MODULE.replace("    text: Langkah kedua.\n", "    text: Langkah kedua.\n    gambr: a\n"),
    )
    problem = only(check_content(root))
    assert (problem.file, problem.line) == (MODULE_FILE, 13)
    assert "'gambr' tidak dikenal" in problem.message
    assert problem.message.startswith("langkah 2")


def test_missing_text_names_the_step(root: Path) -> None:
    write_module(root, MODULE.replace("    text: Langkah kedua.\n", ""))
    problem = only(check_content(root))
    assert (problem.file, problem.line) == (MODULE_FILE, 11)
    assert problem.message == "langkah 2: kolom 'text' wajib diisi"


def test_empty_title_is_reported(root: Path) -> None:
    write_module(root, MODULE.replace("title: Mutu\n", "title:\n"))
    problem = only(check_content(root))
    assert (problem.file, problem.line) == (MODULE_FILE, 2)
    assert problem.message == "judul kosong, mohon diisi"


def test_broken_see_also_names_file_and_line(root: Path) -> None:
    write_module(root, MODULE.replace("[sni-dasar]", "[sni-dasar, tidak-ada]"))
    problem = only(check_content(root))
    assert (problem.file, problem.line) == (MODULE_FILE, 7)
    assert problem.message == "modul 'tidak-ada' tidak ada"


def test_broken_checklist_module_link_names_file_and_line(root: Path) -> None:
    path = root / "kue" / "checklist.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("module: label-kue", "module: label-kuee", 1), encoding="utf-8")
    problem = only(check_content(root))
    assert problem.file == "kue/checklist.yaml"
    assert problem.line == line_of(path, "module: label-kuee")
    assert "modul 'label-kuee' tidak ada" in problem.message


def test_broken_sector_module_link_names_file_and_line(root: Path) -> None:
    path = root / "sectors.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("      - tenun-ukuran\n", "      - tenun-ukur\n"), "utf-8")
    problems = check_content(root)
    assert [(p.file, p.line) for p in problems] == [("sectors.yaml", line_of(path, "tenun-ukur"))]
    assert problems[0].message == "modul 'tenun-ukur' tidak ada"


def test_bad_yaml_names_file_and_line(root: Path) -> None:
    write_module(root, MODULE.replace("title: Mutu\n", "title: Mutu: lagi\n"))
    problem = only(check_content(root))
    assert (problem.file, problem.line) == (MODULE_FILE, 2)
    assert problem.message.startswith("penulisan YAML rusak")


def test_bad_indentation_names_file_and_line(root: Path) -> None:
    write_module(root, MODULE.replace("  - title: Dua\n", " - title: Dua\n"))
    problem = only(check_content(root))
    assert (problem.file, problem.line) == (MODULE_FILE, 11)


def test_duplicate_item_id_names_file_and_line(root: Path) -> None:
    path = root / "kue" / "checklist.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("- id: pkp\n", "- id: nib\n", 1), encoding="utf-8")
    problem = only(check_content(root))
    assert problem.file == "kue/checklist.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    first, second = [n for n, line in enumerate(lines, start=1) if line.strip() == "- id: nib"]
    assert problem.line == second
    assert problem.message == f"id butir 'nib' sudah dipakai (baris {first})"


def test_duplicate_module_id_names_second_file(root: Path) -> None:
    shutil.copy(root / MODULE_FILE, root / "kue" / "modules" / "iso9001-umk.yaml")
    problem = only(check_content(root))
    assert (problem.file, problem.line) == ("kue/modules/iso9001-umk.yaml", 1)
    assert "sudah dipakai di core/modules/iso9001-umk.yaml" in problem.message


def test_duplicate_yaml_key_is_reported(root: Path) -> None:
    write_module(root, MODULE.replace("summary: Ringkas.\n", "summary: Ringkas.\nsummary: Dua.\n"))
    problem = only(check_content(root))
    assert (problem.file, problem.line) == (MODULE_FILE, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<p>Langkah</p> kedua.", "memuat tag <p> yang tidak diizinkan"),
        ("<b>Langkah kedua.", "memuat <b> yang belum ditutup"),
        ("<b><i>Langkah</b></i>", "memuat </b> sebelum </i> ditutup"),
        ("Langkah</b> kedua.", "memuat </b> tanpa pembuka <b>"),
        ("Sikka & Alor", "memuat tanda & yang harus ditulis &amp;"),
        ('<a href="javascript:x">tautan</a>', "memuat tautan yang salah tulis"),
        ('<b class="x">tebal</b>', "memuat <b> dengan atribut"),
    ],
)
def test_bad_html_names_file_and_line(root: Path, text: str, expected: str) -> None:
    write_module(root, MODULE.replace("Langkah kedua.", text))
    problem = only(check_content(root))
    assert (problem.file, problem.line) == (MODULE_FILE, 12)
    assert problem.message.startswith(f"langkah 2 {expected}")


def test_allowed_html_passes(root: Path) -> None:
    text = '<b>a</b> <i>b</i> <u>c</u> <code>d</code> <a href="https://bsn.go.id">e</a> &lt;&amp;'
    write_module(root, MODULE.replace("Langkah kedua.", text))
    assert check_content(root) == []


def test_too_few_steps_is_one_problem(root: Path) -> None:
    write_module(root, MODULE.replace("  - title: Tiga\n    text: Langkah ketiga.\n", ""))
    problem = only(check_content(root))
    assert (problem.file, problem.line) == (MODULE_FILE, 8)
    assert problem.message == "langkah terlalu sedikit (2 isi, paling sedikit 3)"


def test_long_item_id_is_reported(root: Path) -> None:
    path = root / "kue" / "checklist.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("- id: pkp\n", "- id: penyuluhan-pangan\n", 1), "utf-8")
    problem = only(check_content(root))
    assert (problem.file, problem.line) == ("kue/checklist.yaml", line_of(path, "penyuluhan"))
    assert "terlalu panjang (17 karakter, batas 16)" in problem.message


def test_iso18091_count_is_checked(root: Path) -> None:
    path = root / "iso18091" / "indicators.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = line_of(path, "- id: E08")
    del lines[start - 1 : start + 8]  # id, title, question: >-, two lines, the criteria
    path.write_text("".join(lines), encoding="utf-8")
    messages = [p.message for p in check_content(root)]
    assert "kuadran 'ekonomi' harus punya 8 indikator (sekarang 7)" in messages
    assert "jumlah indikator harus 39 (sekarang 38)" in messages


def test_shared_section_version_change_is_flagged(root: Path) -> None:
    path = root / "core" / "sections" / "mutu.yaml"
    path.write_text(path.read_text("utf-8").replace("version: 1", "version: 2"), "utf-8")
    problems = check_content(root)
    assert {p.file for p in problems} == {f"{key}/checklist.yaml" for key in SECTORS}
    kue = next(p for p in problems if p.file == "kue/checklist.yaml")
    lines = (root / "kue" / "checklist.yaml").read_text("utf-8").splitlines()
    assert kue.line == lines.index("  - include: mutu") + 2  # the "version: 1" below it


def test_leave_days_are_loaded_and_bad_dates_reported(root: Path) -> None:
    path = root / "calendar" / "cuti_bersama.yaml"
    path.write_text(
        "- date: 2026-12-31\n  name: Contoh\n- date: 2026-02-30\n  name: Salah\n", "utf-8"
    )
    problem = only(check_content(root))
    assert (problem.file, problem.line) == ("calendar/cuti_bersama.yaml", 3)
    path.write_text("- date: 2026-12-31\n  name: Contoh\n", "utf-8")
    assert load_content(root).extra_leave_days == {date(2026, 12, 31): "Contoh"}


def test_load_content_raises_with_every_problem(root: Path) -> None:
    write_module(root, MODULE.replace("Langkah kedua.", "<p>x</p>").replace("Mutu", ""))
    with pytest.raises(ContentError) as caught:
        load_content(root)
    assert [p.line for p in caught.value.problems] == [2, 12]
    assert "content/core/modules/iso9001-umk.yaml:12:" in str(caught.value)


# --- contacts and open questions -------------------------------------------------------------


def test_a_step_naming_an_unknown_contact_is_reported(root: Path) -> None:
    write_module(
        root, MODULE.replace("    text: Langkah kedua.", "    text: Dua.\n    contact: x")
    )
    problem = only(check_content(root))
    assert (problem.file, problem.line) == (MODULE_FILE, 13)
    assert "kontak 'x' tidak ada" in problem.message


def test_an_unconfirmed_point_without_open_question_is_reported(root: Path) -> None:
    write_module(root, MODULE.replace("Langkah kedua.", "Biayanya kami sedang menanyakan ke BSN."))
    problem = only(check_content(root))
    assert (problem.file, problem.line) == (MODULE_FILE, 12)
    assert "open_question" in problem.message
    marked = MODULE.replace(
        "    text: Langkah kedua.",
        "    text: Biayanya kami sedang menanyakan ke BSN.\n"
        "    contact: bsn-bina-umk\n"
        "    open_question: Berapa biaya uji?",
    )
    write_module(root, marked)
    assert check_content(root) == []
    found = [q for q in open_questions(root) if q.file == MODULE_FILE]
    assert [(q.line, q.question, q.ask) for q in found] == [
        (14, "Berapa biaya uji?", "BSN — SNI Bina UMK")
    ]
    assert str(found[0]) == (
        "content/core/modules/iso9001-umk.yaml:14: Berapa biaya uji? "
        "(ditanyakan ke: BSN — SNI Bina UMK)"
    )


def test_a_contact_with_unknown_details_needs_an_open_question(root: Path) -> None:
    path = root / "contacts.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: bbkb")
    block = text[start:]
    cut = block.index("    open_question:")
    path.write_text(text[:start] + block[:cut], encoding="utf-8")
    problem = only(check_content(root))
    assert (problem.file, problem.line) == ("contacts.yaml", line_of(path, "id: bbkb"))
    assert "kontak 'bbkb' belum lengkap (address, hours)" in problem.message


def test_missing_contacts_file_is_reported(root: Path) -> None:
    (root / "contacts.yaml").unlink()
    assert "contacts.yaml tidak ditemukan" in str(check_content(root)[0])


def test_shipped_open_questions_name_their_place_and_office() -> None:
    questions = open_questions(DEFAULT_CONTENT_ROOT)
    assert len(questions) >= 20
    for question in questions:
        lines = (DEFAULT_CONTENT_ROOT / question.file).read_text("utf-8").splitlines()
        assert "open_question" in lines[question.line - 1], str(question)
    files = {q.file for q in questions}
    assert {"contacts.yaml", "iso18091/indicators.yaml", "core/modules/nib-oss.yaml"} <= files
