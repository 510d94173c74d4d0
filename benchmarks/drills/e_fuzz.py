"""Drill (e): fuzzed inputs with hypothesis -> no crash, no HTTP 500 without a logged reason,
no forged webhook accepted.

    .venv/bin/python -m benchmarks.drills.e_fuzz [--scale 1.0] [--database-url URL | --postgres]

Six targets, 7,000 inputs at scale 1 (a few minutes on 2 cores; SQLite in a temp dir, the
database given, or with --postgres a fresh database on a throwaway PostgreSQL, common.py):
messages to the engine (text, buttons, media), JSON bodies and raw bytes to POST /api/chat
(each with an Authorization header: none, a token the server issued, a tampered one or
junk; the same header then goes to GET /api/chat/updates), rows and raw bytes of agency
register CSV files (bot/core/agencies/register_file.py), form posts to /staff/login, and the
Telegram and WhatsApp webhooks over fuzzed bodies (updates that look real, JSON and raw
bytes; replies go to fake platform servers in this process), each body sent with a valid
secret / signature or with a forged one (another secret, a fuzzed or missing header): a
forged one must get 403 and store nothing (the inbox holds no more rows after them).
tests/ops/test_fuzz.py runs the same targets with ~200 inputs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from benchmarks.drills.common import Postgres, run
from bot.channels.telegram import SECRET_HEADER
from bot.composition import Bot, build_bot
from bot.core.agencies.register_file import RegisterFileError, parse_register, parse_rows
from bot.core.messages import Message
from bot.settings import PROJECT_ROOT, Settings
from bot.web import create_app
from storage.models.channels import InboxUpdate
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.whatsapp_api import FakeWhatsApp, sign, webhook_body

TEXT = st.one_of(st.text(max_size=300), st.sampled_from(
    ["halo", "syarat", "1", "2", "pt maju jaya", "paspor ditahan", "", " ", "\x00", "0812345"]))
PAYLOAD = st.one_of(st.text(max_size=60), st.sampled_from(
    ["complaint", "complaint:pick:consent:yes", "complaint:skip", "menu", "agency_check",
     "complaint:pick:confirm:yes", "costs", ":", "complaint:", "agency:x"]))
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
BODY = st.one_of(
    st.fixed_dictionaries({}, optional={"text": JSON | TEXT, "button": JSON | PAYLOAD,
                                        "ref": JSON, "user": JSON}),  # "user" is ignored
    JSON, st.binary(max_size=300).map(lambda b: b))
# Header text the HTTP client can send (no control characters, no lone surrogates).
HEADER_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=150)
HEADER = st.lists(st.sampled_from(["nama", "Nama P3MI", "No. SIP3MI", "status", "provinsi",
                                   "tanggal_berakhir", "Tgl Terbit", "alamat", "x"]),
                  min_size=1, max_size=9)
CELL = st.one_of(st.text(max_size=30), st.sampled_from(
    ["aktif", "dicabut", "2024-01-31", "31/12/2030", "B.123/2020", "PT Maju", ""]))
ROWS = st.tuples(HEADER, st.lists(st.lists(CELL, max_size=10), max_size=8))


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def inbox_rows(bot: Bot) -> int:
    async with bot.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(InboxUpdate)) or 0)


def _hypo(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck), derandomize=False)


async def fuzz_all(bot: Bot, scale: float = 1.0) -> dict[str, Any]:
    """Run every target; returns counts; raises on a crash (hypothesis shows the input)."""
    loop = asyncio.get_running_loop()
    recorder = Recorder()
    logging.getLogger().addHandler(recorder)
    statuses: Counter[str] = Counter()
    n = {k: max(10, int(v * scale)) for k, v in
         {"engine": 2000, "api": 2000, "csv": 1500, "login": 500}.items()}

    def call(coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, loop).result(60)

    app = create_app(bot)
    app.on_cleanup.clear()
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:

        @_hypo(n["engine"])
        @given(user=st.text(min_size=1, max_size=20), text=st.none() | TEXT,
               button=st.none() | PAYLOAD, media=st.booleans())
        def engine(user: str, text: str | None, button: str | None, media: bool) -> None:
            message = Message("web", user, text=text, button=button,
                              media="photo" if media else None)
            call(bot.engine.handle(message))
            statuses["engine_turns"] += 1

        async def post(path: str, method: str = "POST", **kw: Any) -> int:
            response = await client.request(method, path, **kw)
            label = path if method == "POST" else f"{method} {path}"
            statuses[f"{label} {response.status}"] += 1
            if response.status >= 500:
                rid = response.headers.get("X-Request-Id")
                reasons = [r for r in recorder.records
                           if getattr(r, "request_id", None) == rid or r.exc_info]
                if not reasons:
                    raise AssertionError(f"500 without a logged reason on {label}")
                print(f"500 on {label}: {reasons[-1].getMessage()[:200]} "
                      f"{str(reasons[-1].exc_info and reasons[-1].exc_info[1])[:300]} "
                      f"body {str(kw.get('data'))[:300]}", file=sys.stderr)
                statuses["http_500"] += 1
            return response.status

        async def forged(path: str, data: bytes, headers: dict[str, str], refused: set[int]
                         ) -> None:
            """A post with a forged secret / signature: refused, and no inbox row more."""
            before = await inbox_rows(bot)
            status = await post(path, data=data, headers=headers)
            statuses[f"{path} forged"] += 1
            if status not in refused or await inbox_rows(bot) != before:
                statuses["forged_accepted"] += 1
                raise AssertionError(f"forged post to {path} got {status} or stored a row")

        issued = await (await client.post("/api/chat", json={"text": "halo"})).json()
        valid = str(issued["token"])
        user_id, _, mac = valid.partition(".")
        authorization = st.one_of(
            st.none(), st.just(f"Bearer {valid}"),
            st.builds(lambda head, tail: f"Bearer {user_id}.{head}{tail}",  # tampered MAC
                      st.sampled_from(["", mac[:-1], mac]), HEADER_TEXT),
            st.builds(lambda s: f"Bearer {s}", HEADER_TEXT), HEADER_TEXT)

        @_hypo(n["api"])
        @given(body=BODY, auth=authorization)
        def api(body: Any, auth: str | None) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers = {"Content-Type": "application/json"}
            if auth is not None:
                headers["Authorization"] = auth
            call(post("/api/chat", data=data, headers=headers))
            call(post("/api/chat/updates", method="GET",
                      headers={} if auth is None else {"Authorization": auth}))

        page = await (await client.get("/staff/login")).text()
        token = page.split('name="csrf" value="', 1)[-1].split('"', 1)[0]

        @_hypo(n["login"])
        @given(form=st.dictionaries(st.sampled_from(["csrf", "username", "password", "next",
                                                     "x"]), st.text(max_size=80), max_size=5),
               valid_token=st.booleans())
        def login(form: dict[str, str], valid_token: bool) -> None:
            if valid_token:  # past the CSRF check, into the credential and limiter code
                form["csrf"] = token
            call(post("/staff/login", data=form, allow_redirects=False))

        tmp = Path(tempfile.mkdtemp(prefix="ja-fuzz-"))

        @_hypo(n["csv"])
        @given(rows=ROWS, raw=st.binary(max_size=200))
        def register(rows: tuple[list[str], list[list[str]]], raw: bytes) -> None:
            path = tmp / "register.csv"
            path.write_bytes(raw)
            for parse in (lambda: parse_rows([rows[0], *rows[1]]), lambda: parse_register(path)):
                # RegisterFileError: a reported, expected refusal (missing columns, damage)
                with contextlib.suppress(RegisterFileError):
                    parse()
            statuses["csv_files"] += 1

        tg_secret = bot.settings.telegram_webhook_secret or ""
        wa_secret = bot.settings.whatsapp_app_secret or ""
        update = st.fixed_dictionaries({"update_id": st.integers(-5, 2**40)}, optional={
            "message": st.fixed_dictionaries({"message_id": st.integers(), "date": st.integers(),
                                              "chat": st.fixed_dictionaries(
                                                  {"id": st.integers(), "type": st.just(
                                                      "private")}),
                                              "text": TEXT}),
            "callback_query": JSON, "edited_message": JSON})

        # A forged header: another secret, a near miss, junk, or none at all ("").
        tg_forged = st.one_of(st.sampled_from(["", "x", tg_secret[:-1], tg_secret + "x",
                                               tg_secret.upper()]), HEADER_TEXT)
        tg_refused = {403} if tg_secret else {403, 404}

        @_hypo(max(10, int(500 * scale)))
        @given(body=st.one_of(update, JSON, st.binary(max_size=300)),
               forgery=st.none() | tg_forged)
        def telegram(body: Any, forgery: str | None) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers = {"Content-Type": "application/json"}
            if forgery is None or forgery.strip() == tg_secret:
                call(post("/webhook/telegram", data=data,
                          headers={**headers, SECRET_HEADER: tg_secret}))
                return
            if forgery:
                headers[SECRET_HEADER] = forgery
            call(forged("/webhook/telegram", data, headers, tg_refused))

        message = st.fixed_dictionaries({"from": st.text(max_size=15), "id": st.text(max_size=20),
                                         "type": st.sampled_from(["text", "image", "interactive",
                                                                  "button", "x"])},
                                        optional={"text": JSON, "timestamp": JSON,
                                                  "interactive": JSON, "image": JSON})

        wa_forged = st.one_of(st.sampled_from(["none", "other-secret", "other-body",
                                               "truncated", "no-prefix"]), HEADER_TEXT)

        @_hypo(max(10, int(500 * scale)))
        @given(body=st.one_of(st.builds(lambda m: webhook_body(messages=m),
                                        st.lists(message, max_size=3)), JSON,
                              st.binary(max_size=300)), forgery=st.none() | wa_forged)
        def whatsapp(body: Any, forgery: str | None) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers = {"Content-Type": "application/json"}
            valid = sign(data, wa_secret)
            signature = {None: valid, "none": None, "other-secret": sign(data, "not-ours"),
                         "other-body": sign(data + b" ", wa_secret), "truncated": valid[:-1],
                         "no-prefix": valid.removeprefix("sha256=")}.get(forgery, forgery)
            if signature == valid:
                call(post("/webhook/whatsapp", data=data,
                          headers={**headers, "X-Hub-Signature-256": valid}))
                return
            if signature is not None:
                headers["X-Hub-Signature-256"] = signature
            call(forged("/webhook/whatsapp", data, headers, {403, 404}))

        targets: list[Callable[[], None]] = [engine, api, login, register, telegram, whatsapp]
        for target in targets:
            await asyncio.to_thread(target)
    logging.getLogger().removeHandler(recorder)
    n.update(telegram=max(10, int(500 * scale)), whatsapp=max(10, int(500 * scale)))
    return {"inputs": sum(n.values()), "per_target": n, **dict(statuses)}


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", help="default: SQLite in a temporary folder")
    where.add_argument("--postgres", action="store_true",
                       help="a fresh database on a throwaway PostgreSQL (common.Postgres)")
    args = parser.parse_args()
    if args.postgres:
        pg = Postgres()
        pg.start()
        try:
            return await fuzz_drill(args.scale, await pg.fresh_database())
        finally:
            pg.stop()
    return await fuzz_drill(args.scale, args.database_url)


async def fuzz_drill(scale: float, database_url: str | None) -> int:
    """Fuzz a bot on `database_url` (None: SQLite in a temporary folder); prints JSON."""
    tmp = Path(tempfile.mkdtemp(prefix="ja-fuzz-db-"))
    logging.basicConfig(level=logging.ERROR)  # errors reach the Recorder of fuzz_all
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.CRITICAL)  # ...but stay off the console
    telegram, whatsapp = await FakeTelegram().start(), await FakeWhatsApp().start()
    settings_ = Settings(database_url=database_url
                         or f"sqlite+aiosqlite:///{tmp / 'fuzz.db'}",
                         cache_dir=PROJECT_ROOT / "var" / "cache", seed_demo_data=False,
                         secret_key="fuzz-secret", rate_limit_chat_per_s=0,
                         rate_limit_webhook_per_s=0, telegram_token="1:fuzz",
                         telegram_webhook_secret="fuzz-tg-secret",
                         telegram_api_base=telegram.base, whatsapp_token="fuzz",
                         whatsapp_phone_number_id="1055", whatsapp_app_secret="fuzz-wa-secret",
                         whatsapp_verify_token="fuzz", whatsapp_api_base=whatsapp.base)
    bot = await build_bot(settings_)
    started = time.monotonic()
    try:
        figures = await fuzz_all(bot, scale)
    except Exception as exc:  # hypothesis already printed the falsifying example
        print(json.dumps({"drill": "e_fuzz", "ok": False, "error": repr(exc)[:500]}))
        return 1
    finally:
        await bot.close()
        await telegram.close()
        await whatsapp.close()
    ok = figures.get("http_500", 0) == 0 and figures.get("forged_accepted", 0) == 0
    where = "postgresql" if database_url and database_url.startswith("postgres") else "sqlite"
    print(json.dumps({"drill": "e_fuzz", "ok": ok, "database": where,
                      "seconds": round(time.monotonic() - started, 1), **figures}))
    return 0 if ok else 1


if __name__ == "__main__":
    run(main())
