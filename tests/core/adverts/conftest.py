"""Fixtures of the advert-checker tests: the written adverts, the fictitious register, a
checker, and a bot (SQLite and PostgreSQL) with that register imported."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.composition import Bot, build_bot
from bot.core.adverts.service import AdvertChecker
from bot.core.agencies.matching import Register
from bot.core.agencies.register_file import parse_register
from bot.core.agencies.service import AgencyService
from bot.core.content import Content
from bot.core.nlu import NLU
from bot.settings import PROJECT_ROOT, Settings

HERE = Path(__file__).parent
REGISTER_CSV = HERE / "register.csv"
TODAY = date(2026, 12, 5)
ADVERTS: list[dict[str, Any]] = yaml.safe_load((HERE / "adverts.yml").read_text("utf-8"))


@pytest.fixture(scope="session")
def checker() -> AdvertChecker:
    return AdvertChecker(Content.load(PROJECT_ROOT / "content"))


@pytest.fixture(scope="session")
def register() -> Register:
    return Register(parse_register(REGISTER_CSV).agencies)


@pytest.fixture
async def ad_bot(database_url: str, tmp_path: Path, nlu: NLU) -> AsyncIterator[Bot]:
    """A bot on a fresh database (both backends) with the test register and a media folder."""
    settings = Settings(database_url=database_url, cache_dir=PROJECT_ROOT / "var" / "cache",
                        seed_demo_data=False, media_dir=tmp_path / "media")
    built = await build_bot(settings, nlu=nlu)
    await AgencyService(built.sessions).import_file(REGISTER_CSV, as_of=TODAY,
                                                    source="daftar uji (fiktif)")
    yield built
    await built.close()
