"""The supervisor page of service figures per office, and its CSV export.

  GET /staff/angka        per office: cases filed, median first-response time, % first
                          responses and % resolutions within target, satisfaction (?hari=N:
                          cases filed in the last N days, default 90)
  GET /staff/angka.csv    the same figures as CSV (audited as an export)

Supervisors see their own office; admins see every office. Handlers get 403. The numbers
come from bot.core.complaints.figures (definitions there and in README).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from aiohttp import web

from bot.core.complaints.figures import OfficeFigures, by_office
from bot.dashboard.app import current_staff, page, state
from bot.dashboard.insights import export_file, require_supervisor
from storage.repositories.complaint_figures import case_times

DEFAULT_DAYS = 90
COLUMNS = ("office_code", "office_name", "filed", "answered", "median_first_response_hours",
           "first_response_within_target_pct", "first_response_counted",
           "resolved_within_target_pct", "resolution_counted", "satisfaction_answers",
           "satisfied_pct")


def _days(request: web.Request) -> int:
    raw = request.query.get("hari", "")
    return min(int(raw), 3650) if raw.isdecimal() and int(raw) > 0 else DEFAULT_DAYS


async def _figures(request: web.Request) -> tuple[list[OfficeFigures], int]:
    require_supervisor(request)
    dash, staff = state(request), current_staff(request)
    offices = (list(dash.casework.offices.names) if staff.role == "admin"
               else [staff.office_code])
    days, now = _days(request), datetime.now(UTC)
    async with dash.bot.sessions() as db:
        cases = await case_times(db, office_codes=offices, since=now - timedelta(days=days))
    return by_office(cases, offices, now), days


async def figures_page(request: web.Request) -> web.StreamResponse:
    rows, days = await _figures(request)
    names = state(request).casework.offices.name
    return page(request, "angka.html", rows=rows, days=days, names=names)


def _cell(value: object) -> str:
    return "" if value is None else str(value)


async def figures_csv(request: web.Request) -> web.StreamResponse:
    rows, days = await _figures(request)
    names = state(request).casework.offices.name
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for f in rows:
        writer.writerow([_cell(v) for v in (
            f.office, names(f.office), f.filed, f.answered, f.median_first_response_hours,
            f.first_response_within_pct, f.first_response_decided, f.resolved_within_pct,
            f.resolution_decided, f.satisfaction_answers, f.satisfied_pct)])
    return await export_file(request, "\ufeff" + out.getvalue(), "service_figures", len(rows),
                         f"angka-layanan-{days}-hari.csv", "text/csv")


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/angka", figures_page)
    app.router.add_get("/angka.csv", figures_csv)
