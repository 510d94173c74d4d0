"""The dialogue engine: Message in -> list[Reply] out, channel-agnostic.

One turn runs in one database transaction: the user's state, any record a handler writes
(unanswered message, agency report, complaint) and the new state commit together.
Order of handling: unreadable input, emergencies, active flow, buttons, interceptors, NLU.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.content import MENU_KEY, Content
from bot.core.context import Context, Flow, IntentAction, Interceptor, Prefetcher
from bot.core.messages import Button, Message, Reply
from bot.core.nlu import EMERGENCY, NLU, Parse, is_emergency_key
from bot.core.screening import (
    EmergencyScreen,
    classifiable,
    emergency_parse,
    unreadable,
)
from storage import db, deferred
from storage.models import User
from storage.repositories.users import (
    get_or_create_user,
    get_or_create_users,
    record_unanswered,
    save_state,
)

log = logging.getLogger(__name__)

TurnHook = Callable[[AsyncSession, list[Reply]], Awaitable[None]]
# Takes media (a picture) sent outside a flow that accepts media; None lets the engine answer.
MediaAction = Callable[[Context], Awaitable[list[Reply] | None]]
CAPTION_CHARS = 300  # a caption this short goes with its picture; longer text is read as text
# Runs after the turn is answered, in its transaction; may append replies.
AfterTurn = Callable[[Context, list[Reply]], Awaitable[None]]
WELCOME = "welcome"
WELCOME_BRIEF = "welcome.brief"  # after the answer to a new user's first question
FALLBACK = "fallback"
OUT_OF_SCOPE = "out_of_scope"
SILENT_INTENTS = {"greet", "help"}  # the welcome already answers these
FLOW_EMERGENCY_CONFIDENCE = 0.8


class Engine:
    def __init__(
        self,
        content: Content,
        nlu: NLU,
        sessions: async_sessionmaker[AsyncSession],
        *,
        threshold: float = 0.35,
        max_chars: int = 2000,
        flows: Sequence[Flow] = (),
        actions: Mapping[str, IntentAction] | None = None,
        interceptors: Sequence[Interceptor] = (),
        after_turn: Sequence[AfterTurn] = (),
        on_media: MediaAction | None = None,
        on_long_text: Interceptor | None = None,
    ) -> None:
        self.content = content
        self.nlu = nlu
        self.sessions = sessions
        self.threshold = threshold
        self.max_chars = max_chars
        self.flows = {flow.name: flow for flow in flows}
        self.actions = dict(actions or {})
        self.interceptors = list(interceptors)
        self.after_turn = list(after_turn)
        self.on_media = on_media
        self.on_long_text = on_long_text  # e.g. a forwarded job advert over max_chars
        self.intents = frozenset(nlu.classifier.intents)
        self.screen = EmergencyScreen(content, nlu)

    async def handle(self, message: Message, *, within: TurnHook | None = None) -> list[Reply]:
        """Answer one message in its own transaction. `within`, when given, runs inside that
        transaction with the replies (e.g. to write them to the outbox and mark an inbox row
        done), so the state change and what it sends commit together or not at all."""
        async with self.sessions() as session:
            async with session.begin():
                replies = await self.turn(session, message)
                await deferred.apply_all(session)
                if within is not None:
                    await within(session, replies)
            if session.info.pop(db.ERASED, False):  # no copy left in SQLite's file or log
                await db.compact_after_erasure(session)
        return replies

    async def turns(self, session: AsyncSession, messages: Sequence[Message], *,
                    users: Mapping[str, User] | None = None) -> list[list[Reply]]:
        """Answer messages of distinct users of one channel inside the caller's transaction
        (the inbox worker's and the web chat's batches): their texts classified in one
        call, their users (unless given, by external id) and what flows and hooks read
        about them loaded in one query each, then one turn each. Counter additions are
        applied at the end, in a fixed order."""
        if not messages:
            return []
        parses = await self.preparse(messages)
        if users is None:
            users = await get_or_create_users(session, messages[0].channel,
                                              [m.external_id for m in messages])
        for part in self._prefetchers():
            await part.prefetch(session, [users[m.external_id].id for m in messages])
        answered = [await self.turn(session, m, parse=p, user=users[m.external_id])
                    for m, p in zip(messages, parses, strict=True)]
        await deferred.apply_all(session)
        return answered

    def emergency_only(self, message: Message) -> list[Reply] | None:
        """The emergency answer when this message is an emergency, else None; uses only
        content and the model loaded at start, never the database (see screening.py)."""
        return self.screen.answer(message, threshold=self.threshold, max_chars=self.max_chars)

    def _prefetchers(self) -> list[Prefetcher]:
        owners = [*self.flows.values(), *self.after_turn,
                  *(getattr(i, "__self__", i) for i in self.interceptors)]
        unique = {id(o): o for o in owners if isinstance(o, Prefetcher)}
        return list(unique.values())

    async def turn(self, session: AsyncSession, message: Message, *,
                   parse: Parse | None = None, user: User | None = None) -> list[Reply]:
        """Answer one message inside the caller's transaction. `parse` (from `preparse`)
        and `user` (loaded for a batch) save looking them up again."""
        if user is None:
            user = await get_or_create_user(session, message.channel, message.external_id)
        state = dict(user.state or {})
        ctx = Context(message, user, state, session, self.content, self.nlu,
                      is_new_user=not state.get("welcomed"))
        if message.referral and not user.referral:
            user.referral = message.referral[:64]
        replies = await self._dispatch(ctx, parse)
        if ctx.is_new_user:
            ctx.state["welcomed"] = True
            self._welcome(ctx, replies)
        for hook in self.after_turn:
            await hook(ctx, replies)
        buttons = next((r.buttons for r in reversed(replies) if r.buttons), ())
        ctx.state["last_buttons"] = [b.payload for b in buttons]
        save_state(user, ctx.state)
        return replies

    def _welcome(self, ctx: Context, replies: list[Reply]) -> None:
        """A new user's first turn: an emergency stands alone; an answer to an intent comes
        first, a two-line welcome after it; else (greeting, fallback, flow) the full welcome."""
        first = replies[0].key if replies else ""
        if is_emergency_key(first):
            return
        family = first.split(".", 1)[0]
        answered = family in self.intents and family != OUT_OF_SCOPE  # an answer to an intent
        if answered and ctx.flow is None and self.content.has(WELCOME_BRIEF):
            replies.append(self.content.render(WELCOME_BRIEF))
        else:
            replies.insert(0, self.content.render(WELCOME))

    async def preparse(self, messages: Sequence[Message]) -> list[Parse | None]:
        """Classify the texts of many messages at once: one call to the embedded model (far
        cheaper than one call each), or concurrent requests when Rasa is configured. None
        where a message has no text the turn would classify."""
        texts = [classifiable(m, self.max_chars) for m in messages]
        wanted = [t for t in texts if t]
        if self.nlu.rasa is not None:
            parsed = iter(await asyncio.gather(*(self.nlu.aparse(t) for t in wanted)))
        else:
            parsed = iter(self.nlu.parse_many(wanted))
        return [next(parsed) if t else None for t in texts]

    async def _dispatch(self, ctx: Context, preparsed: Parse | None = None) -> list[Reply]:
        message = ctx.message
        if message.button:
            return await self._on_button(ctx, message.button)
        text = (message.text or "").strip()
        has_media = bool(message.media or message.meta.get("media"))
        flow = self.flows.get(ctx.flow or "")
        takes_media = flow is not None and getattr(flow, "accepts_media", False)
        if has_media and not takes_media and self.on_media is not None \
                and len(text) <= CAPTION_CHARS and not self.screen.urgent(text):
            replies = await self.on_media(ctx)  # e.g. a picture of a job advert
            if replies is not None:
                return replies
        if has_media and not text:
            if flow is not None and takes_media:
                return await flow.on_text(ctx, "") or []  # e.g. a photo as complaint evidence
            return [self.content.render("error.unsupported")]
        if not text:
            return [self.content.render("error.empty")]
        picked = self._numbered_choice(ctx, text)
        if picked:
            return await self._on_button(ctx, picked)
        if len(text) > self.max_chars:
            # Even an over-long message is checked for an emergency before it is refused.
            normal = self.nlu.normalise(text[: self.max_chars * 5])
            if self.nlu.emergency.matches(normal):
                return await self._answer_intent(ctx, emergency_parse(text, normal))
            if self.on_long_text is not None and len(text) <= self.max_chars * 5 \
                    and not unreadable(text):
                replies = await self.on_long_text(ctx, text)
                if replies is not None:
                    return replies
            return [self.content.render("error.too_long")]
        if unreadable(text) or not self.nlu.normalise(text):
            return [self.content.render("error.unsupported")]
        parse = ctx.parsed = (preparsed if preparsed is not None and preparsed.text == text
                              else await self.nlu.aparse(text))
        # A low-confidence emergency guess (no safety-net match) lets an open flow or an
        # interceptor take the text first ("Kuala Lumpur" as a flow answer); if none does,
        # _answer_intent still answers it as an emergency.
        # In a flow a bare answer ("Malaysia") must not read as an emergency: there the
        # classifier alone needs FLOW_EMERGENCY_CONFIDENCE (the safety net always counts).
        floor = FLOW_EMERGENCY_CONFIDENCE if ctx.flow in self.flows else self.threshold
        weak_guess = not parse.by_safety_net and parse.confidence < floor
        if parse.intent == EMERGENCY and not weak_guess:
            # The emergency is answered first; an open flow stays, marked urgent.
            ctx.state["emergency_seen"] = True
            if ctx.flow in self.flows:  # kept for the open flow (e.g. the complaint story)
                ctx.state["emergency_text"] = text[: self.max_chars]
            return await self._answer_intent(ctx, parse)
        if ctx.flow in self.flows:
            replies = await self.flows[ctx.flow].on_text(ctx, text)
            if replies is not None:
                return replies
            # The flow let the text go (it asks something else): answered as usual below.
        for interceptor in self.interceptors:
            replies = await interceptor(ctx, text)
            if replies is not None:
                return replies
        return await self._answer_intent(ctx, parse)

    def _numbered_choice(self, ctx: Context, text: str) -> str | None:
        """"2" picks the second button of the last reply (numbered-text fallback)."""
        options = ctx.state.get("last_buttons") or []
        if text.isdecimal() and 1 <= int(text) <= len(options) \
                and ctx.flow is None:
            return str(options[int(text) - 1])
        return None

    async def _on_button(self, ctx: Context, payload: str) -> list[Reply]:
        prefix = payload.split(":", 1)[0]
        if ":" in payload and prefix in self.flows:
            return await self.flows[prefix].on_button(ctx, payload)
        if payload == MENU_KEY:
            ctx.end_flow()
        if payload in self.actions:
            parse = Parse(payload, payload, 1.0, ((payload, 1.0),))
            return await self.actions[payload](ctx, parse)
        if self.content.has(payload):
            return [self.content.render(payload)]
        log.info("unknown button payload %r", payload[:80])
        return [self.content.render(MENU_KEY)]

    async def _answer_intent(self, ctx: Context, parse: Parse) -> list[Reply]:
        normal = parse.normal or self.nlu.normalise(parse.text)
        if parse.intent != EMERGENCY and parse.confidence < self.threshold:
            # Unsure, but the message names a topic of a specific answer ("ltsa itu apa").
            for intent, _ in parse.ranking[:3]:
                key = self.content.specific_key(intent, parse.entities, normal)
                if key is not None and intent != EMERGENCY:
                    return [self.content.render(key)]
            return await self._fallback(ctx, parse)
        specific = self.content.specific_key(parse.intent, parse.entities, normal)
        if specific is not None:  # the asked fact in this turn, not behind a button
            return [self.content.render(specific)]
        if parse.intent in self.actions:
            return await self.actions[parse.intent](ctx, parse)
        if ctx.is_new_user and parse.intent in SILENT_INTENTS:
            return []
        if parse.intent == OUT_OF_SCOPE:
            await record_unanswered(ctx.session, ctx.user, parse.text, parse.intent,
                                    parse.confidence)
        if self.content.has(parse.intent):
            return [self.content.render(parse.intent)]
        return await self._fallback(ctx, parse)

    async def _fallback(self, ctx: Context, parse: Parse) -> list[Reply]:
        await record_unanswered(ctx.session, ctx.user, parse.text, parse.intent, parse.confidence)
        guesses = [
            self.content.button(intent)
            for intent, _ in parse.ranking[:3]
            if self.content.has(intent) and intent not in (OUT_OF_SCOPE, MENU_KEY)
        ]
        buttons: list[Button] = [*guesses, self.content.button(MENU_KEY)]
        return [self.content.render(FALLBACK, buttons=buttons)]
