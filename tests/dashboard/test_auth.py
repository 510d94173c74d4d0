"""Dashboard sign-in: argon2 login, wrong password, rate limit, logout, cookie flags,
audit rows, forged session cookies and CSRF token binding."""

from __future__ import annotations

from sqlalchemy import select

from bot.composition import Bot
from bot.dashboard.auth import COOKIE, Signer
from storage.models.staff_audit import StaffAudit
from tests.dashboard.conftest import Client, add_staff, login, post


async def _actions(bot: Bot) -> list[str]:
    async with bot.sessions() as db:
        return list((await db.execute(select(StaffAudit.action).order_by(StaffAudit.id)))
                    .scalars())


async def test_pages_need_login(client: Client) -> None:
    response = await client.get("/staff/queue/new", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/staff/login"


async def test_login_sets_a_safe_cookie_and_opens_the_queue(client: Client, bot: Bot) -> None:
    await add_staff(bot, "siti", "BP3MI-JATIM")
    response = await login(client, "siti")
    assert response.status == 303
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["secure"]
    queue = await client.get("/staff/queue/new")
    assert queue.status == 200
    assert queue.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in queue.headers["Content-Security-Policy"]
    assert await _actions(bot) == ["totp_enrolled", "login"]


async def test_wrong_password_and_unknown_user_are_refused_alike(
        client: Client, bot: Bot) -> None:
    await add_staff(bot, "siti", "BP3MI-JATIM")
    wrong = await login(client, "siti", "salah")
    unknown = await login(client, "tidak-ada", "salah")
    assert wrong.status == unknown.status == 401
    assert COOKIE not in wrong.cookies
    assert (await client.get("/staff/queue/new", allow_redirects=False)).status == 303
    assert await _actions(bot) == ["login_failed", "login_failed"]


async def test_login_is_rate_limited_per_ip_and_username(client: Client, bot: Bot) -> None:
    await add_staff(bot, "siti", "BP3MI-JATIM")
    for _ in range(5):
        assert (await login(client, "siti", "salah")).status == 401
    limited = await login(client, "siti")  # even the right password waits now
    assert limited.status == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert COOKIE not in limited.cookies


async def test_logout_ends_the_session_even_if_the_cookie_is_replayed(
        client: Client, bot: Bot) -> None:
    await add_staff(bot, "siti", "BP3MI-JATIM")
    cookie = (await login(client, "siti")).cookies[COOKIE].value
    response = await post(client, "/staff/logout")
    assert response.status == 303
    assert (await client.get("/staff/queue/new", allow_redirects=False)).status == 303
    replay = await client.get("/staff/queue/new", allow_redirects=False,
                              headers={"Cookie": f"{COOKIE}={cookie}"})
    assert replay.status == 303
    assert await _actions(bot) == ["totp_enrolled", "login", "logout"]


async def test_handler_cannot_open_supervisor_pages(client: Client, bot: Bot) -> None:
    await add_staff(bot, "siti", "BP3MI-JATIM")
    await login(client, "siti")
    assert (await client.get("/staff/queue/all")).status == 403
    assert (await client.get("/staff/export.csv")).status == 403
    assert (await client.get("/staff/queue/nope")).status == 404


async def test_a_forged_or_unknown_session_cookie_opens_nothing(
        client: Client, bot: Bot) -> None:
    await add_staff(bot, "siti", "BP3MI-JATIM")
    cookie = (await login(client, "siti")).cookies[COOKIE].value
    client.session.cookie_jar.clear()
    altered = cookie[:-2] + ("AB" if cookie.endswith("AA") else "AA")  # always a change
    for forged in (altered, "garbage", "x" * 500):
        response = await client.get("/staff/queue/new", allow_redirects=False,
                                    headers={"Cookie": f"{COOKIE}={forged}"})
        assert response.status == 303


def test_signer_binds_csrf_tokens_to_its_key_and_nonce() -> None:
    signer = Signer(b"key-one")
    token = signer.csrf_token("nonce-1")
    assert signer.check_csrf("nonce-1", token)
    assert not signer.check_csrf("nonce-2", token)
    assert not Signer(b"key-two").check_csrf("nonce-1", token)
    assert not signer.check_csrf(None, token) and not signer.check_csrf("nonce-1", None)
