"""The complaint intake conversation (Flow "complaint", payloads "complaint:...").

Consent first (UU 27/2022), then one question per step, buttons where possible; "batal"
cancels and "kembali" goes back at every step, "lewati" skips optional steps, a number picks
the n-th button. Progress lives in the user's persisted state (state["flow_data"]), so an
intake survives a restart and resumes. On confirmation the complaint, its event and ticket
are written in the engine's turn transaction.

Emergencies: the engine answers them before the flow and sets state["emergency_seen"]
(the complaint is then filed urgent); a message that triggered the emergency answer is kept
in state["emergency_text"] and taken as the story (or added to it) when the user goes on.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from bot.core.agencies.service import AgencyService
from bot.core.complaints.rules import AFFECTED, CATEGORIES, AlreadyFiled, Offices, file_complaint
from bot.core.context import Context
from bot.core.messages import Button, Reply
from storage.repositories.complaint_records import add_event

NAME = "complaint"
STEPS = ("consent", "affected", "category", "agency", "country", "city", "province",
         "district", "description", "evidence", "contact", "confirm")
COUNTRIES = ("Malaysia", "Arab Saudi", "Taiwan", "Hong Kong", "Korea Selatan", "Indonesia")
PROVINCES = ("Jawa Timur", "Jawa Tengah", "Jawa Barat", "Nusa Tenggara Barat",
             "Nusa Tenggara Timur", "Lampung")
OPTIONAL = frozenset({"agency", "city", "district", "evidence"})
CANCEL_WORDS = frozenset({"batal", "batalkan", "stop", "tidak jadi", "gak jadi", "ga jadi"})
BACK_WORDS = frozenset({"kembali", "balik", "mundur"})
SKIP_WORDS = frozenset({"lewati", "lewat", "skip", "tidak ada", "gak ada", "ga ada", "tidak tahu"})
MAX_EVIDENCE = 5
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MIN_STORY = 10


@dataclass(frozen=True)
class Step:
    prompt: str
    options: tuple[tuple[str, str], ...] = ()  # (value, button title or content key)


def _step(name: str) -> Step:
    if name == "consent":
        return Step("complaint.consent", (("yes", "complaint.consent_yes"),))
    if name == "affected":
        return Step("complaint.ask_affected", tuple((a, f"complaint.affected.{a}")
                                                   for a in AFFECTED))
    if name == "category":
        return Step("complaint.ask_category", tuple((c, f"complaint.category.{c}")
                                                   for c in CATEGORIES))
    if name == "country":
        return Step("complaint.ask_country", tuple((c, c) for c in COUNTRIES))
    if name == "province":
        return Step("complaint.ask_province", tuple((p, p) for p in PROVINCES))
    if name == "contact":
        return Step("complaint.ask_contact", (("chat", "complaint.contact_chat"),))
    if name == "confirm":
        return Step("complaint.summary", (("yes", "complaint.confirm_button"),))
    return Step(f"complaint.ask_{name}")


class ComplaintFlow:
    """Flow "complaint" and its entry point (the `complaint` intent action)."""

    name = NAME
    accepts_media = True  # photos/documents without a caption reach the evidence step

    def __init__(self, offices: Offices, agencies: AgencyService | None = None) -> None:
        self.offices = offices
        self.agencies = agencies

    async def start(self, ctx: Context, _parse: object = None) -> list[Reply]:
        """Intent action "complaint": resume an unfinished intake, else ask for consent."""
        if ctx.flow == NAME and ctx.flow_data.get("step") in STEPS:
            self._keep_emergency_text(ctx)
            answers = ctx.flow_data.setdefault("answers", {})
            if ctx.flow_data.get("step") == "description" and answers.get("notes"):
                answers["description"] = answers.pop("notes")
                return [ctx.render("complaint.resumed"), self._next(ctx)]
            return [ctx.render("complaint.resumed"), self._prompt(ctx)]
        ctx.start_flow(NAME, step="consent", answers={}, history=[],
                       intake=secrets.token_hex(12))
        return [self._prompt(ctx)]

    async def on_button(self, ctx: Context, payload: str) -> list[Reply]:
        if ctx.flow != NAME:
            return await self.start(ctx)
        parts = payload.split(":")
        action = parts[1] if len(parts) > 1 else ""
        if action == "pick" and len(parts) >= 4 and parts[2] != ctx.flow_data.get("step"):
            return [self._prompt(ctx)]  # a stale button from an earlier step
        value = ":".join(parts[3:]) if action == "pick" else None
        return await self._act(ctx, action, value)

    async def on_text(self, ctx: Context, text: str) -> list[Reply]:
        norm = " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
        if norm in CANCEL_WORDS:
            return await self._act(ctx, "cancel", None)
        if norm in BACK_WORDS:
            return await self._act(ctx, "back", None)
        if norm in SKIP_WORDS:
            return await self._act(ctx, "skip", None)
        step = _step(ctx.flow_data.get("step", "consent"))
        if norm.isdecimal() and step.options:
            index = int(norm) - 1
            if 0 <= index < len(step.options):
                return await self._act(ctx, "pick", step.options[index][0])
        return await self._act(ctx, "text", text.strip())

    # -- steps --------------------------------------------------------------------------
    async def _act(self, ctx: Context, action: str, value: str | None) -> list[Reply]:
        data = ctx.flow_data
        step = str(data.get("step", "consent"))
        answers: dict[str, Any] = data.setdefault("answers", {})
        if action == "cancel":
            ctx.end_flow()
            ctx.state.pop("emergency_seen", None)
            ctx.state.pop("emergency_text", None)
            return [ctx.render("complaint.cancelled")]
        if action == "back":
            history: list[str] = data.setdefault("history", [])
            if history:
                data["step"] = history.pop()
            return [self._prompt(ctx)]
        self._keep_emergency_text(ctx)
        if step == "description" and answers.get("notes") and (action != "text" or not value):
            # The story told as an emergency is the description once the user goes on, by a
            # button or by sending a photo (which is then the first piece of evidence).
            answers["description"] = answers.pop("notes")
            prompt = self._next(ctx)
            if data.get("step") == "evidence" and self._take_media(ctx, answers):
                return [self._evidence_saved(ctx, answers)]
            return [prompt]
        if step == "confirm" and action == "pick" and value == "yes":
            return await self._file(ctx)
        options = dict(_step(step).options)
        if action == "pick" and value in options:
            answers[step] = None if value == "chat" else value
        elif action == "skip" and step in OPTIONAL:
            answers.setdefault(step, None)
        elif action == "next" and step == "evidence":
            pass
        elif step == "evidence" and self._take_media(ctx, answers):
            return [self._evidence_saved(ctx, answers)]
        elif action == "text" and value and step not in ("consent", "affected", "category",
                                                         "confirm"):
            if step == "description" and len(value) < MIN_STORY:
                return [ctx.render("complaint.too_short"), self._prompt(ctx)]
            if step == "province":
                value = self.offices.match_province(value) or value
            answers[step] = value[:2000] if step == "description" else value[:200]
            if step == "agency" and self.agencies is not None:
                return [await self._agency_note(ctx, value[:200], answers), self._next(ctx)]
        else:
            return [ctx.render("complaint.invalid_choice"), self._prompt(ctx)]
        return [self._next(ctx)]

    def _evidence_saved(self, ctx: Context, answers: dict[str, Any]) -> Reply:
        n = len(answers.get("evidence") or ())
        return ctx.content.render("complaint.evidence_saved", {"count": n},
                                  buttons=self._buttons(ctx, "evidence", nxt=True))

    @staticmethod
    def _keep_emergency_text(ctx: Context) -> None:
        """A message answered as an emergency is kept as a note for the story."""
        pending = ctx.state.pop("emergency_text", None)
        if isinstance(pending, str) and pending.strip():
            answers = ctx.flow_data.setdefault("answers", {})
            notes = f"{answers.get('notes') or ''}\n{pending.strip()}".strip()
            answers["notes"] = notes[-2000:]

    def _next(self, ctx: Context) -> Reply:
        data = ctx.flow_data
        step = str(data.get("step"))
        data.setdefault("history", []).append(step)
        data["step"] = STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)]
        return self._prompt(ctx)

    def _take_media(self, ctx: Context, answers: dict[str, Any]) -> bool:
        """Evidence from Message.meta["media"] (list of {ref, mime, size}) or .media."""
        items = ctx.message.meta.get("media") or (
            [{"ref": ctx.message.media}] if ctx.message.media else [])
        kept = [i for i in items if isinstance(i, dict) and i.get("ref")
                and int(i.get("size") or 0) <= MAX_EVIDENCE_BYTES]
        if not kept:
            return False
        answers["evidence"] = (list(answers.get("evidence") or []) + kept)[:MAX_EVIDENCE]
        return True

    def _buttons(self, ctx: Context, step: str, nxt: bool = False) -> list[Button]:
        title = ctx.content.title
        buttons = [Button(title(label) if ctx.content.has(label) else label,
                          f"{NAME}:pick:{step}:{value}") for value, label in _step(step).options]
        if nxt:
            buttons.append(Button(title("complaint.next_button"), f"{NAME}:next"))
        if step in OPTIONAL and not nxt:
            buttons.append(Button(title("complaint.skip_button"), f"{NAME}:skip"))
        if step != "consent":
            buttons.append(Button(title("complaint.back_button"), f"{NAME}:back"))
        buttons.append(Button(title("complaint.cancel_button"), f"{NAME}:cancel"))
        return buttons

    def _prompt(self, ctx: Context) -> Reply:
        step = str(ctx.flow_data.get("step", "consent"))
        params = self._summary(ctx) if step == "confirm" else {}
        return ctx.content.render(_step(step).prompt, params, buttons=self._buttons(ctx, step))

    def _summary(self, ctx: Context) -> dict[str, object]:
        a = ctx.flow_data.get("answers", {})
        title = ctx.content.title
        dash = "-"
        place = ", ".join(x for x in (a.get("city"), a.get("country")) if x) or dash
        origin = ", ".join(x for x in (a.get("district"), a.get("province")) if x) or dash
        return {
            "category": title(f"complaint.category.{a.get('category', 'other')}"),
            "affected": title(f"complaint.affected.{a.get('affected', 'self')}"),
            "agency": a.get("agency") or dash, "place": place, "origin": origin,
            "description": (a.get("description") or dash)[:300],
            "contact": a.get("contact") or title("complaint.contact_chat"),
        }

    async def _agency_note(self, ctx: Context, name: str, answers: dict[str, Any]) -> Reply:
        """Check the named agency against the register; the verdict goes to the handler."""
        assert self.agencies is not None
        outcome = await self.agencies.check(name, ctx.session)
        verdict = outcome.result.verdict
        best = outcome.result.matches[0].agency.name if outcome.result.matches else None
        answers["agency_check"] = {"verdict": verdict, "match": best,
                                   "demo": bool(outcome.snapshot and outcome.snapshot.demo)}
        return ctx.content.render(f"complaint.agency_note.{verdict}", {"name": name})

    async def _file(self, ctx: Context) -> list[Reply]:
        answers = dict(ctx.flow_data.get("answers", {}))
        if answers.get("notes"):
            answers["description"] = f"{answers.get('description') or ''}\n\n{answers['notes']}"
        emergency = bool(ctx.state.pop("emergency_seen", False))
        intake = ctx.flow_data.setdefault("intake", secrets.token_hex(12))
        try:
            complaint, secret = await file_complaint(
                ctx.session, answers=answers, user=ctx.user, channel=ctx.message.channel,
                offices=self.offices, emergency_seen=emergency, intake_id=str(intake),
                description_for_triage=ctx.nlu.normalise(str(answers.get("description") or "")))
        except AlreadyFiled as done:  # a repeated or concurrent "confirm": one complaint
            ctx.end_flow()
            ctx.state["last_ticket"] = done.complaint.ticket
            return [ctx.content.render(
                f"complaint_status.{done.complaint.status}",
                {"ticket": done.complaint.ticket,
                 "office": self.offices.name(done.complaint.office_code)},
                buttons=[ctx.content.button("emergency"), ctx.content.button("menu")])]
        checked = answers.get("agency_check")
        if isinstance(checked, dict):
            await add_event(ctx.session, complaint.id, "agency_checked",
                            body=f"{checked['verdict']}: {checked.get('match') or '-'}"
                                 + (" (register demo)" if checked.get("demo") else ""))
        ctx.end_flow()
        key = "complaint.filed_urgent" if complaint.urgent else "complaint.filed"
        ctx.state["last_ticket"] = complaint.ticket
        return [ctx.content.render(key, {
            "ticket": complaint.ticket, "secret": secret,
            "office": self.offices.name(complaint.office_code),
            "due": self.offices.targets.when(complaint.office_code,
                                             complaint.first_response_due or complaint.created_at)},
            buttons=[ctx.content.button("emergency"), ctx.content.button("menu")])]
