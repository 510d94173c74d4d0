"""How NLU.parse combines the classifier ranking with the emergency rules."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.nlu import NLU
from bot.core.nlu.normalise import Normaliser
from bot.core.nlu.safety import EmergencyNet


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
