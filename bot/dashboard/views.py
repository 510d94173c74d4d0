"""Read-only dashboard pages: the office queues (tabs with counts), the case page, and the
change stamp the queue page polls to refresh itself when a complaint arrives or changes.

Every query goes through the office-scoped repository functions with the signed-in staff
member's office; a case of another office is indistinguishable from a missing one (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.complaints.targets import ZONES
from bot.dashboard.app import FLASH_KEY, Dashboard, StaffUser, current_staff, page, state
from bot.dashboard.evidence import items as evidence_items
from bot.dashboard.labels import FLASH, VIEW_LABELS
from storage.models import utcnow
from storage.models.complaints import Complaint, OutboxMessage
from storage.repositories import complaint_queue, complaint_views, push_outbox
from storage.repositories import dashboard_queries as dq
from storage.repositories import staff as staff_repo

SUPERVISOR_VIEWS = frozenset({"all"})
PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class Tab:
    name: str
    label: str
    count: int | None
    alert: bool = False


async def _tabs(db: AsyncSession, dash: Dashboard, staff: StaffUser) -> list[Tab]:
    office = staff.office_code
    tabs = []
    for name, label in VIEW_LABELS.items():
        if name in SUPERVISOR_VIEWS and not staff.is_supervisor:
            continue
        if name == "overdue":
            count = await dq.count_overdue(db, office_code=office, now=utcnow())
        else:
            count = await complaint_views.count_view(db, office_code=office, view=name,
                                                     staff_id=staff.id)
        tabs.append(Tab(name, label, count, alert=name in ("urgent", "overdue", "new")))
    return tabs


async def _rows(db: AsyncSession, dash: Dashboard, staff: StaffUser, view: str,
                status: str | None) -> list[Complaint]:
    if view == "overdue":
        return await dq.list_overdue(db, office_code=staff.office_code, limit=PAGE_SIZE,
                                     now=utcnow())
    return await complaint_views.list_view(db, office_code=staff.office_code, view=view,
                                           staff_id=staff.id, status=status, limit=PAGE_SIZE)


def _flash(request: web.Request) -> dict[str, Any]:
    override = request.get(FLASH_KEY)
    if override:
        return {"flash": override[0], "flash_kind": override[1]}
    key = request.query.get("done") or request.query.get("fail")
    if key not in FLASH:
        return {}
    return {"flash": FLASH[key], "flash_kind": "error" if "fail" in request.query else "ok"}


async def home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther("/staff/queue/new")


async def queue(request: web.Request) -> web.StreamResponse:
    dash, staff = state(request), current_staff(request)
    view = request.match_info["view"]
    if view not in VIEW_LABELS:
        raise web.HTTPNotFound()
    if view in SUPERVISOR_VIEWS and not staff.is_supervisor:
        raise web.HTTPForbidden()
    status = request.query.get("status") or None
    async with dash.bot.sessions() as db, db.begin():
        await complaint_queue.release_expired(db, office_code=staff.office_code)
        tabs = await _tabs(db, dash, staff)
        rows = await _rows(db, dash, staff, view, status)
        handlers = {s.id: s.username for s in await staff_repo.list_staff(db, staff.office_code)}
        stamp_value = await dq.queue_stamp(db, office_code=staff.office_code)
    return page(request, "queue.html", views=tabs, current_view=view, rows=rows,
                handlers=handlers, stamp=stamp_value, view_label=VIEW_LABELS[view],
                now=utcnow(), status_filter=status, **_flash(request))


async def stamp(request: web.Request) -> web.StreamResponse:
    """GET /staff/queue-stamp -> {"stamp": S}; the queue page reloads when S changes."""
    dash, staff = state(request), current_staff(request)
    async with dash.bot.sessions() as db:
        value = await dq.queue_stamp(db, office_code=staff.office_code)
    return web.json_response({"stamp": value}, headers={"Cache-Control": "no-store"})


async def case_stamp(request: web.Request) -> web.StreamResponse:
    """GET /staff/case/{id}/stamp -> {"stamp": S} for the open case page."""
    dash, staff = state(request), current_staff(request)
    async with dash.bot.sessions() as db:
        complaint = await load_case(db, staff, request.match_info["id"])
        value = await dq.case_stamp(db, complaint.id)
    return web.json_response({"stamp": value}, headers={"Cache-Control": "no-store"})


async def load_case(db: AsyncSession, staff: StaffUser, raw_id: str) -> Complaint:
    """The complaint with this id in the staff member's office, else 404 (fail closed)."""
    try:
        complaint_id = int(raw_id)
    except ValueError:
        raise web.HTTPNotFound() from None
    complaint = await complaint_views.get(db, complaint_id, office_code=staff.office_code)
    if complaint is None:
        raise web.HTTPNotFound()
    return complaint


