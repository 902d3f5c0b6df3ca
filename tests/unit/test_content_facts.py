"""Facts in the shipped content that a business owner acts on (DOMAIN.md §9 corrections).

Each test would fail if the wrong advice found in the December 2026 review came back.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from functools import cache

from bot.content import DEFAULT_CONTENT_ROOT, Content, Module, load_content

_TAG = re.compile(r"<[^>]+>")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\n+")


@cache
def content() -> Content:
    return load_content()


def plain(text: str) -> str:
    """Visible text, lower case, one space between words (paragraph breaks kept as newlines)."""
    text = html.unescape(_TAG.sub("", text)).lower()
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def module_text(module_id: str) -> str:
    module = content().modules[module_id]
    return plain("\n".join([module.title, module.summary, *(s.text for s in module.steps)]))


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def item_text(sector: str, item_id: str) -> str:
    item = content().checklist_for(sector).item(item_id)
    return plain(f"{item.question}\n{item.next_step}")


def sector_texts(sector: str) -> Iterator[tuple[str, str]]:
    """(where, text) for every module of a sector and every item of its checklist."""
    for module in content().modules_for(sector):
        yield module.id, module_text(module.id)
    for item in content().checklist_for(sector).items:
        yield f"{sector}:{item.id}", item_text(sector, item.id)


def all_modules() -> list[Module]:
    return list(content().modules.values())


# --- izin edar: kue that keep under 7 days need no izin edar at all -------------------------


def test_no_kue_text_says_short_shelf_life_needs_a_permit() -> None:
    for where, text in sector_texts("kue"):
        for sentence in sentences(text):
            if "kurang dari 7 hari" in sentence or "cepat basi" in sentence:
                assert "tidak" in sentence or "tanpa izin edar" in sentence, (where, sentence)
                assert "di luar p-irt" not in sentence, (where, sentence)


def test_short_shelf_life_is_exempt_from_md_and_spp_irt_and_keeps_label_hygiene_halal() -> None:
    steps = [plain(s.text) for s in content().modules["bpom-md"].steps]
    exempt = next(s for s in steps if "kurang dari 7 hari" in s)
    assert "tidak memerlukan izin edar" in exempt
    assert "tidak perlu bpom md" in exempt
    assert "tidak perlu spp-irt" in exempt
    assert "kue basah" in exempt
    still = next(s for s in steps if "tetap perlu" in s)
    for duty in ("label", "tanggal produksi", "kedaluwarsa", "bersih", "sertifikat halal"):
        assert duty in still, duty


def test_spp_irt_checklist_item_does_not_mark_down_short_shelf_life_kue() -> None:
    text = item_text("kue", "spp-irt")
    assert "7 hari atau lebih" in text
    assert "kurang dari 7 hari tidak memerlukannya" in text


# --- halal ----------------------------------------------------------------------------------


def test_non_halal_products_need_no_certificate_but_must_say_tidak_halal() -> None:
    step = next(
        plain(s.text)
        for s in content().modules["halal-kue"].steps
        if "bahan tidak halal" in plain(s.text)
    )
    assert "tidak perlu sertifikat halal" in step
    assert "wajib memuat keterangan tidak halal" in step
    assert "pasal 26" in step
    # A baker using pork or lard can answer the checklist item honestly.
    assert "tidak halal" in item_text("kue", "halal-daftar")


def test_self_declare_route_eligibility_and_who_is_excluded() -> None:
    text = module_text("halal-kue")
    order = [
        text.index("pendamping proses produk halal"),
        text.index("komite fatwa produk halal"),
        text.index("bpjph menerbitkan sertifikat halal"),
    ]
    assert order == sorted(order)
    for condition in ("punya nib", "sederhana", "satu tempat produksi", "rp500 juta"):
        assert condition in text, condition
    excluded = next(s for s in sentences(text) if "restoran" in s)
    assert "jasa boga" in excluded
    assert "tidak bisa" in excluded
    # The raised turnover cap is unconfirmed: the module says so instead of a number.
    assert "kami sedang menanyakan ke bpjph" in text


def test_nib_is_never_said_to_replace_halal_certification() -> None:
    for module in all_modules():
        for sentence in sentences(module_text(module.id)):
            if "nib" in sentence and "berlaku sebagai" in sentence:
                assert "halal" not in sentence, (module.id, sentence)
    assert "nib tidak menggantikan sertifikat halal" in module_text("sni-bina-umk")


def test_halal_logo_is_the_label_halal_indonesia() -> None:
    text = module_text("label-kue")
    assert "label halal indonesia" in text
    assert "logo halal" not in text
    assert "label halal indonesia" in module_text("halal-kue")


# --- label ----------------------------------------------------------------------------------


def test_label_needs_production_date_and_code() -> None:
    for where, text in [
        ("label-kue", module_text("label-kue")),
        ("kue:label-lengkap", item_text("kue", "label-lengkap")),
    ]:
        assert "tanggal dan kode produksi" in text, where
        assert "tanggal atau kode produksi" not in text, where


def test_sample_label_shows_production_date_and_full_address() -> None:
    module = content().modules["label-kue"]
    sample = next(s for s in module.steps if s.image is not None)
    text = plain(sample.text)
    assert "tanggal produksi:" in text
    address = next(line for line in text.splitlines() if line.startswith("produksi:"))
    for part in ("jl.", "kel.", "kec.", "kota kupang"):
        assert part in address, part
    assert sample.image is not None
    assert (content().root / sample.image).read_bytes().startswith(b"\x89PNG")


# --- SPP-IRT, CPPB-IRT, OSS -----------------------------------------------------------------


def test_inspection_grades_four_levels_and_spp_irt_only_at_level_one_or_two() -> None:
    text = module_text("spp-irt")
    assert "level i sampai iv" in text
    granted = next(s for s in sentences(text) if "level i atau ii" in s)
    assert "hanya" in granted


def test_cppb_irt_lists_all_fourteen_aspects() -> None:
    text = module_text("cppb-irt")
    assert "14 hal" in text
    for aspect in (
        "lokasi",
        "bangunan",
        "peralatan",
        "air",
        "fasilitas kebersihan",
        "kesehatan dan kebersihan pekerja",
        "program higiene dan sanitasi",
        "penyimpanan",
        "pengendalian proses",
        "label",
        "pengawasan oleh penanggung jawab",
        "penarikan produk",
        "pencatatan",
        "pelatihan pekerja",
    ):
        assert aspect in text, aspect


def test_oss_rba_without_the_old_commitment_certificate() -> None:
    for module in all_modules():
        text = module_text(module.id)
        assert "pemenuhan komitmen" not in text, module.id
        assert "sejak pp 5/2021" not in text, module.id
    assert "oss-rba" in module_text("spp-irt")


# --- SLHS -----------------------------------------------------------------------------------


def test_slhs_is_not_based_on_revoked_rules() -> None:
    text = module_text("hotel-orientasi")
    for sentence in sentences(text):
        if "1098/2003" in sentence or "1096/2011" in sentence:
            assert "dicabut" in sentence, sentence
    assert "dasarnya kepmenkes" not in text
    assert "kami sedang menanyakan ke dinas kesehatan kota kupang" in text


# --- designs, traditional expressions, IG ---------------------------------------------------


def test_design_is_filed_with_djki_before_it_is_shown_and_photos_do_not_protect_it() -> None:
    texts = {
        "sasando-desain": module_text("sasando-desain"),
        "tenun-ig-motif": module_text("tenun-ig-motif"),
        "tenun:desain-bukti": item_text("tenun", "desain-bukti"),
    }
    for where, text in texts.items():
        assert any(
            "djki" in s and "sebelum" in s and ("dipamerkan" in s or "dijual" in s)
            for s in sentences(text)
        ), where
        for sentence in sentences(text):
            if "foto" in sentence and "tanggal" in sentence:
                assert "tidak melindungi" in sentence, (where, sentence)
    for module_id in ("sasando-desain", "tenun-ig-motif"):
        assert "uu 31/2000 pasal 2 dan 3" in texts[module_id], module_id
        assert "tidak melindungi desain" in texts[module_id], module_id


def test_traditional_expressions_are_held_by_the_state_in_both_sectors() -> None:
    for module_id in ("sasando-desain", "tenun-ig-motif"):
        text = module_text(module_id)
        assert "ekspresi budaya tradisional" in text, module_id
        assert "pasal 38" in text, module_id
        assert "dipegang oleh negara" in text, module_id
    assert "milik bersama masyarakat daerahnya" not in module_text("tenun-ig-motif")


def test_an_ig_name_is_only_for_cloth_from_its_area() -> None:
    text = module_text("tenun-ig-motif")
    rule = next(s for s in sentences(text) if "nama ig" in s and "hanya boleh" in s)
    assert "dibuat di daerah itu" in rule


# --- ISO 18091 ------------------------------------------------------------------------------


def test_iso18091_quadrants_and_restored_indicators() -> None:
    iso = content().iso18091
    titles = {q.id: q.title for q in iso.quadrants}
    assert titles["lingkungan"] == "Pembangunan lingkungan berkelanjutan"
    assert "bukan sertifikasi" in plain(iso.note)

    def said(indicator_id: str) -> str:
        indicator = iso.indicator(indicator_id)
        return plain(f"{indicator.title}\n{indicator.question}")

    assert all(w in said("I01") for w in ("berkelanjutan", "resiliensi", "dianggarkan"))
    assert "hak asasi manusia" in said("I06")
    assert all(w in said("S03") for w in ("pendatang", "diskriminasi", "suku"))
    assert "pendidikan lingkungan" in said("L09")


def test_swa_penilaian_everywhere() -> None:
    assert content().iso18091.title == "Swa-penilaian ISO 18091"
    for path in [*DEFAULT_CONTENT_ROOT.rglob("*.yaml"), DEFAULT_CONTENT_ROOT / "README.md"]:
        assert "diagnos" not in path.read_text("utf-8").lower(), path


# --- sources and language -------------------------------------------------------------------


def test_sources_are_pages_and_laws_cited_link_their_official_text() -> None:
    laws = {
        "uu 28/2014": "peraturan.bpk.go.id/details/38690/uu-no-28-tahun-2014",
        "uu 31/2000": "peraturan.bpk.go.id/home/details/44893/uu-no-31-tahun-2000",
        "uu 18/2012": "peraturan.bpk.go.id/details/39100/uu-no-18-tahun-2012",
    }
    sources = [*content().iso18091.sources]
    for module in all_modules():
        urls = [s.url.lower() for s in module.sources]
        sources.extend(module.sources)
        text = module_text(module.id)
        for law, url in laws.items():
            if law in text:
                assert any(url in u for u in urls), (module.id, law)
    for source in sources:
        assert not re.search(r"(icon|\.png|\.jpe?g|\.ico|\.svg)$", source.url), source.url


def test_content_speaks_as_kami_and_never_says_focal_point() -> None:
    for path in DEFAULT_CONTENT_ROOT.rglob("*.yaml"):
        raw = path.read_text("utf-8").lower()
        assert not re.search(r"\bkita\b", raw), path
        assert "focal point" not in raw, path
