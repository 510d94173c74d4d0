"""Webhook benchmark: Telegram webhook -> reply throughput and p50/p99 latency through our
full pipeline (secret check, durable inbox, engine turn with NLU and state, outbox,
rate-limited sender, aiogram sendMessage) against the fake Bot API on loopback, next to a
bare aiogram echo bot (SimpleRequestHandler, handle_in_background) behind the same fake
server in the same run; plus Python heap per 10,000 active sessions.

Each user is warmed up first (so every measured message gets one reply, like the echo),
then sends one message; latency = POST sent -> sendMessage reaching the fake server.
Telegram's 30 msg/s global limit is lifted for both (the fake has none); the per-chat
1 msg/s limit stays on for ours. Bounded (< 2 min a run), loopback only.

`--runs N` measures both N times, interleaved (the order is reversed run by run, so neither
always goes first on a machine whose load drifts; each run has its own users, so ours
starts every run with new chats as the echo does), prints each run's figures and ratio,
and last the min/median/max throughput ratio with every run's p99.

    .venv/bin/python benchmarks/webhooks.py [--users 1500] [--concurrency 64] [--runs N]
        [--database-url postgresql+asyncpg://...]
"""


from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import asyncio
import gc
import logging
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable

from aiogram import Bot as AiogramBot
from aiogram import Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods.base import Response
from aiogram.types import Message as TgMessage
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.sender import Limits
from bot.channels.setup import CHANNELS_KEY
from bot.composition import build_bot
from bot.settings import PROJECT_ROOT, Settings
from bot.web import create_app
from storage.models.complaints import OutboxMessage
from tests.fakes.telegram_api import FakeTelegram, text_update

# A strong reference keeps pydantic's generic Response[Message] built once for the echo
# bot: otherwise it can be garbage-collected and rebuilt (a costly schema build) per call.
_RESPONSE_MODEL = Response[TgMessage]
TOKEN = "123456:BENCH-token"
SECRET = "bench-secret"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
ECHO, OURS = "bare aiogram echo", "jalur-aman pipeline"
QUESTIONS = ["syarat kerja ke malaysia apa", "berapa biaya penempatan ke taiwan",
             "cara bikin paspor untuk kerja", "apa itu bpjs ketenagakerjaan"]


async def drive(url: str, fake: FakeTelegram, users: list[int], concurrency: int,
                first_update: int, text_for: Callable[[int], str]) -> dict[str, float]:
    """POST one update per user (bounded concurrency); wait for every chat's reply."""
    start_calls = len(fake.calls)
    posted: dict[str, float] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for user in users:
        queue.put_nowait(user)
    async with ClientSession() as http:
        async def poster() -> None:
            while not queue.empty():
                user = queue.get_nowait()
                posted[str(user)] = time.monotonic()
                update = text_update(first_update + user, user, text_for(user))
                async with http.post(url, json=update, headers=HEADERS) as response:
                    assert response.status == 200, response.status
        t0 = time.monotonic()
        await asyncio.gather(*[poster() for _ in range(concurrency)])
        first: dict[str, float] = {}
        deadline = time.monotonic() + 90
        seen = start_calls  # look at each recorded call once (the same cost for both bots)
        while len(first) < len(users) and time.monotonic() < deadline:
            calls = fake.calls[seen:]
            seen += len(calls)
            for call in calls:
                if call.method == "sendmessage" and call.data.get("_ok") \
                        and call.chat in posted and call.chat not in first:
                    first[call.chat] = call.at
            await asyncio.sleep(0.02)
    if len(first) < len(users):
        raise RuntimeError(f"only {len(first)}/{len(users)} replies arrived")
    latencies = sorted(first[c] - posted[c] for c in first)
    elapsed = max(first.values()) - t0
    return {"throughput": len(users) / elapsed, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000, "elapsed": elapsed}


