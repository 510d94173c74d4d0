"""Additions to shared counter rows, gathered during a transaction and applied at its end.

Many turns add to the same few counters (weekly topic counts). Applied as they happen, a
batch of turns would hold those rows' locks in whatever order its users' turns touched
them, and two workers' batches could deadlock on PostgreSQL. Gathered here instead, each
counter gets one addition per transaction, applied in a fixed (sorted) key order, so
concurrent transactions take the locks in the same order. `apply_all` runs just before
the commit (Engine.handle and Engine.turns call it); each kind of counter gets all its
additions at once (e.g. one upsert statement for them all).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Hashable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

# (session, [(key, amount), ...] sorted by key) -> None: adds each `amount` to the counter
# named by its `key`, in the given order
Apply = Callable[[AsyncSession, Sequence[tuple[tuple[Hashable, ...], int]]], Awaitable[None]]
_KEY = "deferred_counts"


def add(session: AsyncSession, apply: Apply, key: tuple[Hashable, ...], amount: int = 1) -> None:
    """Add `amount` to a counter when the transaction's turns are done."""
    pending: dict[Apply, Counter[tuple[Hashable, ...]]] = session.info.setdefault(_KEY, {})
    pending.setdefault(apply, Counter())[key] += amount


async def apply_all(session: AsyncSession) -> None:
    """Apply the gathered additions (kind by kind, keys sorted) and forget them."""
    pending: dict[Apply, Counter[tuple[Hashable, ...]]] = session.info.pop(_KEY, {})
    for apply in sorted(pending, key=lambda fn: fn.__qualname__):
        counts = pending[apply]
        await apply(session, [(key, counts[key]) for key in sorted(counts, key=repr)])
