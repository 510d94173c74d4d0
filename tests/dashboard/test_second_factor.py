"""The TOTP second factor: a password alone opens nothing, first sign-in enrols with a QR
code, a wrong or replayed code is refused, a recovery code works once, a supervisor's
reset makes the account enrol again (ending its sessions), handlers may be exempted by
setting, and an enrolment link sets the password and the factor together."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from sqlalchemy import select

from bot.composition import Bot
from bot.dashboard.auth import COOKIE
from storage.models.staff_audit import StaffAudit
from storage.repositories import staff as staff_repo
from tests.dashboard.conftest import (
    PHONE,
    Client,
    add_staff,
    csrf_of,
    login,
    login_password,
    post,
)


async def test_password_alone_opens_nothing(client: Client, bot: Bot) -> None:
    await add_staff(bot, "boss", "BP3MI-JATIM", role="supervisor")
    response = await login_password(client, "boss")
    assert (response.status, response.headers["Location"]) == (303, "/staff/enrol")
    queue = await client.get("/staff/queue/new", allow_redirects=False)
    assert (queue.status, queue.headers["Location"]) == (303, "/staff/totp")
    enrol = await client.get("/staff/enrol")
    assert 'src="data:image/svg+xml;base64,' in await enrol.text()  # the QR code


async def _code_form(client: Client, code: str) -> int:
    page = await client.get("/staff/totp")
    response = await client.post("/staff/totp", allow_redirects=False, data={
        "csrf": csrf_of(await page.text()), "code": code})
    return response.status


async def test_wrong_and_replayed_codes_are_refused(client: Client, bot: Bot) -> None:
    await add_staff(bot, "boss", "BP3MI-JATIM", role="supervisor")
    await login(client, "boss")  # enrols; the enrolment used the current step
    await post(client, "/staff/logout")
    await login_password(client, "boss")
    assert await _code_form(client, "000000") == 401
    used = pyotp.TOTP(PHONE.secrets["boss"]).at(max(PHONE.used["boss"]) * 30)
    assert await _code_form(client, used) == 401  # a code works once
    assert await _code_form(client, PHONE.code("boss")) == 303
    assert (await client.get("/staff/queue/new", allow_redirects=False)).status == 200


async def test_a_recovery_code_works_once(client: Client, bot: Bot) -> None:
    await add_staff(bot, "boss", "BP3MI-JATIM", role="supervisor")
    await login(client, "boss")
    code = PHONE.recovery["boss"][0]
    assert len(PHONE.recovery["boss"]) == 10
    await post(client, "/staff/logout")
    await login_password(client, "boss")
    assert await _code_form(client, code) == 303
    await post(client, "/staff/logout")
    await login_password(client, "boss")
    assert await _code_form(client, code) == 401
    async with bot.sessions() as db:
        staff = await staff_repo.by_username(db, "boss")
        assert staff is not None and len(staff.recovery_codes) == 9
        assert code not in str(staff.recovery_codes)  # stored hashed


async def test_supervisor_resets_a_handlers_factor(client: Client, bot: Bot) -> None:
    await add_staff(bot, "boss", "BP3MI-JATIM", role="supervisor")
    siti = await add_staff(bot, "siti", "BP3MI-JATIM")
    await login(client, "siti")
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/staff/"))[COOKIE].value
    await post(client, "/staff/logout")
    await login(client, "boss")
    assert "siti" in await (await client.get("/staff/akun")).text()
    assert (await post(client, f"/staff/akun/{siti}/reset-2fa")).status == 303
    async with bot.sessions() as db:
        staff = await staff_repo.get_staff(db, siti)
        assert staff is not None and staff.totp_secret is None
        actions = list((await db.execute(select(StaffAudit.action))).scalars())
    assert "totp_reset" in actions
    client.session.cookie_jar.clear()
    replay = await client.get("/staff/queue/new", allow_redirects=False,
                              headers={"Cookie": f"{COOKIE}={cookie}"})
    assert replay.status == 303
    again = await login_password(client, "siti")
    assert again.headers["Location"] == "/staff/enrol"


async def test_handlers_may_go_without_the_factor_by_setting(client: Client, bot: Bot) -> None:
    bot.settings.staff_totp_handlers = False
    await add_staff(bot, "siti", "BP3MI-JATIM")
    await add_staff(bot, "boss", "BP3MI-JATIM", role="supervisor")
    assert (await login_password(client, "siti")).headers["Location"] == "/staff/"
    await post(client, "/staff/logout")
    assert (await login_password(client, "boss")).headers["Location"] == "/staff/enrol"


async def test_an_enrolment_link_sets_password_and_factor(client: Client, bot: Bot) -> None:
    async with bot.sessions() as db, db.begin():
        staff = await staff_repo.create_staff(db, username="rina", password=None,
                                              office_code="BP3MI-JATIM", role="admin")
        token = staff_repo.new_enrol_token(staff, timedelta(hours=1))
    page = await client.get(f"/staff/enrol/{token}")
    html = await page.text()
    secret = html.split('data-totp-secret="', 1)[1].split('"', 1)[0]
    weak = await client.post(f"/staff/enrol/{token}", data={
        "csrf": csrf_of(html), "password": "aaaaaaaaaaaa", "password2": "aaaaaaaaaaaa",
        "code": pyotp.TOTP(secret).now()})
    assert weak.status == 400 and 'data-error="weak"' in await weak.text()
    done = await client.post(f"/staff/enrol/{token}", data={
        "csrf": csrf_of(html), "password": "lintas-batas-aman-2026",
        "password2": "lintas-batas-aman-2026", "code": pyotp.TOTP(secret).now()})
    assert done.status == 200 and "data-recovery-code" in await done.text()
    assert (await client.get("/staff/queue/new", allow_redirects=False)).status == 200
    assert (await client.get(f"/staff/enrol/{token}")).status == 404  # used once
