"""The emergency safety net: entry forms (exceptions, conjunctions), what-if questions set
aside, and the shipped patterns on shapes of danger and their everyday look-alikes."""

from __future__ import annotations

import re

import pytest

from bot.core.nlu.normalise import Normaliser
from bot.core.nlu.safety import EmergencyNet, Hypothetical, Resolved, _hypothetical
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


def test_a_resolved_story_sets_aside_every_match_unless_its_danger_goes_on() -> None:
    resolved = Resolved(re.compile(r"\bdulu\b"), re.compile(r"\bsudah pulang\b"),
                        re.compile(r"\b(masih|kemarin)\b"))
    net = EmergencyNet(["dikurung"], resolved=resolved)
    assert not net.matches("dulu dikurung majikan sekarang sudah pulang mau lapor")
    assert net.matches("dulu dikurung majikan sekarang masih dikurung sudah pulang")
    assert net.matches("kemarin dikurung dulu juga sudah pulang")
    assert net.matches("dikurung majikan sudah pulang")  # no word of the past
    assert net.matches("dulu dikurung majikan")  # not said to be home or safe


@pytest.mark.parametrize("text", [
    # a limb caught in a machine, a fall from height, burns, an electric shock
    "tangan temen sy kejepit mesin press di pabrik taiwan",
    "sikile bojoku kegiles mesin nang pabrik",
    "jempol kula kejepit mesin wonten pabrik",
    "leungeun lanceuk abdi kagiles mesin",
    "suami sy jatuh dari perancah proyek di malaysia",
    "kancaku tiba saka atap pas kerja",
    "sy kena luka bakar di dapur majikan, kulit melepuh",
    "adik sy kesetrum di pabrik ga gerak",
    # bleeding that does not stop, unconscious, not breathing, seizures
    "darah dr tangan sy ga berhenti2 dr tadi",
    "getihe ra mandeg2",
    "tmn sy pingsan dr tadi ga bangun2",
    "rencang kula semaput",
    "babaturan abdi kapaehan",
    "ibu sy ga bisa napas",
    "aku ra iso ambegan",
    "abdi sesek napas",
    "adik sy kejang2 di asrama",
    # pregnancy bleeding; illness for days that nobody treats
    "istri sy hamil keluar darah banyak",
    "garwa kula ngandhut medal getih",
    "sy sakit parah udh 5 hari majikan ga mau bawa ke dokter",
    "mbakyuku lara parah wis seminggu ra digawa nang dokter",
])
def test_a_medical_emergency_abroad_is_an_emergency_in_every_language(text: str) -> None:
    assert shipped(text), text


@pytest.mark.parametrize("text", [
    "punya riwayat kejang waktu kecil boleh daftar pmi ga",
    "kalau kecelakaan kerja di taiwan ditanggung bpjs ga?",
    "kalau punya sakit sesak napas bisa daftar jadi pmi?",
])
def test_a_question_about_a_medical_condition_is_no_emergency(text: str) -> None:
    assert not shipped(text), text


@pytest.mark.parametrize("text", [
    "sy dulu pernah dikurung majikan di malaysia thn 2019, skrg udh pulang, msh bisa lapor ga?",
    "3 taun lalu sy ditangkap polisi malaysia, skrg sudah dipulangkan, bisa berangkat lg resmi?",
    "biyen aku tau dikunci majikan nang malaysia, saiki wis mulih, isih iso lapor ora?",
    "rumiyin kula nate dipunantem majikan, sakmenika sampun wonten griya, saged nuntut?",
    "baheula abdi kantos dikonci dunungan, ayeuna tos uih, masih tiasa lapor teu?",
    "bapak sy meninggal di taiwan tahun lalu, jenazah sudah dipulangkan, tp jkm blm cair",
    "taun wingi bapakku seda nang taiwan, layone wis dipulangke, jkm durung cair",
])
def test_an_event_told_as_over_with_the_person_home_is_set_aside(text: str) -> None:
    assert not shipped(text), text


