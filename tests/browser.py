"""Helpers for browser tests: a real server on loopback and Debian's chromium via Playwright."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyotp
from aiohttp import web

from benchmarks.drills.common import free_port
from bot.composition import build_bot
from bot.core.nlu import NLU
from bot.settings import Settings
from bot.web import create_app
from tests.conftest import require_service

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
    "--no-first-run", "--disable-component-update", "--disable-sync",
]


@contextmanager
def running_server(settings: Settings, nlu: NLU) -> Iterator[str]:
    """Serve the full app in a background thread; yields its base URL."""
    port = free_port()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    runner_box: list[web.AppRunner] = []

    async def start() -> None:
        bot = await build_bot(settings, nlu=nlu)
        runner = web.AppRunner(create_app(bot))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        runner_box.append(runner)
        started.set()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if not started.wait(60):
        raise RuntimeError("server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner_box[0].cleanup(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


@contextmanager
def chromium_browser():  # type: ignore[no-untyped-def]
    """A headless Debian chromium driven by Playwright (fails loudly in CI when missing)."""
    if not CHROMIUM.exists():
        require_service("chromium (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def staff_page(browser, base: str, username: str, password: str):  # type: ignore[no-untyped-def]
    """A desktop-sized page signed in to the staff dashboard for the first time (second
    factor enrolled), on the queue of new cases."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{base}/staff/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/staff/enrol")  # first sign-in: enrol the second factor
    secret = page.get_attribute("[data-totp-secret]", "data-totp-secret")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("form[action='/staff/enrol'] button[type=submit]")
    page.click("a:has-text('Lanjut ke dasbor')")  # after the recovery codes
    page.wait_for_url(f"{base}/staff/queue/new")
    return page
