"""`jalur-aman chat` (interactive terminal) and `chat --json` (scriptable, one JSON per line)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from bot.channels.console import parse_json_line, render_text
from bot.channels.outbox import pull_pending
from bot.composition import build_bot
from bot.core.messages import Button, Message, Reply
from bot.settings import get_settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("chat", help="talk to the bot in the terminal")
    parser.add_argument("--json", action="store_true",
                        help='stdin lines {"user": ID, "text": T} -> stdout JSON replies')
    parser.add_argument("--user", default="console", help="user id for interactive chat")
    parser.set_defaults(handler=_chat)


def _chat(args: argparse.Namespace) -> int:
    return asyncio.run(_json_loop() if args.json else _interactive(args.user))


async def _json_loop() -> int:
    bot = await build_bot(get_settings())
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            message = parse_json_line(line)
            replies = await bot.engine.handle(message)
            out = {"user": message.user_id, "replies": [r.to_dict() for r in replies]}
            print(json.dumps(out, ensure_ascii=False), flush=True)
    finally:
        await bot.close()
    return 0


async def _interactive(user: str) -> int:
    bot = await build_bot(get_settings())
    print("Jalur Aman — ketik pesan, angka untuk memilih tombol, Enter saja untuk melihat"
          " balasan petugas, 'keluar' untuk berhenti.\n")
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = await loop.run_in_executor(None, _read_line)
            if line is None or line.strip().lower() in {"keluar", "exit", "quit"}:
                return 0
            if line.strip():
                replies = await bot.engine.handle(Message("console", user, text=line))
                for reply in replies:
                    print(render_text(reply) + "\n")
            # Staff replies wait in the outbox until the user's next line (or Enter).
            for pushed in await pull_pending(bot.sessions, "console", user):
                print("[Petugas BP3MI]\n" + render_text(Reply(
                    pushed["key"], pushed["text"],
                    tuple(Button(b["title"], b["payload"]) for b in pushed.get("buttons", [])),
                )) + "\n")
    finally:
        await bot.close()


def _read_line() -> str | None:
    try:
        return input("Pesan> ")
    except EOFError:
        return None
