"""Composition root: settings -> storage -> NLU/content -> engine (+ flows and actions).

Every entry point (serve, chat, CLI commands, tests) builds the bot through `build_bot`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core.adverts.flow import AdvertFlow
from bot.core.adverts.lexicon import load_lexicon
from bot.core.adverts.service import AdvertChecker
from bot.core.agencies.flow import AgencyFlow
from bot.core.agencies.service import AgencyService
from bot.core.complaints.handoff import ComplaintFollowUp
from bot.core.complaints.intake import ComplaintFlow
from bot.core.complaints.rules import Offices
from bot.core.complaints.satisfaction import SatisfactionFlow
from bot.core.content import Content
from bot.core.context import Flow, IntentAction, Interceptor
from bot.core.engine import Engine
from bot.core.nlu import NLU
from bot.core.villages.flow import VillageFlow
from bot.core.villages.hook import VillageHook
from bot.core.villages.service import seed_demo_villages
from bot.demo import seed_demo_data
from bot.ops.metered import MeteredEngine
from bot.settings import Settings
from storage import db
from storage.media import MediaStore
from storage.repositories.staff import sync_offices


@dataclass
class Bot:
    settings: Settings
    db_engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    content: Content
    nlu: NLU
    engine: Engine
    media: MediaStore
    offices: Offices | None = None

    async def close(self) -> None:
        await self.db_engine.dispose()


def load_nlu(settings: Settings) -> NLU:
    return NLU.load(settings.intents_dir, settings.cache_dir, settings.rasa_url)


async def build_bot(settings: Settings, *, migrate: bool = True, nlu: NLU | None = None) -> Bot:
    """Open the database (migrating it), load content and NLU, wire the engine."""
    db_engine = db.create_engine(settings.database_url)
    sessions = db.session_factory(db_engine)
    offices = Offices.load(settings.content_dir / "offices.yml")
    if migrate:
        # One worker at a time when N workers start together on PostgreSQL.
        async with db.startup_lock(db_engine):
            await db.upgrade(db_engine)
            await seed_demo_data(settings, sessions)  # fictitious register, clearly marked
            async with sessions() as session, session.begin():
                await sync_offices(session, offices.names)
    content = Content.load(settings.content_dir)
    nlu = nlu or load_nlu(settings)
    flows: list[Flow] = []
    actions: dict[str, IntentAction] = {}
    interceptors: list[Interceptor] = []
    # Complaints: intake flow, status/handoff/deletion; these interceptors go first.
    agency_service = AgencyService(sessions)
    complaint_flow = ComplaintFlow(offices, agency_service)
    media = MediaStore(settings.media_dir, settings.media_max_bytes)
    follow_up = ComplaintFollowUp(offices, media)  # deletion removes the user's files too
    flows += [complaint_flow, follow_up, SatisfactionFlow(offices)]
    actions.update(complaint=complaint_flow.start, complaint_status=follow_up.status,
                   human_handoff=follow_up.human_handoff)
    interceptors += [follow_up.ask_delete, follow_up.status_secret, follow_up.status_by_ticket,
                     follow_up.handoff]
    # Job adverts: a forwarded advert or a picture is checked (before agency names in it).
    lexicon = load_lexicon(settings.intents_dir / "adverts.yml")  # not site-packages
    adverts = AdvertFlow(AdvertChecker(content, lexicon), agency_service)
    flows.append(adverts)
    interceptors.append(adverts.intercept)
    agency = AgencyFlow(agency_service)
    flows.append(agency)
    actions["agency_check"] = agency.action
    interceptors.append(agency.intercept)
    # Villages: confirm a share link's village, choose a district, count topics.
    village = VillageFlow()
    flows.append(village)
    interceptors.insert(0, village.intercept)
    if migrate:
        await seed_demo_villages(settings, sessions)  # fictitious sample villages
    engine = MeteredEngine(  # Engine plus metrics and a turn log
        content, nlu, sessions,
        threshold=settings.nlu_threshold, max_chars=settings.max_message_chars,
        flows=flows, actions=actions, interceptors=interceptors,
        after_turn=[VillageHook(village)], on_media=adverts.on_media,
        on_long_text=adverts.intercept,
    )
    return Bot(settings, db_engine, sessions, content, nlu, engine, media, offices)
