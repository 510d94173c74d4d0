"""`jalur-aman serve`: web chat simulator, staff dashboard and webhooks on one aiohttp app."""

from __future__ import annotations

import argparse
import logging

from aiohttp import web

from bot.composition import build_bot
from bot.settings import get_settings
from bot.web import create_app

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("serve", help="run the bot: web chat, dashboard, webhooks")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    settings = get_settings()

    async def make_app() -> web.Application:
        bot = await build_bot(settings)
        return create_app(bot)

    print(f"Jalur Aman berjalan di http://{args.host}:{args.port}/ (Ctrl+C untuk berhenti)",
          flush=True)
    web.run_app(make_app(), host=args.host, port=args.port, print=None)
    return 0
