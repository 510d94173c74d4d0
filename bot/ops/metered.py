"""The engine with metrics and a turn log: what composition builds for every entry point.

`MeteredEngine` keeps `Engine.turn`'s signature and behaviour; it only counts messages in
and replies out per channel, NLU intents and fallbacks, times the turn, and logs one line
per turn with the channel, a pseudonymous user reference, the reply keys and the duration
(never the message text or the platform user id).
"""

from __future__ import annotations

import logging
import time

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.context import Context
from bot.core.engine import Engine
from bot.core.messages import Message, Reply
from bot.core.nlu import Parse
from bot.ops.logs import user_ref
from bot.ops.metrics import (
    MESSAGES_IN,
    MESSAGES_OUT,
    NLU_FALLBACKS,
    NLU_INTENTS,
    TURN_ERRORS,
    TURN_SECONDS,
)
from storage.models import User

log = logging.getLogger("bot.turn")


class MeteredEngine(Engine):
    async def turn(self, session: AsyncSession, message: Message, *,
                   parse: Parse | None = None, user: User | None = None) -> list[Reply]:
        channel = message.channel
        MESSAGES_IN.labels(channel).inc()
        started = time.perf_counter()
        try:
            replies = await super().turn(session, message, parse=parse, user=user)
        except Exception:
            TURN_ERRORS.labels(channel).inc()
            log.warning("turn failed", extra={
                "channel": channel, "user_ref": user_ref(channel, message.external_id)})
            raise
        finally:
            TURN_SECONDS.labels(channel).observe(time.perf_counter() - started)
        MESSAGES_OUT.labels(channel).inc(len(replies))
        log.info("turn", extra={
            "channel": channel, "user_ref": user_ref(channel, message.external_id),
            "reply_keys": [reply.key for reply in replies],
            "duration_ms": round((time.perf_counter() - started) * 1000, 2)})
        return replies

    async def _answer_intent(self, ctx: Context, parse: Parse) -> list[Reply]:
        NLU_INTENTS.labels(parse.intent).inc()
        return await super()._answer_intent(ctx, parse)

    async def _fallback(self, ctx: Context, parse: Parse) -> list[Reply]:
        NLU_FALLBACKS.inc()
        return await super()._fallback(ctx, parse)
