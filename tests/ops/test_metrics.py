"""`/metrics`: turn counters, NLU intents and fallbacks, HTTP latency, database backlogs."""

from __future__ import annotations

import re

import pytest

from bot.composition import Bot
from bot.ops import metrics
from storage.repositories import outbox
from storage.repositories.users import get_or_create_user
from tests.ops.conftest import Client


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in the exposition text (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        match = re.match(r"^([a-z_]+)(?:\{(.*)\})? (\S+)$", line)
        if match and match.group(1) == name:
            got = ",".join(sorted((match.group(2) or "").split(","))) if match.group(2) else ""
            if got == wanted:
                return float(match.group(3))
    return 0.0


async def scrape(client: Client) -> str:
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    return await response.text()


async def test_turns_intents_and_fallbacks_are_counted(client: Client, bot: Bot) -> None:
    before = await scrape(client)
    await client.post("/api/chat", json={"user": "m1", "text": "syarat jd tkw apa aja"})
    bot.engine.threshold = 0.9999  # the next message falls below the threshold
    await client.post("/api/chat", json={"user": "m1", "text": "qwzx vbnm plok"})
    after = await scrape(client)

    def delta(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert delta("jalur_aman_messages_in_total", channel="web") == 2
    assert delta("jalur_aman_messages_out_total", channel="web") >= 3  # welcome + answers
    assert delta("jalur_aman_nlu_intents_total", intent="requirements") == 1
    assert delta("jalur_aman_nlu_fallbacks_total") == 1
    assert delta("jalur_aman_turn_seconds_count", channel="web") == 2
    assert delta("jalur_aman_http_request_seconds_count", method="POST", route="/api/chat",
                 status="200") == 2
    assert "m1" not in after and "qwzx" not in after  # no user ids or text in labels


async def test_backlogs_come_from_the_database(client: Client, bot: Bot) -> None:
    async with bot.sessions() as session, session.begin():
        await get_or_create_user(session, "web", "m2")
        for _ in range(3):
            await outbox.enqueue(session, channel="telegram", external_user_id="42",
                                 payload={"key": "x", "text": "t", "buttons": []})
    text = await scrape(client)
    assert sample(text, "jalur_aman_outbox_depth", channel="telegram") == 3
    assert sample(text, "jalur_aman_outbox_oldest_seconds", channel="telegram") >= 0
    assert "jalur_aman_queue_depth" in text and "jalur_aman_inbox_depth" in text


async def test_metrics_survive_a_database_outage(client: Client,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    async def down(_sessions: object) -> list[object]:
        raise ConnectionRefusedError("database down")

    monkeypatch.setattr(metrics, "backlog_families", down)
    text = await scrape(client)
    assert "jalur_aman_http_request_seconds" in text and "backlog unavailable" in text
