"""The agency check conversation: ask for a name or SIP3MI number, answer with the verdict,
offer candidates for near matches and a report for unknown or problem agencies.

Entry points: the `agency_check` intent or menu button (IntentAction), an agency name inside
free text (Interceptor), and the flow's buttons (payloads "agency:..."). The flow ends after
each answer; the last check stays in state["agency_last"] so its buttons keep working.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.core.agencies.matching import (
    AMBIGUOUS,
    LICENSE_PROBLEM,
    NOT_FOUND,
    REGISTERED,
    CheckResult,
    display_name,
)
from bot.core.agencies.mentions import Mention, find_mention
from bot.core.agencies.service import AgencyService, Outcome, Snapshot
from bot.core.content import MENU_KEY, format_date
from bot.core.context import Context
from bot.core.messages import Button, Reply
from bot.core.nlu import Parse

NAME = "agency"
LAST = "agency_last"
CANCEL = frozenset({"batal", "menu", "keluar", "stop", "tidak jadi", "gak jadi", "ga jadi"})
_MAX_CHECKS = 6
_LEAVE_FLOW_CONFIDENCE = 0.6
_LEAVE_FOR_COMPLAINT = 0.35
_COMPLAINT_INTENTS = frozenset({"complaint", "complaint_status", "human_handoff"})


class AgencyFlow:
    """Flow "agency" plus its intent action and free-text interceptor."""

    name = NAME

    def __init__(self, service: AgencyService) -> None:
        self.service = service

    # -- entry points -------------------------------------------------------------------
    async def action(self, ctx: Context, parse: Parse) -> list[Reply]:
        """agency_check intent or menu button: check at once if a name/number was given."""
        if not ctx.message.button and ctx.message.text:
            snap = await self.service.snapshot(ctx.session)
            mention = find_mention(ctx.message.text)
            outcome = self._best(snap, mention)
            if outcome is not None and (outcome.result.verdict != NOT_FOUND or _explicit(mention)):
                return self._answer(ctx, outcome)
        ctx.start_flow(NAME)
        return [ctx.render("agency_check.ask")]

    async def intercept(self, ctx: Context, text: str) -> list[Reply] | None:
        """Answer when a message names an agency; otherwise let the NLU handle it."""
        mention = find_mention(text)
        if mention.empty:
            return None
        snap = await self.service.snapshot(ctx.session)
        if snap is None:
            return None
        outcome = self._best(snap, mention)
        if outcome is None:
            return None
        verdict = outcome.result.verdict
        strong = mention.has_legal_form or mention.has_cue or outcome.result.by_number
        if verdict in (REGISTERED, LICENSE_PROBLEM):
            several_words = len(outcome.result.query.split()) >= 2
            return self._answer(ctx, outcome) if strong or several_words else None
        if verdict == AMBIGUOUS and (strong or (
                mention.asks_licence and len(outcome.result.query.split()) >= 3)):
            return self._answer(ctx, outcome)
        if verdict == NOT_FOUND and _explicit(mention):
            return self._answer(ctx, outcome)
        return None

    # -- Flow protocol -------------------------------------------------------------------
    async def on_text(self, ctx: Context, text: str) -> list[Reply] | None:
        if text.strip().lower() in CANCEL:
            ctx.end_flow()
            return [ctx.render(MENU_KEY)]
        snap = await self.service.snapshot(ctx.session)
        mention = find_mention(text)
        outcome = self._best(snap, mention) or self.service.check_in(snap, text)
        if outcome.result.verdict == NOT_FOUND and not _explicit(mention):
            parse = await ctx.parse(text)
            if _asks_something_else(parse) and not parse.intent.startswith("agency"):
                ctx.end_flow()
                return None  # the engine answers it (a complaint starts the intake)
        return self._answer(ctx, outcome)

    async def on_button(self, ctx: Context, payload: str) -> list[Reply]:
        command, _, arg = payload.partition(":")[2].partition(":")
        last: dict[str, Any] = ctx.state.get(LAST) or {}
        snap = await self.service.snapshot(ctx.session)
        if command == "pick" and arg.isdecimal() and int(arg) < len(last.get("candidates", [])):
            return self._answer(ctx, self.service.check_in(snap, last["candidates"][int(arg)]))
        if command == "none" and last.get("query"):
            empty = self.service.check_in(snap, "").result
            return self._answer(ctx, Outcome(_not_found(empty, last["query"]), snap))
        if command == "report" and last.get("query"):
            await self.service.report(
                ctx.session, query=last["query"], verdict=last.get("verdict", NOT_FOUND),
                matched_name=last.get("matched"), user_id=ctx.user.id,
                district=_district(ctx), referral=ctx.user.referral,
                channel=ctx.message.channel,
            )
            ctx.state.pop(LAST, None)
            return [ctx.render("agency_check.reported", query=last["query"])]
        if command == "report":
            return [ctx.render("agency_check.nothing_to_report")]
        ctx.start_flow(NAME)
        return [ctx.render("agency_check.ask")]

    # -- helpers -------------------------------------------------------------------------
    def _best(self, snap: Snapshot | None, mention: Mention) -> Outcome | None:
        """The most telling check among the numbers and names found in a message: an exact
        match wins, then the nearest candidate; None when nothing was found."""
        best: Outcome | None = None
        # A company named after "PT" is what the user asks about: other word runs of the
        # same message are not checked, so a look-alike is never answered by a neighbour.
        names = mention.after_legal or mention.names
        queries = [*mention.numbers[:3], *names[:3]][:_MAX_CHECKS]
        for query in queries:
            outcome = self.service.check_in(snap, query)
            if outcome.result.verdict in (REGISTERED, LICENSE_PROBLEM):
                return outcome
            if best is None or _rank(outcome) > _rank(best):
                best = outcome
        if best is not None and best.result.verdict == NOT_FOUND and names:
            best = self.service.check_in(snap, names[0])
        return best

    def _answer(self, ctx: Context, outcome: Outcome) -> list[Reply]:
        ctx.end_flow()
        result, snap = outcome.result, outcome.snapshot
        if snap is None:
            return [ctx.render("agency_check.unavailable")]
        note = self._note(ctx, snap)
        query = result.query.strip()[:80]
        ctx.state[LAST] = {"query": query, "verdict": result.verdict,
                           "matched": result.best.agency.name if result.best else None,
                           "candidates": [m.agency.name for m in result.matches]}
        again = self._button(ctx, "agency_check.button.again", "agency:ask")
        report = self._button(ctx, "agency_check.button.report", "agency:report")
        menu = ctx.content.button(MENU_KEY)
        best = result.best
        if result.verdict == REGISTERED and best is not None:
            agency = best.agency
            expires = (format_date(agency.expires) if agency.expires
                       else ctx.content.fill(ctx.content.entries["agency_check.no_end_date"].text))
            place = ", ".join(p for p in (agency.city, agency.province) if p) or "-"
            return [ctx.content.render("agency_check.registered", {
                "name": display_name(agency.name), "number": agency.sip3mi, "expires": expires,
                "place": place, "register_note": note})]
        if result.verdict == LICENSE_PROBLEM and best is not None:
            status = ctx.content.entries[f"agency_check.status.{best.status}"].text
            return [ctx.content.render("agency_check.license_problem", {
                "name": display_name(best.agency.name), "number": best.agency.sip3mi,
                "status": status,
                "register_note": note}, buttons=[report, again, menu])]
        if result.verdict == AMBIGUOUS:
            lines = []
            buttons: list[Button] = []
            for i, match in enumerate(result.matches):
                label = ctx.content.entries[f"agency_check.label.{match.status}"].text
                place = match.agency.city or match.agency.province
                where = f", {place}" if place else ""
                name, number = display_name(match.agency.name), match.agency.sip3mi
                lines.append(f"{i + 1}. {name} ({number}{where}): {label}")
                # The names are in the numbered list; a button only says which number.
                pick = ctx.content.fill(ctx.content.title("agency_check.button.pick"),
                                        {"n": i + 1})
                buttons.append(Button(pick, f"agency:pick:{i}"))
            buttons.append(self._button(ctx, "agency_check.button.none", "agency:none"))
            return [ctx.content.render("agency_check.ambiguous", {
                "query": query, "candidates": "\n".join(lines), "register_note": note},
                buttons=buttons)]
        return [ctx.content.render("agency_check.not_found", {
            "query": query, "register_note": note}, buttons=[report, again, menu])]

    def _note(self, ctx: Context, snap: Snapshot) -> str:
        as_of = format_date(snap.as_of)
        if snap.demo:
            return ctx.content.fill(ctx.content.entries["agency_check.register_demo"].text,
                                    {"as_of": as_of})
        return ctx.content.fill(ctx.content.entries["agency_check.register_note"].text,
                                {"as_of": as_of, "source": snap.source})

    @staticmethod
    def _button(ctx: Context, key: str, payload: str) -> Button:
        return Button(ctx.content.title(key), payload)


def _asks_something_else(parse: Parse) -> bool:
    """Not an agency name but a question or request of its own: a confident intent, or a
    complaint ("mau lapor agen nipu") at a lower confidence, since a complaint typed into
    the agency check must reach the intake, not be checked as a name."""
    floor = _LEAVE_FOR_COMPLAINT if parse.intent in _COMPLAINT_INTENTS else _LEAVE_FLOW_CONFIDENCE
    return parse.confidence >= floor


def _rank(outcome: Outcome) -> tuple[int, float]:
    order = {REGISTERED: 3, LICENSE_PROBLEM: 3, AMBIGUOUS: 2, NOT_FOUND: 1}
    best = outcome.result.best
    return order[outcome.result.verdict], best.score if best else 0.0


def _explicit(mention: Mention) -> bool:
    """The user clearly named an agency ("PT ...") or typed a licence number."""
    return bool(mention.numbers) or bool(mention.after_legal)


def _not_found(result: CheckResult, query: str) -> CheckResult:
    return replace(result, query=query, verdict=NOT_FOUND, matches=())


def _district(ctx: Context) -> str | None:
    value = ctx.state.get("district")
    return str(value) if value else None

