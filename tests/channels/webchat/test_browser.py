"""The web chat page in Debian's chromium: type, tap buttons, phone and desktop sizes."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def bot_keys(page: Any) -> list[str]:
    script = "els => els.map(e => e.dataset.key)"
    return [str(k) for k in page.eval_on_selector_all(".msg.bot", script)]


def test_phone_user_types_a_question_and_taps_a_button(base_url: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(base_url + "/")
    page.wait_for_selector('.msg.bot[data-key="welcome"]')
    page.get_by_label("Tulis pesan").fill("brp biaya ke taiwan min")
    page.get_by_role("button", name="Kirim pesan").click()
    page.wait_for_selector('.msg.bot[data-key="costs"]')
    page.locator('.msg.bot[data-key="costs"] .buttons button').first.click()
    page.locator(".msg.bot").nth(2).wait_for()
    assert bot_keys(page)[-1].startswith("costs.")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360


def test_emergency_message_gets_the_emergency_answer(base_url: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(base_url + "/")
    page.wait_for_selector('.msg.bot[data-key="welcome"]')
    page.get_by_label("Tulis pesan").fill("majikan ambil paspor sy")
    page.keyboard.press("Enter")
    page.wait_for_selector('.msg.bot[data-key="emergency.passport"]')
    assert "Sumber:" in page.locator('.msg.bot[data-key="emergency.passport"] .source').inner_text()


def test_a_reload_keeps_the_chat_the_server_issued(base_url: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(base_url + "/?user=someone-else")  # a chosen id is ignored
    page.wait_for_selector('.msg.bot[data-key="welcome"]')
    token = page.evaluate("localStorage.getItem('jalur-aman-token')")
    assert token.startswith("web-") and "someone-else" not in token
    page.reload()
    page.get_by_label("Tulis pesan").fill("brp biaya ke taiwan min")
    page.keyboard.press("Enter")
    page.wait_for_selector('.msg.bot[data-key="costs"]')
    assert bot_keys(page) == ["welcome", "costs"]  # restored, no second welcome
    assert page.evaluate("localStorage.getItem('jalur-aman-token')") == token
