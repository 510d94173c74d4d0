"""The `jalur-aman` command line: one module per command group, each with `register`.

Only the chosen group's module is imported (its imports are what the command needs), so
`agencies check` does not pay for aiohttp, aiogram or the NLU model; `jalur-aman --help`
lists every group from the table below without importing any of them.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from bot.ops.logs import configure_logging

# command -> (module that registers it, one-line help shown by `jalur-aman --help`)
GROUPS: dict[str, tuple[str, str]] = {
    "serve": ("bot.cli.serve", "run the bot: web chat, dashboard, webhooks"),
    "chat": ("bot.cli.chat", "talk to the bot in the terminal"),
    "nlu": ("bot.cli.nlu", "intent classifier tools"),
    "db": ("bot.cli.database", "database maintenance"),
    "complaints": ("bot.cli.complaints", "complaints filed through the bot"),
    "staff": ("bot.cli.staff", "dashboard accounts for BP3MI staff"),
    "agencies": ("bot.cli.agencies", "P3MI register: import and check"),
    "telegram": ("bot.cli.telegram", "Telegram channel: webhook, polling"),
    "villages": ("bot.cli.villages", "village registry, share links and posters"),
    "reports": ("bot.cli.reports", "early-warning digest and content review"),
    "ads": ("bot.cli.adverts", "job adverts: check a text or a picture"),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; the full options of `command` (of every group when None)."""
    parser = argparse.ArgumentParser(
        prog="jalur-aman",
        description="Jalur Aman: chatbot migrasi aman untuk calon pekerja migran Indonesia.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module, help_text) in GROUPS.items():
        if command is None or name == command:
            importlib.import_module(module).register(sub)
        else:
            sub.add_parser(name, help=help_text)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    # JALUR_AMAN_LOG_FORMAT=json: one JSON object per line, no personal data.
    configure_logging(os.environ.get("JALUR_AMAN_LOG_FORMAT", "text").strip().lower())
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in args_list if not a.startswith("-")), "")
    parser = build_parser(command if command in GROUPS else "")
    args = parser.parse_args(args_list)
    code = args.handler(args)
    sys.exit(code or 0)
