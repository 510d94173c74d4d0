"""Service targets in working time: office hours, weekends, holidays, time zones, and the
offices.yml / holidays.yml configuration."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.core.complaints.rules import Offices
from bot.core.complaints.targets import Calendar, ServiceTargets
from bot.settings import PROJECT_ROOT

WIB = Calendar("WIB", time(8), time(16), frozenset(range(5)), frozenset({date(2026, 12, 8)}),
               frozenset({(12, 25)}))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_working_hours_within_one_day() -> None:
    # Monday 7 Dec 2026, 09:00 WIB = 02:00 UTC; 2 working hours -> 11:00 WIB.
    assert WIB.add_working_hours(utc(2026, 12, 7, 2), 2) == utc(2026, 12, 7, 4)


def test_working_hours_carry_over_the_night_and_skip_a_holiday() -> None:
    # Monday 15:00 WIB + 8 h: 1 h on Monday, Tuesday 8 Dec is a holiday, 7 h on Wednesday.
    assert WIB.add_working_hours(utc(2026, 12, 7, 8), 8) == utc(2026, 12, 9, 8)


def test_filing_at_night_or_on_a_weekend_starts_at_the_next_opening() -> None:
    # Saturday 12 Dec 20:00 WIB -> Monday 14 Dec 08:00 + 2 h = 10:00 WIB (03:00 UTC).
    assert WIB.add_working_hours(utc(2026, 12, 12, 13), 2) == utc(2026, 12, 14, 3)
    # Monday 06:00 WIB (before opening) -> 08:00 + 1 h.
    assert WIB.add_working_hours(utc(2026, 12, 14, 23), 1) == utc(2026, 12, 15, 2)


def test_working_days_end_at_closing_time_and_skip_recurring_holidays() -> None:
    # Filed Wednesday 23 Dec: working days 24 (Thu), 28 (Mon; 25 is a holiday, 26-27 weekend).
    assert WIB.add_working_days(utc(2026, 12, 23, 3), 2) == utc(2026, 12, 28, 9)


def test_time_zones_shift_the_office_day() -> None:
    wit = Calendar("WIT")
    # 23:30 UTC Sunday is 08:30 WIT Monday: the office is open.
    assert wit.add_working_hours(utc(2026, 12, 6, 23, 30), 1) == utc(2026, 12, 7, 0, 30)


def test_offices_yml_gives_every_office_a_zone_and_targets() -> None:
    offices = Offices.load(PROJECT_ROOT / "content" / "offices.yml")
    targets = offices.targets
    assert targets.calendar("BP3MI-NTB").zone == "WITA"
    assert targets.calendar("BP3MI-JATIM").zone == "WIB"
    assert targets.calendar("UNKNOWN").zone == "WIB"
    assert targets.target("BP3MI-JATIM").resolution_days > 0
    assert (12, 25) in targets.calendar("PUSAT").recurring  # from holidays.yml
    first, resolution = targets.dues("BP3MI-JATIM", utc(2026, 12, 7, 2))
    assert utc(2026, 12, 7, 2) < first < resolution
    assert "WITA" in targets.when("BP3MI-NTB", first)


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ValueError):
        ServiceTargets.load({"X": {"timezone": "CET"}}, None, None)
    with pytest.raises(ValueError):
        ServiceTargets.load({}, {"default": {"resolution_days": -1}}, None)
