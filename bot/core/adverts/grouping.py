"""Reported adverts grouped by near-duplicate text for the staff early-warning page: the
same advert forwarded by many people counts once, with a count. Pure, no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz

from bot.core.adverts.text import fold

SIMILAR = 88.0  # token-set similarity at or above which two adverts are the same
_WORD = re.compile(r"[a-z0-9]+")
_COMPARE_CHARS = 1500


def normalise(text: str) -> str:
    """Lower-case words only (emoji, punctuation and spacing of a forward do not count)."""
    return " ".join(_WORD.findall(fold(text).lower()))[:_COMPARE_CHARS]


@dataclass(frozen=True)
class Reported:
    """One stored report as the page needs it (no reporter data)."""

    text: str
    risk: str
    flags: tuple[str, ...]
    district: str | None
    created_at: datetime


@dataclass
class AdvertGroup:
    example: str
    risk: str
    flags: list[str]
    count: int
    first_seen: datetime
    last_seen: datetime
    districts: list[str] = field(default_factory=list)
    key: str = ""


def group_reports(reports: Iterable[Reported]) -> list[AdvertGroup]:
    """Groups, newest report first; each group shows its newest copy's text and flags."""
    groups: list[AdvertGroup] = []
    for report in sorted(reports, key=lambda r: r.created_at, reverse=True):
        key = normalise(report.text)
        home = next((g for g in groups if g.key == key or
                     fuzz.token_set_ratio(g.key, key) >= SIMILAR), None)
        if home is None:
            groups.append(AdvertGroup(report.text, report.risk, list(report.flags), 1,
                                      report.created_at, report.created_at,
                                      [report.district] if report.district else [], key))
            continue
        home.count += 1
        home.first_seen = min(home.first_seen, report.created_at)
        if report.district and report.district not in home.districts:
            home.districts.append(report.district)
    return groups


CSV_COLUMNS = ("advert", "risk", "flags", "reports", "districts", "first_seen", "last_seen")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = value.isoformat(timespec="seconds") if isinstance(value, datetime) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def groups_csv(groups: list[AdvertGroup]) -> str:
    """The grouped adverts as CSV (cells a spreadsheet would run as formulas are quoted)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for g in groups:
        writer.writerow([_cell(v) for v in (g.example, g.risk, " ".join(g.flags), g.count,
                                            "; ".join(g.districts), g.first_seen,
                                            g.last_seen)])
    return buffer.getvalue()
