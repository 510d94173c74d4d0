"""Acceptance in the browser (Playwright + Debian chromium), against the full app on a
real loopback server with Telegram and WhatsApp pointed at the fake platforms:

- a photo sent through each channel, as evidence in the complaint intake, is fetched
  into the media store and appears on the case page as a thumbnail for the case's office,
  and is refused (404) to another office;
- a 3,000-character staff reply typed on the case page after WhatsApp's 24-hour window
  goes out as an invitation only, the page shows it waiting, and the complainant receives
  it whole after writing back.

The intake is driven with button payloads (not wording), as the platforms send them.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from bot.core.complaints.rules import Offices
from bot.core.nlu import NLU
from bot.settings import PROJECT_ROOT, Settings
from storage.models import utcnow
from storage.models.channels import ChannelContact
from storage.repositories import staff as staff_repo
from tests.browser import chromium_browser, in_db, running_server, staff_page
from tests.channels.conftest import APP_SECRET, SECRET, TOKEN
from tests.fakes.media import png
from tests.fakes.telegram_api import FakeTelegram, callback_update, photo_update, text_update
from tests.fakes.whatsapp_api import FakeWhatsApp, encode, image_message, sign, webhook_body

pytestmark = pytest.mark.browser
PASSWORD = "kata-sandi-uji-123"
WIDE = {"width": 1366, "height": 900}  # desktop, taller than staff_page's default
PROVINCE = "Jawa Timur"
WA = "6281234567890"
TG = 7001
STORY = "Paspor saya ditahan majikan sejak tiga bulan dan gaji belum dibayar."
STEPS = ["complaint:start", "complaint:pick:consent:yes", "complaint:pick:affected:self",
         "complaint:pick:category:documents_held", "complaint:skip",
         "complaint:pick:country:Malaysia", "complaint:skip",
         f"complaint:pick:province:{PROVINCE}", "complaint:skip", STORY, "PHOTO",
         "complaint:next", "complaint:pick:contact:chat", "complaint:pick:confirm:yes"]
REPLY = ("Kak, ini penjelasan lengkap dari petugas.\n"
         + "\n".join(f"{i:02d}. Langkah yang perlu Kakak ketahui tentang paspor dan gaji."
                     for i in range(1, 80)))[:3000]


@contextmanager
def fake_platforms() -> Iterator[tuple[FakeTelegram, FakeWhatsApp]]:
    """The fake Telegram and WhatsApp servers on an event loop of their own."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def run(coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, loop).result(30)

    telegram, whatsapp = run(FakeTelegram().start()), run(FakeWhatsApp().start())
    try:
        yield telegram, whatsapp
    finally:
        run(telegram.close())
        run(whatsapp.close())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def wait(check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def post(url: str, body: bytes, headers: dict[str, str]) -> None:
    request = urllib.request.Request(url, data=body, headers={
        "Content-Type": "application/json", **headers})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


class TelegramUser:
    def __init__(self, base: str, fake: FakeTelegram) -> None:
        self.base, self.fake, self.update_id = base, fake, 100

    def send(self, step: str) -> None:
        self.update_id += 1
        before = len(self.fake.sent(str(TG)))
        if step == "PHOTO":
            self.fake.add_file("TG-PHOTO", png(160, 120, (220, 30, 30)))
            update = photo_update(self.update_id, TG, "TG-PHOTO")
        elif step.startswith("complaint:"):
            update = callback_update(self.update_id, TG, step)
        else:
            update = text_update(self.update_id, TG, step)
        post(f"{self.base}/webhook/telegram", json.dumps(update).encode(),
             {"X-Telegram-Bot-Api-Secret-Token": SECRET})
        wait(lambda: len(self.fake.sent(str(TG))) > before)


class WhatsAppUser:
    def __init__(self, base: str, fake: FakeWhatsApp) -> None:
        self.base, self.fake, self.n = base, fake, 0

    def send(self, step: str) -> None:
        self.n += 1
        before = len(self.fake.sent(WA))
        wamid = f"wamid.B{self.n}"
        if step == "PHOTO":
            self.fake.add_media("WA-PHOTO", png(160, 120, (30, 30, 220)))
            message = image_message(wamid, "WA-PHOTO")
        elif step.startswith("complaint:"):
            message = {"from": WA, "id": wamid, "timestamp": str(int(time.time())),
                       "type": "interactive", "interactive": {
                           "type": "button_reply", "button_reply": {"id": step, "title": "x"}}}
        else:
            message = {"from": WA, "id": wamid, "timestamp": str(int(time.time())),
                       "type": "text", "text": {"body": step}}
        body = encode(webhook_body(messages=[message]))
        post(f"{self.base}/webhook/whatsapp", body, {"X-Hub-Signature-256": sign(body, APP_SECRET)})
        wait(lambda: len(self.fake.sent(WA)) > before)


def settings_for(tmp_path: Path, telegram: FakeTelegram, whatsapp: FakeWhatsApp) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", seed_demo_data=False,
        cache_dir=PROJECT_ROOT / "var" / "cache", secret_key="browser-test-secret-key",
        media_dir=tmp_path / "media", telegram_token=TOKEN, telegram_webhook_secret=SECRET,
        telegram_api_base=telegram.base, whatsapp_token="wa-token",
        whatsapp_phone_number_id="1055", whatsapp_app_secret=APP_SECRET,
        whatsapp_verify_token="v", whatsapp_api_base=whatsapp.base,
        whatsapp_template_name="balasan_petugas")


