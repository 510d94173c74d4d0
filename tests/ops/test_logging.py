"""JSON logs: one object per line, request ids, no message text or phone numbers."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.ops.logs import JsonFormatter, RequestIdFilter, mask, user_ref
from tests.ops.conftest import Client

PHONE = "081234567890"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_request_has_an_id_and_logs_are_json_without_personal_data(
        client: Client, json_log: io.StringIO) -> None:
    text = f"tolong paspor saya ditahan, hubungi {PHONE}"
    response = await client.post("/api/chat", json={"text": text},
                                 headers={"X-Request-Id": "req-abc-123"})
    assert response.status == 200 and response.headers["X-Request-Id"] == "req-abc-123"
    token = (await response.json())["token"]
    user_id = token.partition(".")[0]
    generated = (await client.get("/healthz")).headers["X-Request-Id"]
    assert len(generated) == 32
    records = lines(json_log)
    turn = next(r for r in records if r["msg"] == "turn")
    assert turn["request_id"] == "req-abc-123" and turn["channel"] == "web"
    assert turn["user_ref"] == user_ref("web", user_id) and "emergency" in str(turn["reply_keys"])
    access = [r for r in records if r["logger"] == "bot.access"]
    assert {"route": "/api/chat", "status": 200} .items() <= access[0].items()
    raw = json_log.getvalue()
    assert PHONE not in raw and "paspor" not in raw and "tolong" not in raw
    assert token not in raw and user_id not in raw


async def test_a_forged_request_id_is_replaced(client: Client) -> None:
    response = await client.get("/healthz", headers={"X-Request-Id": "bad id <script>"})
    assert response.headers["X-Request-Id"] != "bad id" and len(
        response.headers["X-Request-Id"]) == 32


def test_phone_numbers_are_masked_and_user_refs_are_stable() -> None:
    assert mask(f"kirim ke +62 812-3456-7890 atau {PHONE}") == (
        "kirim ke [masked] atau [masked]")
    kept = "tiket JA-K7PQ-4M, 3 pesan, tahun 2025, 12.5 ms, id 1234567"
    assert mask(kept) == kept
    assert mask("ref 90061f60722778b8") == "ref 90061f60722778b8"  # hex hashes stay
    assert user_ref("web", "a") == user_ref("web", "a") != user_ref("telegram", "a")
    assert PHONE not in user_ref("whatsapp", PHONE)


def test_exceptions_are_one_json_line(json_log: io.StringIO) -> None:
    try:
        raise ValueError(f"nomor {PHONE}")
    except ValueError:
        logging.getLogger("x").exception("failed")
    (record,) = lines(json_log)
    assert record["level"] == "error" and "ValueError" in str(record["exc"])
    assert PHONE not in json_log.getvalue()


def test_text_log_timestamps_are_not_masked() -> None:
    from bot.ops.logs import TextFormatter

    formatter = TextFormatter("%(asctime)s %(levelname)s: %(message)s")
    record = logging.makeLogRecord({"msg": "call %s on 2026-12-05 20:29:27",
                                    "args": (PHONE,), "levelname": "INFO"})
    line = formatter.format(record)
    stamp = line.split(" INFO", 1)[0]
    assert "[masked]" not in stamp and len(stamp) == len("2026-12-05 20:29:27,041")
    assert line.endswith("call [masked] on 2026-12-05 20:29:27")


async def test_database_errors_do_not_log_user_input(tmp_path: object) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from storage.db import create_engine

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/x.db")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT * FROM missing WHERE a = :a"), {"a": PHONE})
    except DBAPIError as error:
        assert PHONE not in str(error)
    else:
        raise AssertionError("the query should fail")
    finally:
        await engine.dispose()
