"""The emergency safety net: entry forms (exceptions, conjunctions), what-if questions set
aside, and the shipped patterns on shapes of danger and their everyday look-alikes."""

from __future__ import annotations

import pytest

from bot.core.nlu.normalise import Normaliser
from bot.core.nlu.safety import EmergencyNet, Hypothetical, _hypothetical
from bot.settings import PROJECT_ROOT

NORMALISE = Normaliser.load(PROJECT_ROOT / "intents" / "normalisation.yml")
NET = EmergencyNet.load(PROJECT_ROOT / "intents" / "emergency.yml")


def shipped(text: str) -> bool:
    return NET.matches(NORMALISE(text))


def test_an_exception_overlapping_a_match_undoes_it() -> None:
    net = EmergencyNet([{"match": "dijual", "except": ["(rumah|motor) dijual"]}])
    assert net.matches("adik dijual ke majikan")
    assert not net.matches("rumah dijual buat biaya")
    assert net.matches("rumah dijual terus adik dijual ke agen")  # one match is left


def test_a_conjunction_needs_every_part() -> None:
    net = EmergencyNet([{"all": ["gaji tidak dibayar", "tidak boleh pulang"]}])
    assert net.matches("gaji tidak dibayar dan tidak boleh pulang")
    assert not net.matches("gaji tidak dibayar")
    assert not net.matches("tidak boleh pulang pas lebaran")


def test_exceptions_at_the_top_apply_to_every_entry() -> None:
    net = EmergencyNet(["disiksa"], exceptions=["nonton berita( \\w+){0,4}"])
    assert not net.matches("nonton berita pmi disiksa")
    assert net.matches("saya disiksa")


def hypothetical() -> Hypothetical:
    found = _hypothetical({"lead": "kak|mau|tanya", "conditions": "kalau|jika",
                           "questions": "mana|boleh", "actual": "tidak|sudah",
                           "window": 2})
    assert found is not None
    return found


def test_a_what_if_question_opening_with_a_condition_is_set_aside() -> None:
    net = EmergencyNet(["dipukul"], hypothetical=hypothetical())
    assert not net.matches("kalau dipukul majikan lapor ke mana")
    assert not net.matches("kak mau tanya kalau saya dipukul lapor ke mana")


@pytest.mark.parametrize("text", [
    "kalau dipukul majikan",  # no question: said as a fact
    "saya disuruh kerja kalau tidak mau dipukul lapor ke mana",  # condition not opening
    "kalau tidak dipukul lapor ke mana",  # words in between say it happens
    "kalau di rumah majikan saya dipukul lapor ke mana",  # beyond the window
])
def test_a_condition_that_does_not_open_a_question_leaves_the_match(text: str) -> None:
    assert EmergencyNet(["dipukul"], hypothetical=hypothetical()).matches(text)


@pytest.mark.parametrize("text", [
    "gaji 10 bulan ga dibayar, mau pulang ga dikasih",
    "udah setahun ga pernah keluar rumah",
    "calo bawa anak2 lulusan sd ke perkebunan sawit",
    "kalau aku pergi selamanya mungkin semua lebih tenang",
    "ga pengen bangun lagi besok",
    "dibawa nyebrang sungai ke myanmar",
    "katanya kalau mau pulang harus bayar denda 40 juta",
    "pintu kamar digembok dari luar",
    "bantuin aku kak",
    "tolong!!",
    "majikan suka ngajak tidur bareng tiap istrinya kerja",
    "kami dijanjikan kerja di pabrik thailand tapi diseberangkan ke myanmar malam2",
    "istri sy di malaysia sudah 3 bulan tidak bisa saya hubungi sama sekali",
    "tetangga bawa 3 anak smp buat kerja di kebun sawit",
    "majikan bilang mau bunuh sy",
    "my employer beat me please help",
    "🆘",
])
def test_shipped_net_reads_new_shapes_of_danger(text: str) -> None:
    assert shipped(text), text


@pytest.mark.parametrize("text", [
    "kalau dipukul majikan harus lapor kemana?",
    "nek dipukul majikan kudu lapor nang endi",
    "kalau paspor ditahan majikan itu boleh ga?",
    "rumah sy dijual buat biaya berangkat",
    "pabrik sy terancam phk",
    "tolong saya mau tanya syarat ke taiwan",
    "gusi berdarah pas sikat gigi",
    "akun facebook sy dikunci",
    "pintu kamar sy rusak ga bisa dikunci",
    "buku nikah sy ilang gmn ya",
    "calo yang bawa uang sy hilang kontak",
    "capek hidup susah di kampung, pengen kerja ke korea",
    "perlu siapin dana darurat brp sebelum berangkat",
    "nonton berita tki ilegal ditangkap di malaysia",
    "mau pulang kampung tp majikan ga ngasih",
    "sy tak boleh balik kampung raya tahun ni sebab kontrak belum habis",
    "hp sy disita mama gara2 main game terus",
    "setelah sampai di taiwan, paspor dipegang siapa ya",
    "apa itu kerja paksa",
    "ciri2 lowongan scam kerja di kamboja",
    "sy ga bisa hubungi nomor ini, salah sambung",
    "kakek sy meninggal tahun lalu",
])
def test_shipped_net_leaves_everyday_look_alikes_alone(text: str) -> None:
    assert not shipped(text), text
