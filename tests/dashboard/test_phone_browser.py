"""From chat to dashboard on phones (390x844) in Debian's chromium: a complaint typed and
tapped through the web chat reaches the office's queue, shown as cards; the handler claims
and replies from a phone; the reply reaches the chat. Supervisor pages (early warning,
village page and its poster) are cards with Indonesian labels and no sideways scrolling.
Screenshots: var/screenshots/dashboard-*.png and the poster PNG."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.core.complaints import tickets
from bot.settings import Settings
from storage.repositories import staff as staff_repo
from tests.browser import (
    axe_violations,
    describe,
    horizontal_overflow,
    in_db,
    phone_page,
    screenshot_dir,
    shoot,
    sign_in,
)
from tests.channels.webchat.test_phone_browser import opened, type_message, wait_for_key
from tests.core.complaints.test_intake import HAPPY

pytestmark = pytest.mark.browser
PASSWORD = "kata-sandi-uji-123"


def _add_staff(settings: Settings, username: str, office: str, role: str) -> None:
    async def work(session: Any) -> None:
        await staff_repo.create_staff(session, username=username, password=PASSWORD,
                                      office_code=office, role=role)
    in_db(settings, work)


def _log_in(page: Any, base: str, username: str) -> None:
    """First sign-in on a phone; the enrolment page fits the screen too."""
    sign_in(page, base, username, PASSWORD, landing=re.compile(r".*/staff/(queue/.*)?$"),
            on_enrol=_fits)


def _fits(page: Any) -> None:
    assert horizontal_overflow(page) == 0


def _file_through_the_chat(page: Any) -> str:
    """The whole intake, tapped and typed in the web chat; returns the ticket."""
    for kind, value in [*HAPPY, ("button", "complaint:pick:confirm:yes")]:
        count = page.locator(".msg.bot").count()
        button = page.locator(f'.msg.bot button[data-payload="{value}"]').last
        if kind == "button" and button.count():
            button.click()
        else:
            type_message(page, "saya mau mengadu" if value == "complaint" else value)
        page.wait_for_function(f"document.querySelectorAll('.msg.bot').length > {count}")
    wait_for_key(page, "complaint.filed")
    ticket = tickets.find_ticket(page.locator(".msg.bot[data-key='complaint.filed']").inner_text())
    assert ticket is not None
    return ticket


def _is_cards(page: Any) -> bool:
    return bool(page.evaluate(
        "[...document.querySelectorAll('main table thead')]"
        ".every(t => getComputedStyle(t).display === 'none')"))


def test_complaint_from_chat_to_a_phone_dashboard_and_back(
        base_url: str, browser: Any, settings: Settings) -> None:
    _add_staff(settings, "siti", "BP3MI-JATIM", "handler")  # HAPPY's province: Jawa Timur
    chat = phone_page(browser)
    opened(chat, base_url + "/")
    ticket = _file_through_the_chat(chat)
    shoot(chat, "dashboard-01-chat-complaint-filed")

    staff = phone_page(browser)
    staff.goto(f"{base_url}/staff/login")
    violations = axe_violations(staff)
    assert violations == [], describe(violations)
    _log_in(staff, base_url, "siti")
    staff.wait_for_selector(f"tr[data-ticket='{ticket}']")
    assert _is_cards(staff) and horizontal_overflow(staff) == 0
    card = staff.locator(f"tr[data-ticket='{ticket}']").inner_text()
    assert "Baru" in card and "new" not in card
    shoot(staff, "dashboard-02-queue-cards")
    violations = axe_violations(staff)
    assert violations == [], describe(violations)

    staff.click(f"a:has-text('{ticket}')")
    staff.click("[data-action=claim]")
    staff.wait_for_selector("[data-status=assigned]")
    staff.fill("#body", "Halo Kak, kami sedang menghubungi P3MI-nya. Mohon tunggu kabar.")
    staff.click("[data-action=reply]")
    staff.wait_for_selector(".msg.staff")
    assert horizontal_overflow(staff) == 0 and _is_cards(staff)
    audit = staff.locator("section.log").inner_text()
    assert "agency_checked" not in audit and "not_found" not in audit
    violations = axe_violations(staff)
    assert violations == [], describe(violations)
    shoot(staff, "dashboard-03-case-phone", full_page=True)

    chat.wait_for_selector(".msg.staff", timeout=15_000)
    shoot(chat, "dashboard-04-chat-staff-reply")


def test_supervisor_pages_are_cards_in_indonesian_with_a_poster(
        base_url: str, browser: Any, settings: Settings) -> None:
    from bot.core.villages.service import DEMO_FILE

    _add_staff(settings, "kepala", "BP3MI-JATIM", "supervisor")

    async def seed(session: Any) -> None:
        from storage.models.agencies import AgencyReport

        session.add(AgencyReport(query="PT Tidak Ada Sama Sekali", name_key="tidak ada sama sekali",
                                 verdict="not_found", district="Kab. Contoh"))

    in_db(settings, seed)
    from bot.core.villages.registry import parse_villages, referral_code
    from storage.repositories import villages as village_repo

    async def villages(session: Any) -> None:  # the sample villages (demo seeding is off)
        rows = [village_repo.NewVillage(r.code, r.name, r.subdistrict, r.district_code,
                                        r.district, r.province)
                for r in parse_villages(DEMO_FILE).rows]
        await village_repo.upsert_villages(session, rows, make_code=referral_code, demo=True)

    in_db(settings, villages)

    page = phone_page(browser)
    _log_in(page, base_url, "kepala")
    page.goto(f"{base_url}/staff/peringatan")
    text = page.locator("main").inner_text()
    assert "Tidak terdaftar" in text and "not_found" not in text
    assert _is_cards(page) and horizontal_overflow(page) == 0
    shoot(page, "dashboard-05-early-warning-cards")
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    page.goto(f"{base_url}/staff/desa")
    page.locator("section[data-section=villages] a").first.click()
    page.wait_for_selector("[data-share=web]")
    assert "?start=" in page.locator("[data-share=web]").inner_text()
    assert horizontal_overflow(page) == 0
    shoot(page, "dashboard-06-village-page", full_page=True)
    poster = page.request.get(page.locator("a[href*='poster.png']").get_attribute("href")
                              .replace("/staff", f"{base_url}/staff", 1))
    assert poster.ok
    (screenshot_dir() / "dashboard-07-poster-web-chat-only.png").write_bytes(poster.body())

