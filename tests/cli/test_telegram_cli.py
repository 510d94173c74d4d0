"""`jalur-aman telegram set-webhook` against the fake Bot API: it subscribes to
my_chat_member (blocks) besides messages and buttons, and refuses a secret with
characters Telegram does not accept, naming the setting."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from tests.channels.conftest import SECRET, TOKEN
from tests.fakes.telegram_api import FakeTelegram


async def set_webhook(tmp_path: Path, fake: FakeTelegram, secret: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JALUR_AMAN_")}
    env.update(JALUR_AMAN_TELEGRAM_TOKEN=TOKEN, JALUR_AMAN_TELEGRAM_WEBHOOK_SECRET=secret,
               JALUR_AMAN_TELEGRAM_API_BASE=fake.base,
               JALUR_AMAN_PUBLIC_URL="https://jalur-aman.example")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "telegram", "set-webhook", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    return int(proc.returncode or 0), out.decode()


async def test_set_webhook_subscribes_to_blocks(tmp_path: Path) -> None:
    fake = await FakeTelegram().start()
    try:
        code, _out = await set_webhook(tmp_path, fake, SECRET)
    finally:
        await fake.close()
    assert code == 0
    [call] = [c for c in fake.calls if c.method == "setwebhook"]
    allowed = call.data["allowed_updates"]
    allowed = json.loads(allowed) if isinstance(allowed, str) else allowed
    assert "my_chat_member" in allowed and "callback_query" in allowed
    assert call.data["secret_token"] == SECRET


async def test_set_webhook_refuses_a_secret_telegram_rejects(tmp_path: Path) -> None:
    fake = await FakeTelegram().start()
    try:
        code, out = await set_webhook(tmp_path, fake, "a+b/c==")
    finally:
        await fake.close()
    assert code == 2 and "JALUR_AMAN_TELEGRAM_WEBHOOK_SECRET" in out
    assert not [c for c in fake.calls if c.method == "setwebhook"]
