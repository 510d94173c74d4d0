"""Normalisation of colloquial spelling and the emergency safety net."""

from __future__ import annotations

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


def test_safety_net_catches_violence_but_not_a_general_question() -> None:
    net = EmergencyNet.load(PROJECT_ROOT / "intents" / "emergency.yml")
    assert net.matches("saya dipukul majikan")
    assert not net.matches("syarat jadi pmi apa saja")


def test_phrases_are_mapped_before_words() -> None:
    normalise = Normaliser({"kulo": "saya", "teng": "di"}, {"nyambut damel": "kerja"})
    assert normalise("Kulo ajeng nyambut damel teng Hongkong") == "saya ajeng kerja di hongkong"


def test_krama_and_sundanese_questions_read_as_indonesian() -> None:
    normalise = Normaliser.load(PROJECT_ROOT / "intents" / "normalisation.yml")
    assert normalise("kulo ajeng nyambut damel teng hongkong, pripun carane?") == \
        "saya mau kerja di hongkong gimana caranya"
    assert normalise("punten, abdi hoyong damel di taiwan, kedah kumaha?") == \
        "permisi saya ingin kerja di taiwan harus gimana"


def test_safety_net_takes_a_question_about_prison_as_a_question() -> None:
    net = EmergencyNet.load(PROJECT_ROOT / "intents" / "emergency.yml")
    assert net.matches("suami saya dipenjara di malaysia")
    assert not net.matches("calo bisa dipenjara tidak")
