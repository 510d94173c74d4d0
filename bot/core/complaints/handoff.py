"""Complaint follow-up in chat: status by ticket, human handoff, deletion of personal data.

- `status` (intent action "complaint_status", and an interceptor for a ticket number typed
  anywhere): only the complainant's own tickets, or ticket + secret, on one line or in two
  steps (the ticket, then the secret when asked); one answer for "not found" and "not
  yours" so tickets cannot be probed.
- `human_handoff` (intent action): explains that staff answer through complaints, offers
  the intake.
- `handoff` (interceptor): while the user has a case a handler is working on, their text is
  attached to the case instead of being answered by the bot.
- "hapus data saya" (interceptor) asks for confirmation; the buttons "delete_data:yes|no"
  go to the Flow "delete_data", which only handles those buttons.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.complaints import tickets
from bot.core.complaints.rules import Offices, attach_message, delete_personal_data, may_view_status
from bot.core.context import Context
from bot.core.messages import Button, Reply
from bot.core.nlu import Parse
from storage.media import MediaStore
from storage.models import utcnow
from storage.models.complaints import Complaint
from storage.repositories import complainant_cases

DELETE_NAME = "delete_data"
_DELETE = re.compile(r"\b(hapus|hapuskan|delete)\s+(semua\s+)?(data|dataku)\b", re.IGNORECASE)
_ESCAPE = frozenset({"menu", "darurat"})
PENDING_TICKET = "status_ticket"  # state: a ticket sent alone, waiting for its secret
PUBLIC_EVENTS = ("created", "claimed", "info_requested", "replied", "complainant_replied",
                 "complainant_message", "resolved", "reopened", "reopened_unsatisfied",
                 "reassigned_office", "reassigned_handler", "released", "lease_expired",
                 "overdue", "closed", "satisfaction")


def _next_step(c: Complaint) -> list[tuple[str, datetime]]:
    """The status answer's "next" line: (content key, due date) of what the case waits for."""
    if c.status in ("resolved", "closed", "waiting_on_complainant"):
        return []  # the stage line already says what happens (or that it is over)
    if c.overdue_at is not None:
        return [("complaint_status.next.late", utcnow())]
    if c.first_response_at is None and c.first_response_due is not None:
        return [("complaint_status.next.first_response", c.first_response_due)]
    if c.resolution_due is not None:
        return [("complaint_status.next.resolution", c.resolution_due)]
    return []


