"""The supervisor page of service figures, checked against a hand-computed fixture (on
SQLite and PostgreSQL); office time zones and the supervisor's overdue badge."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest

from bot.composition import Bot
from bot.core.complaints.overdue import OverdueCheck
from bot.core.complaints.rules import Offices
from bot.settings import PROJECT_ROOT, Settings
from storage.models import utcnow
from storage.models.complaints import Complaint
from tests.dashboard.conftest import Client, add_complaint, add_staff, login, post

H = timedelta(hours=1)
D = timedelta(days=1)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, cache_dir=PROJECT_ROOT / "var" / "cache",
                    seed_demo_data=False, secret_key="test-secret-key-for-dashboard",
                    overdue_check_seconds=0)


async def _fixture(bot: Bot) -> None:
    """Six cases of BP3MI-JATIM filed ten days ago (every target already past) and one of
    BP3MI-NTB. (first response after, resolved after, status, satisfaction) per case:
    1: 2 h,  3 d, resolved, puas        -> response in time, resolved in time
    2: 10 h, 6 d, closed,   tidak_puas  -> response late,    resolved late
    3: 4 h,  -,   assigned              -> response in time, open past target: late
    4: -,    -,   new                   -> no response past target: late; open: late
    5: 1 h,  -,   waiting_on_complainant-> response in time; waiting: not counted
    6: 6 h,  1 d, resolved, puas        -> response in time, resolved in time
    Hand-computed: filed 6; answered 5; median of 1, 2, 4, 6, 10 h = 4.0 h; first response
    within target 4 of 6 = 66.7 %; resolved within target 2 of 5 (1, 6 of 1, 2, 3, 4, 6)
    = 40.0 %; satisfied 2 of 3 = 66.7 %."""
    t = utcnow() - 10 * D
    cases = [(2 * H, 3 * D, "resolved", "puas"), (10 * H, 6 * D, "closed", "tidak_puas"),
             (4 * H, None, "assigned", None), (None, None, "new", None),
             (1 * H, None, "waiting_on_complainant", None), (6 * H, 1 * D, "resolved", "puas")]
    async with bot.sessions() as db, db.begin():
        for n, (first, resolved, status, happy) in enumerate(cases, 1):
            db.add(Complaint(
                ticket=f"JA-TEST-{n:02d}", status=status, category="other", channel="web",
                office_code="BP3MI-JATIM", created_at=t, updated_at=t,
                first_response_due=t + 8 * H, resolution_due=t + 5 * D,
                first_response_at=t + first if first else None,
                resolved_at=t + resolved if resolved else None, satisfaction=happy))
        db.add(Complaint(ticket="JA-TEST-99", status="new", category="other", channel="web",
                         office_code="BP3MI-NTB", created_at=t, updated_at=t,
                         first_response_due=t + 8 * H, resolution_due=t + 5 * D))


async def _csv(client: Client) -> list[dict[str, str]]:
    response = await client.get("/staff/angka.csv")
    assert response.status == 200
    return list(csv.DictReader(io.StringIO((await response.text()).lstrip("\ufeff"))))


async def test_figures_match_the_hand_computed_fixture(client: Client, bot: Bot) -> None:
    await _fixture(bot)
    await add_staff(bot, "kepala", "BP3MI-JATIM", role="supervisor")
    await login(client, "kepala")
    [row] = await _csv(client)  # a supervisor sees their own office only
    assert {k: row[k] for k in ("office_code", "filed", "answered",
                                "median_first_response_hours",
                                "first_response_within_target_pct", "first_response_counted",
                                "resolved_within_target_pct", "resolution_counted",
                                "satisfaction_answers", "satisfied_pct")} == {
        "office_code": "BP3MI-JATIM", "filed": "6", "answered": "5",
        "median_first_response_hours": "4.0", "first_response_within_target_pct": "66.7",
        "first_response_counted": "6", "resolved_within_target_pct": "40.0",
        "resolution_counted": "5", "satisfaction_answers": "3", "satisfied_pct": "66.7"}
    page = await (await client.get("/staff/angka")).text()
    assert 'data-figure="median">4.0<' in page


async def test_admin_sees_every_office_and_handlers_are_refused(client: Client,
                                                                bot: Bot) -> None:
    await _fixture(bot)
    await add_staff(bot, "admin", "PUSAT", role="admin")
    await add_staff(bot, "ani", "BP3MI-JATIM")
    await login(client, "ani")
    assert (await client.get("/staff/angka")).status == 403
    await post(client, "/staff/logout")
    await login(client, "admin")
    rows = {r["office_code"]: r for r in await _csv(client)}
    assert rows["BP3MI-JATIM"]["filed"] == "6" and rows["BP3MI-NTB"]["filed"] == "1"
    assert rows["PUSAT"]["median_first_response_hours"] == ""


async def test_times_are_shown_in_the_office_time_zone(client: Client, bot: Bot) -> None:
    cid, _, office = await add_complaint(bot, "Nusa Tenggara Barat")
    assert office == "BP3MI-NTB"
    await add_staff(bot, "wayan", office)
    await login(client, "wayan")
    page = await (await client.get(f"/staff/case/{cid}")).text()
    assert "WITA" in page and " WIB" not in page


async def test_overdue_case_shows_the_supervisor_badge(client: Client, bot: Bot) -> None:
    cid, _, office = await add_complaint(bot, "Jawa Timur")
    offices = Offices.load(bot.settings.content_dir / "offices.yml")
    check = OverdueCheck(bot.content, offices, clock=lambda: utcnow() + 30 * D)
    async with bot.sessions() as db, db.begin():
        assert [c for c, _ in await check.run(db)] == [cid]
    await add_staff(bot, "kepala", office, role="supervisor")
    await add_staff(bot, "ani", office)
    await login(client, "ani")
    assert 'data-badge="overdue"' not in await (await client.get("/staff/queue/new")).text()
    await post(client, "/staff/logout")
    await login(client, "kepala")
    queue = await (await client.get("/staff/queue/new")).text()
    assert 'data-badge="overdue"' in queue
    overdue = await (await client.get("/staff/queue/overdue")).text()
    assert f"/staff/case/{cid}" in overdue
