"""Supervisor figures per office: median first-response time, the share of cases handled
within their service targets, and satisfaction. Pure functions over case rows, so the
supervisor page and its CSV export show the same numbers and tests check them by hand.

Definitions (README "Service targets"):
- first response: the first message a handler sent (reply, question or "resolved");
  its time is counted from filing, in calendar hours (median over the cases answered).
- first response within target: among cases answered, or unanswered past their target,
  the share answered by `first_response_due`.
- resolved within target: among cases resolved, or still open past their resolution
  target, the share resolved by `resolution_due` (a case waiting on the complainant is
  not counted as late).
- satisfaction: among the answers given, the share "puas".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import median

from storage.repositories.complaint_figures import CaseTimes

OPEN = ("new", "assigned", "reopened")


@dataclass(frozen=True, slots=True)
class OfficeFigures:
    office: str
    filed: int
    answered: int
    median_first_response_hours: float | None
    first_response_within_pct: float | None
    first_response_decided: int
    resolved_within_pct: float | None
    resolution_decided: int
    satisfaction_answers: int
    satisfied_pct: float | None


def _utc(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:  # SQLite: naive UTC
        return moment.replace(tzinfo=UTC)
    return moment


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def office_figures(office: str, cases: Iterable[CaseTimes], now: datetime) -> OfficeFigures:
    rows = list(cases)
    now = _utc(now) or now
    hours: list[float] = []
    fr_ok = fr_decided = res_ok = res_decided = satisfied = rated = 0
    for c in rows:
        created, first = _utc(c.created_at), _utc(c.first_response_at)
        fr_due, res_due = _utc(c.first_response_due), _utc(c.resolution_due)
        resolved = _utc(c.resolved_at)
        if first is not None and created is not None:
            hours.append((first - created).total_seconds() / 3600)
        if fr_due is not None and (first is not None or fr_due < now):
            fr_decided += 1
            fr_ok += first is not None and first <= fr_due
        if res_due is not None:
            if resolved is not None:
                res_decided += 1
                res_ok += resolved <= res_due
            elif c.status in OPEN and res_due < now:
                res_decided += 1
        if c.satisfaction:
            rated += 1
            satisfied += c.satisfaction == "puas"
    return OfficeFigures(
        office=office, filed=len(rows), answered=len(hours),
        median_first_response_hours=round(median(hours), 1) if hours else None,
        first_response_within_pct=_pct(fr_ok, fr_decided), first_response_decided=fr_decided,
        resolved_within_pct=_pct(res_ok, res_decided), resolution_decided=res_decided,
        satisfaction_answers=rated, satisfied_pct=_pct(satisfied, rated))


def by_office(cases: Iterable[CaseTimes], offices: Iterable[str], now: datetime
              ) -> list[OfficeFigures]:
    """Figures for each office in `offices` (in that order), zero rows included."""
    grouped: dict[str, list[CaseTimes]] = {code: [] for code in offices}
    for c in cases:
        if c.office_code in grouped:
            grouped[c.office_code].append(c)
    return [office_figures(code, rows, now) for code, rows in grouped.items()]
