"""The web chat on a phone (390x844, and 360 px wide) in Debian's chromium: history of a
returning user with staff replies, "Mulai baru", photo upload as complaint evidence, the
village start link, ticket status in two steps, short candidate buttons, keyboard use and
an axe-core accessibility check. Screenshots: var/screenshots/webchat-*.png."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from storage.repositories import outbox
from tests.browser import (
    SMALL_PHONE,
    axe_violations,
    describe,
    horizontal_overflow,
    in_db,
    phone_page,
    shoot,
)
from tests.core.complaints.test_intake import HAPPY

pytestmark = pytest.mark.browser
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
       b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05"
       b"\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The server of these tests keeps media in tmp_path and seeds the demo villages."""
    return settings.model_copy(update={"media_dir": tmp_path / "media",
                                       "seed_demo_data": True})


def keys(page: Any) -> list[str]:
    return [str(k) for k in page.eval_on_selector_all(
        ".msg.bot", "els => els.map(e => e.dataset.key)")]


def opened(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]")


def type_message(page: Any, text: str) -> None:
    page.get_by_label("Tulis pesan").fill(text)
    page.keyboard.press("Enter")


def wait_for_key(page: Any, key: str, count: int = 1) -> None:
    page.wait_for_function(
        "([key, n]) => document.querySelectorAll(`.msg.bot[data-key='${key}']`).length >= n",
        arg=[key, count])


def test_new_chat_on_a_phone_passes_axe_and_fits_360_px(base_url: str, browser: Any) -> None:
    page = phone_page(browser)
    opened(page, base_url + "/")
    assert keys(page) == ["welcome"]
    assert horizontal_overflow(page) == 0
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    shoot(page, "webchat-01-welcome")
    small = phone_page(browser, SMALL_PHONE)
    opened(small, base_url + "/")
    type_message(small, "brp biaya ke taiwan min")
    wait_for_key(small, "costs")
    assert horizontal_overflow(small) == 0
    shoot(small, "webchat-02-360px-answer")


def test_keyboard_alone_reaches_every_control_and_sends(base_url: str, browser: Any) -> None:
    page = phone_page(browser)
    opened(page, base_url + "/")
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || "
                                     "document.activeElement.textContent"))
    assert {"restart", "attach", "text", "send"} <= set(reached)
    page.focus("#text")
    page.keyboard.type("syarat kerja ke jepang")
    page.keyboard.press("Enter")  # Enter sends
    page.wait_for_function("document.querySelectorAll('.msg.bot').length >= 2")
    page.focus("#text")
    page.keyboard.press("Tab")  # to "Kirim": its keyboard focus is visible
    assert page.evaluate("document.activeElement.id") == "send"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    shoot(page, "webchat-03-keyboard")


def test_returning_user_sees_history_and_staff_replies(
        base_url: str, browser: Any, settings: Settings) -> None:
    page = phone_page(browser)
    opened(page, base_url + "/")
    type_message(page, "brp biaya ke taiwan min")
    wait_for_key(page, "costs")
    user = str(page.evaluate("localStorage.getItem('jalur-aman-token')")).partition(".")[0]

    async def staff_reply(session: Any) -> None:
        await outbox.enqueue(session, channel="web", external_user_id=user, payload={
            "key": "complaint.staff_reply", "text": "Halo Kak, ini petugas BP3MI.",
            "buttons": []})

    in_db(settings, staff_reply)
    page.close()
    again = page.context.new_page()  # a later visit from the same phone browser
    opened(again, base_url + "/")
    again.wait_for_selector(".msg.staff")
    assert keys(again) == ["welcome", "costs", "complaint.staff_reply"]
    assert again.locator(".msg.user").all_inner_texts() == ["halo", "brp biaya ke taiwan min"]
    assert again.locator(".msg.bot[data-key=welcome] .buttons").count() == 0  # old choices
    shoot(again, "webchat-04-history-with-staff-reply", full_page=True)
    again.wait_for_timeout(3500)  # a poll of the updates: the staff reply is not doubled
    assert keys(again).count("complaint.staff_reply") == 1


