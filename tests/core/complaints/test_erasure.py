""""hapus data saya" reaches every copy: after a complainant with a case (story, contact,
staff note quoting the NIK and address, escalation reason with the phone number, staff
reply naming them, handoff message, stored web chat replies) deletes their data, neither
the case page nor any text in the database holds the NIK, phone number, name or address,
and the old web chat token is refused. SQLite: the bytes of the database file and its
log; PostgreSQL: every text column of every table."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select, text

from bot.composition import Bot, build_bot
from bot.core.complaints.casework import Casework
from bot.core.complaints.rules import Offices
from bot.core.nlu import NLU
from bot.settings import PROJECT_ROOT, Settings
from bot.web import create_app
from storage.models import User
from storage.repositories import complainant_cases
from storage.repositories import staff as staff_repo
from tests.core.complaints.test_intake import HAPPY
from tests.dashboard.conftest import PASSWORD, login

NIK = "3201234567890123"
PHONE = "081234567890"
NAME = "Sulastri Wulandari"
STREET = "Jalan Melati Nomor 17"
NEEDLES = (NIK, PHONE, NAME, STREET)
PNG = b"\x89PNG\r\n\x1a\n"  # a photo the complainant sent (its bytes quote the NIK)
STORY = f"Nama saya {NAME}, NIK {NIK}, rumah di {STREET}. Agen minta uang 15 juta lalu kabur."


@pytest.fixture
async def bot(database_url: str, nlu: NLU, tmp_path: Path) -> AsyncIterator[Bot]:
    settings = Settings(database_url=database_url, cache_dir=PROJECT_ROOT / "var" / "cache",
                        seed_demo_data=False, secret_key="erasure-test-secret",
                        staff_totp_handlers=False, media_dir=tmp_path / "media")
    built = await build_bot(settings, nlu=nlu)
    yield built
    await built.close()


async def chat(client: TestClient, token: str | None, **body: Any) -> Any:  # type: ignore[type-arg]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post("/api/chat", json=body, headers=headers)
    return response.status, await response.json()


async def _scan_postgres(bot: Bot) -> list[str]:
    found = []
    async with bot.db_engine.connect() as conn:
        columns = (await conn.execute(text(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND data_type IN"
            " ('text', 'character varying', 'json', 'jsonb', 'ARRAY')"))).all()
        for table, column in columns:
            for needle in NEEDLES:
                hits = (await conn.execute(text(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text LIKE :n'),
                    {"n": f"%{needle}%"})).scalar_one()
                if hits:
                    found.append(f"{table}.{column}: {needle}")
    return found


def _scan_sqlite(url: str) -> list[str]:
    path = Path(url.split("///", 1)[1])
    data = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    return [n for n in NEEDLES if n.encode() in data]


async def test_deleted_complainant_leaves_no_copy(bot: Bot, database_url: str) -> None:
    async with bot.sessions() as db, db.begin():
        boss = await staff_repo.create_staff(db, username="boss", password=PASSWORD,
                                             office_code="BP3MI-JATIM", role="supervisor")
    app = create_app(bot)
    app.on_cleanup.clear()
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        token = None
        for i, (kind, value) in enumerate(HAPPY):
            value = STORY if value.startswith("Agen minta") else value
            status, data = await chat(client, token, id=f"m{i}", **{kind: value})
            assert status == 200, data
            token = data["token"]
        status, data = await chat(client, token, id="confirm", button="complaint:pick:confirm:yes")
        assert data["replies"][0]["key"] == "complaint.filed"
        await chat(client, token, id="number", text=f"nomor hp saya {PHONE}")
        work = Casework(bot.content, Offices.load(bot.settings.content_dir / "offices.yml"))
        async with bot.sessions() as db, db.begin():
            staff = await staff_repo.get_staff(db, boss.id)
            assert staff is not None
            user_id = (await db.execute(select(User.id).where(User.channel == "web"))
                       ).scalar_one()
            [case] = await complainant_cases.for_user(db, user_id)
            cid = case.id
            photo = await bot.media.save(db, PNG + NIK.encode(), channel="web",
                                         user_id=user_id, source="evidence")
            await work.claim(db, staff, cid)
            await work.note(db, staff, cid, f"Cek NIK {NIK}, alamat {STREET}")
            await work.escalate(db, staff, cid, f"Pelapor bisa ditelepon di {PHONE}")
            await work.reply(db, staff, cid, f"Baik Kak {NAME}, kami cek ke {STREET}.")
        await chat(client, token, id="handoff", text=f"Terima kasih, hp saya {PHONE}")
        page = await _case_page(client, cid)
        assert NIK in page and STREET in page  # the case page showed them before
        status, data = await chat(client, token, id="del1", text="hapus data saya")
        status, data = await chat(client, token, id="del2", button="delete_data:yes")
        assert data["replies"][0]["key"] == "delete_data.done"
        page = await _case_page(client, cid)
        assert [n for n in NEEDLES if n in page] == []
        assert not bot.media.path(photo.id).exists()
        status, _ = await chat(client, token, text="halo lagi")
        assert status == 401
        updates = await client.get("/api/chat/updates",
                                   headers={"Authorization": f"Bearer {token}"})
        assert updates.status == 401
    if database_url.startswith("sqlite"):
        await bot.db_engine.dispose()
        assert _scan_sqlite(database_url) == []
    else:
        assert await _scan_postgres(bot) == []


async def _case_page(client: TestClient, cid: int) -> str:  # type: ignore[type-arg]
    if (await client.get("/staff/queue/new", allow_redirects=False)).status != 200:
        assert (await login(client, "boss")).status == 303
    response = await client.get(f"/staff/case/{cid}")
    assert response.status == 200
    return await response.text()
