"""Writing a complaint's records: the complaint itself (from intake), its append-only audit
events and its conversation messages, plus who acted (Actor).

Every function works inside the caller's transaction (`async with session.begin()`), so a
record and the change it belongs to commit together. The queue's state changes are in
storage.repositories.complaint_queue; reads for staff in complaint_views.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import utcnow
from storage.models.complaints import Complaint, ComplaintEvent, ComplaintMessage, Evidence


@dataclass
class Actor:
    """Who did something: kind "complainant" | "staff" | "system", an id, a channel."""

    kind: str
    id: str | None = None
    channel: str | None = None


SYSTEM = Actor("system")


@dataclass
class EvidenceRef:
    media_ref: str
    mime: str | None = None
    size: int | None = None


@dataclass
class NewComplaint:
    """Everything the intake collected, plus routing and triage decided in core."""

    category: str
    channel: str
    office_code: str
    affected: str = "self"
    user_id: int | None = None
    agency_name: str | None = None
    country: str | None = None
    city: str | None = None
    origin_province: str | None = None
    origin_district: str | None = None
    description: str | None = None
    contact: str | None = None
    urgent: bool = False
    urgency_reasons: list[str] = field(default_factory=list)
    evidence: list[EvidenceRef] = field(default_factory=list)
    intake_id: str | None = None  # unique: one complaint per intake conversation
    first_response_due: datetime | None = None
    resolution_due: datetime | None = None


async def add_event(
    session: AsyncSession, complaint_id: int, kind: str, actor: Actor = SYSTEM, *,
    old_status: str | None = None, new_status: str | None = None, body: str | None = None,
) -> ComplaintEvent:
    """Append one event to the complaint's audit log (never updated afterwards)."""
    ev = ComplaintEvent(
        complaint_id=complaint_id, kind=kind, actor_kind=actor.kind, actor_id=actor.id,
        channel=actor.channel, old_status=old_status, new_status=new_status, body=body,
        created_at=utcnow(),
    )
    session.add(ev)
    await session.flush()
    return ev


async def create_complaint(
    session: AsyncSession, new: NewComplaint, *, ticket: str, secret_hash: str | None,
    actor: Actor = SYSTEM,
) -> Complaint:
    """Insert a complaint (status "new"), its evidence references and a "created" event.
    A duplicate ticket raises IntegrityError; call inside `session.begin_nested()` to retry."""
    now = utcnow()
    complaint = Complaint(
        ticket=ticket, secret_hash=secret_hash, status="new", category=new.category,
        affected=new.affected, agency_name=new.agency_name, country=new.country,
        city=new.city, origin_province=new.origin_province,
        origin_district=new.origin_district, description=new.description,
        contact=new.contact, channel=new.channel, user_id=new.user_id,
        office_code=new.office_code, urgent=new.urgent,
        urgency_reasons=list(new.urgency_reasons), escalated=False, bot_released=False,
        flagged_overdue=False, anonymised=False, created_at=now, updated_at=now,
        intake_id=new.intake_id,
        first_response_due=new.first_response_due, resolution_due=new.resolution_due,
    )
    session.add(complaint)
    await session.flush()
    for ref in new.evidence:
        session.add(Evidence(complaint_id=complaint.id, channel=new.channel,
                             media_ref=ref.media_ref[:500], mime=ref.mime, size=ref.size))
    await add_event(session, complaint.id, "created", actor, new_status="new")
    return complaint


async def by_intake(session: AsyncSession, intake_id: str) -> Complaint | None:
    """The complaint an intake conversation filed, if it did."""
    stmt = select(Complaint).where(Complaint.intake_id == intake_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def add_message(session: AsyncSession, complaint_id: int, sender: str, body: str,
                      *, staff_id: int | None = None) -> ComplaintMessage:
    """Append a conversation message ("complainant" or "staff")."""
    msg = ComplaintMessage(complaint_id=complaint_id, sender=sender, staff_id=staff_id,
                           body=body, redacted=False, created_at=utcnow())
    session.add(msg)
    await session.flush()
    return msg


async def platform_evidence(session: AsyncSession, prefix: str, *, limit: int = 50,
                            max_age: timedelta = timedelta(days=30)
                            ) -> list[tuple[int, str, int | None]]:
    """Evidence still held as a platform reference starting with `prefix` (its download
    failed when it arrived), younger than `max_age` (platforms keep files about 30 days):
    (evidence id, reference, the complainant's user id)."""
    stmt = (select(Evidence.id, Evidence.media_ref, Complaint.user_id)
            .join(Complaint, Complaint.id == Evidence.complaint_id)
            .where(Evidence.media_ref.startswith(prefix, autoescape=True),
                   Evidence.created_at > utcnow() - max_age)
            .order_by(Evidence.id).limit(limit))
    return [(int(i), str(r), u) for i, r, u in (await session.execute(stmt)).all()]


async def set_evidence_ref(session: AsyncSession, evidence_id: int, media_ref: str, *,
                           mime: str | None = None, size: int | None = None) -> None:
    """Point evidence at the stored file (or mark it rejected)."""
    values: dict[str, object] = {"media_ref": media_ref[:500]}
    if mime is not None:
        values.update(mime=mime, size=size)
    await session.execute(update(Evidence).where(Evidence.id == evidence_id).values(**values))
