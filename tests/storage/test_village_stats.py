"""Village repositories on SQLite and PostgreSQL: topic counters, attribution, scoped
aggregates (fail closed without a scope) and the early-warning grouping."""

from __future__ import annotations

from datetime import date

from storage import db
from storage.repositories import village_stats as stats
from storage.repositories import villages as repo
from storage.repositories.users import get_or_create_user


async def test_counters_aggregates_and_warning(database_url: str) -> None:
    engine = db.create_engine(database_url)
    try:
        await db.upgrade(engine)
        sessions = db.session_factory(engine)
        async with sessions() as s, s.begin():
            await repo.upsert_villages(s, [repo.NewVillage(
                "99.01.01.2001", "Uji", "Kec Uji", "99.01", "Kab Uji", "Prov Uji")],
                make_code=lambda kode, taken: "DSABCDE")
            for i in range(6):
                user = await get_or_create_user(s, "web", f"u{i}")
                await repo.set_attribution(s, user.id, village_code="99.01.01.2001",
                                           district_code="99.01", district="Kab Uji",
                                           source="referral")
            week = repo.week_of(date.today())
            for _ in range(3):
                await repo.count_topic(s, week=week, village_code="99.01.01.2001",
                                       district_code="99.01", intent="costs")
            for place in ("Kab Uji", "Kab Uji", None):
                await repo.add_sighting(s, name_key="maju palsu", query="PT Maju Palsu",
                                        verdict="not_found", district_code=None,
                                        district=place, village_code=None, channel="web")
        async with sessions() as s:
            assert await stats.place_stats(s, since=date.today()) is None  # no scope
            village = await stats.place_stats(s, village_code="99.01.01.2001",
                                              since=date.today())
            district = await stats.place_stats(s, district_code="99.01", since=date.today())
            other = await stats.place_stats(s, village_code="99.01.01.2002",
                                            since=date.today())
            warning = await stats.early_warning(s)
        assert village is not None and village.users == 6 and village.topics == [("costs", 3)]
        assert district is not None and district.users == 6
        assert other is not None and other.users == 0 and other.topics == []
        assert [(w.district, w.checks) for w in warning] == [("Kab Uji", 2), ("", 1)]
    finally:
        await engine.dispose()
