"""The written adverts (adverts.yml): each gets its expected risk and raises its required
flags; the set covers what it must (scams, Middle East, fees, agencies, G2G...)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.adverts.rules import CODES, HIGH, LOW
from bot.core.adverts.service import AdvertChecker
from bot.core.agencies.matching import Register
from tests.core.adverts.conftest import ADVERTS, TODAY


@pytest.mark.parametrize("advert", ADVERTS, ids=[a["id"] for a in ADVERTS])
def test_advert_gets_its_risk_and_required_flags(
        advert: dict[str, Any], checker: AdvertChecker, register: Register) -> None:
    verdict = checker.check_text(advert["text"], register, TODAY)
    assert verdict.risk == advert["risk"]
    assert set(advert["flags"]) <= set(verdict.codes)


def test_set_is_large_and_covers_every_flag_and_risk() -> None:
    assert len(ADVERTS) >= 60
    assert {code for a in ADVERTS for code in a["flags"]} == set(CODES)
    assert {a["risk"] for a in ADVERTS} == {"high", "medium", "low"}
    assert sum(1 for a in ADVERTS if a.get("picture")) >= 10
    assert sum(1 for a in ADVERTS if a["id"].startswith("g2g")) >= 3


def test_low_risk_adverts_name_no_flag_and_high_ones_are_never_low(
        checker: AdvertChecker, register: Register) -> None:
    for advert in ADVERTS:
        verdict = checker.check_text(advert["text"], register, TODAY)
        if advert["risk"] == HIGH:
            assert verdict.risk != LOW, advert["id"]
        if advert["risk"] == LOW:
            assert verdict.flags == [], advert["id"]
