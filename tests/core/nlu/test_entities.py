"""Entities beside the intent: lexicon values, amounts of money and ages."""

from __future__ import annotations

import pytest

from bot.core.nlu import NLU


@pytest.mark.parametrize(("text", "money"), [
    ("sponsor minta 15jt wajar gk", [15_000_000]),
    ("disuruh bayar Rp15.000.000 dulu", [15_000_000]),
    ("dp 1,5 juta sama 500rb", [1_500_000, 500_000]),
    ("kur sampai rp 100 juta", [100_000_000]),
])
def test_amounts_of_money_are_read_in_rupiah(nlu: NLU, text: str, money: list[int]) -> None:
    assert list(nlu.parse(text).entities.money) == money


def test_a_bare_number_is_not_money(nlu: NLU) -> None:
    assert nlu.parse("umur 35 anak 2").entities.money == ()


@pytest.mark.parametrize(("text", "ages"), [
    ("umur 17 bisa daftar?", [17]),
    ("usia saya sudah 41 masih bisa?", [41]),
    ("aku 16 tahun boleh ke taiwan?", [16]),
    ("yuswa kula 45, taksih saged?", [45]),
])
def test_ages_are_read(nlu: NLU, text: str, ages: list[int]) -> None:
    assert list(nlu.parse(text).entities.ages) == ages


@pytest.mark.parametrize(("text", "ages"), [
    ("pt ngirim anak di bawah 18 tahun dihukum apa", [17]),
    ("kula dereng umur 18, saged daftar?", [17]),
    ("yuswa ngandhap 18 taun angsal mangkat?", [17]),
    ("usia di atas 39 masih bisa eps?", [40]),
])
def test_an_age_bound_reads_as_the_age_beyond_it(nlu: NLU, text: str, ages: list[int]) -> None:
    assert list(nlu.parse(text).entities.ages) == ages


def test_a_contract_length_is_not_an_age(nlu: NLU) -> None:
    assert nlu.parse("kontrak 24 tahun? kerja 10 tahun di taiwan").entities.ages == ()


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("umur 35 msh bisa daftar eps korea", "programme", "eps"),
    ("tokutei ginou itu g2g ya", "programme", "ssw"),
    ("jerman butuh perawat ya?", "country", "germany"),
    ("jerman butuh perawat ya?", "occupation", "nurse"),
    ("kerja ke arab jd pembantu msh bisa?", "country", "saudi"),
    ("kerja ke arab jd pembantu msh bisa?", "occupation", "domestic"),
    ("e-ktkln masih perlu?", "document", "ektkln"),
    ("disuruh pake visa umroh", "visa", "umrah"),
    ("korsel apa jepang", "country", "korea"),  # through the normalisation map
])
def test_lexicon_values_are_found(nlu: NLU, text: str, kind: str, value: str) -> None:
    assert value in nlu.parse(text).entities.of(kind)
