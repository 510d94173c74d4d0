"""Judging a drill from the platform's side: what the fake Telegram / WhatsApp servers
received, against the replies the messages posted should get.

- `expected_replies` runs the same inputs, per chat in the order they were posted, through
  the channel's own update conversion and the engine in this process, on a separate
  fresh SQLite database: the reply keys and the texts the platform should receive, in
  order. Nothing of the drill's own database (its outbox) is used.
- `judge` walks each chat's delivered messages against that list: a reply never delivered
  is *lost*; a delivery out of that order makes the chat *reordered*; a second copy of
  the reply just delivered is a *double*, explained when its first copy's answer was lost
  (the fake delivered it, then cut the connection or answered 5xx: the platforms take no
  idempotency key, so the bot cannot know and sends again) or when the first copy went
  out through a worker killed before it could record it; any other double is unexplained.
- Rates count every attempt, accepted or refused, over all fakes of the platform: the
  most attempts in any 1-second window (limit `per_second`), attempts to one chat closer
  than `chat_interval`, and calls inside a 429's retry_after (strict, and after the
  first `IN_FLIGHT` seconds, which calls already on their way could not avoid).
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.channels.telegram import MAX_TEXT
from bot.channels.whatsapp.render import render
from bot.channels.whatsapp.webhook import to_message
from bot.composition import build_bot
from bot.core.messages import Message
from bot.settings import PROJECT_ROOT, Settings
from tests.fakes.telegram_api import AFTER_DELIVERY, FakeTelegram
from tests.fakes.whatsapp_api import FakeWhatsApp

IN_FLIGHT = 0.1  # seconds after a 429 in which a call may already have been on its way


@dataclass(frozen=True, slots=True)
class Attempt:
    """One send call as a fake saw it (worker: the index of the fake, one per worker)."""

    chat: str
    text: str
    at: float
    delivered: bool
    failed: str | None
    worker: int
    retry_after: float | None = None


def wa_text(data: dict[str, Any]) -> str:
    """The text of a WhatsApp message as the user reads it (text or interactive body)."""
    if isinstance(data.get("text"), dict):
        return str(data["text"].get("body"))
    interactive = data.get("interactive") or {}
    return str((interactive.get("body") or {}).get("text"))


def telegram_attempts(fakes: list[FakeTelegram]) -> list[Attempt]:
    return sorted((Attempt(c.chat, str(c.data.get("text")), c.at, c.delivered, c.failed, n,
                           c.retry_after)
                   for n, fake in enumerate(fakes) for c in fake.calls
                   if c.method == "sendmessage"), key=lambda a: a.at)


def whatsapp_attempts(fakes: list[FakeWhatsApp]) -> list[Attempt]:
    return sorted((Attempt(c.to, wa_text(c.data), c.at, c.delivered, c.failed, n,
                           c.retry_after)
                   for n, fake in enumerate(fakes) for c in fake.calls), key=lambda a: a.at)


async def expected_replies(platform: str, inputs: dict[str, list[dict[str, Any]]]
                           ) -> dict[str, list[tuple[str, str]]]:
    """chat -> [(reply key, text as the platform receives it)] for `inputs` (chat -> the
    updates / WhatsApp messages it posted, in order), answered on a fresh database."""
    folder = Path(tempfile.mkdtemp(prefix="ja-judge-"))
    settings = Settings(database_url=f"sqlite+aiosqlite:///{folder / 'expected.db'}",
                        cache_dir=PROJECT_ROOT / "var" / "cache", seed_demo_data=False,
                        secret_key="judge", telegram_token="1:judge")
    bot = await build_bot(settings)
    telegram = None
    if platform == "telegram":
        from bot.channels.telegram import TelegramChannel

        telegram = TelegramChannel(settings, bot.sessions)
    out: dict[str, list[tuple[str, str]]] = {}
    try:
        for chat, updates in inputs.items():
            out[chat] = []
            for update in updates:
                message: Message | None = (await telegram.convert(update) if telegram else
                                           to_message(chat, {"message": update}))
                if message is None:
                    continue
                for reply in await bot.engine.handle(message):
                    payload = reply.to_dict()
                    text = (str(payload.get("text") or "…")[:MAX_TEXT] if telegram
                            else wa_text(render(chat, payload)))
                    out[chat].append((reply.key, text))
    finally:
        if telegram is not None:
            await telegram.close()
        await bot.close()
    return out


def max_in_window(times: Iterable[float], width: float = 1.0) -> tuple[int, float | None]:
    """The most events in any half-open window [t, t + width), and that window's start."""
    ordered = sorted(times)
    best, at, start = 0, None, 0
    for end, t in enumerate(ordered):
        while t - ordered[start] >= width:
            start += 1
        if end - start + 1 > best:
            best, at = end - start + 1, ordered[start]
    return best, at


