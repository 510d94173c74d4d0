"""Service targets of the offices in working time: when a complaint's first response and
its resolution are due, counted in the office's working hours and working days.

Configuration (content/offices.yml, marked for the operator to confirm; not a legal
deadline): `targets.default` and optional `targets` per office hold
`first_response_hours` (working hours), `urgent_first_response_hours` and
`resolution_days` (working days); `office_hours` ("08:00-16:00"), `workdays` (mon..sun)
and `timezone` (WIB, WITA or WIT; Indonesia has no daylight saving time). Holidays come
from content/holidays.yml: `recurring` (MM-DD every year) and `dates` (YYYY-MM-DD).

- First response: the working hours are counted from the filing; outside office hours the
  count starts at the next opening ("jam kerja").
- Resolution: due at closing time of the Nth working day after the filing day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

from bot.core.content import format_date

ZONES = {"WIB": 7, "WITA": 8, "WIT": 9}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_MAX_DAYS = 3660  # a calendar with no working day at all must not loop forever


@dataclass(frozen=True, slots=True)
class Calendar:
    """An office's working time: zone, opening hours, working weekdays, holidays."""

    zone: str = "WIB"
    opens: time = time(8, 0)
    closes: time = time(16, 0)
    workdays: frozenset[int] = frozenset(range(5))
    holidays: frozenset[date] = frozenset()
    recurring: frozenset[tuple[int, int]] = frozenset()

    @property
    def tz(self) -> timezone:
        return timezone(timedelta(hours=ZONES[self.zone]), self.zone)

    def local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:  # SQLite returns naive UTC datetimes
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.tz)

    def is_workday(self, day: date) -> bool:
        return (day.weekday() in self.workdays and day not in self.holidays
                and (day.month, day.day) not in self.recurring)

    def _next_workday(self, day: date) -> date:
        for _ in range(_MAX_DAYS):
            day += timedelta(days=1)
            if self.is_workday(day):
                return day
        raise ValueError("the calendar has no working day")

    def _at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.tz)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` of office time after `start` (UTC result)."""
        cur = self.local(start)
        left = timedelta(hours=hours)
        day = cur.date()
        if not self.is_workday(day) or cur >= self._at(day, self.closes):
            day = self._next_workday(day)
            cur = self._at(day, self.opens)
        elif cur < self._at(day, self.opens):
            cur = self._at(day, self.opens)
        while True:
            available = self._at(day, self.closes) - cur
            if left <= available:
                return (cur + left).astimezone(UTC)
            left -= available
            day = self._next_workday(day)
            cur = self._at(day, self.opens)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Closing time of the `days`-th working day after the day of `start` (UTC)."""
        day = self.local(start).date()
        for _ in range(max(days, 0)):
            day = self._next_workday(day)
        return self._at(day, self.closes).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Target:
    first_response_hours: float = 8.0
    urgent_first_response_hours: float = 2.0
    resolution_days: int = 14


@dataclass
class ServiceTargets:
    """Targets and calendars per office code (unknown offices get the default)."""

    default: Target = field(default_factory=Target)
    default_calendar: Calendar = field(default_factory=Calendar)
    targets: dict[str, Target] = field(default_factory=dict)
    calendars: dict[str, Calendar] = field(default_factory=dict)

    def target(self, office: str) -> Target:
        return self.targets.get(office, self.default)

    def calendar(self, office: str) -> Calendar:
        return self.calendars.get(office, self.default_calendar)

    def dues(self, office: str, filed_at: datetime, *, urgent: bool = False
             ) -> tuple[datetime, datetime]:
        """(first response due, resolution due) of a complaint filed at `filed_at`."""
        target, cal = self.target(office), self.calendar(office)
        hours = target.urgent_first_response_hours if urgent else target.first_response_hours
        return (cal.add_working_hours(filed_at, hours),
                cal.add_working_days(filed_at, target.resolution_days))

    def when(self, office: str, moment: datetime) -> str:
        """For the complainant: "Senin, 7 Desember 2026 pukul 10.00 WIB"."""
        cal = self.calendar(office)
        local = cal.local(moment)
        return (f"{DAY_NAMES[local.weekday()]}, {format_date(local.date())} pukul "
                f"{local:%H.%M} {cal.zone}")

    @classmethod
    def load(cls, offices: Mapping[str, Any], section: Mapping[str, Any] | None,
             holidays_path: Path | None) -> ServiceTargets:
        """From offices.yml (`offices` mapping and its `targets` section) and holidays.yml."""
        section = section or {}
        fixed, recurring = _holidays(holidays_path)
        base = dict(section.get("default") or {})
        result = cls(default=_target(base, Target()),
                     default_calendar=_calendar(base, Calendar(), fixed, recurring))
        for code, raw in offices.items():
            own = {**base, **dict((raw or {}).get("targets") or {})}
            if raw and raw.get("timezone"):
                own["timezone"] = raw["timezone"]
            result.targets[str(code)] = _target(own, result.default)
            result.calendars[str(code)] = _calendar(own, result.default_calendar, fixed,
                                                    recurring)
        return result


def _target(raw: Mapping[str, Any], base: Target) -> Target:
    def number(name: str, fallback: float) -> float:
        value = raw.get(name, fallback)
        if not isinstance(value, int | float) or value <= 0:
            raise ValueError(f"offices.yml: targets {name} must be a positive number")
        return float(value)
    return Target(number("first_response_hours", base.first_response_hours),
                  number("urgent_first_response_hours", base.urgent_first_response_hours),
                  int(number("resolution_days", base.resolution_days)))


def _calendar(raw: Mapping[str, Any], base: Calendar, fixed: frozenset[date],
              recurring: frozenset[tuple[int, int]]) -> Calendar:
    zone = str(raw.get("timezone") or base.zone).upper()
    if zone not in ZONES:
        raise ValueError(f"offices.yml: timezone {zone!r} is not WIB, WITA or WIT")
    opens, closes = base.opens, base.closes
    if raw.get("office_hours"):
        first, _, last = str(raw["office_hours"]).partition("-")
        opens, closes = time.fromisoformat(first.strip()), time.fromisoformat(last.strip())
        if closes <= opens:
            raise ValueError("offices.yml: office_hours must open before they close")
    workdays = base.workdays
    if raw.get("workdays"):
        workdays = frozenset(DAYS.index(str(d).lower()[:3]) for d in raw["workdays"])
    return Calendar(zone, opens, closes, workdays, fixed, recurring)


def _holidays(path: Path | None) -> tuple[frozenset[date], frozenset[tuple[int, int]]]:
    if path is None or not path.exists():
        return frozenset(), frozenset()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    dates = frozenset(date.fromisoformat(str(d)) for d in data.get("dates") or ())
    recurring = frozenset((int(m), int(d)) for m, d in
                          (str(x).split("-") for x in data.get("recurring") or ()))
    return dates, recurring
