"""Fixtures for the staff dashboard: the full app on a loopback test server, staff
accounts, complaints filed through the core, and a logged-in client helper."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pyotp
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
_SECRET = re.compile(r'data-totp-secret="([A-Z2-7]+)"')
_RECOVERY = re.compile(r'data-recovery-code="([^"]+)"')


class Authenticator:
    """What a staff member's phone app knows: the TOTP secret of each enrolled account
    (read from the enrolment page, as a person would scan its QR code), and the time
    steps already used, since the server takes each code once."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
        self.used: dict[str, set[int]] = {}
        self.recovery: dict[str, list[str]] = {}

    def code(self, username: str) -> str:
        """A code for a step not used yet (this one or the next: both are accepted)."""
        now = int(time.time() // 30)
        used = self.used.setdefault(username, set())
        step = next(s for s in (now, now + 1) if s not in used and s > max(used, default=-1))
        used.add(step)
        return pyotp.TOTP(self.secrets[username]).at(step * 30)


PHONE = Authenticator()


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=sqlite_url, cache_dir=PROJECT_ROOT / "var" / "cache",
                    seed_demo_data=False, secret_key="test-secret-key-for-dashboard",
                    media_dir=tmp_path / "media")


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


async def login_password(client: Client, username: str, password: str = PASSWORD) -> Any:
    """The password step alone (the response redirects to the second factor)."""
    page = await client.get("/staff/login")
    token = csrf_of(await page.text())
    return await client.post("/staff/login", allow_redirects=False, data={
        "csrf": token, "username": username, "password": password})


async def second_factor(client: Client, username: str, location: str) -> Any:
    """Enrol (first sign-in: read the secret off the page, confirm a code computed with
    pyotp) or give the current code; returns the final response."""
    page = await client.get(location)
    html = await page.text()
    if location == "/staff/enrol":
        match = _SECRET.search(html)
        assert match, "the enrolment page shows no secret"
        PHONE.secrets[username] = match.group(1)
        PHONE.used[username] = set()
    response = await client.post(location, allow_redirects=False, data={
        "csrf": csrf_of(html), "code": PHONE.code(username)})
    if location == "/staff/enrol":
        assert response.status == 200, await response.text()
        PHONE.recovery[username] = _RECOVERY.findall(await response.text())
    return response


async def login(client: Client, username: str, password: str = PASSWORD) -> Any:
    """Sign in as a person would: password, then enrolment or the TOTP code."""
    response = await login_password(client, username, password)
    location = response.headers.get("Location", "")
    if response.status == 303 and location in ("/staff/enrol", "/staff/totp"):
        factor = await second_factor(client, username, location)
        return response if location == "/staff/enrol" else factor
    return response


async def token(client: Client, path: str = "/staff/queue/new") -> str:
    """The CSRF token of the current session, read from a page."""
    page = await client.get(path)
    assert page.status == 200
    return csrf_of(await page.text())


async def post(client: Client, path: str, **data: str) -> Any:
    """POST a dashboard form with the session's CSRF token (no redirect following)."""
    data.setdefault("csrf", await token(client))
    return await client.post(path, data=data, allow_redirects=False)
