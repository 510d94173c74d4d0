"""Complaint lifecycle rules, triage and routing, and the complainant-side operations.

Lifecycle (DESIGN.md "Complaints"): new -> assigned -> waiting_on_complainant -> resolved
-> closed, with reopened; `TRANSITIONS` is the single source of truth, checked before every
compare-and-set in storage. Staff-side actions (claim, reply, note, ...) for the dashboard
live in bot.core.complaints.casework and use these rules.

Triage: a complaint is urgent for violence, detention, minors, a held passport or
emergency words (and when the engine saw an emergency during intake); urgent first, then
oldest. Routing: origin province -> BP3MI office from content/offices.yml, else default.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.complaints import tickets
from bot.core.complaints.targets import ServiceTargets
from storage import db
from storage.media import MediaStore
from storage.models import Unanswered, User, utcnow
from storage.models.complaints import STATUSES as STATUSES  # the lifecycle's states
from storage.models.complaints import Complaint
from storage.repositories import adverts as advert_repo
from storage.repositories import agencies as agency_repo
from storage.repositories import (
    chat_replies,
    complainant_cases,
    complaint_queue,
    complaint_records,
    transcript,
)
from storage.repositories import inbox as inbox_repo
from storage.repositories import users as users_repo
from storage.repositories.complaint_records import Actor, EvidenceRef, NewComplaint

TRANSITIONS: Mapping[str, frozenset[str]] = {
    "new": frozenset({"assigned", "closed"}),
    "reopened": frozenset({"assigned", "closed"}),
    "assigned": frozenset({"waiting_on_complainant", "resolved", "new", "closed"}),
    "waiting_on_complainant": frozenset({"assigned", "resolved", "new", "closed"}),
    "resolved": frozenset({"closed", "reopened"}),
    "closed": frozenset({"reopened"}),
}
CATEGORIES = ("agency_fraud", "overcharging", "documents_held", "unpaid_wages", "violence",
              "contract_broken", "stuck_abroad", "other")
AFFECTED = ("self", "family")
HOME_COUNTRY = "Indonesia"

_URGENT_WORDS: Mapping[str, str] = {
    "violence": r"pukul|siksa|aniaya|perkosa|kekerasan|lecehk|cabul|tampar|disetrum",
    "detention": r"sekap|dikurung|dikunci|ditahan di|(tidak|ga|gak|nggak|tak) boleh keluar",
    "minor": r"di ?bawah umur|belum 18|umur 1[0-7]\b|usia 1[0-7]\b|masih (smp|sd|sekolah)",
    "passport_held": r"paspor\w* (\w+ ){0,3}(ditahan|diambil|disita|dipegang|ditahan)",
    "emergency_words": r"tolong|darurat|bahaya|mau mati|dibunuh|bunuh diri|kabur dari",
}
_URGENT_RE = {reason: re.compile(rf"(?:{words})", re.IGNORECASE)
              for reason, words in _URGENT_WORDS.items()}


class TransitionError(ValueError):
    """A status change the lifecycle does not allow."""


class AlreadyFiled(Exception):
    """This intake was filed already (a repeated or concurrent confirmation)."""

    def __init__(self, complaint: Complaint) -> None:
        super().__init__(complaint.ticket)
        self.complaint = complaint


def can_transition(old: str, new: str) -> bool:
    return new in TRANSITIONS.get(old, frozenset())


def triage(category: str, text: str, *, country: str | None = None,
           emergency_seen: bool = False) -> list[str]:
    """Urgency reasons (empty list = not urgent) from the category, the words of the
    complaint and whether the engine answered an emergency during the intake."""
    reasons: list[str] = []
    if emergency_seen:
        reasons.append("emergency_seen")
    if category == "violence":
        reasons.append("violence")
    lowered = (text or "").lower()
    abroad = bool(country) and country != HOME_COUNTRY
    if category == "documents_held" and (abroad or "paspor" in lowered):
        reasons.append("passport_held")
    for reason, pattern in _URGENT_RE.items():
        if reason not in reasons and pattern.search(lowered):
            reasons.append(reason)
    return reasons


def _norm(name: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", name.lower()).split())


@dataclass
class Offices:
    """BP3MI offices from content/offices.yml: code -> name, province spellings -> code,
    and their service targets in working time (holidays from content/holidays.yml)."""

    default: str
    names: dict[str, str]
    by_province: dict[str, str] = field(default_factory=dict)
    province_names: dict[str, str] = field(default_factory=dict)
    targets: ServiceTargets = field(default_factory=ServiceTargets)

    @classmethod
    def load(cls, path: Path) -> Offices:
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        offices: dict[str, Any] = data.get("offices") or {}
        default = str(data.get("default") or "PUSAT")
        result = cls(default=default, names={default: default},
                     targets=ServiceTargets.load(offices, data.get("targets"),
                                                 path.parent / "holidays.yml"))
        for code, raw in offices.items():
            result.names[str(code)] = str(raw.get("name") or code)
            spellings = [str(p) for p in raw.get("provinces") or ()]
            for spelling in spellings:
                result.by_province[_norm(spelling)] = str(code)
                result.province_names[_norm(spelling)] = spellings[0].title()
        return result

    def match_province(self, text: str) -> str | None:
        """The canonical province name for a typed province ("jatim" -> "Jawa Timur")."""
        norm = _norm(text)
        if norm in self.province_names:
            return self.province_names[norm]
        for spelling, name in self.province_names.items():
            if re.search(rf"\b{re.escape(spelling)}\b", norm):
                return name
        return None

    def route(self, province: str | None) -> str:
        """The office responsible for an origin province; the default office if unknown."""
        if province:
            norm = _norm(province)
            if norm in self.by_province:
                return self.by_province[norm]
            matched = self.match_province(province)
            if matched:
                return self.by_province[_norm(matched)]
        return self.default

    def name(self, code: str) -> str:
        return self.names.get(code, code)


async def file_complaint(
    session: AsyncSession, *, answers: Mapping[str, Any], user: User, channel: str,
    offices: Offices, emergency_seen: bool = False, description_for_triage: str = "",
    intake_id: str | None = None,
) -> tuple[Complaint, str]:
    """Create the complaint from intake answers (routed, triaged, ticketed) in the open
    transaction. Returns the complaint and the status secret to show once to the user.
    `intake_id` is unique among complaints: when that intake was filed already (a second
    press of "confirm", even one racing the first), raises AlreadyFiled."""
    if intake_id and (done := await complaint_records.by_intake(session, intake_id)):
        raise AlreadyFiled(done)
    category = str(answers.get("category") or "other")
    country = answers.get("country")
    reasons = triage(category, description_for_triage or str(answers.get("description") or ""),
                     country=country, emergency_seen=emergency_seen)
    new = NewComplaint(
        category=category, channel=channel, user_id=user.id,
        office_code=offices.route(answers.get("province")),
        affected=str(answers.get("affected") or "self"),
        agency_name=answers.get("agency"), country=country, city=answers.get("city"),
        origin_province=answers.get("province"), origin_district=answers.get("district"),
        description=answers.get("description"), contact=answers.get("contact"),
        urgent=bool(reasons), urgency_reasons=reasons, intake_id=intake_id,
        evidence=[EvidenceRef(str(e.get("ref")), e.get("mime"), e.get("size"))
                  for e in answers.get("evidence") or () if isinstance(e, dict)],
    )
    new.first_response_due, new.resolution_due = offices.targets.dues(
        new.office_code, utcnow(), urgent=new.urgent)
    secret = tickets.new_secret()
    actor = Actor("complainant", str(user.id), channel)
    for attempt in range(5):
        try:
            async with session.begin_nested():
                complaint = await complaint_records.create_complaint(
                    session, new, ticket=tickets.new_ticket(),
                    secret_hash=tickets.hash_secret(secret), actor=actor)
            return complaint, secret
        except IntegrityError:
            if intake_id and (done := await complaint_records.by_intake(session, intake_id)):
                raise AlreadyFiled(done) from None
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


async def attach_message(session: AsyncSession, complaint: Complaint, body: str,
                         *, user: User, channel: str) -> None:
    """A complainant's message during handoff: stored on the case with an event; a case
    waiting on the complainant goes back to the handler ("assigned")."""
    actor = Actor("complainant", str(user.id), channel)
    await complaint_records.add_message(session, complaint.id, "complainant", body[:4000])
    moved = await complaint_queue.compare_and_set(
        session, complaint.id, expected=("waiting_on_complainant",), new_status="assigned",
        kind="complainant_replied", actor=actor)
    if moved is None:
        await complaint_records.add_event(session, complaint.id, "complainant_message", actor)


def may_view_status(complaint: Complaint | None, user: User, secret: str | None) -> bool:
    """Only the complainant (same chat user) or whoever holds the ticket's secret."""
    if complaint is None:
        return False
    if complaint.user_id is not None and complaint.user_id == user.id:
        return True
    return secret is not None and tickets.secret_matches(secret, complaint.secret_hash)