def test_mulai_baru_starts_a_new_chat(base_url: str, browser: Any) -> None:
    page = phone_page(browser)
    opened(page, base_url + "/")
    type_message(page, "brp biaya ke taiwan min")
    wait_for_key(page, "costs")
    before = page.evaluate("localStorage.getItem('jalur-aman-token')")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile("^Mulai baru")).click()
    page.wait_for_selector("body[data-ready=true]")
    wait_for_key(page, "welcome")
    assert keys(page) == ["welcome"]
    assert page.evaluate("localStorage.getItem('jalur-aman-token')") not in (None, before)
    shoot(page, "webchat-05-mulai-baru")


def test_photo_sent_in_a_complaint_becomes_evidence(base_url: str, browser: Any,
                                                   tmp_path: Path) -> None:
    page = phone_page(browser)
    opened(page, base_url + "/")
    for kind, value in HAPPY[:10]:  # the intake up to its evidence step, as taps and text
        count = page.locator(".msg.bot").count()
        if kind == "button":
            button = page.locator(f'.msg.bot button[data-payload="{value}"]').last
            if button.count():
                button.click()
            else:  # the menu's complaint entry: typed, as a user would
                type_message(page, "saya mau mengadu")
        else:
            type_message(page, value)
        page.wait_for_function(f"document.querySelectorAll('.msg.bot').length > {count}")
    wait_for_key(page, "complaint.ask_evidence")
    photo = tmp_path / "bukti-transfer.png"
    photo.write_bytes(PNG)
    page.set_input_files("#file", str(photo))
    wait_for_key(page, "complaint.evidence_saved")
    assert "bukti-transfer.png" in page.locator(".msg.user").last.inner_text()
    assert horizontal_overflow(page) == 0
    shoot(page, "webchat-06-photo-evidence")


def test_file_of_another_type_gets_a_clear_message(base_url: str, browser: Any,
                                                   tmp_path: Path) -> None:
    page = phone_page(browser)
    opened(page, base_url + "/")
    odd = tmp_path / "catatan.pdf"
    odd.write_bytes(b"not really a pdf")
    page.set_input_files("#file", str(odd))
    page.wait_for_selector(".msg.error")
    shoot(page, "webchat-07-refused-file")


def test_village_start_link_asks_to_confirm_the_village(
        base_url: str, browser: Any, settings: Settings) -> None:
    from sqlalchemy import select

    from storage.models.villages import Village

    async def first_code(session: Any) -> str:
        return str((await session.execute(select(Village.referral_code))).scalars().first())

    code = in_db(settings, first_code)  # a demo village, seeded at start
    page = phone_page(browser)
    opened(page, f"{base_url}/?start={code}")
    assert keys(page)[-1] == "village.confirm"
    shoot(page, "webchat-08-village-link")


def test_ticket_then_code_and_short_candidate_buttons(base_url: str, browser: Any) -> None:
    page = phone_page(browser)
    opened(page, base_url + "/")
    type_message(page, "JA-ZZZZ-ZZ")
    wait_for_key(page, "complaint_status.ask_secret")
    type_message(page, "ABCD-EFGH")
    wait_for_key(page, "complaint_status.not_found")
    page.get_by_label("Tulis pesan").fill("cek agen")
    page.keyboard.press("Enter")
    wait_for_key(page, "agency_check.ask")
    type_message(page, "pt andalan pesona padma")
    wait_for_key(page, "agency_check.ambiguous")
    titles = page.locator(".msg.bot[data-key='agency_check.ambiguous'] button").all_inner_texts()
    assert titles and all("…" not in t and len(t) <= 20 for t in titles)
    text = page.locator(".msg.bot[data-key='agency_check.ambiguous']").inner_text()
    assert "1. PT Andalan Pesona Padma Global" in text
    assert horizontal_overflow(page) == 0
    shoot(page, "webchat-09-status-and-candidates", full_page=True)
