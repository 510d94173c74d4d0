"""NLU regression floors, measured on sets written independently of intents/.

Floors sit a little under the figures measured when they were set (README, "NLU
quality"): a change that lowers accuracy below them, or misses any emergency, fails.
"""

from __future__ import annotations

import pytest

from bot.core.nlu import NLU
from bot.core.nlu.evaluate import score
from bot.core.nlu.training_data import read_examples
from bot.settings import PROJECT_ROOT

HELDOUT = PROJECT_ROOT / "tests" / "nlu" / "heldout.tsv"
HELDOUT2 = PROJECT_ROOT / "tests" / "nlu" / "heldout2.tsv"
HARD = PROJECT_ROOT / "tests" / "nlu" / "hard_cases.tsv"


@pytest.fixture(scope="module")
def heldout_report(nlu: NLU):  # type: ignore[no-untyped-def]
    examples = read_examples(HELDOUT)
    return score(examples, [nlu.parse(e.text).intent for e in examples])


def test_heldout_strict_accuracy_floor(heldout_report) -> None:  # type: ignore[no-untyped-def]
    assert heldout_report.accuracy >= 0.94


def test_heldout_accuracy_with_second_intent_floor(heldout_report) -> None:  # type: ignore[no-untyped-def]
    assert heldout_report.lenient_accuracy >= 0.96


def test_second_heldout_set_floors(nlu: NLU) -> None:
    examples = read_examples(HELDOUT2)
    report = score(examples, [nlu.parse(e.text).intent for e in examples])
    assert report.accuracy >= 0.93
    assert report.lenient_accuracy >= 0.95
    assert report.emergency_recall == 1.0


def test_heldout_emergencies_are_all_recognised(heldout_report) -> None:  # type: ignore[no-untyped-def]
    assert heldout_report.emergency_recall == 1.0


def test_hard_case_emergencies_are_all_recognised(nlu: NLU) -> None:
    missed = [e.text for e in read_examples(HARD)
              if e.intent == "emergency" and nlu.parse(e.text).intent != "emergency"]
    assert missed == []


@pytest.mark.parametrize(("text", "intent"), [
    ("brp biaya ke taiwan min", "costs"),
    ("syarat jd tkw apa aja", "requirements"),
    ("majikan ambil paspor sy", "emergency"),
    ("tolooong sy dipukulin majikan", "emergency"),
    ("pt sinar jaya abadi resmi ga", "agency_check"),
    ("kamu robot ya", "bot_challenge"),
])
def test_issue_examples_are_understood(nlu: NLU, text: str, intent: str) -> None:
    assert nlu.parse(text).intent == intent


def test_agency_fee_question_is_costs_or_red_flags(nlu: NLU) -> None:
    assert nlu.parse("agen minta uang 15jt dluan boleh ga").intent in {"costs", "red_flags"}


def test_parse_is_deterministic(nlu: NLU) -> None:
    first = nlu.parse("gmn cara daftar jd pmi ke korea")
    assert nlu.parse("gmn cara daftar jd pmi ke korea") == first


@pytest.mark.parametrize(("text", "intent"), [
    ("wilujeng wengi kang, punten bade tumaros sakedik, kenging?", "greet"),
    ("nuwun sewu mas, kula badhe nderek tanglet, kepareng?", "greet"),
    ("min boleh nanya2 dikit ga", "greet"),
    ("makasih kak, untung sy ga jadi nyetor ke calo", "thanks"),
    ("matur nuwun, sakmenika kula mboten bingung malih", "thanks"),
    ("pamit dulu ya kak, mau ke sawah, besok sy tanya lagi", "goodbye"),
    ("nyuwun pamit, mbenjang kula tanglet malih", "goodbye"),
    ("udah dulu ya kak, mau nyetrika baju majikan", "goodbye"),
    ("ahlan wa sahlan kak, aku kerja di riyadh", "greet"),
])
def test_courtesy_with_a_little_content_stays_courtesy(nlu: NLU, text: str,
                                                       intent: str) -> None:
    assert nlu.parse(text).intent == intent


@pytest.mark.parametrize(("text", "intent"), [
    ("modal kerja ke taiwan kira2 brp ya", "costs"),
    ("baru balik dari hongkong, wajib lapor ke kelurahan ga", "return_home"),
    ("udah pulang kampung, jht bisa dicairkan dmn", "social_security"),
    ("sponsor minta dp ditransfer ke rekening pribadinya, wajar ga", "red_flags"),
    ("pt yang izinnya dicabut masih boleh nyari tki ga", "agency_info"),
    ("sy perangkat desa, butuh daftar lowongan resmi buat ditempel", "job_vacancy"),
    ("ke turki bisa kerja resmi ga", "destination_info"),
    ("kontrak kerja harus pake bahasa yg pekerja ngerti ga", "worker_rights"),
    ("mau dijelasin langsung sama petugas aja", "human_handoff"),
    ("abis nonton film, modus calo ilegal itu gimana sih", "red_flags"),
    ("agensi motong gaji tiap bulan, itu boleh menurut aturan?", "worker_rights"),
    ("yang bayar dokter kalau sakit pas kerja di luar siapa", "worker_rights"),
    ("arab aman ga sih buat tkw sekarang", "destination_info"),
    ("opp di bp3mi itu apa sih", "procedure"),
    ("sertifikat lpk bisa dipake buat daftar ga", "training"),
    ("tes eps topik bulan apa dibuka", "g2g_program"),
    ("punten, abdi hoyong gawe di korea, kumaha carana?", "procedure"),
    ("visa umroh bisa dipake kerja di jeddah ga kak", "visa"),
    ("sponsor nawarin berangkat pake visa turis ke malaysia, mau ga ya", "red_flags"),
    ("gimana cara tau p3mi itu berizin apa abal-abal", "agency_info"),
    ("izin pt tempat aku daftar dicabut, terus aku gimana", "agency_info"),
    ("pt potong gaji buat lunasin utang biaya berangkat, boleh ga", "worker_rights"),
    ("work permit ku habis bulan depan, boss tak nak renew", "visa"),
    ("majikan nak ambil saya terus tanpa agensi, boleh ke", "independent_placement"),
    ("ada kerja kosong kilang kat melaka tak", "job_vacancy"),
    ("kak bisa isiin pulsa ga", "out_of_scope"),
    ("wajib nginep di penampungan selama pelatihan ga", "training"),
    ("mantan tki mau berangkat lagi secara resmi, langkahnya gimana", "procedure"),
])
def test_questions_on_topic_borders_get_their_topic(nlu: NLU, text: str, intent: str) -> None:
    assert nlu.parse(text).intent == intent
