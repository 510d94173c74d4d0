"""The one question after "resolved" (Flow "satisfaction", payloads
"satisfaction:<puas|tidak_puas>:<complaint id>" and "satisfaction:skip").

The resolved notice carries the two buttons. An answer is taken once per resolution, only
from the complainant of that case. "tidak puas" reopens the case at once, escalated, so it
shows up with the supervisor's badge at the top of the office queue, with a new
resolution target. Either answer then invites an optional comment: the next text is kept
with the answer (and, for "tidak puas", as a message on the case for the handler);
"Lewati", "menu" or "batal" ends it without one.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.complaints import updates
from bot.core.complaints.rules import Offices
from bot.core.context import Context
from bot.core.messages import Button, Reply
from storage.models import utcnow
from storage.models.complaints import Complaint
from storage.repositories import complaint_queue, complaint_records
from storage.repositories.complaint_records import Actor

NAME = updates.SATISFACTION
MAX_COMMENT = 1000
_END_WORDS = frozenset({"lewati", "skip", "menu", "batal", "tidak", "tidak ada", "gak"})


class SatisfactionFlow:
    name = NAME

    def __init__(self, offices: Offices) -> None:
        self.offices = offices

    async def on_button(self, ctx: Context, payload: str) -> list[Reply]:
        parts = payload.split(":")
        if len(parts) != 3 or parts[1] not in updates.ANSWERS or not parts[2].isdecimal():
            ctx.end_flow()
            return [ctx.render("satisfaction.done")]
        answer, complaint_id = parts[1], int(parts[2])
        complaint = await self._answerable(ctx, complaint_id)
        if complaint is None:
            return [ctx.render("satisfaction.unavailable")]
        actor = Actor("complainant", str(ctx.user.id), ctx.message.channel)
        await _record(ctx.session, complaint.id, answer=answer)
        await complaint_records.add_event(ctx.session, complaint.id, "satisfaction", actor,
                                          body=answer)
        key = "satisfaction.thanks"
        if answer == "tidak_puas":
            await complaint_queue.compare_and_set(
                ctx.session, complaint.id, expected=("resolved", "closed"),
                new_status="reopened", kind="reopened_unsatisfied", actor=actor,
                assigned_to=None, resolved_at=None, bot_released=False, escalated=True,
                **updates.restart_targets(self.offices, complaint))
            key = "satisfaction.reopened"
        ctx.start_flow(NAME, complaint_id=complaint.id, answer=answer)
        skip = Button(ctx.content.title("satisfaction.skip"), f"{NAME}:skip")
        return [ctx.content.render(key, {"ticket": complaint.ticket}, buttons=[skip])]

    async def on_text(self, ctx: Context, text: str) -> list[Reply]:
        data = dict(ctx.flow_data)
        ctx.end_flow()
        if text.strip().lower() in _END_WORDS or not isinstance(data.get("complaint_id"), int):
            return [ctx.render("satisfaction.done")]
        complaint = await ctx.session.get(Complaint, data["complaint_id"])
        if complaint is None or complaint.user_id != ctx.user.id:
            return [ctx.render("satisfaction.done")]
        comment = text.strip()[:MAX_COMMENT]
        await _record(ctx.session, complaint.id, comment=comment)
        actor = Actor("complainant", str(ctx.user.id), ctx.message.channel)
        await complaint_records.add_event(ctx.session, complaint.id, "satisfaction_comment",
                                          actor, body=comment)
        if data.get("answer") == "tidak_puas":
            await complaint_records.add_message(ctx.session, complaint.id, "complainant",
                                                comment)
        return [ctx.render("satisfaction.comment_saved", ticket=complaint.ticket)]

    @staticmethod
    async def _answerable(ctx: Context, complaint_id: int) -> Complaint | None:
        """The complainant's own resolved case, not yet rated since it was resolved."""
        complaint = await ctx.session.get(Complaint, complaint_id)
        if complaint is None:
            return None
        await ctx.session.refresh(complaint)
        if complaint.user_id != ctx.user.id or complaint.status not in ("resolved", "closed"):
            return None
        rated, resolved = complaint.satisfaction_at, complaint.resolved_at
        if rated is not None and (resolved is None or rated >= resolved):
            return None
        return complaint


async def _record(session: AsyncSession, complaint_id: int, *, answer: str | None = None,
                  comment: str | None = None) -> None:
    values: dict[str, object] = {"satisfaction_comment": comment}
    if answer is not None:
        values.update(satisfaction=answer, satisfaction_at=utcnow())
    await session.execute(update(Complaint).where(Complaint.id == complaint_id)
                          .values(**values).execution_options(synchronize_session=False))
