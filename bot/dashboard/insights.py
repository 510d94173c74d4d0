"""Supervisor pages: the BP3MI early warning and the content review loop.

  GET /staff/peringatan          agency names checked/reported that are not on the register
                                 or have licence problems, by name and district (?hari=N)
                                 and reported job adverts grouped by near-duplicate text
  GET /staff/peringatan.csv      the agency names as CSV (audited as an export)
  GET /staff/peringatan/lowongan.csv  the grouped reported adverts as CSV (audited)
  GET /staff/tinjauan            unanswered questions, personal data masked, with counts
  GET /staff/tinjauan.yml        the same as Rasa NLU YAML training examples (audited)

Supervisors and admins only (handlers 403; village/district accounts never get here).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.adverts.grouping import AdvertGroup, Reported, group_reports, groups_csv
from bot.core.nlu.review import ReviewGroup, rasa_yaml, review_groups
from bot.core.redact import redact
from bot.core.villages.reports import warnings_csv
from bot.dashboard.app import current_staff, page, state
from bot.dashboard.login import client_ip
from storage.repositories import adverts as advert_repo
from storage.repositories import dashboard_queries as dq
from storage.repositories import village_stats as stats

DEFAULT_DAYS = 30


def _days(request: web.Request) -> int:
    raw = request.query.get("hari", "")
    return min(int(raw), 3650) if raw.isdecimal() and int(raw) > 0 else DEFAULT_DAYS


def require_supervisor(request: web.Request) -> None:
    staff = current_staff(request)
    if not staff.is_supervisor or staff.is_scoped:
        raise web.HTTPForbidden()


async def warnings_page(request: web.Request) -> web.StreamResponse:
    require_supervisor(request)
    days = _days(request)
    async with state(request).bot.sessions() as db:
        rows = await stats.early_warning(db, since=datetime.now(UTC) - timedelta(days=days))
        adverts = await _advert_groups(db, days)
    shown = [replace(r, example=redact(r.example), name_key=redact(r.name_key)) for r in rows]
    return page(request, "peringatan.html", rows=shown, days=days, adverts=adverts)


async def _advert_groups(db: AsyncSession, days: int) -> list[AdvertGroup]:
    """Reported adverts of the period, grouped, newest first; texts with personal data
    (phone numbers, e-mail addresses...) masked; the reporter is never shown."""
    rows = await advert_repo.recent_reports(
        db, since=datetime.now(UTC) - timedelta(days=days))
    groups = group_reports(Reported(r.text, r.risk, tuple(filter(None, r.flags.split(","))),
                                    r.district, r.created_at) for r in rows)
    return [replace(g, example=redact(g.example)) for g in groups]


async def adverts_csv_export(request: web.Request) -> web.StreamResponse:
    require_supervisor(request)
    async with state(request).bot.sessions() as db:
        groups = await _advert_groups(db, _days(request))
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return await export_file(request, "\ufeff" + groups_csv(groups), "reported_adverts",
                         len(groups), f"lowongan-dilaporkan-{stamp}.csv", "text/csv")


async def export_file(request: web.Request, body: str, kind: str, rows: int,
                  filename: str, mime: str) -> web.Response:
    staff = current_staff(request)
    async with state(request).bot.sessions() as db, db.begin():
        await dq.record_audit(db, action="export", username=staff.username, staff_id=staff.id,
                              office_code=staff.office_code, ip=client_ip(request),
                              detail=f"{kind}: {rows} rows")
    return web.Response(body=body.encode("utf-8"), content_type=mime, charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


async def warnings_csv_export(request: web.Request) -> web.StreamResponse:
    require_supervisor(request)
    days = _days(request)
    async with state(request).bot.sessions() as db:
        rows = await stats.early_warning(db, since=datetime.now(UTC) - timedelta(days=days))
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return await export_file(request, "\ufeff" + warnings_csv(rows), "early_warning", len(rows),
                         f"peringatan-dini-{stamp}.csv", "text/csv")


async def _groups(request: web.Request) -> list[ReviewGroup]:
    async with state(request).bot.sessions() as db:
        items = await stats.unanswered(
            db, since=datetime.now(UTC) - timedelta(days=_days(request)))
    return review_groups(items)


async def review_page(request: web.Request) -> web.StreamResponse:
    require_supervisor(request)
    return page(request, "tinjauan.html", groups=await _groups(request), days=_days(request))


async def review_export(request: web.Request) -> web.StreamResponse:
    require_supervisor(request)
    groups = await _groups(request)
    body = rasa_yaml(groups)
    return await export_file(request, body, "unanswered_rasa", len(groups),
                         "tinjauan-nlu.yml", "application/x-yaml")


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/peringatan", warnings_page)
    app.router.add_get("/peringatan.csv", warnings_csv_export)
    app.router.add_get("/peringatan/lowongan.csv", adverts_csv_export)
    app.router.add_get("/tinjauan", review_page)
    app.router.add_get("/tinjauan.yml", review_export)