def judge(expected: dict[str, list[tuple[str, str]]], attempts: list[Attempt], *,
          per_second: int, chat_interval: float,
          kills: Iterable[tuple[float, int]] = ()) -> dict[str, Any]:
    """Figures of one drill (see the module docstring); `kills`: (time, worker index)."""
    kills = list(kills)
    by_chat: dict[str, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        by_chat[attempt.chat].append(attempt)
    lost = reordered = explained_lost_answer = resent_after_kill = unexplained = 0
    unexpected_chats = sorted(set(by_chat) - set(expected))
    for chat, want in expected.items():
        texts = [text for _key, text in want]
        done, prev, bad = 0, None, False
        for got in (a for a in by_chat.get(chat, []) if a.delivered):
            if done < len(texts) and got.text == texts[done]:
                done, prev = done + 1, got
            elif prev is not None and got.text == prev.text:
                if prev.failed in AFTER_DELIVERY:
                    explained_lost_answer += 1
                elif any(prev.worker == w and prev.at <= t for t, w in kills):
                    resent_after_kill += 1
                else:
                    unexplained += 1
                    print(f"double to chat {chat}: {prev.text[:30]!r} by worker {prev.worker} "
                          f"at {prev.at:.3f}, again by worker {got.worker} at {got.at:.3f}",
                          file=sys.stderr)
                prev = got
            else:
                bad = True
        lost += len(texts) - done
        if bad:
            reordered += 1
            if reordered <= 3:  # evidence for the report
                print(f"chat {chat}: expected {[k for k, _t in want]}, delivered "
                      f"{[a.text[:30] for a in by_chat[chat] if a.delivered]}", file=sys.stderr)
    busiest, _at = max_in_window(a.at for a in attempts)
    gaps = [b.at - a.at for chat_attempts in by_chat.values()
            for a, b in itertools.pairwise(chat_attempts)]
    refusals = [a for a in attempts if a.retry_after is not None]
    strict = sum(1 for r in refusals for a in attempts
                 if r.at < a.at < r.at + (r.retry_after or 0))
    after_grace = sum(1 for r in refusals for a in attempts
                      if r.at + IN_FLIGHT < a.at < r.at + (r.retry_after or 0))
    return {
        "chats": len(expected), "replies_expected": sum(map(len, expected.values())),
        "replies_delivered": sum(a.delivered for a in attempts), "attempts": len(attempts),
        "attempts_refused": sum(not a.delivered for a in attempts),
        "answers_lost_after_delivery": sum(a.delivered and a.failed is not None
                                           for a in attempts),
        "lost": lost, "chats_reordered": reordered, "chats_unexpected": len(unexpected_chats),
        "doubles_answer_lost": explained_lost_answer,
        "doubles_resent_after_kill": resent_after_kill, "doubles_unexplained": unexplained,
        "max_attempts_in_1s": busiest, "per_second_limit": per_second,
        "per_chat_min_gap_s": round(min(gaps), 3) if gaps else None,
        "per_chat_violations": sum(g < chat_interval for g in gaps),
        "retry_after_429s": len(refusals), "calls_inside_retry_after": after_grace,
        "calls_inside_retry_after_strict": strict,
    }


def judged_ok(figures: dict[str, Any], *, resend_bound: int = 0) -> bool:
    """No loss, no reordering, no unexplained double, no limit or retry_after broken, and
    resends after kills within `resend_bound`."""
    return bool(figures["lost"] == 0 and figures["chats_reordered"] == 0
            and figures["chats_unexpected"] == 0 and figures["doubles_unexplained"] == 0
            and figures["doubles_resent_after_kill"] <= resend_bound
            and figures["max_attempts_in_1s"] <= figures["per_second_limit"]
            and figures["per_chat_violations"] == 0
            and figures["calls_inside_retry_after"] == 0)
