"""Answer selection by `when:` conditions: most specific entry wins, all conditions hold."""

from __future__ import annotations

import pytest

from bot.core.nlu.entities import Entities
from bot.core.selection import When, WhenError, choose

KOREA = Entities(values=(("programme", "eps"),), ages=(35,))


def when(raw: dict[str, object], key: str = "g2g_program.x") -> When:
    return When.read(key, raw)


def test_more_conditions_met_is_more_specific() -> None:
    general = when({"any": ["country:korea", "programme:eps"]})
    with_age = when({"any": ["country:korea", "programme:eps"], "age": [18, 39]})
    picked = choose([("g2g_program.korea", general), ("g2g_program.age", with_age)],
                    "g2g_program", KOREA, "umur 35 eps")
    assert picked == "g2g_program.age"


def test_an_entry_answers_only_the_intents_it_names() -> None:
    entry = when({"programme": ["eps"]})  # default: its own family
    assert entry.score("g2g_program", KOREA, "") == 1
    assert entry.score("costs", KOREA, "") is None


def test_every_condition_must_hold() -> None:
    entry = when({"programme": ["eps"], "age": [40, 80]})
    assert entry.score("g2g_program", KOREA, "") is None


def test_not_words_exclude_and_priority_breaks_ties() -> None:
    fee = when({"words": ["minta"], "not_words": ["lapor"], "priority": 1}, "costs.fee")
    assert fee.score("costs", Entities(), "agen minta uang") == 2
    assert fee.score("costs", Entities(), "mau lapor agen minta uang") is None


@pytest.mark.parametrize("raw", [{}, {"intents": ["costs"]}, {"any": ["korea"]},
                                 {"age": [18]}])
def test_unreadable_when_blocks_are_refused(raw: dict[str, object]) -> None:
    with pytest.raises(WhenError):
        when(raw)
