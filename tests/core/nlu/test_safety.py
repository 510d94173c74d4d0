"""The emergency safety net: entry forms (exceptions, conjunctions), what-if questions set
aside, resolved stories, and the shipped patterns on shapes of danger and their everyday
look-alikes. The shipped cases are data (data/net_cases.yml): one test per phrase, named
"behaviour: text"."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.nlu.normalise import Normaliser
from bot.core.nlu.safety import EmergencyNet, Hypothetical, Resolved, _hypothetical
from bot.settings import PROJECT_ROOT

NORMALISE = Normaliser.load(PROJECT_ROOT / "intents" / "normalisation.yml")
NET = EmergencyNet.load(PROJECT_ROOT / "intents" / "emergency.yml")
CASES = Path(__file__).parent / "data" / "net_cases.yml"


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


def test_a_resolved_story_sets_aside_every_match_unless_its_danger_goes_on() -> None:
    resolved = Resolved(re.compile(r"\bdulu\b"), re.compile(r"\bsudah pulang\b"),
                        re.compile(r"\b(masih|kemarin)\b"))
    net = EmergencyNet(["dikurung"], resolved=resolved)
    assert not net.matches("dulu dikurung majikan sekarang sudah pulang mau lapor")
    assert net.matches("dulu dikurung majikan sekarang masih dikurung sudah pulang")
    assert net.matches("kemarin dikurung dulu juga sudah pulang")
    assert net.matches("dikurung majikan sudah pulang")  # no word of the past
    assert net.matches("dulu dikurung majikan")  # not said to be home or safe


def test_thanks_for_a_rescue_is_over_however_recent_unless_the_danger_goes_on() -> None:
    resolved = Resolved(re.compile(r"\bdulu\b"), re.compile(r"\bsudah aman\b"),
                        re.compile(r"\bmasih\b"), recent=re.compile(r"\bkemarin\b"),
                        relief=re.compile(r"^terima kasih\b"))
    net = EmergencyNet(["dikurung"], resolved=resolved)
    assert not net.matches("terima kasih adik yang kemarin dikurung sudah aman")
    assert net.matches("terima kasih adik kemarin dikurung sudah aman tapi masih dikurung")
    assert net.matches("dulu dikurung kemarin sudah aman")  # recent, and no thanks
    assert not net.matches("dulu dikurung sekarang sudah aman")


def _net_cases() -> list[Any]:
    """One pytest case per text of every behaviour in net_cases.yml."""
    cases = []
    for entry in yaml.safe_load(CASES.read_text(encoding="utf-8"))["cases"]:
        behaviour, emergency = entry["behaviour"], entry["emergency"]
        assert isinstance(emergency, bool) and entry["texts"], behaviour
        cases += [pytest.param(text, emergency, id=f"{behaviour}: {text}")
                  for text in entry["texts"]]
    return cases


@pytest.mark.parametrize(("text", "emergency"), _net_cases())
def test_shipped_net_case(text: str, emergency: bool) -> None:
    assert shipped(text) == emergency, "should fire" if emergency else "should not fire"
