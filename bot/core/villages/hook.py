"""After-turn hook of the village feature (runs in the turn's transaction).

1. A user who arrived with a referral code (Telegram /start payload, web ?start=) is asked
   once to confirm the village (the confirmation is appended to the turn's replies).
2. The topic of the turn (the intent whose answer was given) is counted per week and per
   village/district of the user: aggregate counters only, no message text.
3. An agency name checked with verdict not_found or license_problem is recorded as an
   anonymous sighting (name, verdict, district, village) for the BP3MI early warning.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.agencies.matching import name_key
from bot.core.context import Context
from bot.core.messages import Reply
from bot.core.nlu import is_emergency_key
from bot.core.redact import redact
from bot.core.villages.flow import OFFERED, VillageFlow
from bot.core.villages.registry import normalise_code
from storage.models.villages import UserAttribution
from storage.repositories import villages as repo

TOPICS = frozenset({
    "requirements", "documents", "procedure", "costs", "passport", "visa", "red_flags",
    "agency_check", "agency_info", "destination_info", "g2g_program", "independent_placement",
    "training", "social_security", "worker_rights", "job_vacancy", "complaint",
    "complaint_status", "emergency", "contact_office", "return_home", "out_of_scope",
    "human_handoff", "fallback",
})
# Replies that start a topic although their key is not the bare intent.
TOPIC_STARTS = {
    "complaint.consent": "complaint",
    "agency_check.ask": "agency_check",
    "agency_check.registered": "agency_check",
    "agency_check.license_problem": "agency_check",
    "agency_check.ambiguous": "agency_check",
    "agency_check.not_found": "agency_check",
}
SIGHTED = ("agency_check.not_found", "agency_check.license_problem")


def topic_of(replies: list[Reply], specific: Container[str] = ()) -> str | None:
    """The intent a turn answered, from its reply keys (None for flow steps, greetings).
    A specific answer (`specific`: keys of content entries with `when:`, such as
    "costs.kur" or "emergency.violence") counts for the intent it is named under."""
    for reply in replies:
        if reply.key in TOPICS:
            return reply.key
        if reply.key in TOPIC_STARTS:
            return TOPIC_STARTS[reply.key]
        family = reply.key.split(".", 1)[0]
        if reply.key in specific and family in TOPICS:
            return family
    return None


class VillageHook:
    def __init__(self, flow: VillageFlow, today: Callable[[], date] = date.today) -> None:
        self.flow = flow
        self.today = today

    async def prefetch(self, session: AsyncSession, user_ids: Sequence[int]) -> None:
        """A batch of turns: every user's attribution in one query."""
        await repo.prefetch_attributions(session, user_ids)

    async def __call__(self, ctx: Context, replies: list[Reply]) -> None:
        attribution = await repo.get_attribution(ctx.session, ctx.user.id)
        await self._offer(ctx, replies, attribution)
        place_village = attribution.village_code if attribution else None
        place_district = attribution.district_code if attribution else None
        week = repo.week_of(self.today())
        topic = topic_of(replies, ctx.content.specific_keys)
        if topic is not None:
            repo.count_topic_later(ctx.session, week=week, village_code=place_village or "",
                                   district_code=place_district or "", intent=topic)
        sighted = next((r.key for r in replies if r.key in SIGHTED), None)
        last = ctx.state.get("agency_last")
        if sighted and isinstance(last, dict) and last.get("query"):
            query = redact(str(last["query"]))  # a "name" may be anything the user typed
            key = name_key(query)
            if key:
                await repo.add_sighting(
                    ctx.session, name_key=key, query=query, verdict=sighted.split(".")[-1],
                    district_code=place_district,
                    district=attribution.district if attribution else None,
                    village_code=place_village, channel=ctx.message.channel)

    async def _offer(self, ctx: Context, replies: list[Reply],
                     attribution: UserAttribution | None) -> None:
        referral = ctx.message.referral
        if not referral or ctx.extras.get(OFFERED):
            return
        code = normalise_code(referral)
        if ctx.state.get(OFFERED) == code:
            return  # asked already
        village = await repo.by_referral(ctx.session, code)
        if village is None:
            return
        if attribution is not None and attribution.village_code == village.code:
            return
        if replies and is_emergency_key(replies[0].key):
            return  # nothing may delay an emergency answer's buttons
        replies.append(self.flow.offer(ctx, village))
