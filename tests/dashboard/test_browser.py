"""Browser test of the staff dashboard with Playwright on Debian's chromium, against the
full app on a real loopback server: a complaint filed for a web chat user appears on the
open queue without a manual reload; the handler logs in, claims, replies and resolves;
the reply appears in the complainant's web chat (whose user id the server issued).

The complaint is filed through the core (bot.core.complaints.rules.file_complaint), the same call
the chat intake makes on confirmation, so this test does not depend on the intake wording.
Screenshots go to a temporary folder (set JALUR_AMAN_SCREENSHOTS=DIR to keep them).
"""

from __future__ import annotations

import os
from pathlib import Path

import pyotp
import pytest

from bot.core.complaints.rules import Offices, file_complaint
from bot.core.nlu import NLU
from bot.settings import Settings
from storage.repositories import staff as staff_repo
from storage.repositories.users import get_or_create_user
from tests.browser import chromium_browser, in_db, running_server

pytestmark = pytest.mark.browser
PASSWORD = "kata-sandi-uji-123"
OFFICE_PROVINCE = "Jawa Timur"


def _add_staff(settings: Settings, office: str) -> None:
    async def work(session):  # type: ignore[no-untyped-def]
        await staff_repo.create_staff(session, username="siti", password=PASSWORD,
                                      office_code=office, role="handler")
    in_db(settings, work)


def _file_complaint(settings: Settings, offices: Offices, chat_user: str) -> str:
    async def work(session):  # type: ignore[no-untyped-def]
        user = await get_or_create_user(session, "web", chat_user)
        complaint, _ = await file_complaint(
            session, user=user, channel="web", offices=offices, answers={
                "category": "documents_held", "province": OFFICE_PROVINCE,
                "country": "Malaysia", "city": "Johor Bahru", "agency": "PT Contoh Fiktif",
                "description": "Paspor saya ditahan majikan dan gaji 3 bulan belum dibayar.",
                "contact": "lewat obrolan ini"})
        return complaint.ticket
    ticket: str = in_db(settings, work)
    return ticket


def test_file_claim_reply_resolve_in_the_browser(settings: Settings, nlu: NLU,
                                                 tmp_path: Path) -> None:
    shots = Path(os.environ.get("JALUR_AMAN_SCREENSHOTS") or tmp_path)
    offices = Offices.load(settings.content_dir / "offices.yml")
    office = offices.route(OFFICE_PROVINCE)
    with running_server(settings, nlu) as base, chromium_browser() as browser:
        _add_staff(settings, office)
        chat = browser.new_page(viewport={"width": 400, "height": 760})
        chat.goto(f"{base}/")
        chat.wait_for_selector(".msg.bot")
        token = chat.evaluate("localStorage.getItem('jalur-aman-token')")
        chat_user = str(token).partition(".")[0]  # token = "<user id>.<signature>"

        staff = browser.new_page(viewport={"width": 1366, "height": 768})
        staff.goto(f"{base}/staff/")
        staff.fill("#username", "siti")
        staff.fill("#password", PASSWORD)
        staff.click("button[type=submit]")
        staff.wait_for_url(f"{base}/staff/enrol")  # first sign-in: the second factor
        staff.screenshot(path=str(shots / "enrol.png"))
        assert staff.get_attribute("img.qr", "src", timeout=5_000).startswith("data:image/svg")
        secret = staff.get_attribute("[data-totp-secret]", "data-totp-secret")
        staff.fill("#code", pyotp.TOTP(secret).now())
        staff.click("form[action='/staff/enrol'] button[type=submit]")
        staff.click("a:has-text('Lanjut ke dasbor')")  # after the recovery codes
        staff.wait_for_url(f"{base}/staff/queue/new")

        ticket = _file_complaint(settings, offices, chat_user)  # while the queue is open
        staff.wait_for_selector(f"tr[data-ticket='{ticket}']", timeout=10_000)
        staff.screenshot(path=str(shots / "queue.png"))

        staff.click(f"a:has-text('{ticket}')")
        staff.click("[data-action=claim]")
        staff.wait_for_selector("[data-status=assigned]")
        staff.select_option("#canned", "ack")
        assert ticket in staff.input_value("#body")  # canned reply filled, still editable
        staff.fill("#body", "Halo Kak, kami sedang menghubungi P3MI-nya. Mohon tunggu kabar.")
        staff.click("[data-action=reply]")
        staff.wait_for_selector(".msg.staff")
        staff.screenshot(path=str(shots / "case.png"), full_page=True)
        staff.set_viewport_size({"width": 390, "height": 844})  # a phone
        staff.screenshot(path=str(shots / "case-phone.png"))
        staff.set_viewport_size({"width": 1366, "height": 768})
        staff.fill("#resolve-note", "Diteruskan ke perwakilan; pelapor sudah dikabari.")
        staff.click("[data-action=resolve]")
        staff.wait_for_selector("[data-status=resolved]")

        chat.wait_for_selector(".msg.bot:has-text('menghubungi P3MI-nya')", timeout=15_000)
        keys = chat.eval_on_selector_all(".msg.bot", "els => els.map(e => e.dataset.key)")
        assert "complaint.staff_reply" in keys