@pytest.mark.parametrize("text", [
    "sy dikurung majikan di malaysia, msh bisa lapor ga?",  # no word of the past: it goes on
    "kemarin sy dipukuli majikan, skrg udh di rumah temen",  # recent
    "wingi kula dipunantem majikan, sakmenika sampun wangsul",  # wingi alone is yesterday
    "dulu sy pernah kabur dr majikan, udh pulang, skrg dikurung lagi sama agen",
    "ibu sy meninggal di malaysia tahun lalu tapi jenazahnya belum dipulangkan",
    "dulu daftar lewat pt, sekarang sy di rumah majikan ga boleh keluar",
    "suami sy dulu kerja di arab, sudah pulang, sekarang adik sy disekap majikan di saudi",
    "dulu pernah kerja di malaysia, udh pulang. skrg istri sy di taiwan kecelakaan kerja, koma",
    "dulu sy pernah dipukul, sekarang sudah pulang ke rumah majikan",
    "dulu dipukul majikan, sy udh aman di kbri, tolong",
])
def test_an_event_that_goes_on_or_is_recent_stays_an_emergency(text: str) -> None:
    assert shipped(text), text


@pytest.mark.parametrize("text", [
    "bukan darurat kok kak, cm mau tanya syarat ke jepang",
    "ga darurat sih, cuma mau tau biaya ke taiwan",
    "mboten darurat, namung badhe nyuwun pirsa syarat",
    "sanes darurat, ngan hoyong naros syarat ka taiwan",
    "santai aja kak bukan keadaan darurat",
])
def test_a_message_saying_it_is_no_emergency_is_not_made_one_by_the_word(text: str) -> None:
    assert not shipped(text), text


@pytest.mark.parametrize("text", [
    "darurat kak tolong",
    "bukan mau nanya biasa, ini darurat",
    "bukan darurat kata agen, tapi sy dikunci di kamar",
])
def test_the_word_darurat_or_a_danger_beside_a_denial_still_fires(text: str) -> None:
    assert shipped(text), text


@pytest.mark.parametrize("text", [
    "ada rekomendasi film ttg perdagangan orang ga?",
    "judul film yg ttg pmi disekap di kapal apa ya",
    "ada dokumenter perihal tppo di kamboja?",
    "aya pilem ngeunaan tki disiksa teu?",
    "wonten film ingkang nyariyosaken perdagangan tiyang?",
])
def test_films_and_documentaries_about_trafficking_are_no_emergency(text: str) -> None:
    assert not shipped(text), text


@pytest.mark.parametrize("text", [
    "ini bukan film kak, sy beneran disiksa majikan",
    "adik sy dikurung majikan di malaysia, kayak di film",
])
def test_a_real_danger_that_names_a_film_still_fires(text: str) -> None:
    assert shipped(text), text


@pytest.mark.parametrize("text", [
    "ortu sy udh meninggal, surat izin ortu ditandatangani siapa?",
    "bapakku wis seda, surat ijin sing tanda tangan sopo?",
    "kolot abdi tos pupus, surat idin saha nu nandatanganan?",
    "surat izin keluarga siapa yg ttd kalau bapak ibu sudah meninggal",
])
def test_parents_who_died_at_home_named_for_the_permission_letter_are_no_emergency(
        text: str) -> None:
    assert not shipped(text), text


@pytest.mark.parametrize("text", [
    "ibu sy meninggal di malaysia kemarin, surat2nya gmn",
    "bapakku seda nang malaysia, surat-surate piye",
])
def test_a_parent_who_died_abroad_stays_an_emergency(text: str) -> None:
    assert shipped(text), text


@pytest.mark.parametrize("text", [
    "calo trafficking biasanya ngerayu pake cara apa",
    "pelaku perdagangan orang biasanya nawarin apa",
    "gmn cara sindikat tppo nipu orang desa",
    "tulung sambungke petugas",
    "nyuwun sewu, kula tiyang tulungagung",
])
def test_how_traffickers_usually_work_a_plea_to_be_connected_and_tulungagung_are_no_emergency(
        text: str) -> None:
    assert not shipped(text), text


@pytest.mark.parametrize("text", [
    "sindikat trafficking biasanya nyekap korbannya, adikku sekarang disekap",
    "calo tppo bawa adikku ke kamboja",
    "aku korban trafficking tulung",
    "tulung aku di tulungagung dikurung",
])
def test_a_trafficking_victim_or_a_plea_for_help_still_fires(text: str) -> None:
    assert shipped(text), text