class ComplaintFollowUp:
    """Status, handoff and deletion: intent actions, interceptors, and Flow "delete_data"."""

    name = DELETE_NAME

    def __init__(self, offices: Offices, media: MediaStore | None = None) -> None:
        self.offices = offices
        self.media = media

    # -- status -------------------------------------------------------------------------
    async def status(self, ctx: Context, parse: Parse) -> list[Reply]:
        text = ctx.message.text or ""
        ticket = tickets.find_ticket(text)
        if ticket is None:
            mine = await complainant_cases.for_user(ctx.session, ctx.user.id)
            if not mine:
                return [ctx.render("complaint_status")]
            return [await self._status_reply(ctx, mine[0])]
        return await self._lookup(ctx, ticket, tickets.find_secret(text), ask=True)

    async def _lookup(self, ctx: Context, ticket: str, secret: str | None, *,
                      ask: bool) -> list[Reply]:
        """The status of `ticket` for its owner or with its secret. Without a secret (and
        `ask`) the secret is asked for and the ticket remembered for the next message,
        whether or not the ticket exists, so tickets cannot be probed."""
        complaint = await complainant_cases.get_by_ticket(ctx.session, ticket)
        if complaint is not None and may_view_status(complaint, ctx.user, secret):
            return [await self._status_reply(ctx, complaint)]
        if secret is None and ask:
            ctx.state[PENDING_TICKET] = ticket
            return [ctx.render("complaint_status.ask_secret", ticket=ticket)]
        return [ctx.render("complaint_status.not_found")]

    async def status_by_ticket(self, ctx: Context, text: str) -> list[Reply] | None:
        """Interceptor: a message containing a ticket number is a status question."""
        if tickets.find_ticket(text) is None:
            return None
        return await self.status(ctx, Parse(text, "complaint_status", 1.0, ()))

    async def status_secret(self, ctx: Context, text: str) -> list[Reply] | None:
        """Interceptor, second step of the status form: the message after a ticket alone.
        A secret code answers the status; anything else forgets the ticket."""
        ticket = ctx.state.pop(PENDING_TICKET, None)
        secret = tickets.secret_only(text)
        if not isinstance(ticket, str) or secret is None:
            return None
        return await self._lookup(ctx, ticket, secret, ask=False)

    async def _status_reply(self, ctx: Context, complaint: Complaint) -> Reply:
        """Stage, last action (with its time) and what comes next, by when."""
        office, content = complaint.office_code, ctx.content
        when = self.offices.targets.when
        stage = content.render(f"complaint_status.{complaint.status}", {
            "ticket": complaint.ticket, "office": self.offices.name(office)},
            buttons=[content.button("menu")])
        lines = [stage.text]
        last = await complainant_cases.last_public_event(ctx.session, complaint.id,
                                                         PUBLIC_EVENTS)
        if last is not None:
            action = content.render(f"complaint_status.action.{last.kind}").text
            lines.append(content.render("complaint_status.last_action", {
                "action": action, "when": when(office, last.created_at)}).text)
        lines += [content.render(key, {"due": when(office, due)}).text
                  for key, due in _next_step(complaint)]
        return Reply(stage.key, "\n".join(lines), stage.buttons)

    # -- handoff ------------------------------------------------------------------------
    async def prefetch(self, session: AsyncSession, user_ids: Sequence[int]) -> None:
        """A batch of turns: every user's open handoff case in one query."""
        await complainant_cases.prefetch_open_handoff_cases(session, user_ids)

    async def human_handoff(self, ctx: Context, _parse: Parse) -> list[Reply]:
        case = await complainant_cases.open_handoff_case(ctx.session, ctx.user.id)
        if case is not None:
            return [ctx.render("human_handoff.attached", ticket=case.ticket)]
        buttons = [ctx.content.button("complaint"), ctx.content.button("emergency"),
                   ctx.content.button("menu")]
        return [ctx.content.render("human_handoff.offer", buttons=buttons)]

    async def handoff(self, ctx: Context, text: str) -> list[Reply] | None:
        """Interceptor: attach the message to the user's open case (bot stays quiet)."""
        if text.strip().lower() in _ESCAPE:
            return None
        case = await complainant_cases.open_handoff_case(ctx.session, ctx.user.id)
        if case is None:
            return None
        await attach_message(ctx.session, case, text, user=ctx.user,
                             channel=ctx.message.channel)
        return [ctx.render("human_handoff.attached", ticket=case.ticket)]

    # -- deletion -----------------------------------------------------------------------
    async def ask_delete(self, ctx: Context, text: str) -> list[Reply] | None:
        """Interceptor: "hapus data saya" -> confirmation buttons."""
        if not _DELETE.search(text):
            return None
        title = ctx.content.title
        buttons = [Button(title("delete_data.yes"), f"{DELETE_NAME}:yes"),
                   Button(title("delete_data.no"), f"{DELETE_NAME}:no")]
        return [ctx.content.render("delete_data.confirm", buttons=buttons)]

    async def on_button(self, ctx: Context, payload: str) -> list[Reply]:
        if payload != f"{DELETE_NAME}:yes":
            return [ctx.render("delete_data.kept")]
        await delete_personal_data(ctx.session, ctx.user, media=self.media)
        ctx.state.clear()
        ctx.state["welcomed"] = True
        return [ctx.content.render("delete_data.done", buttons=[ctx.content.button("menu")])]

    async def on_text(self, ctx: Context, text: str) -> list[Reply]:
        ctx.end_flow()  # never started as a flow; only its buttons are routed here
        return [ctx.render("menu")]
