"""The `jalur-aman` command line: one module per command group, each with `register`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from bot.cli import (
    agencies,
    chat,
    complaints,
    database,
    nlu,
    reports,
    serve,
    staff,
    telegram,
    villages,
)
from bot.ops.logs import configure_logging

GROUPS = [serve, chat, nlu, database, complaints, staff, agencies, telegram, villages, reports]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jalur-aman",
        description="Jalur Aman: chatbot migrasi aman untuk calon pekerja migran Indonesia.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    # JALUR_AMAN_LOG_FORMAT=json: one JSON object per line, no personal data.
    configure_logging(os.environ.get("JALUR_AMAN_LOG_FORMAT", "text").strip().lower())
    args = build_parser().parse_args(argv)
    code = args.handler(args)
    sys.exit(code or 0)
