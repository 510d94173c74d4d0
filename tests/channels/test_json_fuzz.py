"""Hostile JSON on every JSON endpoint gives no 5xx: 5,000 hypothesis cases over
POST /api/chat, GET /api/chat/updates and both webhooks (signed, so they reach the
parser and the inbox), with NUL bytes, lone surrogates, wrong types, huge numbers and
nesting far past the depth limit. All 5,000 on PostgreSQL (it refuses NUL in text, so a
NUL that reached a column would show up as a 500 there; CI always has it), a fifth of
them on SQLite to keep the suite quick."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.channels.conftest import APP_SECRET, SECRET, HarnessFactory

CASES = {"chat": 2600, "updates": 400, "telegram": 1000, "whatsapp": 1000}  # 5,000
HOSTILE = st.sampled_from(["\x00", "a\x00b", "\ud800", "\udfff x", "\u202e", "0" * 400,
                           "hapus data saya", "tolong paspor ditahan", "JA-AAAA-AA"])
SCALAR = (st.none() | st.booleans() | st.integers() | st.floats()
          | st.text(max_size=40) | HOSTILE)
JSON = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8) | HOSTILE, inner, max_size=4),
                    max_leaves=16)
FIELDS = st.fixed_dictionaries({}, optional={
    "text": JSON | HOSTILE, "button": JSON | HOSTILE, "ref": JSON | HOSTILE,
    "id": JSON | HOSTILE | st.text(max_size=70)})
DEEP = st.sampled_from([b"[" * 50_000 + b"]" * 50_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
                        b"[" * 50_000, b'{"text": ' + b"[" * 40 + b"]" * 40 + b"}"])
RAW = st.binary(max_size=200) | DEEP
TELEGRAM = st.fixed_dictionaries({"update_id": st.integers() | JSON}, optional={
    "message": st.fixed_dictionaries({}, optional={
        "message_id": st.integers() | JSON, "text": JSON | HOSTILE, "date": st.integers(),
        "chat": st.fixed_dictionaries({"id": st.integers() | JSON}, optional={"type": JSON}),
        "from": st.fixed_dictionaries({"id": st.integers() | JSON}, optional={
            "is_bot": st.booleans(), "first_name": JSON | HOSTILE})}),
    "callback_query": st.fixed_dictionaries({"id": JSON, "data": JSON | HOSTILE})})
WHATSAPP = st.fixed_dictionaries({"object": st.just("whatsapp_business_account") | JSON,
    "entry": st.lists(st.fixed_dictionaries({"changes": st.lists(st.fixed_dictionaries(
        {"value": st.fixed_dictionaries({}, optional={
            "messages": st.lists(st.fixed_dictionaries({}, optional={
                "from": JSON | HOSTILE, "id": JSON | HOSTILE, "type": JSON | HOSTILE,
                "text": st.fixed_dictionaries({"body": JSON | HOSTILE}),
                "interactive": JSON}), max_size=2),
            "contacts": JSON, "statuses": JSON})}), max_size=2)}), max_size=2)})


def _cases(n: int) -> settings:
    return settings(max_examples=n, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def _raw(body: Any) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


async def test_no_hostile_json_gives_a_5xx(database_url: str,
                                           harness_factory: HarnessFactory) -> None:
    share = 1 if database_url.startswith("postgresql") else 5
    cases = {name: n // share for name, n in CASES.items()}
    harness = await harness_factory(database_url, rate_limit_chat_per_s=0,
                                    rate_limit_webhook_per_s=0, secret_key="fuzz")
    client = harness.client
    loop = asyncio.get_running_loop()
    statuses: Counter[tuple[str, int]] = Counter()
    token = (await (await client.post("/api/chat", json={"text": "halo"})).json())["token"]

    def send(label: str, method: str, path: str, **kw: Any) -> None:
        async def go() -> None:
            response = await client.request(method, path, **kw)
            await response.read()
            statuses[(label, response.status)] += 1
        asyncio.run_coroutine_threadsafe(go(), loop).result(120)

    @_cases(cases["chat"])
    @given(body=FIELDS | JSON | RAW, auth=st.booleans())
    def chat(body: Any, auth: bool) -> None:
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {token}"
        send("chat", "POST", "/api/chat", data=_raw(body), headers=headers)

    @_cases(cases["updates"])
    @given(auth=st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=80))
    def updates(auth: str) -> None:
        send("updates", "GET", "/api/chat/updates", headers={"Authorization": auth})

    @_cases(cases["telegram"])
    @given(body=TELEGRAM | JSON | RAW)
    def telegram(body: Any) -> None:
        send("telegram", "POST", "/webhook/telegram", data=_raw(body),
             headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})

    @_cases(cases["whatsapp"])
    @given(body=WHATSAPP | JSON | RAW)
    def whatsapp(body: Any) -> None:
        raw = _raw(body)
        signature = hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        send("whatsapp", "POST", "/webhook/whatsapp", data=raw,
             headers={"X-Hub-Signature-256": f"sha256={signature}"})

    for target in (chat, updates, telegram, whatsapp):
        await asyncio.to_thread(target)
    assert sum(statuses.values()) == sum(cases.values())
    assert {key: n for key, n in statuses.items() if key[1] >= 500} == {}
    assert statuses[("chat", 400)] and statuses[("telegram", 200)]  # both paths exercised


async def test_null_bytes_and_deep_nesting_are_answered_cleanly(
        database_url: str, harness_factory: HarnessFactory) -> None:
    """The reported cases: NUL in "ref" (and text, button, id) is a 200 or 400; JSON nested
    50,000 deep is a 400 on /api/chat and on both webhooks."""
    harness = await harness_factory(database_url, secret_key="probe")
    client = harness.client
    for body in ({"text": "halo", "ref": "abc\x00def"}, {"text": "a\x00b"},
                 {"button": "menu\x00"}, {"text": "halo", "id": "m\x00"},
                 {"text": "\ud800 halo", "ref": "\ud800"}):
        response = await client.post("/api/chat", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        assert response.status in (200, 400), (body, response.status)
    for deep in (b"[" * 50_000, b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
                 b"[" * 50_000 + b"]" * 50_000):  # the last is over /api/chat's 64 KB
        signature = hmac.new(APP_SECRET.encode(), deep, hashlib.sha256).hexdigest()
        for path, headers in (
                ("/api/chat", {}),
                ("/webhook/telegram", {"X-Telegram-Bot-Api-Secret-Token": SECRET}),
                ("/webhook/whatsapp", {"X-Hub-Signature-256": f"sha256={signature}"})):
            response = await client.post(path, data=deep, headers=headers)
            error = (await response.json())["error"]
            assert (response.status, error) in ((400, "too_deep"), (413, "too_large")), path


async def test_nan_infinity_and_overflowing_numbers_are_refused_as_invalid_json(
        database_url: str, harness_factory: HarnessFactory) -> None:
    """Python reads NaN, Infinity and 1e999; PostgreSQL's json column refuses them, so a
    stored update carrying one was a 500. Each endpoint answers 400 invalid_json."""
    harness = await harness_factory(database_url, secret_key="probe")
    client = harness.client
    for number in (b"NaN", b"Infinity", b"-Infinity", b"1e999"):
        body = (b'{"update_id": 9, "object": "whatsapp_business_account", "entry": [{"changes": '
                b'[{"value": {"messages": [{"from": "62812", "id": "w1", "type": "text", '
                b'"text": {"body": "halo"}}]}}]}], "message": {"message_id": 1, "date": 0, '
                b'"chat": {"id": 5, "type": "private"}, "text": "halo"}, "x": ' + number + b"}")
        signature = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
        for path, headers in (
                ("/api/chat", {"Content-Type": "application/json"}),
                ("/webhook/telegram", {"X-Telegram-Bot-Api-Secret-Token": SECRET}),
                ("/webhook/whatsapp", {"X-Hub-Signature-256": f"sha256={signature}"})):
            response = await client.post(path, data=body, headers=headers)
            assert (response.status, (await response.json())["error"]) == \
                (400, "invalid_json"), (path, number)
