"""Demo data for a first run: the fictitious P3MI sample register, clearly marked.

`serve` (through build_bot) seeds it when the database has never had a register import and
JALUR_AMAN_SEED_DEMO_DATA is true. The import is flagged `demo`, and every agency answer
that uses it says the data is fictitious. A real `agencies import` replaces it.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.agencies.service import AgencyService
from bot.settings import Settings
from storage.repositories.agencies import latest_import

log = logging.getLogger(__name__)

DEMO_REGISTER = Path(__file__).resolve().parent / "demo_data" / "p3mi_demo.csv"
DEMO_AS_OF = date(2026, 11, 1)
DEMO_SOURCE = "data contoh fiktif Jalur Aman"


async def seed_demo_data(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> bool:
    """Import the fictitious register when none was ever imported; True when it did."""
    if not settings.seed_demo_data:
        return False
    async with sessions() as session:
        if await latest_import(session) is not None:
            return False
    service = AgencyService(sessions)
    summary = await service.import_file(
        DEMO_REGISTER, as_of=DEMO_AS_OF, source=DEMO_SOURCE, imported_by="demo-seed", demo=True
    )
    log.warning("seeded the FICTITIOUS demo P3MI register (%d agencies); import the official "
                "list with `jalur-aman agencies import FILE`", len(summary.parsed.agencies))
    return True
