"""End-to-end in the browser (Playwright on Debian's chromium, the full app on a real
loopback server): a complainant files in the web chat, a handler claims the case, asks a
question, the complainant answers, the handler resolves, the complainant rates it. After
every step the complainant's chat is checked for what they were told (reply keys), and
the case page for what the handler sees.

Screenshots go to a temporary folder (set JALUR_AMAN_SCREENSHOTS=DIR to keep them).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from bot.core.complaints.rules import Offices
from bot.core.nlu import NLU
from bot.settings import Settings
from tests.browser import chromium_browser, running_server, staff_page
from tests.dashboard.test_browser import PASSWORD, _add_staff

pytestmark = pytest.mark.browser
PUSH_WAIT = 15_000  # ms: the chat page polls for pushed updates every 3 s
INTAKE = ["complaint:pick:consent:yes", "complaint:pick:affected:self",
          "complaint:pick:category:overcharging", "complaint:skip",
          "complaint:pick:country:Malaysia", "complaint:skip",
          "complaint:pick:province:Jawa Timur", "complaint:skip"]
AFTER_STORY = ["complaint:skip", "complaint:pick:contact:chat", "complaint:pick:confirm:yes"]


def _keys(chat: Any) -> list[str]:
    keys: list[str] = chat.eval_on_selector_all(".msg.bot", "els => els.map(e => e.dataset.key)")
    return keys


def _answered(chat: Any, before: int) -> str:
    """Wait for the answer to the last message; its (last) reply key."""
    chat.locator(".msg.bot").nth(before).wait_for()  # (the page's CSP forbids eval)
    return _keys(chat)[-1]


def _tap(chat: Any, payload: str) -> str:
    before = len(_keys(chat))
    chat.locator(f'.msg.bot button[data-payload="{payload}"]').last.click()
    return _answered(chat, before)


def _type(chat: Any, text: str) -> str:
    before = len(_keys(chat))
    chat.get_by_label("Tulis pesan").fill(text)
    chat.keyboard.press("Enter")
    return _answered(chat, before)


def _pushed(chat: Any, key: str) -> None:
    chat.wait_for_selector(f'.msg.bot[data-key="{key}"]', timeout=PUSH_WAIT)


def test_filing_claim_question_answer_resolve_and_rating(settings: Settings, nlu: NLU,
                                                        tmp_path: Path) -> None:
    shots = Path(os.environ.get("JALUR_AMAN_SCREENSHOTS") or tmp_path)
    office = Offices.load(settings.content_dir / "offices.yml").route("Jawa Timur")
    with running_server(settings, nlu) as base, chromium_browser() as browser:
        _add_staff(settings, office)
        chat = browser.new_page(viewport={"width": 400, "height": 760})
        chat.goto(f"{base}/")
        chat.wait_for_selector(".msg.bot")

        # 1. Filing in the chat: ticket, office and first-response target.
        assert _type(chat, "saya mau buat pengaduan") == "complaint.consent"
        for payload in INTAKE:
            _tap(chat, payload)
        assert _type(chat, "Agen minta uang 15 juta lalu menghilang.") == "complaint.ask_evidence"
        for payload in AFTER_STORY:
            key = _tap(chat, payload)
        assert key == "complaint.filed"
        filed = chat.locator('.msg.bot[data-key="complaint.filed"]').inner_text()
        assert "BP3MI Jawa Timur" in filed and "WIB" in filed
        chat.screenshot(path=str(shots / "1-filed.png"))

        staff = staff_page(browser, base, "siti", PASSWORD)
        ticket = staff.locator("tr[data-ticket]").first.get_attribute("data-ticket")
        assert ticket and ticket in filed

        # 2. Claim: the complainant is told the case is being handled.
        staff.click(f"a:has-text('{ticket}')")
        staff.click("[data-action=claim]")
        staff.wait_for_selector("[data-status=assigned]")
        assert "WIB" in staff.locator("[data-target=first_response]").inner_text()
        _pushed(chat, "complaint.update.claimed")
        assert _type(chat, f"status {ticket}") == "complaint_status.assigned"

        # 3. A question from the handler reaches the chat.
        staff.fill("#body", "Kapan Kakak membayar uang itu, dan lewat transfer atau tunai?")
        staff.click("[data-action=request-info]")
        staff.wait_for_selector("[data-status=waiting_on_complainant]")
        _pushed(chat, "complaint.staff_request")

        # 4. The complainant answers in the chat; the handler sees it on the case.
        assert _type(chat, "Bulan lalu, lewat transfer ke rekening pribadi.") == \
            "human_handoff.attached"
        staff.reload()
        staff.wait_for_selector(".msg.complainant:has-text('rekening pribadi')")
        staff.wait_for_selector("[data-status=assigned]")

        # 5. Resolve: the complainant gets the notice with the satisfaction question.
        staff.fill("#resolve-note", "Uang dikembalikan oleh P3MI.")
        staff.click("[data-action=resolve]")
        staff.wait_for_selector("[data-status=resolved]")
        _pushed(chat, "complaint.resolved_notice")
        chat.screenshot(path=str(shots / "5-resolved.png"))

        # 6. Satisfaction: "puas" and a comment, shown to staff on the case page.
        assert _tap(chat, next(p for p in chat.eval_on_selector_all(
            ".msg.bot button", "els => els.map(e => e.dataset.payload)")
            if p.startswith("satisfaction:puas:"))) == "satisfaction.thanks"
        assert _type(chat, "Terima kasih, petugasnya cepat.") == "satisfaction.comment_saved"
        assert _type(chat, f"status {ticket}") == "complaint_status.resolved"
        staff.reload()
        rated = staff.locator("[data-satisfaction=puas]").inner_text()
        assert "petugasnya cepat" in rated
        staff.screenshot(path=str(shots / "6-case.png"), full_page=True)