@pytest.mark.parametrize("text", [
    "gawe di kamboja aman teu? loba beja jalma disekap di ditu",
    "aman teu ayeuna damel di arab? sieun ku beja nu disiksa",
    "katanya banyak orang dijual ke luar negeri, ciri calonya gimana?",
    "majikan tak bagi sy pegang hp, cuma boleh hari ahad je, itu boleh ke",
])
def test_news_about_people_in_general_and_a_phone_allowed_at_set_times_are_no_emergency(
        text: str) -> None:
    assert not shipped(text), text


@pytest.mark.parametrize("text", [
    "kabar dari kakak yang disiksa majikan",
    "denger orang tua sy disekap di saudi",
    "katanya adik sy disiksa majikan",
    "majikan tak bagi sy pegang hp",
])
def test_news_about_ones_own_people_and_a_phone_taken_away_still_fire(text: str) -> None:
    assert shipped(text), text


@pytest.mark.parametrize("text", [
    "temenku di malaysia kena stroke, sekarang koma di rumah sakit, agennya gak mau ngurus",
    "bojoku ning hongkong saiki ra sadar neng rumah sakit",
])
def test_someone_unconscious_in_hospital_abroad_or_left_by_the_agency_is_an_emergency(
        text: str) -> None:
    assert shipped(text), text


@pytest.mark.parametrize("text", [
    "kalau koma di rumah sakit luar negeri ditanggung bpjs?",
    "boleh ga sih majikan nyimpen paspor kita",
])
def test_asking_what_if_or_whether_allowed_is_no_emergency(text: str) -> None:
    assert not shipped(text), text


def test_a_body_or_a_person_sent_home_written_dipulangin_settles_a_story_told_as_over() -> None:
    assert not shipped("kakak sy dulu ditangkap polisi malaysia, skrg udh dipulangin. "
                       "kalo mau brgkt lg yg resmi caranya gmn")
    assert shipped("suami sy meninggal di taiwan tahun lalu, jenazahnya blm dipulangin")


@pytest.mark.parametrize("text", [
    "mungkin lebih baik aku gak bangun lagi.. semua org jg ga peduli",
    "asa moal aya nu leungiteun upami abdi tos euweuh",
    "gak ada yg peduli kalo aku mati disini",
])
def test_indirect_suicidal_thoughts_are_an_emergency(text: str) -> None:
    assert shipped(text), text


@pytest.mark.parametrize("text", [
    "mending aku gak bangun pagi besok kan libur",
    "moal aya nu ngajemput di bandara?",
    "apa ciri2 lowongan yang ujungnya dijual ke kamboja jadi scammer",
    "mau klaim jaminan kematian almarhum suami, jenazah sdh dimakamkan bulan lalu",
])
def test_sleeping_in_signs_of_a_scam_and_a_claim_after_the_burial_are_no_emergency(
        text: str) -> None:
    assert not shipped(text), text


def test_signs_asked_beside_a_relative_held_still_fire() -> None:
    assert shipped("ciri2 lowongan kamboja, adikku skrg disekap disana")
    assert shipped("ciri2nya aku dijual agen, tolong")


@pytest.mark.parametrize("text", [
    "semua orang lebih bahagia tanpa aku",
    "luwih becik aku ora ana",
    "rasanya pengen nyerah aja sama semuanya",
    "maafin aku ya mak, aku pamit",
    "kalau aku pergi mungkin semua lebih baik",
    "hirup teh asa euweuh gunana",
])
def test_more_indirect_suicidal_thoughts_are_an_emergency(text: str) -> None:
    assert shipped(text), text


@pytest.mark.parametrize("text", [
    "maaf ya kak aku pamit dulu",
    "mending saya tidak ada utang",
    "proses lebih tenang tanpa calo",
    "kalau saya pergi ke malaysia semua dokumen lebih baik dibawa",
    "ya sudah pasrah sama keadaan, gaji kecil",
])
def test_a_goodbye_a_preference_or_resignation_about_work_is_no_emergency(text: str) -> None:
    assert not shipped(text), text
