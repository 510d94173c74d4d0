"""One writer at a time on SQLite.

SQLite allows a single writer; concurrent write transactions from the inbox worker, the
sender and the webhooks would wait in SQLite's sleeping busy handler (or fail with
SQLITE_BUSY_SNAPSHOT when a read transaction upgrades to a write). Channel code therefore
takes this in-process lock around its write transactions on SQLite; on PostgreSQL it is a
no-op and row locks / conditional updates do the work.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

_LOCKS: weakref.WeakKeyDictionary[async_sessionmaker[AsyncSession], asyncio.Lock] = (
    weakref.WeakKeyDictionary())


def is_sqlite(sessions: async_sessionmaker[AsyncSession]) -> bool:
    bind = sessions.kw.get("bind")
    return bind is not None and bind.dialect.name == "sqlite"


@contextlib.asynccontextmanager
async def writing(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
    """Hold the process-wide write lock of this database while inside (SQLite only)."""
    if not is_sqlite(sessions):
        yield
        return
    lock = _LOCKS.get(sessions)
    if lock is None:
        lock = _LOCKS[sessions] = asyncio.Lock()
    async with lock:
        yield
