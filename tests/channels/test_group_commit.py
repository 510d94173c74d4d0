"""Group commit of webhook writes: a write that meets a deadlock (PostgreSQL: two workers
storing the same duplicate deliveries in another order) is run again and answered; any
other failing write fails only its own request."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.group_commit import GroupCommit
from bot.channels.telegram import store_update
from bot.composition import build_bot
from bot.core.nlu import NLU
from bot.settings import Settings


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _update(n: int) -> dict[str, Any]:
    return {"update_id": 70_000 + n,
            "message": {"message_id": n, "date": 0, "text": f"halo {n}",
                        "chat": {"id": 5_000 + n, "type": "private"},
                        "from": {"id": 5_000 + n, "is_bot": False, "first_name": "A"}}}


async def test_a_write_that_meets_a_deadlock_is_run_again_and_answered(
        database_url: str, tmp_path: Path, nlu: NLU) -> None:
    bot = await build_bot(Settings(database_url=database_url, seed_demo_data=False,
                                   media_dir=tmp_path / "media"), nlu=nlu)
    tries = 0

    async def deadlocks_once(session: AsyncSession) -> str:
        nonlocal tries
        tries += 1
        if tries <= 2:  # the shared transaction, then the first try alone
            raise DBAPIError("INSERT", {}, _PgError("40P01"))
        return "stored"

    async def broken(session: AsyncSession) -> str:
        raise DBAPIError("INSERT", {}, _PgError("23502"))  # not transient

    try:
        stores = GroupCommit(bot.sessions)
        good = [store_update(stores, _update(n)) for n in range(5)]
        results = await asyncio.gather(stores.run(deadlocks_once), stores.run(broken), *good,
                                       return_exceptions=True)
        assert results[0] == "stored"
        assert isinstance(results[1], DBAPIError)
        assert results[2:] == [True] * 5
    finally:
        await bot.close()


async def test_duplicate_deliveries_stored_by_two_workers_at_once_are_new_once(
        database_url: str, tmp_path: Path, nlu: NLU) -> None:
    bot = await build_bot(Settings(database_url=database_url, seed_demo_data=False,
                                   media_dir=tmp_path / "media"), nlu=nlu)
    try:
        first, second = GroupCommit(bot.sessions), GroupCommit(bot.sessions)
        updates = [_update(n) for n in range(60)]
        results = await asyncio.gather(
            *(store_update(first, u) for u in updates),
            *(store_update(second, u) for u in reversed(updates)))
        assert sum(results) == len(updates)
    finally:
        await bot.close()
