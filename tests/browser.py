"""Helpers for browser tests: a real server on loopback and Debian's chromium via Playwright,
the phone viewport, screenshots a person can look at, and an axe-core accessibility check.

Screenshots are written to var/screenshots/ (gitignored; JALUR_AMAN_SCREENSHOTS=DIR to
choose another folder), one file per step, named after the test.
axe-core (tests/browser_assets/axe-core/axe.min.js, MPL-2.0, vendored with its licence) is
injected into the page and run with the WCAG 2 A/AA rules.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyotp
from aiohttp import web

from benchmarks.drills.common import free_port
from bot.composition import build_bot
from bot.core.nlu import NLU
from bot.settings import Settings
from bot.web import create_app
from tests.conftest import require_service

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 768}
AXE = Path(__file__).resolve().parent / "browser_assets" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
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


def screenshot_dir() -> Path:
    """Where browser tests keep their screenshots (created when missing)."""
    from bot.settings import PROJECT_ROOT

    folder = Path(os.environ.get("JALUR_AMAN_SCREENSHOTS") or PROJECT_ROOT / "var" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(page: Any, name: str, *, full_page: bool = False) -> Path:
    """Save a PNG screenshot of `page` as <screenshot dir>/<name>.png."""
    path = screenshot_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2 A/AA violations on the page as it is now: [{"id", "impact",
    "help", "nodes": [html, ...]}] (empty when it passes)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.html)}))", AXE_TAGS)
    return list(result)


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, ensure_ascii=False, indent=1)[:4000]


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than its viewport (0 = no sideways scroll)."""
    return int(page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def phone_page(browser: Any, viewport: dict[str, int] | None = None) -> Any:
    """A new page in its own context at phone size. The context bypasses the page's
    Content-Security-Policy only so that axe-core can be injected as a script."""
    context = browser.new_context(viewport=viewport or PHONE, bypass_csp=True,
                                  is_mobile=True, has_touch=True)
    return context.new_page()


def in_db(settings: Any, work: Any) -> Any:
    """Run `work(session)` in one transaction on the server's database, from a thread of
    its own (Playwright's sync API keeps an event loop running in the test thread)."""
    from concurrent.futures import ThreadPoolExecutor

    from storage import db

    async def run() -> Any:
        engine = db.create_engine(settings.database_url)
        try:
            async with db.session_factory(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result(timeout=60)
def sign_in(page: Any, base: str, username: str, password: str, *,
            landing: str | re.Pattern[str] = "/staff/queue/new",
            on_enrol: Callable[[Any], None] | None = None) -> None:
    """A first sign-in to the staff dashboard on `page`: password, then the second
    factor's enrolment (the code an authenticator app would show for the key on the page),
    past the recovery codes to `landing` (a path, or a pattern of the whole URL).
    `on_enrol(page)` runs on the enrolment page (e.g. a layout check)."""
    page.goto(f"{base}/staff/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/staff/enrol")
    if on_enrol is not None:
        on_enrol(page)
    secret = page.get_attribute("[data-totp-secret]", "data-totp-secret")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("form[action='/staff/enrol'] button[type=submit]")
    page.click("a:has-text('Lanjut ke dasbor')")  # after the recovery codes
    page.wait_for_url(landing if isinstance(landing, re.Pattern) else f"{base}{landing}")


def staff_page(browser: Any, base: str, username: str, password: str,
               viewport: dict[str, int] | None = None) -> Any:
    """A desktop-sized page (1366x768 unless `viewport` says otherwise) signed in to the
    staff dashboard for the first time (second factor enrolled), on the queue of new
    cases."""
    page = browser.new_page(viewport=viewport or DESKTOP)
    sign_in(page, base, username, password)
    return page
