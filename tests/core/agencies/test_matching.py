"""Agency matching: every verdict, look-alike decoys, numbers, junk (pure, no database)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.agencies.matching import (
    AMBIGUOUS,
    LICENSE_PROBLEM,
    NOT_FOUND,
    REGISTERED,
    Agency,
    Register,
    name_key,
    number_key,
)

TODAY = date(2026, 11, 23)
AGENCIES = [
    Agency("PT Kilau Samudra Raya", "KEP.123/KA/2021", "aktif", "Jawa Timur",
           expires=date(2028, 1, 1)),
    Agency("Adhi Tirta Cipta, PT", "0222018000911", "aktif", "Jawa Barat"),
    Agency("PT. BINA KARYA MANDIRI", "B.45/PPTKIS/III/2019", "aktif", "Banten"),
    Agency("PT Binakarya", "KEP 276 TAHUN 2022", "aktif", "Bali"),
    Agency("PT Cipta Bestari", "KEP.917/MEN/2025", "penghentian_sementara", "Bali"),
    Agency("PT Sarana Tunas Nawa", "9122022000919", "dicabut", "Jawa Timur"),
    Agency("PT Swadaya Gita", "B.935/PPTKIS/V/2018", "kedaluwarsa", "Lampung"),
    Agency("PT Padma Karsa Wahana", "B.902/PPTKIS/IX/2017", "aktif", "Lampung",
           expires=date(2026, 7, 29)),
    Agency("PT Lintas Gita Internasional", "KEP.930/KA/2021", "aktif", "Riau"),
]


@pytest.fixture(scope="module")
def register() -> Register:
    return Register(AGENCIES)


def check(register: Register, query: str) -> tuple[str, list[str]]:
    result = register.check(query, TODAY)
    return result.verdict, [m.agency.name for m in result.matches]


def test_name_key_ignores_case_punctuation_spaces_and_legal_form() -> None:
    for spelled in ("PT Kilau Samudra Raya", "pt. kilau  samudra raya", "Kilau Samudra Raya, PT",
                    "P.T. KILAU-SAMUDRA RAYA", "Perseroan Terbatas Kilau Samudra Raya"):
        assert name_key(spelled) == "kilau samudra raya"
    assert name_key("Binakarya") != name_key("Bina Karya")


def test_number_key_ignores_separators() -> None:
    assert number_key("KEP.123/KA/2021") == number_key("kep 123 ka 2021") == "KEP123KA2021"
    assert number_key("022-2018-000-911") == "0222018000911"


@pytest.mark.parametrize("query", ["PT Kilau Samudra Raya", "kilau samudra raya",
                                   "PT. KILAU SAMUDRA RAYA", "Kilau  Samudra Raya, PT",
                                   "adhi tirta cipta", "pt bina-karya mandiri"])
def test_exact_name_with_active_licence_is_registered(register: Register, query: str) -> None:
    verdict, matches = check(register, query)
    assert verdict == REGISTERED and len(matches) == 1


@pytest.mark.parametrize("query", ["KEP.123/KA/2021", "kep 123 ka 2021", "KEP-123-KA-2021",
                                   "No. SIP3MI: KEP.123/KA/2021", "022 2018 000 911",
                                   "0222018000911", "b 45 pptkis iii 2019"])
def test_number_lookup_ignores_separators(register: Register, query: str) -> None:
    result = register.check(query, TODAY)
    assert result.verdict == REGISTERED and result.by_number


@pytest.mark.parametrize(("query", "status"), [
    ("PT Cipta Bestari", "penghentian_sementara"),
    ("Sarana Tunas Nawa", "dicabut"),
    ("9122022000919", "dicabut"),
    ("pt swadaya gita", "kedaluwarsa"),
    ("PT Padma Karsa Wahana", "kedaluwarsa"),  # aktif but past its end date
])
def test_exact_match_with_licence_problem(register: Register, query: str, status: str) -> None:
    result = register.check(query, TODAY)
    assert result.verdict == LICENSE_PROBLEM
    assert result.matches[0].status == status


def test_expiry_is_judged_against_the_given_day(register: Register) -> None:
    assert register.check("PT Padma Karsa Wahana", date(2026, 7, 1)).verdict == REGISTERED


@pytest.mark.parametrize(("query", "intended"), [
    ("PT Kilau Samudra Raja", "PT Kilau Samudra Raya"),      # typo
    ("kilau samudra", "PT Kilau Samudra Raya"),              # missing word
    ("PT Kilau Samudra Raya Jaya", "PT Kilau Samudra Raya"),  # extra word
    ("PT Samudra Kilau Raya", "PT Kilau Samudra Raya"),       # swapped words
    ("PT Cipta Bestari Abadi", "PT Cipta Bestari"),           # suspended name plus a word
    ("PT Bina Karya", "PT Binakarya"),                        # split word
    ("PT Lintas Gita International", "PT Lintas Gita Internasional"),  # spelling variant
    ("adhi tirta cipto", "Adhi Tirta Cipta, PT"),
])
def test_look_alikes_are_ambiguous_never_registered(
    register: Register, query: str, intended: str
) -> None:
    verdict, matches = check(register, query)
    assert verdict == AMBIGUOUS
    assert matches[0] == intended
    assert len(matches) <= 3


def test_joined_word_is_a_near_match_not_the_split_company(register: Register) -> None:
    verdict, matches = check(register, "PT Binakarya Mandiri")
    assert verdict == AMBIGUOUS and matches[0] == "PT. BINA KARYA MANDIRI"


def test_number_typed_with_a_missing_digit_is_only_a_near_match(register: Register) -> None:
    result = register.check("222018000911", TODAY)
    assert result.verdict == AMBIGUOUS
    assert result.matches[0].agency.sip3mi == "0222018000911"


@pytest.mark.parametrize("query", [
    "", "   ", "PT", "pt.", "ok", "None", "x" * 2000, "PT Kilau " * 250,
    "<script>alert('x')</script>", "'; DROP TABLE agencies; --", "1' OR '1'='1",
    "SELECT * FROM agencies", "🙂🙂🙂", "\x00\x01", "PT Maju Bersama Sejahtera Makmur",
    "KEP.999/KA/2099",
])
def test_junk_and_unknown_are_not_found(register: Register, query: str) -> None:
    verdict, matches = check(register, query)
    assert verdict == NOT_FOUND and matches == []


def test_duplicate_name_with_a_problem_licence_is_never_registered() -> None:
    register = Register([Agency("PT Sama Nama", "KEP.1/KA/2020", "aktif"),
                         Agency("Sama Nama, PT", "KEP.2/KA/2020", "dicabut")])
    result = register.check("sama nama", TODAY)
    assert result.verdict == LICENSE_PROBLEM
    assert result.matches[0].status == "dicabut" and len(result.matches) == 2


def test_empty_register_finds_nothing() -> None:
    assert Register([]).check("PT Kilau Samudra Raya", TODAY).verdict == NOT_FOUND


def test_match_dict_has_the_contract_fields(register: Register) -> None:
    match = register.check("kilau samudra raya", TODAY).matches[0].to_dict()
    assert set(match) == {"name", "sip3mi", "status", "province", "expires", "score"}
    assert match["expires"] == "2028-01-01" and match["score"] == 100.0


def test_display_name_puts_the_legal_form_first() -> None:
    from bot.core.agencies.matching import display_name

    assert display_name("Adhi Tirta Cipta, PT") == "PT Adhi Tirta Cipta"
    assert display_name("Adhi Tirta Cipta PT.") == "PT Adhi Tirta Cipta"
    assert display_name("PT. Maju  Jaya") == "PT Maju Jaya"
    assert display_name("PT Maju Jaya") == "PT Maju Jaya"
    assert display_name("Koperasi Sejahtera") == "Koperasi Sejahtera"
    assert display_name("Ptolemy Sukses") == "Ptolemy Sukses"
