"""The chat detector takes forwarded adverts and leaves questions to the NLU."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.core.adverts.detector import looks_like_advert
from bot.core.adverts.lexicon import load_lexicon
from bot.settings import PROJECT_ROOT
from tests.core.adverts.conftest import ADVERTS


def _questions() -> list[str]:
    """Training messages that reach the advert check: emergencies are answered before it."""
    found = []
    for path in sorted(Path(PROJECT_ROOT / "intents").glob("nlu*.yml")):
        for item in yaml.safe_load(path.read_text("utf-8")).get("nlu", []):
            if item.get("intent") == "emergency":
                continue
            for line in str(item.get("examples", "")).splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    found.append(text)
    return found


def test_every_written_advert_is_taken_for_an_advert() -> None:
    lexicon = load_lexicon()
    assert [a["id"] for a in ADVERTS if not looks_like_advert(a["text"], lexicon)] == []


def test_training_questions_are_not_taken_for_adverts() -> None:
    lexicon = load_lexicon()
    questions = _questions()
    taken = [q for q in questions if looks_like_advert(q, lexicon)]
    assert len(questions) > 1000 and len(taken) <= len(questions) // 500, taken[:5]


def test_short_adverts_of_a_few_lines_are_taken() -> None:
    lexicon = load_lexicon()
    short = [a for a in ADVERTS if a["id"].endswith("_short")]
    assert len(short) >= 4
    assert all(looks_like_advert(a["text"], lexicon) for a in short)


def test_short_questions_and_complaints_about_an_offer_are_not_adverts() -> None:
    lexicon = load_lexicon()
    messages = [
        "Kak saya mau tanya\nloker kapal pesiar gaji 25 juta\nWA 0812-7788-9900 itu asli?",
        "Saya ditipu loker kapal pesiar gaji 25 juta\nnomornya 0812-7788-9900",
        "Tolong cek PT Bina Kerja Mandiri\nkata teman gajinya 25 juta\nno saya 0812-7788-9900",
        "Anak saya kerja di Malaysia gaji 5 juta\nsekarang tidak bisa dihubungi\n"
        "nomor majikan 0812-7788-9900",
        "Saya sudah bayar 5 juta ke sponsor\njanji kerja di Taiwan gaji 25 juta\n"
        "nomornya 0812-1111-2222 sekarang tidak aktif",
        "Mohon info lowongan resmi ke Jepang\ngaji 20 juta\nhubungi saya 0812-1111-2222",
        "agen minta dp 10 jt buat jadi abk kapal taiwan, wajar gk sih",
        "sy umur 16 kak, disuruh kerja di kedai makan di Penang, tidur di stor, gk dibayar",
        "suami sy kerja di kapal ikan taiwan, udh 5 bulan hp nya gak aktif, agen bilangnya gak tau",
    ]
    assert [m for m in messages if looks_like_advert(m, lexicon)] == []


def test_a_question_with_a_short_how_many_or_what_is_it_called_is_not_an_advert() -> None:
    lexicon = load_lexicon()
    assert not looks_like_advert("kuota EPS korea buat pabrik/manufaktur taun 2025 ada brp org",
                                 lexicon)
    assert not looks_like_advert("program G2G perawat karo careworker nang jepang jenenge opo to",
                                 lexicon)


def test_advert_closing_with_a_sign_off_particle_is_taken() -> None:
    lexicon = load_lexicon()
    advert = ("DICARI OPERATOR CHAT ONLINE di Laos gaji 15jt/bln\n"
              "Tanpa pengalaman, tiket dan mess gratis\nYang minat langsung inbox aja kak")
    question = "Ada loker admin di Laos gaji 15jt, aman kak"
    assert looks_like_advert(advert, lexicon)
    assert not looks_like_advert(question, lexicon)


def test_krama_and_sundanese_requests_for_information_are_not_adverts() -> None:
    lexicon = load_lexicon()
    messages = [
        "Kawula pados informasi ngengingi program G to G Jerman kangge perawat, umur 25 taun.",
        "Abdi hoyong terang perkawis lowongan perawat di Jepang ngalangkungan PT resmi, "
        "gajina 20 juta.",
    ]
    assert [m for m in messages if looks_like_advert(m, lexicon)] == []
