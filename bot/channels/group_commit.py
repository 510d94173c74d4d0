"""Group commit for webhooks: the writes of many concurrent requests in one transaction.

A webhook answers 200 only after its update is stored. In a burst, one transaction per
request makes every request queue for the database (on SQLite, for its single writer);
here each request hands its write (an async function of the session) over and waits,
and one transaction at a time runs every write handed over meanwhile. If that shared
transaction fails, each of its writes is retried alone, so a bad write fails only its
own request, and a database outage fails them all (the webhook answers 503). A write
alone that meets a deadlock or a serialization failure (PostgreSQL, two workers storing
the same duplicate deliveries in another order) is tried again, up to `TRANSIENT_TRIES`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.gate import writing

T = TypeVar("T")
Write = Callable[[AsyncSession], Awaitable[Any]]
TRANSIENT_TRIES = 3
_TRANSIENT = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure


def transient(exc: BaseException) -> bool:
    """A database error that goes away when the transaction is simply run again."""
    return isinstance(exc, DBAPIError) and \
        getattr(exc.orig, "sqlstate", None) in _TRANSIENT


class GroupCommit:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, max_batch: int = 256
                 ) -> None:
        self.sessions = sessions
        self.max_batch = max_batch
        self._pending: list[tuple[Write, asyncio.Future[Any]]] = []
        self._task: asyncio.Task[None] | None = None

    async def run(self, write: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run `write` in the next shared transaction; its result once committed."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((write, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        while self._pending:
            batch = self._pending[: self.max_batch]
            del self._pending[: self.max_batch]
            try:
                async with writing(self.sessions), self.sessions() as session, session.begin():
                    results = [await write(session) for write, _future in batch]
            except Exception:
                for write, future in batch:
                    await self._alone(write, future)
                continue
            for (_write, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def _alone(self, write: Write, future: asyncio.Future[Any]) -> None:
        for attempt in range(1, TRANSIENT_TRIES + 1):
            try:
                async with writing(self.sessions), self.sessions() as session, \
                        session.begin():
                    result = await write(session)
            except Exception as exc:
                if transient(exc) and attempt < TRANSIENT_TRIES:
                    await asyncio.sleep(0.01 * attempt)
                    continue
                if not future.done():
                    future.set_exception(exc)
                return
            break
        if not future.done():
            future.set_result(result)