async def delete_personal_data(session: AsyncSession, user: User,
                               media: MediaStore | None = None) -> list[int]:
    """"hapus data saya": anonymise the user's complaints (open ones are closed; fields,
    messages and the free text of events go), drop their outbox rows, unanswered-message
    texts, stored web chat replies and transcript, channel data (phone, receipts, stored
    updates) and the files they sent (rows and bytes), and detach the chat identity so the
    user row keeps only anonymous counts (channel, referral, dates)."""
    ids = list(await complainant_cases.anonymise_user(session, user.id, user.channel,
                                                      user.external_id))
    await session.execute(delete(Unanswered).where(Unanswered.user_id == user.id))
    await agency_repo.detach_user_reports(session, user.id)
    await advert_repo.detach_user_reports(session, user.id)
    await inbox_repo.forget_user(session, user.channel, user.external_id)
    await chat_replies.forget_user(session, user.channel, user.external_id)
    await transcript.forget(session, user.id)
    if media is not None:  # the files the user sent (evidence, adverts), rows and bytes
        await media.delete_for_user(session, user.id)
    # A web chat id is random and server-issued: its hash stays so the old token is
    # refused. Platform ids (phone numbers, Telegram ids) are not kept in any form.
    user.external_id = (users_repo.erased_id(user.external_id) if user.channel == "web"
                        else f"deleted-{secrets.token_hex(12)}")
    user.state = {}
    session.info[db.ERASED] = True  # Engine.handle then compacts an SQLite file
    return ids
