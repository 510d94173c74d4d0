"""The advert check in chat: a forwarded advert (long text with job, pay and contact cues)
or a picture sent outside a flow that takes media is checked and answered with reply key
`ad_check.<risk>` on one screen, with buttons "Cek P3MI", "Laporkan lowongan ini", "Menu".
"Laporkan lowongan ini" (payload "ad:report") stores the last checked advert, its flags and
the user's district, for the staff early-warning page.
"""

from __future__ import annotations

from typing import Any

from bot.core.adverts.detector import looks_like_advert
from bot.core.adverts.grouping import normalise
from bot.core.adverts.service import AdvertChecker, AdvertError, Verdict
from bot.core.agencies.matching import REGISTERED, Register
from bot.core.agencies.service import AgencyService, Snapshot
from bot.core.content import MENU_KEY, format_date
from bot.core.context import Context
from bot.core.messages import Button, Reply
from storage import media as media_store
from storage.media import is_image
from storage.repositories import adverts as repo

NAME = "ad"
LAST = "ad_last"
MAX_KEPT_CHARS = 6000
MAX_LINES = 5
_ERRORS = {"not_picture": "ad_check.not_picture", "too_large": "ad_check.too_large"}
REJECTED = "rejected:"  # a channel's reference for a file it refused ("rejected:size", "...type")


class AdvertFlow:
    """Interceptor for forwarded adverts, media handler for pictures, and the "ad:" buttons."""

    name = NAME

    def __init__(self, checker: AdvertChecker, agencies: AgencyService) -> None:
        self.checker = checker
        self.agencies = agencies

    async def _register(self, ctx: Context) -> Register:
        snap = await self.agencies.snapshot(ctx.session)
        ctx.extras["ad_register"] = snap
        return snap.register if snap else Register(())

    async def intercept(self, ctx: Context, text: str) -> list[Reply] | None:
        if not looks_like_advert(text, self.checker.lexicon):
            return None
        try:
            verdict = self.checker.check_text(text, await self._register(ctx))
        except AdvertError:
            return None
        return [self._answer(ctx, verdict)]

    async def on_media(self, ctx: Context) -> list[Reply] | None:
        """A picture: check the text its channel read from it when it arrived (OCR never
        runs inside the turn's transaction); a picture not read asks for the text. None
        when the message holds no picture (voice, sticker): the engine answers as before."""
        items = ctx.message.meta.get("media")
        pictures = [m for m in items if isinstance(m, dict)] if isinstance(items, list) else []
        if not pictures:
            return None
        item = pictures[0]
        ref, mime = str(item.get("ref", "")), str(item.get("mime") or "")
        if not (mime.startswith("image/") or mime == "application/pdf" or not mime):
            return None  # a voice note or video: the engine's usual answer
        if ref.startswith(REJECTED):  # the channel refused the file: its reason is the answer
            reason = ref[len(REJECTED):]
            return [ctx.render(_ERRORS.get("too_large" if reason == "size" else "not_picture",
                                           "ad_check.not_picture"))]
        row = await media_store.get(ctx.session, ref)
        if row is None:  # not fetched (the platform failed): ask for the text
            return [ctx.render("ad_check.unreadable")] if mime.startswith("image/") else None
        if not is_image(row.mime):
            return [ctx.render("ad_check.not_picture")]
        register = await self._register(ctx)
        reads = ctx.message.meta.get("read")
        read = reads.get(ref) if isinstance(reads, dict) else None
        try:  # the channel read the picture before the turn ({"ocr": text} or "ocr_error")
            verdict = self.checker.check_read(read if isinstance(read, dict) else {}, register)
        except AdvertError as exc:
            return [ctx.render(_ERRORS.get(exc.reason, "ad_check.unreadable"))]
        return [self._answer(ctx, verdict)]

    # -- Flow protocol (the flow is never left open; only its buttons come here) ---------
    async def on_text(self, ctx: Context, text: str) -> list[Reply]:
        ctx.end_flow()
        return [ctx.render(MENU_KEY)]

    async def on_button(self, ctx: Context, payload: str) -> list[Reply]:
        last: dict[str, Any] = ctx.state.get(LAST) or {}
        if payload != "ad:report" or not last.get("text"):
            return [ctx.render("ad_check.nothing_to_report")]
        district = ctx.state.get("district")
        await repo.add_report(
            ctx.session, text=str(last["text"]), normalised=normalise(str(last["text"])),
            risk=str(last.get("risk", "")), flags=list(last.get("flags", [])),
            district=str(district) if district else None, channel=ctx.message.channel,
            user_id=ctx.user.id)
        ctx.state.pop(LAST, None)
        return [ctx.render("ad_check.reported")]

    # -- the answer ------------------------------------------------------------------------
    def _answer(self, ctx: Context, verdict: Verdict) -> Reply:
        ctx.state[LAST] = {"text": verdict.text[:MAX_KEPT_CHARS], "risk": verdict.risk,
                           "flags": verdict.codes}
        content = ctx.content
        lines = []
        for flag in verdict.flags[:MAX_LINES]:
            title = content.title(f"ad_flag.{flag.code}")
            detail = next(iter(flag.params.values()), "")
            lines.append(f"• {title}" + (f": {detail[:40]}" if detail else ""))
        note = self._agency_note(ctx, verdict)
        parts = [p.strip() for f in verdict.flags for p in self.checker.source(f).split(";")]
        sources = list(dict.fromkeys(p for p in parts if p))[:3]
        buttons = [Button(content.entries["ad_check.button.agency"].text, "agency_check"),
                   Button(content.entries["ad_check.button.report"].text, "ad:report"),
                   content.button(MENU_KEY)]
        return content.render(f"ad_check.{verdict.risk}", {
            "flags": "\n".join(lines), "agency_note": note, "sources": "; ".join(sources)},
            buttons=buttons)

    @staticmethod
    def _agency_note(ctx: Context, verdict: Verdict) -> str:
        """A registered company named in the advert, and the date of the register used."""
        if not verdict.agencies:
            return ""
        content, parts = ctx.content, []
        best = next((c.result.best for c in verdict.agencies
                     if c.verdict == REGISTERED and c.result.best), None)
        if best is not None:
            parts.append(content.fill(content.entries["ad_check.agency_registered"].text,
                                      {"name": best.agency.name}))
        snap: Snapshot | None = ctx.extras.get("ad_register")
        if snap is not None:
            key = "agency_check.register_demo" if snap.demo else "agency_check.register_note"
            parts.append(content.fill(content.entries[key].text, {
                "as_of": format_date(snap.as_of), "source": snap.source}).strip())
        return " ".join(parts) + " " if parts else ""
