"""Fixtures for the staff dashboard: the full app on a loopback test server, staff
accounts, complaints filed through the core, and a logged-in client helper."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.composition import Bot
from bot.core.complaints.rules import Offices, file_complaint
from bot.settings import PROJECT_ROOT, Settings
from bot.web import create_app
from storage.repositories import staff as staff_repo
from storage.repositories.users import get_or_create_user

PASSWORD = "kata-sandi-uji-123"
Client = TestClient  # type: ignore[type-arg]
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=sqlite_url, cache_dir=PROJECT_ROOT / "var" / "cache",
                    seed_demo_data=False, secret_key="test-secret-key-for-dashboard")


@pytest.fixture
async def client(bot: Bot) -> AsyncIterator[Client]:
    app = create_app(bot)
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


async def add_staff(bot: Bot, username: str, office: str, role: str = "handler",
                    password: str = PASSWORD) -> int:
    async with bot.sessions() as db, db.begin():
        staff = await staff_repo.create_staff(db, username=username, password=password,
                                              office_code=office, role=role)
        return staff.id


async def add_complaint(bot: Bot, province: str, user: str = "pelapor-1",
                        channel: str = "web", **answers: Any) -> tuple[int, str, str]:
    """File a complaint through the core; returns (id, ticket, office code)."""
    offices = Offices.load(bot.settings.content_dir / "offices.yml")
    data = {"category": "overcharging", "province": province, "country": "Malaysia",
            "description": "Uang Rp15 juta diambil lalu kantornya hilang.", **answers}
    async with bot.sessions() as db, db.begin():
        row = await get_or_create_user(db, channel, user)
        complaint, _secret = await file_complaint(db, answers=data, user=row, channel=channel,
                                                  offices=offices)
        return complaint.id, complaint.ticket, complaint.office_code


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


async def login(client: Client, username: str, password: str = PASSWORD) -> Any:
    page = await client.get("/staff/login")
    token = csrf_of(await page.text())
    return await client.post("/staff/login", allow_redirects=False, data={
        "csrf": token, "username": username, "password": password})


async def token(client: Client, path: str = "/staff/queue/new") -> str:
    """The CSRF token of the current session, read from a page."""
    page = await client.get(path)
    assert page.status == 200
    return csrf_of(await page.text())


async def post(client: Client, path: str, **data: str) -> Any:
    """POST a dashboard form with the session's CSRF token (no redirect following)."""
    data.setdefault("csrf", await token(client))
    return await client.post(path, data=data, allow_redirects=False)
