"""The agency register as the bot and the CLI use it: import a file, check a query, report.

The matcher (bot.core.agencies.matching) is pure; this service loads the current register from the
database once per import (cached by import id, so a lookup costs one tiny query plus the
in-memory match) and writes imports and reports through storage.repositories.agencies.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.agencies.matching import Agency, CheckResult, Register, name_key, number_key
from bot.core.agencies.register_file import ParsedRegister, RegisterFileError, parse_register
from storage.repositories import agencies as repo

# How long a loaded register is used before looking for a newer import (made by another
# process, e.g. the `agencies import` command): a turn should not pay a query for it.
RECHECK_SECONDS = 2.0


@dataclass(frozen=True)
class Snapshot:
    """The register in memory together with where it came from."""

    import_id: int
    as_of: date
    source: str
    demo: bool
    register: Register


@dataclass(frozen=True)
class Outcome:
    """A check result plus the register it was judged against (None: no register yet)."""

    result: CheckResult
    snapshot: Snapshot | None

    def to_dict(self) -> dict[str, object]:
        """The `agencies check --json` contract of DESIGN.md (plus `demo`)."""
        data: dict[str, object] = {
            "query": self.result.query,
            "verdict": self.result.verdict,
            "as_of": self.snapshot.as_of.isoformat() if self.snapshot else None,
            "matches": [m.to_dict() for m in self.result.matches],
        }
        if self.snapshot and self.snapshot.demo:
            data["demo"] = True
        return data


@dataclass(frozen=True)
class ImportSummary:
    import_id: int
    parsed: ParsedRegister
    as_of: date


class AgencyService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        today: Callable[[], date] = date.today,
    ) -> None:
        self.sessions = sessions
        self.today = today
        self._snapshot: Snapshot | None = None
        self._checked = -RECHECK_SECONDS  # time.monotonic() of the last look for an import
        self._lock = asyncio.Lock()

    async def snapshot(self, session: AsyncSession | None = None) -> Snapshot | None:
        """The current register (reloaded only when a newer import exists)."""
        if session is None:
            async with self.sessions() as own:
                return await self.snapshot(own)
        cached = self._snapshot
        if time.monotonic() - self._checked < RECHECK_SECONDS:
            return cached  # a turn must not pay a query for a register that rarely changes
        latest = await repo.latest_import(session)
        if latest is None:
            self._snapshot, self._checked = None, time.monotonic()
            return None
        if cached is not None and cached.import_id == latest.id:
            self._checked = time.monotonic()
            return cached
        async with self._lock:
            if self._snapshot is None or self._snapshot.import_id != latest.id:
                rows = await repo.all_agencies(session)
                register = Register(
                    Agency(name=r.name, sip3mi=r.sip3mi, status=r.status, province=r.province,
                           city=r.city, address=r.address, phone=r.phone, issued=r.issued,
                           expires=r.expires)
                    for r in rows
                )
                self._snapshot = Snapshot(latest.id, latest.as_of, latest.source,
                                          latest.demo, register)
            self._checked = time.monotonic()
            return self._snapshot

    async def check(self, query: str, session: AsyncSession | None = None) -> Outcome:
        snap = await self.snapshot(session)
        register = snap.register if snap else Register(())
        return Outcome(register.check(query, self.today()), snap)

    def check_in(self, snap: Snapshot | None, query: str) -> Outcome:
        """Check against an already loaded snapshot (batch mode, free-text scanning)."""
        register = snap.register if snap else Register(())
        return Outcome(register.check(query, self.today()), snap)

    async def import_file(
        self,
        path: Path,
        *,
        as_of: date | None = None,
        source: str = "",
        imported_by: str = "",
        demo: bool = False,
    ) -> ImportSummary:
        """Parse and validate `path`, then replace the register in one transaction.
        Raises RegisterFileError when no row is valid (the old register stays)."""
        parsed = parse_register(path)
        if not parsed.agencies:
            raise RegisterFileError("no valid rows: the register was not changed")
        rows = [
            {"name": a.name, "name_key": name_key(a.name)[:255], "sip3mi": a.sip3mi,
             "number_key": number_key(a.sip3mi)[:100], "status": a.status,
             "province": a.province, "city": a.city, "address": a.address, "phone": a.phone,
             "issued": a.issued, "expires": a.expires}
            for a in parsed.agencies
        ]
        as_of = as_of or self.today()
        async with self.sessions() as session, session.begin():
            record = await repo.replace_register(
                session, rows, file_name=path.name, as_of=as_of, source=source,
                rows_read=parsed.rows_read, rows_rejected=len(parsed.rejected),
                duplicate_names=len(parsed.duplicates), demo=demo, imported_by=imported_by,
            )
        self._checked = -RECHECK_SECONDS  # this process sees its own import at once
        return ImportSummary(record.id, parsed, as_of)

    async def report(
        self,
        session: AsyncSession,
        *,
        query: str,
        verdict: str,
        matched_name: str | None = None,
        user_id: int | None = None,
        district: str | None = None,
        referral: str | None = None,
        channel: str | None = None,
    ) -> int:
        """Store a user's report in the caller's transaction; returns its id."""
        stored = await repo.add_report(
            session, query=query, name_key=name_key(query), verdict=verdict,
            matched_name=matched_name, user_id=user_id, district=district, referral=referral,
            channel=channel,
        )
        return stored.id