async def case_page(request: web.Request) -> web.StreamResponse:
    dash, staff = state(request), current_staff(request)
    async with dash.bot.sessions() as db:
        complaint = await load_case(db, staff, request.match_info["id"])
        tabs = await _tabs(db, dash, staff)
        colleagues = await staff_repo.list_staff(db, staff.office_code)
        names = {s.id: s.username for s in colleagues}
        messages = await complaint_views.messages(db, complaint.id)
        events = await complaint_views.events(db, complaint.id)
        evidence = await evidence_items(db, complaint.id)
        deliveries = await push_outbox.for_complaint(db, complaint.id)
        stamp_value = await dq.case_stamp(db, complaint.id)
    canned = dash.config.filled(dash.bot.content, complaint.ticket)
    mine = complaint.assigned_to == staff.id
    return page(request, "case.html", views=tabs, c=complaint, messages=messages,
                events=events, evidence=evidence, names=names, stamp=stamp_value,
                deliveries=deliveries, delivery_of=_by_message(complaint.id, deliveries),
                canned=canned, mine=mine,
                may_work=mine or staff.is_supervisor,
                colleagues=[s for s in colleagues if s.active and s.id != complaint.assigned_to],
                overdue=_late(complaint),
                other_offices=[(code, name) for code, name
                               in dash.casework.offices.names.items()
                               if code != complaint.office_code],
                **_flash(request))


def _by_message(complaint_id: int, rows: list[OutboxMessage]) -> dict[int, OutboxMessage]:
    """Staff message id -> the outbox row that carries it (key "c<case>-m<message>")."""
    prefix = f"c{complaint_id}-m"
    return {int(r.idempotency_key[len(prefix):]): r for r in rows
            if r.idempotency_key.startswith(prefix)
            and r.idempotency_key[len(prefix):].isdigit()}


def _is_past(moment: datetime | None) -> bool:
    if moment is None:
        return False
    if moment.tzinfo is None:  # SQLite returns naive UTC datetimes
        return moment < utcnow().replace(tzinfo=None)
    return moment < utcnow()


def _late(c: Complaint) -> bool:
    """Past a service target (first response or resolution) while still open."""
    if c.status in complaint_queue.FINISHED:
        return False
    return c.overdue_at is not None or (
        c.first_response_at is None and _is_past(c.first_response_due)) or (
        c.status != "waiting_on_complainant" and _is_past(c.resolution_due))


def when(moment: datetime | None, zone: str = "WIB") -> str:
    """A timestamp in the office's time zone, e.g. "23-11-2026 18:27 WITA"."""
    if moment is None:
        return "-"
    if moment.tzinfo is None:  # SQLite returns naive UTC datetimes
        moment = moment.replace(tzinfo=UTC)
    offset = timezone(timedelta(hours=ZONES.get(zone, 7)), zone)
    return moment.astimezone(offset).strftime(f"%d-%m-%Y %H:%M {zone}")


def age(moment: datetime | None, now: datetime | None = None) -> str:
    """How long ago, in short Indonesian ("5 mnt", "3 jam", "2 hari")."""
    if moment is None:
        return "-"
    now = now or utcnow()
    if moment.tzinfo is None:
        now = now.replace(tzinfo=None)
    delta = max(now - moment, timedelta(0))
    if delta < timedelta(hours=1):
        return f"{int(delta.total_seconds() // 60)} mnt"
    if delta < timedelta(days=2):
        return f"{int(delta.total_seconds() // 3600)} jam"
    return f"{delta.days} hari"
