"""Dashboard actions (POST, CSRF-checked by the middleware): claim, claim next, reply,
request info, internal note, release, reassign, escalate, resolve, close, reopen,
release to the bot.

Each action runs in one transaction through bot.core.complaints.casework, which
applies the lifecycle rules, scopes the case to the staff member's office (another
office's case -> 404), writes the complaint event (the audit trail) and, for replies,
the outbox row. The browser is then redirected (303) back to the case with a short
notice; a refused action keeps its HTTP status (403 not allowed, 404 not found, 409
conflict) on the case page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.complaints.casework import CaseError, Casework, Conflict, Forbidden, NotFound
from bot.dashboard.app import FLASH_KEY, current_staff, redirect, state
from bot.dashboard.canned import DashboardConfig
from bot.dashboard.labels import FLASH
from storage.models.complaints import Staff
from storage.repositories import staff as staff_repo

MAX_TEXT = 4000


@dataclass
class Act:
    """One action request: its transaction, the case work service, who, which case, form."""

    db: AsyncSession
    work: Casework
    staff: Staff
    cid: int
    form: dict[str, str]
    config: DashboardConfig


Action = Callable[[Act], Awaitable[str]]


def _text(form: dict[str, str], name: str = "body") -> str:
    text = form.get(name, "").strip()
    if not text:
        raise CaseError("empty_text")
    if len(text) > MAX_TEXT:
        raise CaseError("too_long")
    return text


def _optional(form: dict[str, str]) -> str | None:
    return form.get("body", "").strip()[:MAX_TEXT] or None


def _reply_text(a: Act, ticket: str) -> str:
    """The typed text, or the chosen canned reply when nothing was typed."""
    if a.form.get("body", "").strip():
        return _text(a.form)
    key = a.form.get("canned", "")
    for canned in a.config.filled(a.work.content, ticket):
        if canned.key == key:
            return canned.text
    raise CaseError("empty_text")


async def _claim(a: Act) -> str:
    await a.work.claim(a.db, a.staff, a.cid)
    return "claimed"


async def _reply(a: Act) -> str:
    case = await a.work.case(a.db, a.staff, a.cid)
    request_info = a.form.get("mode") == "request_info"
    await a.work.reply(a.db, a.staff, a.cid, _reply_text(a, case.complaint.ticket),
                     request_info=request_info)
    return "info_requested" if request_info else "replied"


async def _note(a: Act) -> str:
    await a.work.note(a.db, a.staff, a.cid, _text(a.form))
    return "noted"


async def _release(a: Act) -> str:
    await a.work.release(a.db, a.staff, a.cid)
    return "released"


async def _reassign(a: Act) -> str:
    target = a.form.get("handler", "")
    if target.isdecimal():
        handler = await staff_repo.get_staff(a.db, int(target))
        if handler is None or handler.office_code != a.staff.office_code:
            raise CaseError("not_allowed")
        await a.work.reassign(a.db, a.staff, a.cid, handler=handler)
    elif a.form.get("office"):
        await a.work.reassign(a.db, a.staff, a.cid, office_code=a.form["office"])
    else:
        raise CaseError("not_allowed")
    return "reassigned"


async def _escalate(a: Act) -> str:
    await a.work.escalate(a.db, a.staff, a.cid, a.form.get("body", "").strip()[:MAX_TEXT])
    return "escalated"


async def _resolve(a: Act) -> str:
    await a.work.resolve(a.db, a.staff, a.cid, _optional(a.form))
    return "resolved"


async def _close(a: Act) -> str:
    await a.work.close(a.db, a.staff, a.cid, _optional(a.form))
    return "closed"


async def _reopen(a: Act) -> str:
    await a.work.reopen(a.db, a.staff, a.cid, _optional(a.form))
    return "reopened"


async def _to_bot(a: Act) -> str:
    await a.work.release_to_bot(a.db, a.staff, a.cid)
    return "released_to_bot"


ACTIONS: dict[str, Action] = {
    "claim": _claim, "reply": _reply, "note": _note, "release": _release,
    "reassign": _reassign, "escalate": _escalate, "resolve": _resolve, "close": _close,
    "reopen": _reopen, "release-bot": _to_bot,
}


async def _form(request: web.Request) -> dict[str, str]:
    """The form's text fields; browsers send a textarea's line breaks as CRLF, kept as LF."""
    raw = await request.post()
    return {k: v.replace("\r\n", "\n") for k, v in raw.items() if isinstance(v, str)}


async def case_action(request: web.Request) -> web.StreamResponse:
    """POST /staff/case/{id}/{action}."""
    dash, me = state(request), current_staff(request)
    action = ACTIONS.get(request.match_info["action"])
    try:
        cid = int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    if action is None:
        raise web.HTTPNotFound()
    form = await _form(request)
    try:
        async with dash.bot.sessions() as db, db.begin():
            staff = await staff_repo.get_staff(db, me.id)
            if staff is None:
                raise Forbidden("account gone")
            done = await action(Act(db, dash.casework, staff, cid, form, dash.config))
    except NotFound:
        raise web.HTTPNotFound() from None
    except CaseError as exc:
        return await _refused(request, cid, exc)
    return redirect(f"/staff/case/{cid}?done={done}")


async def _refused(request: web.Request, cid: int, exc: CaseError) -> web.StreamResponse:
    """Show the case again with the reason, keeping the HTTP status of the refusal."""
    from bot.dashboard.views import case_page

    key = str(exc.args[0]) if exc.args and str(exc.args[0]) in FLASH else None
    if key is None:
        key = "conflict" if isinstance(exc, Conflict) else "not_allowed"
    status = exc.status if isinstance(exc, Conflict | Forbidden) else 400
    request[FLASH_KEY] = (FLASH[key], "error")
    response = await case_page(request)
    response.set_status(status)
    return response


async def claim_next(request: web.Request) -> web.StreamResponse:
    """POST /staff/claim-next: take the most urgent, then oldest, case of the office."""
    dash, me = state(request), current_staff(request)
    async with dash.bot.sessions() as db, db.begin():
        staff = await staff_repo.get_staff(db, me.id)
        if staff is None:
            raise web.HTTPForbidden()
        complaint = await dash.casework.claim_next(db, staff)
    if complaint is None:
        return redirect("/staff/queue/new?done=empty_queue")
    return redirect(f"/staff/case/{complaint.id}?done=claimed")
