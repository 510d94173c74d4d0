"""Staff-side case work for the dashboard: queue views, case page, claim, reply, request
info, internal note, release, reassign, escalate, resolve, close, reopen.

Usage (one transaction per request, the staff member loaded from the session cookie):

    work = Casework(content, offices, lease=timedelta(minutes=60))
    async with sessions() as session, session.begin():
        items = await work.queue(session, staff, "new")
        case = await work.case(session, staff, complaint_id)      # NotFound -> 404
        await work.reply(session, staff, complaint_id, "Baik Kak, ...")

Rules: every case is looked up within `staff.office_code` (another office's case is
NotFound, never Forbidden, so ids do not leak); inactive staff can do nothing. Handlers act
only on cases assigned to them; supervisors and admins act on any case of their office and
alone may reassign to another office or close. Every action writes an event; a reply also
writes the complaint_message and the outbox row in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.complaints import updates
from bot.core.complaints.rules import TRANSITIONS, Offices
from bot.core.content import Content
from bot.core.messages import Button
from storage.models import utcnow
from storage.models.complaints import Complaint, ComplaintEvent, ComplaintMessage, Evidence, Staff
from storage.repositories import complaint_queue, complaint_records, complaint_views
from storage.repositories.complaint_records import Actor
from storage.repositories.complaint_views import VIEWS

SUPERVISORS = ("supervisor", "admin")


class CaseError(Exception):
    """Base of the errors a dashboard turns into HTTP statuses."""

    status = 400


class NotFound(CaseError):
    status = 404


class Forbidden(CaseError):
    status = 403


class Conflict(CaseError):
    """The case changed meanwhile (claimed by someone else, status moved on)."""

    status = 409


@dataclass
class CaseView:
    complaint: Complaint
    events: list[ComplaintEvent]
    messages: list[ComplaintMessage]
    evidence: list[Evidence]
    office_name: str


class Casework:
    def __init__(self, content: Content, offices: Offices, *,
                 lease: timedelta = timedelta(minutes=60)) -> None:
        self.content = content
        self.offices = offices
        self.lease = lease

    # --- reading -------------------------------------------------------------------
    async def queue(self, session: AsyncSession, staff: Staff, view: str = "new", *,
                    limit: int = 100, offset: int = 0) -> list[Complaint]:
        """One dashboard view of the staff member's office ("all" needs a supervisor).
        Expired leases are released first, so overdue cases show up at once."""
        if view not in VIEWS or not staff.active:
            return []
        if view == "all" and staff.role not in SUPERVISORS:
            raise Forbidden("view 'all' is for supervisors")
        await complaint_queue.release_expired(session, office_code=staff.office_code)
        return await complaint_views.list_view(session, office_code=staff.office_code,
                                               view=view, staff_id=staff.id, limit=limit,
                                               offset=offset)

    async def counts(self, session: AsyncSession, staff: Staff) -> dict[str, int]:
        return {view: await complaint_views.count_view(session, office_code=staff.office_code,
                                                       view=view, staff_id=staff.id)
                for view in VIEWS}

    async def case(self, session: AsyncSession, staff: Staff, complaint_id: int) -> CaseView:
        complaint = await self._get(session, staff, complaint_id)
        return CaseView(complaint, await complaint_views.events(session, complaint.id),
                        await complaint_views.messages(session, complaint.id),
                        await complaint_views.evidence(session, complaint.id),
                        self.offices.name(complaint.office_code))

    # --- queue ---------------------------------------------------------------------
    async def claim_next(self, session: AsyncSession, staff: Staff) -> Complaint | None:
        """Take the most urgent, then oldest, queued case of the office (atomic)."""
        self._active(staff)
        await complaint_queue.release_expired(session, office_code=staff.office_code)
        claimed = await complaint_queue.claim_next(
            session, office_code=staff.office_code, staff_id=staff.id,
            lease_until=utcnow() + self.lease, actor=self._actor(staff))
        if claimed is None:
            return None
        complaint = await self._get(session, staff, claimed)
        await self._notify_change(session, complaint, "complaint.update.claimed")
        return complaint

    async def claim(self, session: AsyncSession, staff: Staff, complaint_id: int) -> Complaint:
        await self._get(session, staff, complaint_id)
        await self._move(session, staff, complaint_id, ("new", "reopened"), "assigned",
                         "claimed", assigned_to=staff.id, lease_until=utcnow() + self.lease)
        complaint = await self._get(session, staff, complaint_id)
        await self._notify_change(session, complaint, "complaint.update.claimed")
        return complaint

    async def release(self, session: AsyncSession, staff: Staff, complaint_id: int) -> None:
        """Give the case back to the office queue (unassigned, status new)."""
        await self._own(session, staff, complaint_id)
        await self._move(session, staff, complaint_id, ("assigned", "waiting_on_complainant"),
                         "new", "released", assigned_to=None, lease_until=None)

    # --- conversation --------------------------------------------------------------
    async def reply(self, session: AsyncSession, staff: Staff, complaint_id: int, body: str,
                    *, request_info: bool = False) -> ComplaintMessage:
        """Send `body` to the complainant: message + event + outbox row, one transaction.
        `request_info=True` also moves the case to waiting_on_complainant."""
        complaint = await self._own(session, staff, complaint_id)
        body = body.strip()[:4000]
        if not body:
            raise CaseError("empty reply")
        message = await complaint_records.add_message(session, complaint.id, "staff", body,
                                                      staff_id=staff.id)
        if request_info and complaint.status != "waiting_on_complainant":
            await self._move(session, staff, complaint.id, ("assigned",),
                             "waiting_on_complainant", "info_requested", body=None)
        else:
            await complaint_records.add_event(session, complaint.id, "replied",
                                              self._actor(staff))
        await self._touch(session, staff, complaint)
        await updates.mark_first_response(session, complaint.id)
        key = "complaint.staff_request" if request_info else "complaint.staff_reply"
        await self._notify(session, complaint, key, f"m{message.id}", body=body)
        return message

    async def request_info(self, session: AsyncSession, staff: Staff, complaint_id: int,
                           body: str) -> ComplaintMessage:
        return await self.reply(session, staff, complaint_id, body, request_info=True)

    async def note(self, session: AsyncSession, staff: Staff, complaint_id: int,
                   body: str) -> None:
        """An internal note (never shown to the complainant); anyone in the office."""
        self._active(staff)
        complaint = await self._get(session, staff, complaint_id)
        if not body.strip():
            raise CaseError("empty note")
        await complaint_records.add_event(session, complaint.id, "note", self._actor(staff),
                                          body=body.strip()[:4000])

    async def release_to_bot(self, session: AsyncSession, staff: Staff,
                             complaint_id: int) -> None:
        """End the human handoff: the bot answers the complainant again."""
        complaint = await self._own(session, staff, complaint_id)
        await complaint_queue.update_fields(session, complaint.id, "handoff_released",
                                            self._actor(staff), bot_released=True)

    # --- outcome -------------------------------------------------------------------
    async def resolve(self, session: AsyncSession, staff: Staff, complaint_id: int,
                      note: str | None = None) -> None:
        complaint = await self._own(session, staff, complaint_id)
        await self._move(session, staff, complaint.id, ("assigned", "waiting_on_complainant"),
                         "resolved", "resolved", body=note, resolved_at=utcnow(),
                         lease_until=None)
        await updates.mark_first_response(session, complaint.id)
        await self._notify_change(session, complaint, "complaint.resolved_notice",
                                  buttons=updates.satisfaction_buttons(self.content,
                                                                       complaint.id))

    async def close(self, session: AsyncSession, staff: Staff, complaint_id: int,
                    note: str | None = None) -> None:
        complaint = await self._get(session, staff, complaint_id)
        if staff.role not in SUPERVISORS and complaint.assigned_to != staff.id:
            raise Forbidden("only the handler or a supervisor closes a case")
        expected = tuple(s for s, targets in TRANSITIONS.items() if "closed" in targets)
        await self._move(session, staff, complaint.id, expected, "closed", "closed",
                         body=note, lease_until=None)

    async def reopen(self, session: AsyncSession, staff: Staff, complaint_id: int,
                     note: str | None = None) -> None:
        self._active(staff)
        complaint = await self._get(session, staff, complaint_id)
        await self._move(session, staff, complaint_id, ("resolved", "closed"), "reopened",
                         "reopened", body=note, assigned_to=None, resolved_at=None,
                         bot_released=False, **updates.restart_targets(self.offices, complaint))
        await session.refresh(complaint)
        due = complaint.resolution_due or utcnow()
        await self._notify_change(session, complaint, "complaint.update.reopened",
                                  due=self.offices.targets.when(complaint.office_code, due))

    async def escalate(self, session: AsyncSession, staff: Staff, complaint_id: int,
                       reason: str) -> None:
        """Flag for supervisors (and mark urgent) with the reason in the event log."""
        self._active(staff)
        complaint = await self._get(session, staff, complaint_id)
        await complaint_queue.update_fields(session, complaint.id, "escalated",
                                            self._actor(staff),
                                            body=reason.strip()[:2000] or None,
                                            escalated=True, urgent=True)

    async def reassign(self, session: AsyncSession, staff: Staff, complaint_id: int, *,
                       office_code: str | None = None, handler: Staff | None = None) -> None:
        """Supervisor: move to another office's queue, or hand to a handler of the office."""
        self._active(staff)
        if staff.role not in SUPERVISORS:
            raise Forbidden("only supervisors reassign")
        complaint = await self._get(session, staff, complaint_id)
        if office_code and office_code != complaint.office_code:
            if office_code not in self.offices.names:
                raise CaseError("unknown office")
            # Any open case joins the other office's queue as new (not a lifecycle step);
            # audited as "from -> to".
            moved = await complaint_queue.compare_and_set(
                session, complaint.id, expected=("new", "reopened", *complaint_queue.HANDOFF),
                new_status="new", kind="reassigned_office", actor=self._actor(staff),
                body=f"{complaint.office_code} -> {office_code}", in_office=staff.office_code,
                office_code=office_code, assigned_to=None, lease_until=None)
            if moved is None:
                raise Conflict("the case is not in a state that allows this")
            await self._notify_change(session, complaint, "complaint.update.transferred",
                                      office=self.offices.name(office_code))
        elif handler is not None:
            if handler.office_code != complaint.office_code or not handler.active:
                raise CaseError("handler is not active in this office")
            await self._move(session, staff, complaint.id,
                             ("new", "reopened", "assigned", "waiting_on_complainant"),
                             "assigned", "reassigned_handler", body=handler.username,
                             assigned_to=handler.id, lease_until=utcnow() + self.lease)

    # --- helpers -------------------------------------------------------------------
    @staticmethod
    def _actor(staff: Staff) -> Actor:
        return Actor("staff", str(staff.id), "dashboard")

    @staticmethod
    def _active(staff: Staff) -> None:
        if not staff.active:
            raise Forbidden("account disabled")

    async def _get(self, session: AsyncSession, staff: Staff, complaint_id: int) -> Complaint:
        complaint = await complaint_views.get(session, complaint_id,
                                              office_code=staff.office_code)
        if complaint is None or not staff.active:
            raise NotFound("no such case in your office")
        await session.refresh(complaint)
        return complaint

    async def _own(self, session: AsyncSession, staff: Staff, complaint_id: int) -> Complaint:
        complaint = await self._get(session, staff, complaint_id)
        if staff.role not in SUPERVISORS and complaint.assigned_to != staff.id:
            raise Forbidden("claim the case first")
        return complaint

    async def _move(self, session: AsyncSession, staff: Staff, complaint_id: int,
                    expected: tuple[str, ...], new: str, kind: str, body: str | None = None,
                    **values: Any) -> str:
        expected = tuple(s for s in expected if new in TRANSITIONS.get(s, ()))
        old = await complaint_queue.compare_and_set(
            session, complaint_id, expected=expected, new_status=new, kind=kind,
            actor=self._actor(staff), body=body, in_office=staff.office_code, **values)
        if old is None:
            raise Conflict("the case is not in a state that allows this")
        return old

    async def _touch(self, session: AsyncSession, staff: Staff, complaint: Complaint) -> None:
        await session.refresh(complaint)
        if complaint.status == "assigned":
            complaint.lease_until = utcnow() + self.lease
        complaint.updated_at = utcnow()

    async def _notify(self, session: AsyncSession, complaint: Complaint, key: str,
                      suffix: str, *, buttons: list[Button] | None = None,
                      **params: object) -> None:
        """Queue a message to the complainant on their channel (if they still exist)."""
        params = {"office": self.offices.name(complaint.office_code), **params}
        await updates.notify(session, self.content, complaint, key, suffix, buttons=buttons,
                             **params)

    async def _notify_change(self, session: AsyncSession, complaint: Complaint, key: str,
                             **params: Any) -> None:
        """`_notify` once per change of the case (keyed by the change's event)."""
        event = await complaint_views.last_event_id(session, complaint.id)
        await self._notify(session, complaint, key, f"{key.rsplit('.', 1)[-1]}-{event}",
                           **params)
