"""Micro-batched web chat turns: concurrent POST /api/chat messages answered together.

Each request hands its turn over (`TurnBatcher.answer`) and waits. A runner takes the
oldest waiting message of up to `max_batch` distinct users and answers them in one
transaction: one query for deleted chats, one for retried message ids, their texts
classified in one NLU call and their users loaded in one query (Engine.turns), their
stored replies and transcript rows written together, one commit. A user's later message
waits for a later batch and a user is never in two batches at once, so one user's
messages are answered in arrival order. A request gets its replies only after the commit
(a turn answered is a turn stored, with its history row and its retry key).

If a batch fails it is rolled back and its messages are answered one by one, each in its
own transaction (`answer_alone`, the unbatched path), so one bad message fails only its
own request; a database outage fails them all at once (the caller answers without it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.gate import is_sqlite, writing
from bot.channels.webchat.turns import record
from bot.core.engine import Engine
from bot.core.messages import Message, Reply
from bot.ops.guards import is_db_outage
from storage import db
from storage.repositories import chat_replies, transcript
from storage.repositories.users import erased_among, get_or_create_users, is_erased

log = logging.getLogger(__name__)
CHANNEL = "web"
Answer = list[Any] | None  # the replies as dicts; None: the chat's data was deleted


@dataclass
class Turn:
    """One message waiting for its batch. `known`: sent with a valid token (the chat may
    have been deleted); `client_id`: the page's message id; `said`: the user's bubble."""

    message: Message
    known: bool
    client_id: str | None
    said: dict[str, Any]
    done: asyncio.Future[Answer] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future())

    @property
    def user(self) -> str:
        return self.message.external_id


class TurnBatcher:
    def __init__(self, engine: Engine, *, max_batch: int = 64, runners: int | None = None
                 ) -> None:
        self.engine = engine
        self.max_batch = max_batch
        # On PostgreSQL a second batch computes while the first waits for the database;
        # SQLite has a single writer.
        self.runners = runners if runners is not None else \
            1 if is_sqlite(engine.sessions) else 2
        self._waiting: list[Turn] = []
        self._busy: set[str] = set()  # users with a message in a batch being answered
        self._tasks: set[asyncio.Task[None]] = set()

    async def answer(self, turn: Turn) -> Answer:
        """The replies of `turn` once its batch has committed."""
        self._waiting.append(turn)
        self._start_runners()
        return await turn.done

    def _start_runners(self) -> None:
        while len(self._tasks) < self.runners and self._ready():
            task = asyncio.create_task(self._run())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _ready(self) -> bool:
        return any(t.user not in self._busy for t in self._waiting)

    def _take(self) -> list[Turn]:
        """The oldest waiting message of up to max_batch users not already in a batch."""
        batch: list[Turn] = []
        users: set[str] = set()
        left: list[Turn] = []
        for turn in self._waiting:
            if len(batch) < self.max_batch and turn.user not in self._busy \
                    and turn.user not in users:
                batch.append(turn)
                users.add(turn.user)
            else:
                left.append(turn)
        self._waiting = left
        self._busy |= users
        return batch

    async def _run(self) -> None:
        while batch := self._take():
            try:
                await self._answer(batch)
            finally:
                self._busy -= {t.user for t in batch}
            await asyncio.sleep(0)  # let the requests that arrived meanwhile in
        # Nothing is left behind: a message waits only for a user in another runner's
        # batch, and that runner takes again right after releasing its users.

    async def _answer(self, batch: list[Turn]) -> None:
        try:
            async with writing(self.engine.sessions), self.engine.sessions() as session:
                async with session.begin():
                    answers = await self._batch(session, batch)
                erased = session.info.pop(db.ERASED, False)
        except Exception as error:
            if is_db_outage(error):
                for turn in batch:
                    _settle(turn, error=error)
                return
            for turn in batch:  # one by one: a bad message fails only its own request
                try:
                    _settle(turn, await answer_alone(self.engine, turn))
                except Exception as alone_error:
                    _settle(turn, error=alone_error)
            return
        for turn, answer in zip(batch, answers, strict=True):
            _settle(turn, answer)
        if erased:  # committed and answered: as Engine.handle, no copy left in SQLite
            try:
                await db.compact_after_erasure(session)
            except Exception:
                log.exception("web chat: compaction after a deletion failed")

    async def _batch(self, session: AsyncSession, batch: Sequence[Turn]) -> list[Answer]:
        """Answer the batch inside the caller's transaction."""
        erased = await erased_among(session, CHANNEL, [t.user for t in batch if t.known])
        done = await chat_replies.get_many(session, CHANNEL, [
            (t.user, t.client_id) for t in batch if t.client_id and t.user not in erased])
        answers: dict[int, Answer] = {}
        for n, turn in enumerate(batch):
            if turn.user in erased:
                answers[n] = None
            elif turn.client_id and (turn.user, turn.client_id) in done:
                answers[n] = done[(turn.user, turn.client_id)]
        todo = [(n, t) for n, t in enumerate(batch) if n not in answers]
        if todo:
            answers.update(await self._turns(session, todo))
        return [answers[n] for n in range(len(batch))]

    async def _turns(self, session: AsyncSession, todo: Sequence[tuple[int, Turn]]
                     ) -> dict[int, Answer]:
        messages = [t.message for _n, t in todo]
        users = await get_or_create_users(session, CHANNEL, [m.external_id for m in messages])
        replied = await self.engine.turns(session, messages, users=users)
        answers: dict[int, Answer] = {}
        history: list[tuple[int, dict[str, Any], list[dict[str, Any]]]] = []
        for (n, turn), replies in zip(todo, replied, strict=True):
            answers[n] = as_dicts = [r.to_dict() for r in replies]
            user = users[turn.user]
            if user.external_id != turn.user:  # this turn deleted the chat's data
                continue
            if turn.client_id:
                chat_replies.store_later(session, CHANNEL, turn.user, turn.client_id,
                                         as_dicts)
            history.append((user.id, turn.said, as_dicts))
        await transcript.record_many(session, history)
        return answers


def _settle(turn: Turn, answer: Answer = None, *, error: BaseException | None = None
            ) -> None:
    """Answer the waiting request once (it may have gone: its client disconnected)."""
    if turn.done.done():
        return
    if error is not None:
        turn.done.set_exception(error)
    else:
        turn.done.set_result(answer)


async def answer_alone(engine: Engine, turn: Turn) -> Answer:
    """One message in its own transaction (the fallback of a failed batch); a retried id
    gets the stored replies, also when it was answered while this one ran."""
    user, client_id = turn.user, turn.client_id
    if turn.known or client_id:
        async with engine.sessions() as session:
            if turn.known and await is_erased(session, CHANNEL, user):
                return None
            if client_id and (done := await chat_replies.get(session, CHANNEL, user,
                                                             client_id)) is not None:
                return done

    async def keep(session: AsyncSession, replies: list[Reply]) -> None:
        if client_id and not session.info.get(db.ERASED):
            await chat_replies.store(session, CHANNEL, user, client_id,
                                     [r.to_dict() for r in replies])
        await record(session, user, turn.said, replies)

    try:
        async with writing(engine.sessions):
            return [r.to_dict() for r in await engine.handle(turn.message, within=keep)]
    except IntegrityError:
        if not client_id:
            raise
        async with engine.sessions() as session:  # the same id answered meanwhile
            done = await chat_replies.get(session, CHANNEL, user, client_id)
        if done is None:
            raise
        return done

