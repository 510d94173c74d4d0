"""`jalur-aman serve`: web chat simulator, staff dashboard and webhooks on one aiohttp app.

`--workers N` (N > 1) runs N stateless worker processes on one port (SO_REUSEPORT: the
kernel spreads connections over them) sharing the database: the parent migrates and seeds
once, starts the workers, restarts one that dies, and on SIGTERM/SIGINT passes the signal
on and waits. Each worker shuts down gracefully: it stops accepting, lets in-flight requests
finish (up to `--shutdown-timeout` seconds), then closes the database pool.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from types import FrameType

from aiohttp import web

from bot.channels.sweep import setup_sweep
from bot.composition import build_bot
from bot.ops.logs import set_user_key
from bot.ops.server_secret import secret_key
from bot.settings import Settings, get_settings
from bot.web import create_app

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("serve", help="run the bot: web chat, dashboard, webhooks")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes sharing the port and the database")
    parser.add_argument("--shutdown-timeout", type=float, default=30.0,
                        help="seconds in-flight requests get to finish on SIGTERM")
    parser.add_argument("--demo", action="store_true",
                        help="seed fictitious demo data (sample register, villages, a demo "
                             "staff account) into an empty database")
    parser.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(handler=_serve)


def check_settings(settings: Settings) -> bool:
    """Print what is wrong with the settings (naming each); False when serve must stop."""
    for problem in settings.warnings():
        print(f"Peringatan / warning: {problem}", file=sys.stderr, flush=True)
    errors = settings.errors()
    for problem in errors:
        print(f"Error: {problem}", file=sys.stderr, flush=True)
    return not errors


def _serve(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not args.reuse_port and not check_settings(settings):
        return 2
    if args.demo:  # demo data only when asked; workers inherit it through the environment
        settings.seed_demo_data = True
        os.environ["JALUR_AMAN_SEED_DEMO_DATA"] = "true"
    set_user_key(secret_key(settings))  # also creates var/secret_key once, before workers
    if args.workers > 1:
        return _supervise(args, settings)

    async def make_app() -> web.Application:
        bot = await build_bot(settings)
        app = create_app(bot)
        setup_sweep(app, bot)  # media retention and evidence downloads retried
        return app

    if not args.reuse_port:
        print(f"Jalur Aman berjalan di http://{args.host}:{args.port}/ (Ctrl+C untuk berhenti)",
              flush=True)
    web.run_app(make_app(), host=args.host, port=args.port, print=None, access_log=None,
                reuse_port=args.reuse_port or None, shutdown_timeout=args.shutdown_timeout)
    return 0


def _supervise(args: argparse.Namespace, settings: Settings) -> int:
    """Migrate and seed once, then keep `args.workers` worker processes running."""

    async def prepare() -> None:  # also warms the NLU model cache for the workers
        bot = await build_bot(settings)
        await bot.close()

    asyncio.run(prepare())
    env = dict(os.environ)
    if not env.get("PROMETHEUS_MULTIPROC_DIR"):
        env["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="jalur-aman-metrics-")
    command = [sys.executable, "-m", "bot", "serve", "--host", args.host, "--port",
               str(args.port), "--reuse-port", "--shutdown-timeout", str(args.shutdown_timeout)]
    stopping: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    workers = [subprocess.Popen(command, env=env) for _ in range(args.workers)]
    print(f"Jalur Aman berjalan di http://{args.host}:{args.port}/ dengan {args.workers} "
          "worker (Ctrl+C untuk berhenti)", flush=True)
    while not stopping:
        time.sleep(0.3)
        for i, proc in enumerate(workers):
            if proc.poll() is not None and not stopping:
                log.warning("worker %d exited with %s; restarting it", proc.pid, proc.returncode)
                workers[i] = subprocess.Popen(command, env=env)
    for proc in workers:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + args.shutdown_timeout + 10
    for proc in workers:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return 0