def reload_until(page: Any, selector: str) -> None:
    """Reload the page until `selector` is on it (the sender records outcomes shortly
    after the platform answered)."""
    def found() -> bool:
        page.reload()
        return page.query_selector(selector) is not None
    wait(found)


def status_of(url: str, cookies: list[dict[str, Any]]) -> int:
    jar = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
    request = urllib.request.Request(url, headers={"Cookie": jar})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_photos_on_the_case_page_and_a_whole_reply_after_the_window(nlu: NLU,
                                                                    tmp_path: Path) -> None:
    shots = Path(os.environ.get("JALUR_AMAN_SCREENSHOTS") or tmp_path)
    offices = Offices.load(PROJECT_ROOT / "content" / "offices.yml")
    office = offices.route(PROVINCE)
    other = next(code for code in offices.names if code != office)
    with fake_platforms() as (telegram, whatsapp):
        settings = settings_for(tmp_path, telegram, whatsapp)
        with running_server(settings, nlu) as base, chromium_browser() as browser:
            async def add(session: Any) -> None:
                await staff_repo.create_staff(session, username="siti", password=PASSWORD,
                                              office_code=office, role="handler")
                await staff_repo.create_staff(session, username="budi", password=PASSWORD,
                                              office_code=other, role="supervisor")
            in_db(settings, add)
            on_whatsapp = WhatsAppUser(base, whatsapp)
            for user in (TelegramUser(base, telegram), on_whatsapp):
                for step in STEPS:
                    user.send(step)

            siti = staff_page(browser, base, "siti", PASSWORD, WIDE)
            links = siti.eval_on_selector_all("tr[data-ticket] a", "els => els.map(e => e.href)")
            assert len(links) == 2
            photo_urls: list[str] = []
            channel_of: dict[str, str] = {}
            for link in links:
                siti.goto(link)
                channel_of[siti.inner_text(".details dl")] = link
                thumb = siti.wait_for_selector("img.thumb")
                assert thumb is not None
                wait(lambda: siti.evaluate(
                    "document.querySelector('img.thumb').naturalWidth") > 0)
                photo_urls.append(base + str(thumb.get_attribute("src")))
            siti.screenshot(path=str(shots / "case-photo.png"), full_page=True)

            budi = staff_page(browser, base, "budi", PASSWORD, WIDE)
            for url in photo_urls:
                assert status_of(url, budi.context.cookies()) in (403, 404)
                assert status_of(url, siti.context.cookies()) == 200

            # The WhatsApp complainant's window closes; the handler answers at length.
            async def close_window(session: Any) -> None:
                await session.execute(update(ChannelContact).where(
                    ChannelContact.platform == "whatsapp").values(
                    last_inbound_at=utcnow() - timedelta(hours=25)))
            in_db(settings, close_window)
            siti.goto(next(link for text, link in channel_of.items() if "whatsapp" in text.lower()))
            siti.click("[data-action=claim]")
            siti.wait_for_selector("[data-status=assigned]")
            siti.fill("#body", REPLY)
            siti.click("[data-action=reply]")
            wait(lambda: any(c.data.get("type") == "template" for c in whatsapp.sent(WA)))
            reload_until(siti, ".msg.staff [data-delivery=waiting]")
            siti.screenshot(path=str(shots / "case-reply-waiting.png"), full_page=True)
            assert not any(REPLY in str(c.data.get("text", {}).get("body", ""))
                           for c in whatsapp.sent(WA))
            on_whatsapp.send("halo")
            wait(lambda: any(REPLY in str(c.data.get("text", {}).get("body", ""))
                             for c in whatsapp.sent(WA)))
            reload_until(siti, ".msg.staff [data-delivery=sent]")
