"""Office scoping: a handler of office A never sees office B's cases, in lists, by URL,
through actions, or in the supervisor's export; the failure looks like "not found"."""

from __future__ import annotations

from bot.composition import Bot
from tests.dashboard.conftest import Client, add_complaint, add_staff, login, post


async def test_other_office_case_is_not_listed_and_404_by_url(client: Client, bot: Bot) -> None:
    mine_id, mine_ticket, office_a = await add_complaint(bot, "Jawa Timur", user="a")
    other_id, other_ticket, office_b = await add_complaint(bot, "Jawa Barat", user="b")
    assert office_a != office_b
    await add_staff(bot, "handler-a", office_a)
    await login(client, "handler-a")
    for view in ("new", "urgent", "overdue", "waiting", "mine"):
        page = await client.get(f"/staff/queue/{view}")
        assert page.status == 200
        assert other_ticket not in await page.text()
    assert mine_ticket in await (await client.get("/staff/queue/new")).text()
    assert (await client.get(f"/staff/case/{mine_id}")).status == 200
    assert (await client.get(f"/staff/case/{other_id}")).status == 404
    assert (await client.get(f"/staff/case/{other_id}/stamp")).status == 404
    assert (await client.get("/staff/case/999999")).status == 404
    assert (await client.get("/staff/case/abc")).status == 404


async def test_actions_on_another_office_case_are_404_and_change_nothing(
        client: Client, bot: Bot) -> None:
    _, _, office_a = await add_complaint(bot, "Jawa Timur", user="a")
    other_id, _, _ = await add_complaint(bot, "Jawa Barat", user="b")
    await add_staff(bot, "boss-a", office_a, role="supervisor")
    await login(client, "boss-a")
    for action in ("claim", "note", "escalate", "resolve", "reopen", "close"):
        response = await post(client, f"/staff/case/{other_id}/{action}", body="x")
        assert response.status == 404, action
    await add_staff(bot, "handler-b", "BP3MI-JABAR")
    await post(client, "/staff/logout")
    await login(client, "handler-b")
    case = await client.get(f"/staff/case/{other_id}")
    assert case.status == 200
    assert 'data-status="new"' in await case.text()


async def test_export_holds_only_the_supervisors_office(client: Client, bot: Bot) -> None:
    _, ticket_a, office_a = await add_complaint(bot, "Jawa Timur", user="a")
    _, ticket_b, _ = await add_complaint(bot, "Jawa Barat", user="b")
    await add_staff(bot, "boss-a", office_a, role="supervisor")
    await login(client, "boss-a")
    response = await client.get("/staff/export.csv")
    assert response.status == 200
    assert response.content_type == "text/csv"
    body = await response.text()
    assert ticket_a in body and ticket_b not in body
    assert "Uang Rp15 juta" not in body  # no free-text personal data in the export
    assert ticket_b not in await (await client.get("/staff/queue/all")).text()
