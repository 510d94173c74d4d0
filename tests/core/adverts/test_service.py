"""The check's contract: JSON shape of DESIGN.md, explanations with sources, the agency
safety rule inside adverts, and clear refusals of input that is not an advert."""

from __future__ import annotations

import pytest

from bot.core.adverts.service import AdvertChecker, AdvertError
from bot.core.agencies.matching import Register
from tests.core.adverts.conftest import ADVERTS, TODAY


def by_id(name: str) -> str:
    return str(next(a["text"] for a in ADVERTS if a["id"] == name))


def test_json_has_the_contract_fields(checker: AdvertChecker, register: Register) -> None:
    data = checker.to_dict(checker.check_text(by_id("me_saudi_ziarah_dp"), register, TODAY))
    assert {"risk", "flags", "destination", "job", "agencies", "text"} <= set(data)
    assert data["destination"] == "Arab Saudi" and data["job"] == "pekerja rumah tangga"
    for flag in data["flags"]:
        assert flag["detail"] and flag["source"] and "{" not in flag["detail"]


def test_money_asked_has_amount_purpose_and_payee(checker: AdvertChecker,
                                                  register: Register) -> None:
    data = checker.to_dict(checker.check_text(by_id("fee_korea_jaminan"), register, TODAY))
    [money] = data["details"]["money_asked"]
    assert money == {"purpose": "jaminan", "amount": "15 juta", "to": "person"}


def test_look_alike_company_is_never_registered(checker: AdvertChecker,
                                                register: Register) -> None:
    verdict = checker.check_text(by_id("lookalike_extra_word"), register, TODAY)
    assert [c.verdict for c in verdict.agencies] == ["ambiguous"]
    assert verdict.risk == "medium"


def test_registered_name_with_everyday_words_is_found_whole(
        checker: AdvertChecker, register: Register) -> None:
    verdict = checker.check_text(by_id("legit_surya_mas_kerja"), register, TODAY)
    assert [(c.query, c.verdict) for c in verdict.agencies] == [
        ("Surya Mas Kerja", "registered")]


@pytest.mark.parametrize(("text", "reason"), [
    ("", "empty"), ("   \n ", "empty"), ("🔥😀🙏" * 40, "no_words"),
    ("lowongan " * 6000, "too_long"), ("\x89PNG\x00\x01 lowongan \ufffd\ufffd", "not_text"),
])
def test_input_that_is_not_an_advert_is_refused_clearly(
        checker: AdvertChecker, register: Register, text: str, reason: str) -> None:
    with pytest.raises(AdvertError) as caught:
        checker.check_text(text, register, TODAY)
    assert caught.value.reason == reason


def test_fifty_thousand_characters_are_refused(checker: AdvertChecker,
                                               register: Register) -> None:
    with pytest.raises(AdvertError):
        checker.check_text("a" * 50_000, register, TODAY)
