"""`jalur-aman chat --json` contract: one JSON line out per input line, state persisted."""

from __future__ import annotations

import json
import subprocess
import sys

from bot.settings import PROJECT_ROOT


def run_chat(lines: list[str], env: dict[str, str]) -> list[dict]:  # type: ignore[type-arg]
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--json"],
        input="\n".join(lines) + "\n", capture_output=True, text=True, env=env,
        cwd=PROJECT_ROOT, timeout=120, check=True,
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_each_line_gets_one_json_line_with_reply_keys(cli_env: dict[str, str]) -> None:
    out = run_chat([
        json.dumps({"user": "a", "text": "halo"}),
        json.dumps({"user": "a", "button": "documents"}),
        "brp biaya ke taiwan min",
    ], cli_env)
    assert [o["user"] for o in out] == ["a", "a", "console"]
    assert [r["key"] for r in out[0]["replies"]] == ["welcome"]
    assert [r["key"] for r in out[1]["replies"]] == ["documents"]
    assert [r["key"] for r in out[2]["replies"]] == ["costs", "welcome.brief"]
    button = out[1]["replies"][0]["buttons"][0]
    assert set(button) == {"title", "payload"}


def test_state_persists_between_runs(cli_env: dict[str, str]) -> None:
    run_chat([json.dumps({"user": "b", "text": "halo"})], cli_env)
    out = run_chat([json.dumps({"user": "b", "text": "halo"})], cli_env)
    assert "welcome" not in [r["key"] for r in out[0]["replies"]]


def test_nlu_parse_json_prints_intent_and_confidence(cli_env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "nlu", "parse", "--json"],
        input="majikan ambil paspor sy\nsyarat jd tkw apa aja\n", capture_output=True,
        text=True, env=cli_env, cwd=PROJECT_ROOT, timeout=120, check=True,
    )
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["intent"] for r in rows] == ["emergency", "requirements"]
    assert all(0 <= r["confidence"] <= 1 for r in rows)
    assert [r["entities"] for r in rows] == [{"document": ["passport"]}, {}]
