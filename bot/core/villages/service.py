"""Village registry operations shared by the CLI, the dashboard and the demo seed:
import a registry file, and build a village's share links from settings and content.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.content import Content
from bot.core.villages.registry import (
    ParsedVillages,
    parse_villages,
    referral_code,
    telegram_link,
    whatsapp_link,
)
from bot.settings import DEFAULT_SERVE_URL, PROJECT_ROOT, Settings
from storage.models.villages import Village
from storage.repositories import villages as repo

DEMO_FILE = PROJECT_ROOT / "bot" / "demo_data" / "villages_demo.csv"


@dataclass(frozen=True, slots=True)
class ImportResult:
    parsed: ParsedVillages
    added: int
    updated: int


@dataclass(frozen=True, slots=True)
class Links:
    """A village's share links. The web chat link always exists: PUBLIC_URL/?start=CODE,
    or the local serve address while PUBLIC_URL is unset (`web_is_local`)."""

    telegram: str | None
    whatsapp: str | None
    prefill: str
    web: str
    web_is_local: bool = False

    @property
    def channels(self) -> list[str]:
        """The channels with a link, in poster order: web chat always, then the others."""
        return ["web", *(n for n in ("whatsapp", "telegram") if getattr(self, n))]


async def import_villages(sessions: async_sessionmaker[AsyncSession], path: Path, *,
                          demo: bool = False) -> ImportResult:
    """Parse `path` and upsert its valid rows in one transaction."""
    parsed = parse_villages(path)
    rows = [repo.NewVillage(r.code, r.name, r.subdistrict, r.district_code, r.district,
                            r.province) for r in parsed.rows]
    async with sessions() as session, session.begin():
        added, updated = await repo.upsert_villages(session, rows, make_code=referral_code,
                                                    demo=demo)
    return ImportResult(parsed, added, updated)


async def seed_demo_villages(settings: Settings,
                             sessions: async_sessionmaker[AsyncSession]) -> bool:
    """The fictitious sample registry, only into an empty registry and when seeding."""
    if not settings.seed_demo_data:
        return False
    async with sessions() as session:
        count = (await session.execute(select(func.count()).select_from(Village))).scalar_one()
    if count:
        return False
    await import_villages(sessions, DEMO_FILE, demo=True)
    return True


def links(settings: Settings, content: Content, village: Village) -> Links:
    """The share links of a village: web chat always, Telegram and WhatsApp when their
    settings are set (else None)."""
    code = village.referral_code
    prefill = content.fill(content.entries["village.wa_prefill"].text, {"code": code})
    tg = settings.telegram_bot_username
    wa = settings.whatsapp_public_number
    base = (settings.public_url or DEFAULT_SERVE_URL).rstrip("/")
    return Links(telegram_link(tg, code) if tg else None,
                 whatsapp_link(wa, prefill) if wa else None, prefill,
                 web=f"{base}/?start={quote(code)}", web_is_local=not settings.public_url)
