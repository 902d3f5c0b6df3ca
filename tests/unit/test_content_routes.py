"""Concrete next steps in the shipped content: routes, contacts, order, and what may not apply.

Each test would fail if a fact the owner acts on (issue #13, part 2) went missing again.
"""

from __future__ import annotations

import html
import re
from functools import cache

from bot.content import Content, load_content

_TAG = re.compile(r"<[^>]+>")


@cache
def content() -> Content:
    return load_content()


def plain(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", text)).lower().split())


def module_text(module_id: str) -> str:
    module = content().modules[module_id]
    return plain(" ".join([module.title, module.summary, *(s.text for s in module.steps)]))


def order(sector: str) -> list[str]:
    return [module.id for module in content().modules_for(sector)]


# --- items that do not apply ------------------------------------------------------------------


def test_items_that_may_not_apply_are_flagged_and_say_when() -> None:
    expected = {
        "kue": {"halal-daftar", "spp-irt", "pkp"},
        "tenun": {"desain-bukti"},
        "sasando": set(),
        "hotel": set(),
    }
    for sector, ids in expected.items():
        checklist = content().checklist_for(sector)
        assert {item.id for item in checklist.items if item.not_applicable} == ids, sector
        for item_id in ids:
            assert "pilih tidak berlaku" in plain(checklist.item(item_id).question), item_id
    halal = plain(content().checklist_for("kue").item("halal-daftar").question)
    assert "tidak halal" in halal


def test_checklists_without_an_sni_do_not_promise_one() -> None:
    for sector in ("tenun", "sasando", "hotel"):
        assert "SNI" not in content().checklist_for(sector).title, sector
    assert "SNI" in content().checklist_for("kue").title


# --- order: what is urgent first ----------------------------------------------------------------


def test_kue_starts_with_its_route_and_halal_before_sni_theory() -> None:
    kue = order("kue")
    assert kue[0] == "jalur-kue"
    for urgent in ("halal-kue", "label-kue", "bpom-md", "spp-irt"):
        for theory in ("sni-dasar", "sni-bina-umk"):
            assert kue.index(urgent) < kue.index(theory), (urgent, theory)
    assert kue.index("nib-oss") < kue.index("halal-kue")  # self-declare needs an NIB


def test_every_sector_gets_the_nib_module_before_sni_and_pilots_get_trademarks() -> None:
    for sector in content().sector_keys:
        modules = order(sector)
        assert "nib-oss" in modules, sector
        assert modules.index("nib-oss") < modules.index("sni-dasar"), sector
        nib = [i for i in content().checklist_for(sector).items if "nib" in i.id]
        assert nib and all(i.module == "nib-oss" for i in nib), sector
    for sector in ("kue", "tenun", "sasando"):
        assert "merek-desain" in order(sector), sector


# --- routes -----------------------------------------------------------------------------------


def test_kue_route_separates_short_shelf_life_permits_and_the_non_halal_route() -> None:
    text = module_text("jalur-kue")
    assert "kurang dari 7 hari: tidak memerlukan izin edar" in text
    assert "7 hari atau lebih, dibuat di dapur rumah: spp-irt" in text
    assert "tidak perlu spp-irt, tidak perlu pkp, dan tidak perlu bpom md" in text
    assert "tidak perlu sertifikat halal" in text
    assert "wajib memuat keterangan tidak halal" in text
    assert "uu 33/2014 pasal 26" in text
    assert "nilai kesiapan bapak/ibu tidak berkurang" in text


def test_nib_module_says_what_it_is_for_and_never_that_it_replaces_halal() -> None:
    text = module_text("nib-oss")
    assert "oss-rba" in text and "kbli" in text
    assert "nib tidak menggantikan sertifikat halal" in text
    assert "berisiko rendah, nib juga berlaku sebagai pernyataan sni" in text


def test_oebelo_sasando_makers_are_sent_to_kabupaten_kupang() -> None:
    module = content().modules["nib-oss"]
    step = next(s for s in module.steps if "Oebelo" in s.text)
    assert "kabupaten kupang, bukan kota kupang" in plain(step.text)
    assert step.contact == "dinas-kab-kupang"
    assert "Kabupaten Kupang" in content().contacts["dinas-kab-kupang"].office
    assert "nib-oss" in order("sasando")


def test_trademarks_and_designs_go_to_djki_before_showing() -> None:
    text = module_text("merek-desain")
    assert "merek didaftarkan ke djki" in text
    assert "10 tahun" in text
    assert "daftarkan ke djki sebelum produknya dipamerkan atau dijual" in text
    assert "foto bertanggal berguna sebagai catatan, tetapi tidak melindungi desain" in text
    assert "dipegang oleh negara" in text


def test_colour_fastness_names_the_lab_what_to_send_and_leaves_the_cost_open() -> None:
    module = content().modules["tenun-uji-warna"]
    step = next(s for s in module.steps if "Balai Besar Kerajinan" in s.text)
    text = plain(step.text)
    assert "celupan yang tercatat" in text and "kartu resep" in text
    assert "pencucian, cahaya, dan gosokan" in text
    assert "kami sedang menanyakan ke bbkb" in text
    assert step.contact == "bbkb" and step.open_question is not None
    assert "tarif" in step.open_question.lower()
    assert "rp" not in module_text("tenun-uji-warna")  # no invented price
    assert any("bbkb.kemenperin.go.id" in s.url for s in module.sources)


# --- contacts -------------------------------------------------------------------------------


def test_contacts_invent_no_numbers_and_say_what_is_missing() -> None:
    for contact in content().contacts.values():
        assert contact.phone is None and contact.whatsapp is None, contact.id
        if contact.missing:
            assert contact.open_question, contact.id


def test_steps_that_say_whom_to_ask_show_that_office() -> None:
    expected = {
        ("spp-irt", "Penyuluhan Keamanan Pangan"): "dinkes-kota-kupang",
        ("halal-kue", "Siapa yang boleh memakai pernyataan mandiri"): "bpjph",
        ("bpom-md", "SNI wajib biskuit"): "disperindag-kota-kupang",
        ("sasando-desain", "Merek usaha"): "kanwil-kemenkum-ntt",
        ("tenun-ig-motif", "Yang masih diproses"): "kanwil-kemenkum-ntt",
        ("nib-oss", "Mendaftar di OSS"): "ptsp-kota-kupang",
    }
    for (module_id, title), contact in expected.items():
        step = next(s for s in content().modules[module_id].steps if s.title == title)
        assert step.contact == contact, (module_id, title)


def test_no_step_leaves_the_owner_to_ask_an_office_alone() -> None:
    offices = r"(dinas|kantor|kanwil|bpjph|bsn|lspro|kementerian)"
    for module in content().modules.values():
        for step in module.steps:
            text = plain(step.text)
            assert not re.search(rf"mohon tanyakan (rinciannya )?kepada {offices}", text), (
                module.id,
                step.title,
            )
            assert "belum kami pastikan" not in text, (module.id, step.title)


# --- ISO 18091 for focal points ---------------------------------------------------------------


def test_every_indicator_says_what_red_yellow_and_green_mean_for_it() -> None:
    iso = content().iso18091
    note = plain(iso.note)
    assert "pedoman bagi pemerintah daerah, bukan sertifikasi" in note
    assert "parafrase" in note
    seen: set[str] = set()
    for indicator in iso.indicators:
        said = indicator.criteria
        lights = (said.merah, said.kuning, said.hijau)
        assert len(set(lights)) == 3, indicator.id
        assert all(len(line) <= 90 for line in lights), indicator.id  # one short line each
        seen.update(lights)
    assert len(seen) == 3 * len(iso.indicators)  # no criteria copied between indicators
