"""CSV export of the office's complaints, for supervisors and admins only.

The export is for reporting, so it leaves out personal data (description, contact, city,
district and the conversation): handlers read those on the case page. Cells that a
spreadsheet would run as a formula are prefixed with an apostrophe. Every export is written
to the staff audit log with the number of rows.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from aiohttp import web

from bot.dashboard.app import current_staff, state
from bot.dashboard.login import client_ip
from storage.repositories import dashboard_queries as dq

COLUMNS = (
    "ticket", "status", "category", "urgent", "urgency_reasons", "escalated",
    "flagged_overdue", "office_code", "origin_province", "country", "agency_name",
    "channel", "handler", "created_at", "updated_at", "resolved_at", "anonymised",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


async def export_csv(request: web.Request) -> web.StreamResponse:
    """GET /staff/export.csv -> all complaints of the office as CSV (UTF-8 with BOM)."""
    dash, staff = state(request), current_staff(request)
    if not staff.is_supervisor:
        raise web.HTTPForbidden()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    async with dash.bot.sessions() as db, db.begin():
        rows = await dq.export_rows(db, office_code=staff.office_code)
        for complaint, handler in rows:
            values = {name: getattr(complaint, name, None) for name in COLUMNS}
            values["handler"] = handler
            writer.writerow([_cell(values[name]) for name in COLUMNS])
        await dq.record_audit(db, action="export", username=staff.username,
                              staff_id=staff.id, office_code=staff.office_code,
                              ip=client_ip(request), detail=f"{len(rows)} rows")
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return web.Response(
        body=("\ufeff" + buffer.getvalue()).encode("utf-8"),
        content_type="text/csv", charset="utf-8",
        headers={"Content-Disposition":
                 f'attachment; filename="pengaduan-{staff.office_code}-{stamp}.csv"'},
    )
