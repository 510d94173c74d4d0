"""Sign-in throttling behind the proxy: the client address is the proxy's hop of
X-Forwarded-For (only with TRUST_FORWARDED_FOR), so forged entries cannot spread failures
over made-up addresses, and failures from one address never lock the account for staff
signing in from another address."""

from __future__ import annotations

from bot.composition import Bot
from tests.dashboard.conftest import Client, add_staff, csrf_of, login_password


async def _attempt(client: Client, username: str, password: str, forwarded: str) -> int:
    headers = {"X-Forwarded-For": forwarded}
    page = await client.get("/staff/login", headers=headers)
    response = await client.post("/staff/login", allow_redirects=False, headers=headers, data={
        "csrf": csrf_of(await page.text()), "username": username, "password": password})
    return response.status


async def test_an_attacker_behind_the_proxy_cannot_lock_out_a_supervisor(
        client: Client, bot: Bot) -> None:
    bot.settings.trust_forwarded_for = True
    await add_staff(bot, "boss", "BP3MI-JATIM", role="supervisor")
    statuses = [await _attempt(client, "boss", "salah-sekali", f"10.9.{i}.1, 203.0.113.9")
                for i in range(40)]  # forged first hops, the proxy's hop is the attacker
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    client.session.cookie_jar.clear()
    assert await _attempt(client, "boss", "kata-sandi-uji-123", "198.51.100.7") == 303


async def test_forwarded_for_is_ignored_without_trust(client: Client, bot: Bot) -> None:
    await add_staff(bot, "boss", "BP3MI-JATIM", role="supervisor")
    for i in range(5):
        assert await _attempt(client, "boss", "salah-sekali", f"203.0.113.{i}") == 401
    # every attempt came from the same peer, whatever the header claimed
    assert await _attempt(client, "boss", "salah-sekali", "203.0.113.99") == 429


async def test_one_address_is_limited_across_accounts(client: Client, bot: Bot) -> None:
    for i in range(20):
        assert (await login_password(client, f"tidak-ada-{i}", "salah-sekali")).status == 401
    assert (await login_password(client, "tidak-ada-99", "salah-sekali")).status == 429
