"""The inbox worker: updates answered in batches, one per user per batch, in order; a bad
update is answered one by one with the rest of its batch and given up after its attempts."""

from __future__ import annotations

from sqlalchemy import select

from bot.channels.telegram import PATH
from storage.models.channels import InboxUpdate
from tests.channels.conftest import SECRET, Harness, HarnessFactory
from tests.fakes.telegram_api import text_update

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


async def post(h: Harness, update: dict[str, object]) -> None:
    response = await h.client.post(PATH, json=update, headers=HEADERS)
    assert response.status == 200


async def test_a_broken_update_does_not_hold_back_other_users(
        harness_factory: HarnessFactory, database_url: str) -> None:
    h: Harness = await harness_factory(database_url)
    broken = text_update(5000, 500, "halo")
    broken["message"]["date"] = "kemarin"  # type: ignore[index]  # not a Bot API date
    await post(h, broken)
    for chat in range(501, 506):
        await post(h, text_update(5000 + chat, chat, "syarat kerja ke malaysia apa"))
    await h.wait_for(lambda: {c.chat for c in h.telegram.sent()} >= {str(c) for c in
                                                                      range(501, 506)})
    async with h.bot.sessions() as session:
        rows = {r.user_id: r for r in (await session.execute(select(InboxUpdate))).scalars()}
    assert all(rows[str(c)].status == "done" for c in range(501, 506))
    assert rows["500"].last_error and rows["500"].attempts >= 1
    assert not h.telegram.sent("500")


async def test_one_users_messages_are_answered_in_the_order_they_came(
        harness_factory: HarnessFactory, database_url: str) -> None:
    h: Harness = await harness_factory(database_url)
    texts = ["halo", "syarat kerja ke malaysia apa", "cara bikin paspor", "berapa biayanya"]
    for n, text in enumerate(texts):
        await post(h, text_update(6000 + n, 610, text))
    await h.outbox_done(30)
    await h.settle()
    async with h.bot.sessions() as session:
        done = list((await session.execute(
            select(InboxUpdate).order_by(InboxUpdate.processed_at, InboxUpdate.id))).scalars())
    assert [r.update_id for r in done] == [str(6000 + n) for n in range(len(texts))]
    assert len({r.processed_at for r in done}) == len(texts)  # one per batch, one by one
