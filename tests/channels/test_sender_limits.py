"""The outbox sender's limits across workers, judged from the fake platform's side: a 429
pauses every worker until its retry_after, the global and per-chat limits count failed
attempts too, and a message delivered while its answer was lost is sent again (the
platforms take no idempotency key: at-least-once)."""

from __future__ import annotations

from itertools import pairwise

from bot.channels.sender import Limits
from tests.channels.conftest import Harness, HarnessFactory
from tests.channels.test_sender import (
    another_workers_sender,
    enqueue,
    enqueue_chats,
    wait_settled,
)
from tests.fakes.telegram_api import Call

# A call already on its way when the 429 was answered cannot know of it: calls arriving
# this soon after a 429 are not counted as ignoring it.
IN_FLIGHT = 0.1


def busiest_second(times: list[float]) -> int:
    times = sorted(times)
    return max((sum(1 for t in times if start <= t < start + 1.0) for start in times),
               default=0)


async def test_a_429_pauses_every_worker_until_its_retry_after(
        harness_factory: HarnessFactory, database_url: str) -> None:
    limits = Limits(per_chat_interval=0.02, global_per_second=30, base_backoff=0.05,
                    poll_interval=0.05)
    h: Harness = await harness_factory(database_url, limits=limits)
    seen = [0]

    def fifth_call_is_refused(call: Call) -> tuple[str, object] | None:
        seen[0] += 1
        return ("429", 2) if seen[0] == 5 else None

    h.telegram.faults.append(fifth_call_is_refused)
    async with another_workers_sender(h, limits) as second:
        await enqueue_chats(h, second, range(300, 330), 2)
        rows = await wait_settled(h, 60)
    assert {r.status for r in rows} == {"sent"}
    [refused] = [c for c in h.telegram.calls if c.failed == "429"]
    inside = [c for c in h.telegram.calls
              if refused.at + IN_FLIGHT < c.at < refused.at + 2.0]
    assert inside == []
    assert len(h.telegram.sent()) == 60


async def test_global_and_per_chat_limits_count_failed_attempts(
        harness_factory: HarnessFactory, database_url: str) -> None:
    limits = Limits(per_chat_interval=1.0, global_per_second=8, base_backoff=0.05,
                    max_backoff=0.2, poll_interval=0.05, probe_interval=0.1)
    h: Harness = await harness_factory(database_url, limits=limits)
    h.telegram.outage(2.0, "500")
    async with another_workers_sender(h, limits) as second:
        await enqueue_chats(h, second, range(400, 420), 2)
        rows = await wait_settled(h, 60)
    assert {r.status for r in rows} == {"sent"}
    attempts = [c for c in h.telegram.calls if c.method == "sendmessage"]
    assert any(c.failed for c in attempts)
    assert busiest_second([c.at for c in attempts]) <= 8 + 2  # calls may arrive late (load)
    for chat in range(400, 420):
        times = [c.at for c in attempts if c.chat == str(chat)]
        assert all(b - a >= 1.0 for a, b in pairwise(times))


async def test_a_message_delivered_whose_answer_was_lost_is_sent_again(
        harness_factory: HarnessFactory) -> None:
    h: Harness = await harness_factory()
    h.telegram.fail_next(1, "accept_drop")
    h.telegram.fail_next(1, "accept_500")
    await enqueue(h, "501", 2)
    rows = await wait_settled(h)
    assert [r.status for r in rows] == ["sent", "sent"]
    delivered = [c.data["text"] for c in h.telegram.sent("501")]
    assert delivered == ["pesan 501 0", "pesan 501 0", "pesan 501 0", "pesan 501 1"]


def test_at_the_platforms_limits_a_worker_has_one_send_unrecorded() -> None:
    assert Limits(global_per_second=30).window == 1
    assert Limits(global_per_second=60, per_chat_interval=0.2).window == 1
    assert Limits(global_per_second=1e6, concurrency=256).window == 256
    assert Limits(global_per_second=1e6, unrecorded=4).window == 4
