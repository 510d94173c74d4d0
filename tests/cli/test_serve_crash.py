"""Kill -9 of `jalur-aman serve` during and right after a complaint intake loses nothing.

A real server process on loopback, real HTTP, SIGKILL, restart on the same database.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.settings import PROJECT_ROOT
from tests.browser import free_port


@contextmanager
def server(env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=PROJECT_ROOT,
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1).read()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("server did not start")
    try:
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


CHAT: dict[str, str] = {}  # the web chat token the server issued on the first message


def send(url: str, **body: str) -> list[str]:
    headers = {"Content-Type": "application/json"}
    if "token" in CHAT:
        headers["Authorization"] = f"Bearer {CHAT['token']}"
    request = urllib.request.Request(url + "/api/chat", data=json.dumps(body).encode(),
                                     headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        data = json.loads(response.read())
    CHAT["token"] = data["token"]
    return [r["key"] for r in data["replies"]]


def complaint_rows(env: dict[str, str]) -> list[dict[str, str]]:
    result = subprocess.run([sys.executable, "-m", "bot", "complaints", "list", "--json"],
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                            check=True, timeout=120)
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_kill_during_and_after_intake_loses_nothing(cli_env: dict[str, str],
                                                   tmp_path: Path) -> None:
    env = {**cli_env, "JALUR_AMAN_SEED_DEMO_DATA": "false"}
    CHAT.clear()
    with server(env) as (url, proc):
        send(url, text="halo")
        send(url, button="complaint")
        send(url, button="complaint:pick:consent:yes")
        send(url, button="complaint:pick:affected:self")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    with server(env) as (url, proc):
        # The half-finished intake resumes at the category step.
        assert send(url, button="complaint:pick:category:agency_fraud") == [
            "complaint.ask_agency"]
        send(url, text="PT Maju Jaya Abadi")
        send(url, button="complaint:pick:country:Malaysia")
        send(url, text="Kuala Lumpur")
        send(url, text="jatim")
        send(url, button="complaint:skip")
        send(url, text="Agen minta uang 15 juta lalu menghilang, tidak jadi berangkat.")
        send(url, button="complaint:skip")
        send(url, button="complaint:pick:contact:chat")
        assert send(url, button="complaint:pick:confirm:yes") == ["complaint.filed"]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    rows = complaint_rows(env)
    assert len(rows) == 1 and rows[0]["status"] == "new"
