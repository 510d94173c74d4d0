"""Village attribution in the chat: confirm the village of a share link, choose a district.

Entry points:
- `offer(ctx, village)`: the confirmation question with "village:yes:<code>" / "village:no"
  buttons (asked by bot.core.villages.hook after a Telegram /start payload or a web ?start=
  code, and by `intercept` for a WhatsApp first message carrying the prefilled code).
- `intercept`: free text containing a village code ("Kode desa: DSK7Q4X"), or asking to
  set the district ("pilih daerah", "ganti kabupaten").
- Flow "village" (step "district"): the user types a kabupaten/kota; matched against the
  village registry (never stored as free text, so no personal detail can slip in).
Attribution is stored in `user_attribution`; state["district"] is set to the kabupaten/kota
name so agency reports carry it.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from bot.core.content import MENU_KEY
from bot.core.context import Context
from bot.core.messages import Button, Reply
from bot.core.villages.registry import find_code, place_key
from storage.models.villages import Village
from storage.repositories import villages as repo

NAME = "village"
OFFERED = "village_offered"  # state: referral code whose confirmation was asked
_ASK_DISTRICT = re.compile(
    r"\b(?:pilih|ganti|ubah|atur)\s+(?:daerah|kabupaten|kota|kab|desa)\b"
    r"|\b(?:daerah|kabupaten|desa)\s+(?:asal\s+)?saya\s+(?:salah|ganti)\b", re.IGNORECASE)
_NEAR = 85.0
_MAX_CHOICES = 4
_LEAVE_FLOW_CONFIDENCE = 0.6


def _button(ctx: Context, key: str, payload: str) -> Button:
    return Button(ctx.content.title(key), payload)


class VillageFlow:
    """Flow "village" with its button handler and free-text interceptor."""

    name = NAME

    def offer(self, ctx: Context, village: Village) -> Reply:
        ctx.state[OFFERED] = village.referral_code
        return ctx.content.render("village.confirm", {
            "village": village.name, "subdistrict": village.subdistrict or "-",
            "district": village.district},
            buttons=[_button(ctx, "village.button.yes", f"village:yes:{village.referral_code}"),
                     _button(ctx, "village.button.no", "village:no")])

    async def intercept(self, ctx: Context, text: str) -> list[Reply] | None:
        code = find_code(text)
        if code is not None:
            village = await repo.by_referral(ctx.session, code)
            if village is None:
                return None
            if not ctx.user.referral:
                ctx.user.referral = code
            ctx.extras[OFFERED] = True
            attribution = await repo.get_attribution(ctx.session, ctx.user.id)
            if attribution is not None and attribution.village_code == village.code:
                return [ctx.render("village.confirmed", village=village.name)]
            return [self.offer(ctx, village)]
        if _ASK_DISTRICT.search(text):
            return self.ask_district(ctx)
        return None

    def ask_district(self, ctx: Context) -> list[Reply]:
        ctx.start_flow(NAME, step="district")
        return [ctx.content.render("village.ask_district",
                                   buttons=[_button(ctx, "village.button.skip", "village:skip")])]

    async def on_button(self, ctx: Context, payload: str) -> list[Reply]:
        command, _, arg = payload.partition(":")[2].partition(":")
        if command == "yes" and arg:
            village = await repo.by_referral(ctx.session, arg)
            if village is None:
                return self.ask_district(ctx)
            await repo.set_attribution(ctx.session, ctx.user.id, village_code=village.code,
                                       district_code=village.district_code,
                                       district=village.district, source="referral")
            self._remember(ctx, village.district_code, village.district)
            ctx.end_flow()
            return [ctx.render("village.confirmed", village=village.name)]
        if command in ("no", "district"):
            return self.ask_district(ctx)
        if command == "pick" and arg:
            found = [d for d in await repo.districts(ctx.session) if d[0] == arg]
            if found:
                return await self._save_district(ctx, found[0][0], found[0][1])
            return self.ask_district(ctx)
        ctx.end_flow()  # "skip" and anything unknown
        return [ctx.render("village.skipped")]

    async def on_text(self, ctx: Context, text: str) -> list[Reply] | None:
        query = text.strip()[:60]
        if query.lower() in ("batal", "lewati", "skip", "menu", "tidak", "gak", "nggak"):
            ctx.end_flow()
            return [ctx.render("village.skipped")]
        known = await repo.districts(ctx.session)
        key = place_key(query)
        exact = [d for d in known if place_key(d[1]) == key]
        if len({d[0] for d in exact}) == 1:
            return await self._save_district(ctx, exact[0][0], exact[0][1])
        choices = {d[0]: place_key(d[1]) for d in known}
        near = process.extract(key, choices, scorer=fuzz.WRatio, score_cutoff=_NEAR,
                               limit=_MAX_CHOICES) if key else []
        if near:
            names = {d[0]: f"{d[1]}, {d[2]}" if d[2] else d[1] for d in known}
            buttons = [Button(names[code][:20], f"village:pick:{code}")
                       for _, _, code in near]
            buttons.append(_button(ctx, "village.button.skip", "village:skip"))
            return [ctx.content.render("village.district_pick", {"query": query},
                                       buttons=buttons)]
        parse = await ctx.parse(text)
        if parse.confidence >= _LEAVE_FLOW_CONFIDENCE and parse.intent != "out_of_scope":
            ctx.end_flow()
            return None  # the engine answers it like any message (actions included)
        return [ctx.content.render("village.district_unknown", {"query": query},
                                   buttons=[_button(ctx, "village.button.skip", "village:skip"),
                                            ctx.content.button(MENU_KEY)])]

    async def _save_district(self, ctx: Context, code: str, name: str) -> list[Reply]:
        current = await repo.get_attribution(ctx.session, ctx.user.id)
        keep_village = current.village_code if current and current.district_code == code \
            else None
        await repo.set_attribution(ctx.session, ctx.user.id, village_code=keep_village,
                                   district_code=code, district=name, source="chosen")
        self._remember(ctx, code, name)
        ctx.end_flow()
        return [ctx.render("village.district_saved", district=name)]

    @staticmethod
    def _remember(ctx: Context, district_code: str, district: str) -> None:
        ctx.state["district"] = district
        ctx.state["district_code"] = district_code