async def drained(sessions: async_sessionmaker[AsyncSession], timeout: float = 90) -> None:
    """Wait until the outbox has no pending row (the welcome's second message, etc.)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with sessions() as session:
            left = (await session.execute(select(func.count()).select_from(OutboxMessage)
                                          .where(OutboxMessage.status == "pending"))).scalar()
        if not left:
            return
        await asyncio.sleep(0.1)


async def heap_per_session(url: str, fake: FakeTelegram, concurrency: int, first: int,
                           n: int = 400) -> float:
    """Python heap kept per new active session (tracemalloc; n fresh users from `first`,
    2 turns each)."""
    fresh = list(range(first, first + n))
    await asyncio.sleep(0.3)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        await drive(url, fake, fresh, concurrency, 2 * 10**6, lambda _u: "/start")
        await asyncio.sleep(0.3)
        gc.collect()
        return (tracemalloc.get_traced_memory()[0] - before) / n
    finally:
        tracemalloc.stop()


async def run_ours(fake: FakeTelegram, users: list[int], concurrency: int,
                   db_url: str, heap_users: int) -> tuple[dict[str, float], float]:
    settings = Settings(database_url=db_url, cache_dir=PROJECT_ROOT / "var" / "cache",
                        seed_demo_data=False, telegram_token=TOKEN,
                        telegram_webhook_secret=SECRET, telegram_api_base=fake.base,
                        # one loopback client posts everything: the per-IP webhook limit
                        # (a flood guard; the echo bot has none) would measure itself
                        rate_limit_webhook_per_s=1e6, rate_limit_webhook_burst=10**6)
    bot = await build_bot(settings)
    app = create_app(bot)
    rt = app[CHANNELS_KEY].runtimes["telegram"]
    rt.sender.limits = Limits(per_chat_interval=1.0, global_per_second=1e6, concurrency=256)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("/webhook/telegram"))
    try:  # warm-up: every user gets the welcome, then waits out the per-chat interval
        await drive(url, fake, users, concurrency, 0, lambda _u: "/start")
        await drained(bot.sessions)
        await asyncio.sleep(1.1)
        result = await drive(url, fake, users, concurrency, 10**6,
                             lambda u: QUESTIONS[u % len(QUESTIONS)])
        heap = await heap_per_session(url, fake, concurrency, heap_users)
    finally:
        await server.close()
    return result, heap


async def run_echo(fake: FakeTelegram, users: list[int], concurrency: int,
                   heap_users: int) -> tuple[dict[str, float], float]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base))
    tg = AiogramBot(TOKEN, session=session)
    dp = Dispatcher()

    @dp.message()
    async def echo(message: TgMessage) -> None:
        await message.answer(message.text or "")

    app = web.Application()
    SimpleRequestHandler(dp, tg, secret_token=SECRET).register(app, path="/webhook")
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        url = str(server.make_url("/webhook"))
        await drive(url, fake, users, concurrency, 0, lambda _u: "/start")
        result = await drive(url, fake, users, concurrency, 10**6,
                             lambda u: QUESTIONS[u % len(QUESTIONS)])
        heap = await heap_per_session(url, fake, concurrency, heap_users)
    finally:
        await server.close()
        await session.close()
    return result, heap


Result = tuple[dict[str, float], float]  # figures, heap per session


async def main(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING)
    fake = await FakeTelegram().start()
    ratios: list[float] = []
    p99s: dict[str, list[float]] = {ECHO: [], OURS: []}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db_url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
            for run_no in range(args.runs):
                # New users every run (ids stay below the measured updates' 10**6 offset).
                users = list(range(10_000 + 20_000 * run_no,
                                   10_000 + 20_000 * run_no + args.users))
                heap_users = 900_000 + 1_000 * run_no
                results: dict[str, Result] = {}
                for name in (ECHO, OURS) if run_no % 2 == 0 else (OURS, ECHO):
                    fake.calls.clear()
                    results[name] = await (
                        run_echo(fake, users, args.concurrency, heap_users) if name == ECHO
                        else run_ours(fake, users, args.concurrency, db_url, heap_users))
                ratio = results[OURS][0]["throughput"] / results[ECHO][0]["throughput"]
                ratios.append(ratio)
                for name in (ECHO, OURS):
                    p99s[name].append(round(results[name][0]["p99"], 1))
                report(run_no + 1, args, results, ratio)
    finally:
        await fake.close()
    print(f"\n{len(ratios)} run(s); p99 ms ours {p99s[OURS]}, bare echo {p99s[ECHO]}")
    print(f"throughput ratio (ours / bare echo): min {min(ratios):.2f}, median "
          f"{statistics.median(ratios):.2f}, max {max(ratios):.2f}  (target ≥ 0.50)")


def report(run_no: int, args: argparse.Namespace, results: dict[str, Result],
           ratio: float) -> None:
    print(f"\nrun {run_no}: {args.users} users, 1 measured message each, {args.concurrency} "
          "concurrent webhook posts, loopback fake Bot API; database:",
          "PostgreSQL" if args.database_url else "SQLite")
    print(f"{'':22}{'updates/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'heap/10k sessions':>19}")
    for name in (ECHO, OURS):
        r, heap = results[name]
        per_10k = heap * 10_000 / 2**20
        print(f"{name:22}{r['throughput']:10.0f}{r['p50']:9.1f}{r['p99']:9.1f}"
              f"{per_10k:16.1f} MB")
    print(f"run {run_no} throughput ratio (ours / bare echo): {ratio:.2f}", flush=True)


def _args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--users", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--database-url", help="an empty database for ours (default SQLite)")
    parser.add_argument("--runs", type=int, default=1,
                        help="measure both this many times, interleaved")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(_args()))
