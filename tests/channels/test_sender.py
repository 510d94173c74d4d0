"""The outbox sender against the fake Bot API: outage and recovery (every reply once, in
order per chat), per-chat and global rate limits, retry_after, permanent errors, shutdown."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from itertools import pairwise
from typing import Any

from aiohttp import ClientTimeout
from sqlalchemy import select

from bot.channels.sender import Limits, OutboxSender
from bot.channels.telegram import PATH, TelegramChannel
from storage.models.complaints import OutboxMessage
from storage.repositories import outbox
from tests.channels.conftest import FAST, SECRET, Harness, HarnessFactory
from tests.fakes.telegram_api import text_update

QUESTIONS = ["syarat kerja ke malaysia apa", "berapa biaya penempatan", "cara bikin paspor",
             "visa kerja taiwan gimana"]


async def all_rows(h: Harness) -> list[OutboxMessage]:
    async with h.bot.sessions() as session:
        stmt = select(OutboxMessage).order_by(OutboxMessage.id)
        return list((await session.execute(stmt)).scalars())


async def enqueue(h: Harness, chat: str, n: int, prefix: str = "pesan") -> None:
    async with h.bot.sessions() as session, session.begin():
        for i in range(n):
            await outbox.enqueue(session, channel="telegram", external_user_id=chat,
                                 payload={"key": "k", "text": f"{prefix} {chat} {i}",
                                          "buttons": []})
    h.channels.runtimes["telegram"].sender.notify()


async def enqueue_chats(h: Harness, second: OutboxSender, chats: range, n: int) -> None:
    """`n` rows for each chat, both workers told after each chat (they race for them)."""
    for chat in chats:
        await enqueue(h, str(chat), n)
        second.notify()


@asynccontextmanager
async def another_workers_sender(h: Harness, limits: Limits) -> AsyncIterator[OutboxSender]:
    """A second sender on the same database and platform, as another worker would run."""
    sender = OutboxSender(h.bot.sessions, h.channels.runtimes["telegram"].sender.transport,
                          limits)
    sender.start()
    try:
        yield sender
    finally:
        await sender.stop()


async def wait_settled(h: Harness, timeout: float = 30.0) -> list[OutboxMessage]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        rows = await all_rows(h)
        if rows and all(r.status != "pending" for r in rows):
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError("outbox not drained")


async def test_outage_then_recovery_delivers_each_reply_once_in_order(
        harness_factory: HarnessFactory, database_url: str) -> None:
    h: Harness = await harness_factory(database_url)
    channel: TelegramChannel = h.channels.runtimes["telegram"].sender.transport  # type: ignore
    channel.api.timeout = ClientTimeout(total=0.3)
    h.telegram.outage(1.2, "500")
    h.telegram.fail_next(4, "timeout", 0.6)
    h.telegram.fail_next(2, "429", 0.2)
    chats = [701, 702, 703]
    update_id = 1000
    for question in QUESTIONS:
        for chat in chats:
            update_id += 1
            response = await h.client.post(PATH, json=text_update(update_id, chat, question),
                                           headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            assert response.status == 200
    rows = await wait_settled(h, 60)
    assert rows and {r.status for r in rows} == {"sent"}
    assert any(r.attempts > 1 for r in rows), "the outage made some sends retry"
    for chat in chats:
        expected = [r.payload["text"][:4096] for r in rows if r.external_user_id == str(chat)]
        delivered = [c.data["text"] for c in h.telegram.sent(str(chat))]
        assert delivered == expected  # each once, in the order they were written
    assert len(h.telegram.sent()) == len(rows)


async def test_per_chat_and_global_rate_limits(harness_factory: HarnessFactory) -> None:
    limits = Limits(per_chat_interval=1.0, global_per_second=20, base_backoff=0.05,
                    poll_interval=0.05)
    h: Harness = await harness_factory(limits=limits)
    await enqueue(h, "801", 3)
    for chat in range(810, 840):
        await enqueue(h, str(chat), 1)
    await wait_settled(h)
    times = [c.at for c in h.telegram.sent("801")]
    assert len(times) == 3
    assert all(b - a >= 1.0 for a, b in pairwise(times))  # never > 1 msg/s to one chat
    every = sorted(c.at for c in h.telegram.sent())
    assert len(every) == 33
    assert every[-1] - every[0] >= 32 / 20 * 0.9  # ~20/s overall, not all at once
    assert max(sum(1 for t in every if s <= t < s + 1.0) for s in every) <= 21


async def test_retry_after_is_honoured(harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory()
    h.telegram.fail_next(1, "429", 1)
    await enqueue(h, "901", 2)
    rows = await wait_settled(h)
    calls = [c for c in h.telegram.calls if c.chat == "901"]
    assert calls[1].at - calls[0].at >= 1.0
    assert [c.data["text"] for c in h.telegram.sent("901")] == ["pesan 901 0", "pesan 901 1"]
    assert rows[0].attempts == 2 and rows[0].status == "sent"


async def test_permanent_errors_stop_retries_and_show_the_code(
        harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory()
    h.telegram.block("950", "403")
    h.telegram.block("951", "400")
    await enqueue(h, "950", 2)
    await enqueue(h, "951", 1)
    await enqueue(h, "952", 1)
    rows = {(r.external_user_id, r.id): r for r in await wait_settled(h)}
    by_chat: dict[str, list[Any]] = {}
    for (chat, _), row in sorted(rows.items()):
        by_chat.setdefault(chat, []).append(row)
    assert [(r.status, r.error_code) for r in by_chat["950"]] == [("failed", "403")] * 2
    assert [(r.status, r.error_code) for r in by_chat["951"]] == [("failed", "400")]
    assert by_chat["952"][0].status == "sent"
    assert len([c for c in h.telegram.calls if c.chat == "950"]) == 2  # no retries


async def test_shutdown_records_sends_in_flight(harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory(limits=FAST)
    h.telegram.latency = 0.4
    await enqueue(h, "990", 1)
    await h.wait_for(lambda: len(h.telegram.calls) == 1)
    await h.channels.runtimes["telegram"].sender.stop()
    [row] = await all_rows(h)
    assert row.status == "sent"


async def test_two_senders_on_one_database_never_send_a_row_twice(
        harness_factory: HarnessFactory, database_url: str) -> None:
    h: Harness = await harness_factory(database_url)
    h.telegram.latency = 0.01
    async with another_workers_sender(h, FAST) as second:
        await enqueue_chats(h, second, range(600, 640), 3)
        rows = await wait_settled(h, 60)
    assert {r.status for r in rows} == {"sent"}
    for chat in range(600, 640):
        expected = [r.payload["text"] for r in rows if r.external_user_id == str(chat)]
        assert [c.data["text"] for c in h.telegram.sent(str(chat))] == expected
    assert len(h.telegram.sent()) == len(rows) == 120


async def test_rows_whose_claim_ran_out_in_a_busy_worker_are_each_sent_once(
        harness_factory: HarnessFactory, database_url: str) -> None:
    """Each worker claims many rows and sends them one at a time: on a slow platform the
    last ones outlast their claim in the queue and the other worker takes them. The
    first must then drop them (its claim is renewed with the slot only if still its own),
    and a send in progress holds a fresh claim."""
    limits = Limits(per_chat_interval=0.02, global_per_second=1000, poll_interval=0.05,
                    lease=timedelta(seconds=2))
    h: Harness = await harness_factory(database_url, limits=limits)
    h.telegram.latency = 0.3  # 12 chats queued in one worker: ~3.6 s, two leases
    async with another_workers_sender(h, limits) as second:
        await enqueue_chats(h, second, range(700, 712), 2)
        rows = await wait_settled(h, 120)
    assert {r.status for r in rows} == {"sent"}
    assert len(h.telegram.sent()) == len(rows) == 24


async def test_replies_waiting_for_a_backoff_go_out_as_soon_as_the_platform_is_back(
        harness_factory: HarnessFactory) -> None:
    slow_backoff = Limits(per_chat_interval=0.02, global_per_second=1000, base_backoff=60,
                          max_backoff=60, poll_interval=0.05)
    h: Harness = await harness_factory(limits=slow_backoff)
    h.telegram.outage(0.5, "500")
    for chat in ("801", "802", "803"):
        await enqueue(h, chat, 2)
    await h.wait_for(lambda: len(h.telegram.calls) >= 3)  # each chat failed once: 60 s wait
    await asyncio.sleep(0.6)  # the outage is over
    await enqueue(h, "804", 1)  # a fresh reply goes out and shows the platform is back
    rows = await wait_settled(h, 10)
    assert {r.status for r in rows} == {"sent"}
    assert len(h.telegram.sent()) == 7


async def test_while_the_platform_is_down_a_probe_finds_it_back_without_new_replies(
        harness_factory: HarnessFactory) -> None:
    probing = Limits(per_chat_interval=0.02, global_per_second=1000, base_backoff=60,
                     max_backoff=60, poll_interval=0.05, probe_interval=0.3)
    h: Harness = await harness_factory(limits=probing)
    h.telegram.outage(0.5, "500")
    for chat in ("811", "812", "813"):
        await enqueue(h, chat, 2)
    rows = await wait_settled(h, 10)  # well before the 60 s backoff runs out
    assert {r.status for r in rows} == {"sent"}
    assert len(h.telegram.sent()) == 6


async def test_global_rate_limit_holds_across_two_senders(
        harness_factory: HarnessFactory, database_url: str) -> None:
    limits = Limits(per_chat_interval=0.02, global_per_second=5, poll_interval=0.05)
    h: Harness = await harness_factory(database_url, limits=limits)
    async with another_workers_sender(h, limits) as second:
        await enqueue_chats(h, second, range(820, 835), 1)
        rows = await wait_settled(h, 30)
    assert len(rows) == 15 and {r.status for r in rows} == {"sent"}
    times = sorted(c.at for c in h.telegram.sent())
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= 5 + 1  # one of slack: send times are taken after the platform answers
