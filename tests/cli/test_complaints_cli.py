"""`jalur-aman complaints list` as a subprocess: JSON lines without personal data."""

from __future__ import annotations

import json
import subprocess
import sys

from bot.settings import PROJECT_ROOT


def _cli(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, env=env,
                          capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120,
                          check=True)
    return done.stdout


def test_complaints_list_json(cli_env: dict[str, str]) -> None:
    lines = [{"user": "c1", "button": b} for b in (
        "complaint", "complaint:pick:consent:yes", "complaint:pick:affected:family",
        "complaint:pick:category:violence")]
    lines += [{"user": "c1", "text": t} for t in ("lewati", "Malaysia", "lewati", "NTB",
                                                   "lewati", "kakak saya sering dipukul")]
    lines += [{"user": "c1", "button": b} for b in (
        "complaint", "complaint:skip", "complaint:pick:contact:chat",
        "complaint:pick:confirm:yes")]
    out = _cli(cli_env, "chat", "--json", stdin="\n".join(json.dumps(x) for x in lines))
    assert json.loads(out.splitlines()[-1])["replies"][0]["key"] == "complaint.filed_urgent"
    rows = [json.loads(x) for x in _cli(cli_env, "complaints", "list", "--json").splitlines()]
    assert len(rows) == 1
    row = rows[0]
    assert (row["status"], row["category"], row["office"], row["urgent"]) == (
        "new", "violence", "BP3MI-NTB", True)
    assert "description" not in row and row["ticket"].startswith("JA-")
    assert _cli(cli_env, "complaints", "list", "--json", "--status", "closed") == ""
