"""Server-side staff sessions: a logged-out cookie stays dead after a restart and on a
second worker (SQLite and PostgreSQL), sessions end after the idle timeout and at their
absolute lifetime, and a password change or a disabled account ends them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import update

from bot.composition import Bot, build_bot
from bot.core.nlu import NLU
from bot.dashboard.auth import COOKIE
from bot.settings import PROJECT_ROOT, Settings
from bot.web import create_app
from storage.models import utcnow
from storage.models.staff_security import StaffSession
from storage.repositories import staff as staff_repo
from tests.dashboard.conftest import Client, add_staff, login, post


@asynccontextmanager
async def worker(database_url: str, nlu: NLU) -> AsyncIterator[tuple[Bot, Client]]:
    """One server process: its own bot (pool, app) on the shared database."""
    settings = Settings(database_url=database_url, cache_dir=PROJECT_ROOT / "var" / "cache",
                        seed_demo_data=False, secret_key="shared-secret-of-all-workers")
    bot = await build_bot(settings, nlu=nlu)
    async with TestClient(TestServer(create_app(bot), host="127.0.0.1")) as client:
        yield bot, client


async def _replay(client: Client, cookie: str) -> int:
    client.session.cookie_jar.clear()
    response = await client.get("/staff/queue/mine", allow_redirects=False,
                                headers={"Cookie": f"{COOKIE}={cookie}"})
    return response.status


async def test_logout_holds_across_a_restart_and_a_second_worker(
        database_url: str, nlu: NLU) -> None:
    async with worker(database_url, nlu) as (bot, first):
        await add_staff(bot, "siti", "BP3MI-JATIM", role="supervisor")
        cookie = (await login(first, "siti")).cookies[COOKIE].value
        async with worker(database_url, nlu) as (_, second):
            assert await _replay(second, cookie) == 200  # any worker knows the session
            assert (await post(first, "/staff/logout")).status == 303
            assert [await _replay(second, cookie) for _ in range(30)] == [303] * 30
    async with worker(database_url, nlu) as (_, restarted):
        assert await _replay(restarted, cookie) == 303


async def _age(bot: Bot, **values: object) -> None:
    async with bot.sessions() as db, db.begin():
        await db.execute(update(StaffSession).values(**values))


async def test_idle_sessions_end(client: Client, bot: Bot) -> None:
    await add_staff(bot, "siti", "BP3MI-JATIM")
    await login(client, "siti")
    assert (await client.get("/staff/queue/new", allow_redirects=False)).status == 200
    await _age(bot, last_seen_at=utcnow() - timedelta(minutes=31))
    assert (await client.get("/staff/queue/new", allow_redirects=False)).status == 303


async def test_sessions_end_at_their_absolute_lifetime(client: Client, bot: Bot) -> None:
    await add_staff(bot, "siti", "BP3MI-JATIM")
    await login(client, "siti")
    await _age(bot, expires_at=utcnow() - timedelta(seconds=1))
    assert (await client.get("/staff/queue/new", allow_redirects=False)).status == 303


async def test_password_change_and_disabling_end_sessions(client: Client, bot: Bot) -> None:
    staff_id = await add_staff(bot, "siti", "BP3MI-JATIM")
    await login(client, "siti")
    async with bot.sessions() as db, db.begin():
        staff = await staff_repo.get_staff(db, staff_id)
        assert staff is not None
        await staff_repo.set_password(db, staff, "another-long-passphrase-42")
    assert (await client.get("/staff/queue/new", allow_redirects=False)).status == 303
    await login(client, "siti", "another-long-passphrase-42")
    assert (await client.get("/staff/queue/new", allow_redirects=False)).status == 200
    async with bot.sessions() as db, db.begin():
        staff = await staff_repo.get_staff(db, staff_id)
        assert staff is not None
        await staff_repo.deactivate(db, staff)
    assert (await client.get("/staff/queue/new", allow_redirects=False)).status == 303
