"""How NLU.parse combines the classifier ranking with the emergency rules."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.core.nlu import NLU
from bot.core.nlu.normalise import Normaliser
from bot.core.nlu.safety import EmergencyNet, Resolved


class FixedRanking:
    """A stand-in classifier that always returns the same ranking."""

    def __init__(self, ranking: list[tuple[str, float]]) -> None:
        self.ranking = ranking

    def rank(self, _text: str, top: int = 3) -> list[tuple[str, float]]:
        return self.ranking[:top]


def nlu_with(ranking: list[tuple[str, float]], patterns: list[str] | None = None) -> NLU:
    classifier: Any = FixedRanking(ranking)
    return NLU(Normaliser({}), classifier, EmergencyNet(patterns or []))


def test_emergency_ranked_second_with_fair_probability_is_taken() -> None:
    parse = nlu_with([("complaint", 0.45), ("emergency", 0.35)]).parse("x")
    assert (parse.intent, parse.by_safety_net) == ("emergency", False)


def test_emergency_ranked_second_with_low_probability_is_not_taken() -> None:
    assert nlu_with([("visa", 0.7), ("emergency", 0.1)]).parse("x").intent == "visa"


def test_safety_net_overrides_a_confident_classifier() -> None:
    parse = nlu_with([("passport", 0.99)], ["disekap"]).parse("saya disekap")
    assert (parse.intent, parse.confidence, parse.by_safety_net) == ("emergency", 1.0, True)



def test_safety_net_counts_when_the_classifier_agrees_weakly() -> None:
    parse = nlu_with([("emergency", 0.49), ("complaint", 0.4)], ["disekap"]).parse("disekap")
    assert (parse.intent, parse.confidence, parse.by_safety_net) == ("emergency", 1.0, True)

@pytest.mark.parametrize("text", [
    "tulung cekno PT Maju Sentosa resmi opo ora",
    "tulung dicek agen iki kadaftar ora",
])
def test_javanese_please_before_a_check_is_not_an_emergency(nlu: NLU, text: str) -> None:
    assert nlu.parse(text).intent != "emergency"


@pytest.mark.parametrize("text", [
    "tulung aku dikunci majikan",
    "tulung, aku ra oleh metu",
    "pasporku dicekel majikan, aku ra iso mulih",
    "bojoku kena razia nang johor",
])
def test_javanese_emergencies_reach_the_safety_net(nlu: NLU, text: str) -> None:
    assert nlu.emergency.matches(nlu.normalise(text))


class RankingByText:
    """A stand-in classifier that ranks a text by a table (greet for anything else)."""

    def __init__(self, table: dict[str, list[tuple[str, float]]]) -> None:
        self.table = table

    def rank(self, text: str, top: int = 3) -> list[tuple[str, float]]:
        return self.table.get(text, [("greet", 0.6)])[:top]


def courteous_nlu(table: dict[str, list[tuple[str, float]]]) -> NLU:
    classifier: Any = RankingByText(table)
    normaliser = Normaliser({}, courtesy=["selamat pagi", "permisi", "terima kasih"])
    return NLU(normaliser, classifier, EmergencyNet([]))


def test_a_question_wrapped_in_greetings_and_thanks_is_the_question() -> None:
    nlu = courteous_nlu({"bunga kur berapa": [("costs", 0.6), ("greet", 0.2)]})
    parse = nlu.parse("Selamat pagi, permisi, bunga KUR berapa? Terima kasih")
    assert (parse.intent, parse.normal) == (
        "costs", "selamat pagi permisi bunga kur berapa terima kasih")


def test_a_message_surely_a_courtesy_is_not_read_again_without_it() -> None:
    nlu = courteous_nlu({"selamat pagi saya lagi di dammam": [("greet", 0.95)],
                         "saya lagi di dammam": [("emergency", 0.4), ("greet", 0.2)]})
    assert nlu.parse("Selamat pagi, saya lagi di Dammam").intent == "greet"


def test_a_greeting_alone_or_with_small_talk_stays_a_greeting() -> None:
    nlu = courteous_nlu({"gan ada orang": [("human_handoff", 0.5)],
                         "apa ya": [("costs", 0.2)]})
    assert nlu.parse("selamat pagi").intent == "greet"
    assert nlu.parse("selamat pagi gan ada orang").intent == "greet"  # small talk
    assert nlu.parse("permisi apa ya").intent == "greet"  # the rest is unsure


def resolved_nlu(ranking: list[tuple[str, float]]) -> NLU:
    classifier: Any = FixedRanking(ranking)
    net = EmergencyNet(["dikurung"], resolved=Resolved(
        re.compile(r"\bdulu\b"), re.compile(r"\bsudah pulang\b"), re.compile(r"\bmasih\b")))
    return NLU(Normaliser({}), classifier, net)


def test_a_story_told_as_over_drops_the_classifiers_emergency_guess() -> None:
    ranking = [("emergency", 0.8), ("complaint", 0.1)]
    parse = resolved_nlu(ranking).parse("dulu dikurung sekarang sudah pulang mau lapor")
    assert (parse.intent, parse.by_safety_net) == ("complaint", False)


def test_a_story_that_goes_on_keeps_the_classifiers_emergency_guess() -> None:
    ranking = [("complaint", 0.5), ("emergency", 0.4)]
    assert resolved_nlu(ranking).parse("dulu sudah pulang masih dikurung").intent == "emergency"
    assert resolved_nlu(ranking).parse("sudah pulang tapi dikurung").intent == "emergency"


@pytest.mark.parametrize("text", [
    "sy dulu pernah disekap agen di malaysia thn 2018, skrg udh pulang, msh bisa lapor ga?",
    "biyen aku digebugi majikan nang taiwan, saiki wis nang omah, iso nuntut ora?",
    "rumiyin kula nate dipunkunci majikan, sakmenika sampun wangsul, saged lapor?",
    "baheula abdi ditewak pulisi malaysia, ayeuna tos uih, tiasa angkat deui sacara resmi?",
    "ibu sy meninggal di saudi tahun lalu, jenazah udh dimakamkan, jkm blm cair",
])
def test_an_event_told_as_over_with_the_person_home_is_no_emergency(
        nlu: NLU, text: str) -> None:
    assert nlu.parse(text).intent != "emergency", text
