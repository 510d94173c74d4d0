"""Agency repository on SQLite and PostgreSQL: atomic replacement, lookups, reports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import db
from storage.repositories import agencies as repo


def row(name: str, number: str, status: str = "aktif", **extra: Any) -> dict[str, Any]:
    return {"name": name, "name_key": name.lower().removeprefix("pt ").strip(),
            "sip3mi": number, "number_key": number.replace(".", "").replace("/", ""),
            "status": status, "province": "Bali", "city": "", "address": "", "phone": "",
            "issued": None, "expires": date(2028, 1, 1), **extra}


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = db.create_engine(database_url)
    await db.upgrade(engine)
    yield db.session_factory(engine)
    await engine.dispose()


async def test_replace_records_the_import_and_lookups_use_keys(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        assert await repo.latest_import(session) is None
        await repo.replace_register(
            session, [row("PT Satu", "KEP.1/KA/2020"), row("PT Dua", "KEP.2/KA/2020", "dicabut")],
            file_name="reg.csv", as_of=date(2026, 11, 1), rows_read=3, rows_rejected=1,
            imported_by="tester",
        )
    async with sessions() as session:
        record = await repo.latest_import(session)
        assert record is not None
        assert (record.file_name, record.as_of, record.rows_imported, record.rows_rejected,
                record.imported_by, record.demo) == ("reg.csv", date(2026, 11, 1), 2, 1,
                                                     "tester", False)
        assert await repo.count_agencies(session) == 2
        [found] = await repo.find_by_name_key(session, "dua")
        assert found.status == "dicabut" and found.import_id == record.id
        by_number = await repo.find_by_number_key(session, "KEP1KA2020")
        assert by_number is not None and by_number.name == "PT Satu"
        assert await repo.find_by_number_key(session, "NOPE") is None


async def test_a_second_import_replaces_the_whole_register(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    for names in (["PT A", "PT B", "PT C"], ["PT D"]):
        async with sessions() as session, session.begin():
            await repo.replace_register(
                session, [row(n, f"KEP.{i}/KA/2020") for i, n in enumerate(names)],
                file_name="x.csv", as_of=date(2026, 11, 1))
    async with sessions() as session:
        assert [a.name for a in await repo.all_agencies(session)] == ["PT D"]
        assert len(await repo.list_imports(session)) == 2


async def test_failed_import_leaves_the_old_register(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await repo.replace_register(session, [row("PT Lama", "KEP.1/KA/2020")],
                                    file_name="old.csv", as_of=date(2026, 1, 1))
    rows = [row(f"PT Baru {i}", f"KEP.{i}/KA/2021") for i in range(1500)]
    rows[1200]["name"] = None  # violates NOT NULL in the second chunk
    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            await repo.replace_register(session, rows, file_name="new.csv",
                                        as_of=date(2026, 11, 1))
    async with sessions() as session:
        assert [a.name for a in await repo.all_agencies(session)] == ["PT Lama"]
        record = await repo.latest_import(session)
        assert record is not None and record.file_name == "old.csv"


async def test_reports_are_stored_for_the_complaint_queue(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await repo.add_report(session, query="PT Palsu Jaya " + "x" * 600, name_key="palsu jaya",
                              verdict="not_found", district="Indramayu", channel="web")
        await repo.add_report(session, query="PT Dua", name_key="dua",
                              verdict="license_problem", matched_name="PT Dua")
    async with sessions() as session:
        newest, oldest = await repo.list_reports(session)
        assert newest.verdict == "license_problem" and newest.user_id is None
        assert oldest.district == "Indramayu" and len(oldest.query) == 500
        assert oldest.created_at is not None
