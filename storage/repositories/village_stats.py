"""Aggregate queries for village officials, the BP3MI early warning and content review.

Village/district figures are scoped by exactly one of village_code / district_code and fail
closed: with neither, every function returns nothing. They return raw counts; the caller
suppresses small ones (bot.core.villages.reports.suppress) before anything is shown.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Unanswered
from storage.models.agencies import AgencyReport
from storage.models.complaints import Complaint
from storage.models.villages import AgencySighting, TopicCount, UserAttribution
from storage.repositories.villages import week_of


@dataclass(frozen=True, slots=True)
class PlaceStats:
    users: int
    topics: list[tuple[str, int]]
    complaints: list[tuple[str, str, int]]  # (category, status, count)
    weeks: list[tuple[date, int, int]]  # (week, new users, questions)


@dataclass(frozen=True, slots=True)
class WarningRow:
    name_key: str
    example: str
    district: str
    verdicts: str
    checks: int
    reports: int
    first_seen: datetime
    last_seen: datetime

    @property
    def total(self) -> int:
        return self.checks + self.reports


def _scope(village_code: str | None, district_code: str | None,
           ) -> tuple[ColumnElement[bool], ColumnElement[bool]] | None:
    if village_code:
        return (UserAttribution.village_code == village_code,
                TopicCount.village_code == village_code)
    if district_code:
        return (UserAttribution.district_code == district_code,
                TopicCount.district_code == district_code)
    return None


async def place_stats(session: AsyncSession, *, village_code: str | None = None,
                      district_code: str | None = None, since: date) -> PlaceStats | None:
    """Counts for one village or one district since the week of `since` (None: no scope)."""
    scope = _scope(village_code, district_code)
    if scope is None:
        return None
    user_filter, topic_filter = scope
    users = (await session.execute(select(func.count()).select_from(UserAttribution)
                                   .where(user_filter))).scalar_one()
    topic_rows = (await session.execute(
        select(TopicCount.intent, func.sum(TopicCount.count))
        .where(topic_filter, TopicCount.week >= week_of(since))
        .group_by(TopicCount.intent).order_by(func.sum(TopicCount.count).desc()))).all()
    complaint_rows = (await session.execute(
        select(Complaint.category, Complaint.status, func.count())
        .join(UserAttribution, UserAttribution.user_id == Complaint.user_id)
        .where(user_filter).group_by(Complaint.category, Complaint.status)
        .order_by(Complaint.category, Complaint.status))).all()
    joined = Counter(week_of(_day(t)) for (t,) in (await session.execute(
        select(UserAttribution.created_at).where(user_filter))).all())
    asked: Counter[date] = Counter()
    for week, n in (await session.execute(
            select(TopicCount.week, func.sum(TopicCount.count))
            .where(topic_filter, TopicCount.week >= week_of(since))
            .group_by(TopicCount.week))).all():
        asked[week] += int(n or 0)
    weeks = sorted({w for w in joined if w >= week_of(since)} | set(asked))
    return PlaceStats(
        users=int(users),
        topics=[(intent, int(n or 0)) for intent, n in topic_rows],
        complaints=[(c, s, int(n)) for c, s, n in complaint_rows],
        weeks=[(w, joined.get(w, 0), asked.get(w, 0)) for w in weeks],
    )


def _day(moment: datetime) -> date:
    return moment.date()


@dataclass
class _Group:
    first: datetime
    last: datetime
    checks: int = 0
    reports: int = 0
    verdicts: set[str] = field(default_factory=set)
    examples: Counter[str] = field(default_factory=Counter)


async def early_warning(session: AsyncSession, *, since: datetime | None = None,
                        district: str | None = None, limit: int = 500) -> list[WarningRow]:
    """Agency names checked (not_found/license_problem) or reported, by name and district."""
    groups: dict[tuple[str, str], _Group] = {}
    sightings = select(AgencySighting.name_key, AgencySighting.query, AgencySighting.district,
                       AgencySighting.verdict, AgencySighting.created_at)
    reports = select(AgencyReport.name_key, AgencyReport.query, AgencyReport.district,
                     AgencyReport.verdict, AgencyReport.created_at)
    if since is not None:
        sightings = sightings.where(AgencySighting.created_at >= since)
        reports = reports.where(AgencyReport.created_at >= since)
    if district is not None:
        sightings = sightings.where(AgencySighting.district == district)
        reports = reports.where(AgencyReport.district == district)
    for kind, stmt in (("checks", sightings), ("reports", reports)):
        for key, query, place, verdict, created in (await session.execute(stmt)).all():
            if not key:
                continue
            g = groups.setdefault((key, place or ""), _Group(created, created))
            if kind == "checks":
                g.checks += 1
            else:
                g.reports += 1
            g.first, g.last = min(g.first, created), max(g.last, created)
            g.verdicts.add(verdict)
            g.examples[query] += 1
    rows = [WarningRow(key, g.examples.most_common(1)[0][0], place,
                       ", ".join(sorted(g.verdicts)), g.checks, g.reports, g.first, g.last)
            for (key, place), g in groups.items()]
    rows.sort(key=lambda r: (-r.total, r.name_key, r.district))
    return rows[:limit]


async def unanswered(session: AsyncSession, *, since: datetime | None = None,
                     limit: int = 5000) -> list[tuple[str, str | None, float]]:
    """(text, guess, confidence) of unanswered messages, newest first."""
    stmt = (select(Unanswered.text, Unanswered.guess, Unanswered.confidence)
            .order_by(Unanswered.id.desc()).limit(limit))
    if since is not None:
        stmt = stmt.where(Unanswered.created_at >= since)
    return [(t, g, float(c or 0.0)) for t, g, c in (await session.execute(stmt)).all()]
