"""Normalisation of colloquial spelling, regional words and affixes, and word groups of the
emergency net (its shipped phrases are cases in data/net_cases.yml)."""

from __future__ import annotations

import re

import pytest

from bot.core.nlu.normalise import Normaliser
from bot.core.nlu.safety import EmergencyNet
from bot.settings import PROJECT_ROOT


def test_slang_words_are_mapped_to_their_normal_form() -> None:
    normalise = Normaliser({"brp": "berapa", "sy": "saya"})
    assert normalise("Brp biaya sy??") == "berapa biaya saya"


def test_repeated_letters_are_squeezed_and_accents_removed() -> None:
    assert Normaliser({})("tolooong Kakak, café") == "tolong kakak cafe"


def test_numbers_are_split_from_units() -> None:
    assert Normaliser({})("minta 15jt") == "minta 15 jt"


def test_shipped_normalisation_map_loads() -> None:
    normalise = Normaliser.load(PROJECT_ROOT / "intents" / "normalisation.yml")
    assert normalise("gmn") == "gimana"


def test_phrases_are_mapped_before_words() -> None:
    normalise = Normaliser({"kulo": "saya", "teng": "di"}, {"nyambut damel": "kerja"})
    assert normalise("Kulo ajeng nyambut damel teng Hongkong") == "saya ajeng kerja di hongkong"


def test_krama_and_sundanese_questions_read_as_indonesian() -> None:
    normalise = Normaliser.load(PROJECT_ROOT / "intents" / "normalisation.yml")
    assert normalise("kulo ajeng nyambut damel teng hongkong, pripun carane?") == \
        "saya mau kerja di hongkong gimana caranya"
    assert normalise("punten, abdi hoyong damel di taiwan, kedah kumaha?") == \
        "permisi saya ingin kerja di taiwan harus gimana"


@pytest.mark.parametrize(("text", "normal"), [
    ("syaratipun", "syaratnya"),           # krama -ipun, stem kept
    ("ragadipun", "biayanya"),             # the stem is mapped again
    ("yuswanipun", "umurnya"),             # -nipun after a vowel: the known stem wins
    ("disiapaken", "disiapkan"),           # krama -aken
    ("disiapkeun", "disiapkan"),           # Sundanese -keun
    ("dipunbayar", "dibayar"),             # krama dipun-
    ("dipun priksa", "diperiksa"),         # dipun written apart joins the next word
    ("dipun pekso", "dipaksa"),            # the joined word is mapped again (dipekso)
    ("meskipun", "meskipun"),              # Indonesian words ending so are kept
])
def test_regional_affixes_read_as_indonesian_ones(text: str, normal: str) -> None:
    normalise = Normaliser.load(PROJECT_ROOT / "intents" / "normalisation.yml")
    assert normalise(text) == normal


@pytest.mark.parametrize(("text", "normal"), [
    ("abdi hoyong gawe di taiwan", "saya ingin kerja di taiwan"),   # Sundanese: work
    ("rek gawe ka hongkong", "rek kerja ke hongkong"),
    ("aya lowongan gawe teu", "ada lowongan kerja tidak"),
    ("gawe paspor neng ngendi", "buat paspor neng mana"),            # Javanese: make
    ("duite digawe opo", "duite dipakai apa"),                       # Javanese: used
    ("abdi digawe di malaysia", "saya kerja di malaysia"),           # Sundanese: work
])
def test_gawe_reads_as_work_only_where_the_phrase_settles_it(text: str, normal: str) -> None:
    normalise = Normaliser.load(PROJECT_ROOT / "intents" / "normalisation.yml")
    assert normalise(text) == normal


def test_safety_net_groups_expand_and_unknown_groups_are_refused() -> None:
    net = EmergencyNet(["@who hilang"], {"who": "adik|kakak"})
    assert net.matches("adik hilang") and not net.matches("dompet hilang")
    with pytest.raises(ValueError):
        EmergencyNet(["@nobody hilang"])


def test_everyday_javanese_and_sundanese_words_read_as_indonesian() -> None:
    normalise = Normaliser.load(PROJECT_ROOT / "intents" / "normalisation.yml")
    assert normalise("kowe arep lungo nang endi sesuk") == "kamu ingin pergi di mana besok"
    assert normalise("pinten dinten prosesipun mangke") == "berapa hari prosesnya nanti"
    assert normalise("sabaraha sasih, kunaon lami") == "berapa bulan kenapa lama"


def test_an_sos_sign_reads_as_a_word() -> None:
    normalise = Normaliser.load(PROJECT_ROOT / "intents" / "normalisation.yml")
    assert normalise("🆘") == "sos"
    assert Normaliser({}, symbols={"🆘": "sos"})("tolong🆘") == "tolong sos"


def test_affix_rules_leave_the_words_that_rules_read_as_typed() -> None:
    """The emergency net, the advert checker and content `when:` rules match the normalised
    text: a word they name must not be rewritten by the regional affix rules."""
    normalise = Normaliser.load(PROJECT_ROOT / "intents" / "normalisation.yml")
    files = [PROJECT_ROOT / "intents" / "emergency.yml", PROJECT_ROOT / "intents" / "adverts.yml",
             *sorted((PROJECT_ROOT / "content" / "answers").glob("*.yml"))]
    words = {w for path in files for w in re.findall(r"[a-z]{4,}", path.read_text("utf-8"))}
    rewritten = sorted(w for w in words if w not in normalise.replacements
                       and normalise.affixes.split(w, normalise.replacements) is not None)
    assert rewritten == []


def test_ages_written_in_words_read_as_numbers() -> None:
    normalise = Normaliser.load(PROJECT_ROOT / "intents" / "normalisation.yml")
    assert normalise("umur enam belas tahun") == "umur 16 tahun"
    assert normalise("yuswa nembelas taun") == "umur 16 tahun"
