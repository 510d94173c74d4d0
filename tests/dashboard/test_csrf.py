"""CSRF: every POST needs the session's token; a missing, wrong, other session's or
cross-site request is refused with 403 and changes nothing."""

from __future__ import annotations

from bot.composition import Bot
from tests.dashboard.conftest import Client, add_complaint, add_staff, csrf_of, login, token


async def _status_of(client: Client, case_id: int) -> str:
    html = await (await client.get(f"/staff/case/{case_id}")).text()
    return html.split('data-status="', 1)[1].split('"', 1)[0]


async def test_post_without_or_with_wrong_token_is_rejected(client: Client, bot: Bot) -> None:
    case_id, _, office = await add_complaint(bot, "Jawa Timur")
    await add_staff(bot, "siti", office)
    await login(client, "siti")
    url = f"/staff/case/{case_id}/claim"
    assert (await client.post(url, data={}, allow_redirects=False)).status == 403
    assert (await client.post(url, data={"csrf": "nope"}, allow_redirects=False)).status == 403
    assert (await client.post(url, allow_redirects=False)).status == 403
    assert await _status_of(client, case_id) == "new"
    good = await client.post(url, data={"csrf": await token(client)}, allow_redirects=False)
    assert good.status == 303
    assert await _status_of(client, case_id) == "assigned"


async def test_token_of_another_session_is_rejected(client: Client, bot: Bot) -> None:
    case_id, _, office = await add_complaint(bot, "Jawa Timur")
    await add_staff(bot, "siti", office)
    await login(client, "siti")
    old = await token(client)
    await client.post("/staff/logout", data={"csrf": old})
    await login(client, "siti")
    response = await client.post(f"/staff/case/{case_id}/claim", data={"csrf": old},
                                 allow_redirects=False)
    assert response.status == 403


async def test_cross_site_origin_is_rejected_even_with_token(client: Client, bot: Bot) -> None:
    case_id, _, office = await add_complaint(bot, "Jawa Timur")
    await add_staff(bot, "siti", office)
    await login(client, "siti")
    response = await client.post(
        f"/staff/case/{case_id}/claim", data={"csrf": await token(client)},
        headers={"Origin": "https://evil.example"}, allow_redirects=False)
    assert response.status == 403


async def test_login_form_needs_its_token(client: Client, bot: Bot) -> None:
    await add_staff(bot, "siti", "BP3MI-JATIM")
    response = await client.post("/staff/login", allow_redirects=False,
                                 data={"username": "siti", "password": "kata-sandi-uji-123"})
    assert response.status == 403
    page = await client.get("/staff/login")
    ok = await client.post("/staff/login", allow_redirects=False, data={
        "csrf": csrf_of(await page.text()), "username": "siti",
        "password": "kata-sandi-uji-123"})
    assert ok.status == 303


async def test_anonymous_post_is_refused(client: Client) -> None:
    assert (await client.post("/staff/claim-next", data={})).status == 403


async def test_origin_check_works_behind_the_proxy_on_any_port(
        client: Client, bot: Bot) -> None:
    """nginx passes Host without the port ($host) and the port in X-Forwarded-Host."""
    case_id, _, office = await add_complaint(bot, "Jawa Timur")
    await add_staff(bot, "siti", office)
    await login(client, "siti")
    proxied = {"Host": "localhost", "Origin": "http://localhost:8081",
               "X-Forwarded-Host": "localhost:8081", "X-Forwarded-For": "198.51.100.7"}

    async def claim() -> int:
        response = await client.post(f"/staff/case/{case_id}/claim", headers=proxied,
                                     data={"csrf": await token(client)},
                                     allow_redirects=False)
        return response.status

    assert await claim() == 403  # X-Forwarded-Host is not trusted by default
    bot.settings.public_url = "http://localhost:8081"
    assert await claim() == 303  # PUBLIC_URL names the site
    bot.settings.public_url = None
    bot.settings.trust_forwarded_for = True
    await client.post(f"/staff/case/{case_id}/release", data={"csrf": await token(client)})
    assert await claim() == 303  # the proxy's X-Forwarded-Host names it
    proxied["Origin"] = "http://evil.example:8081"
    await client.post(f"/staff/case/{case_id}/release", data={"csrf": await token(client)})
    assert await claim() == 403
