"""Villages, user attribution, weekly topic counters and agency sightings.

The registry is upserted by kode wilayah (never deleted: attribution and staff accounts
point at village codes). A village keeps its referral code across imports.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import deferred
from storage.db import insert_for
from storage.models import utcnow
from storage.models.villages import AgencySighting, TopicCount, UserAttribution, Village


@dataclass(frozen=True, slots=True)
class NewVillage:
    code: str
    name: str
    subdistrict: str
    district_code: str
    district: str
    province: str


async def upsert_villages(session: AsyncSession, rows: Iterable[NewVillage], *,
                          make_code: Callable[[str, set[str]], str],
                          demo: bool = False) -> tuple[int, int]:
    """Insert new villages (with a fresh referral code from `make_code(kode, taken)`) and
    update the names of known ones; returns (added, updated)."""
    existing = {v.code: v for v in (await session.execute(select(Village))).scalars()}
    taken = {v.referral_code for v in existing.values()}
    added = updated = 0
    for row in rows:
        known = existing.get(row.code)
        if known is not None:
            known.name, known.subdistrict = row.name, row.subdistrict
            known.district_code, known.district = row.district_code, row.district
            known.province, known.demo = row.province, demo
            updated += 1
            continue
        code = make_code(row.code, taken)
        taken.add(code)
        village = Village(code=row.code, name=row.name, subdistrict=row.subdistrict,
                          district_code=row.district_code, district=row.district,
                          province=row.province, referral_code=code, demo=demo,
                          created_at=utcnow())
        session.add(village)
        existing[row.code] = village
        added += 1
    await session.flush()
    return added, updated


async def list_villages(session: AsyncSession, *, district_code: str | None = None,
                        ) -> Sequence[Village]:
    stmt = select(Village).order_by(Village.district, Village.subdistrict, Village.name)
    if district_code:
        stmt = stmt.where(Village.district_code == district_code)
    return (await session.execute(stmt)).scalars().all()


async def by_referral(session: AsyncSession, referral_code: str) -> Village | None:
    stmt = select(Village).where(Village.referral_code == referral_code.strip().upper())
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_code(session: AsyncSession, code: str) -> Village | None:
    """A village by kode wilayah or by referral code."""
    village = await session.get(Village, code.strip())
    return village or await by_referral(session, code)


async def districts(session: AsyncSession) -> list[tuple[str, str, str]]:
    """(district_code, district, province) of every district in the registry."""
    stmt = (select(Village.district_code, Village.district, Village.province).distinct()
            .order_by(Village.district))
    return [(c, d, p) for c, d, p in (await session.execute(stmt)).all()]


_ATTRIBUTIONS = "attributions"  # session.info: user id -> attribution, from prefetch


async def get_attribution(session: AsyncSession, user_id: int) -> UserAttribution | None:
    known: dict[int, UserAttribution | None] = session.info.get(_ATTRIBUTIONS, {})
    if user_id in known:
        return known[user_id]
    return await session.get(UserAttribution, user_id)


async def prefetch_attributions(session: AsyncSession, user_ids: Sequence[int]) -> None:
    """Load the attributions of many users in one query (a batch of turns); later
    get_attribution calls in this session answer from it, "none" included."""
    stmt = select(UserAttribution).where(UserAttribution.user_id.in_(list(user_ids)))
    found = {row.user_id: row for row in (await session.execute(stmt)).scalars()}
    known = session.info.setdefault(_ATTRIBUTIONS, {})
    known.update({user_id: found.get(user_id) for user_id in user_ids})


async def set_attribution(session: AsyncSession, user_id: int, *, village_code: str | None,
                          district_code: str | None, district: str | None,
                          source: str) -> UserAttribution:
    session.info.get(_ATTRIBUTIONS, {}).pop(user_id, None)
    row = await session.get(UserAttribution, user_id)
    now = utcnow()
    if row is None:
        row = UserAttribution(user_id=user_id, created_at=now)
        session.add(row)
    row.village_code, row.district_code, row.district = village_code, district_code, district
    row.source, row.updated_at = source, now
    await session.flush()
    return row


def week_of(day: date) -> date:
    """The Monday of the week containing `day`."""
    return date.fromordinal(day.toordinal() - day.weekday())


def count_topic_later(session: AsyncSession, *, week: date, village_code: str,
                      district_code: str, intent: str) -> None:
    """`count_topic` at the end of the transaction (storage.deferred: one addition per
    counter per batch of turns, in a fixed order, so concurrent batches never deadlock)."""
    deferred.add(session, _add_topics, (week, village_code, district_code, intent[:64]))


async def _add_topics(session: AsyncSession,
                      counts: Sequence[tuple[tuple[Hashable, ...], int]]) -> None:
    keys = []
    for (week, village_code, district_code, intent), amount in counts:
        assert isinstance(week, date)
        keys.append((TopicKey(week, str(village_code), str(district_code), str(intent)),
                     amount))
    await count_topics(session, keys)


@dataclass(frozen=True, slots=True)
class TopicKey:
    week: date
    village_code: str
    district_code: str
    intent: str


async def count_topic(session: AsyncSession, *, week: date, village_code: str,
                      district_code: str, intent: str, amount: int = 1) -> None:
    """Add `amount` to the (week, village, district, intent) counter (race-safe)."""
    await count_topics(session, [(TopicKey(week, village_code, district_code, intent),
                                  amount)])


async def count_topics(session: AsyncSession, counts: Sequence[tuple[TopicKey, int]]
                       ) -> None:
    """Add to many (distinct) counters in one statement, row by row in the given order
    (an upsert: a counter missing is created, a racing creation is added to)."""
    if not counts:
        return
    stmt = insert_for(session, TopicCount).values([
        {"week": k.week, "village_code": k.village_code, "district_code": k.district_code,
         "intent": k.intent[:64], "count": amount} for k, amount in counts])
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["week", "village_code", "district_code", "intent"],
        set_={"count": TopicCount.count + stmt.excluded.count}))


async def add_sighting(session: AsyncSession, *, name_key: str, query: str, verdict: str,
                       district_code: str | None, district: str | None,
                       village_code: str | None, channel: str | None) -> None:
    session.add(AgencySighting(
        name_key=name_key[:255], query=query[:200], verdict=verdict[:20],
        district_code=district_code, district=district[:150] if district else None,
        village_code=village_code, channel=channel[:20] if channel else None,
        created_at=utcnow()))
