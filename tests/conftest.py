"""Shared fixtures: databases (SQLite and, when available, PostgreSQL), NLU, a built bot,
and for browser tests the app served on loopback (`base_url`) and chromium (`browser`).

PostgreSQL tests use JALUR_AMAN_TEST_POSTGRES_URL (an admin URL such as
postgresql+asyncpg://postgres@127.0.0.1:5432/postgres); each test gets a fresh database.
Under CI=true a missing PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.composition import Bot, build_bot, load_nlu
from bot.core.nlu import NLU
from bot.settings import PROJECT_ROOT, Settings

POSTGRES_ENV = "JALUR_AMAN_TEST_POSTGRES_URL"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(what: str) -> None:
    """Skip locally, fail loudly in CI, when a service the test needs is missing."""
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available")
    pytest.skip(f"{what} not available")


@pytest.fixture
def tesseract() -> None:
    """Tests that read pictures need Debian's tesseract-ocr and tesseract-ocr-ind."""
    if shutil.which("tesseract") is None or not list(
            Path("/usr/share/tesseract-ocr").glob("*/tessdata/ind.traineddata")):
        require_service("tesseract-ocr with tesseract-ocr-ind")


@pytest.fixture(scope="session")
def nlu() -> NLU:
    settings = Settings(cache_dir=PROJECT_ROOT / "var" / "cache")
    return load_nlu(settings)


async def _create_pg_database(admin_url: str) -> tuple[str, str]:
    import asyncpg

    name = f"ja_test_{uuid.uuid4().hex[:12]}"
    dsn = admin_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}", name


async def _drop_pg_database(admin_url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database URL: SQLite file, then PostgreSQL (both backends tested)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    admin = os.environ.get(POSTGRES_ENV)
    if not admin:
        require_service(f"PostgreSQL ({POSTGRES_ENV})")
    assert admin is not None
    url, name = await _create_pg_database(admin)
    yield url
    await _drop_pg_database(admin, name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=sqlite_url, cache_dir=PROJECT_ROOT / "var" / "cache",
                    seed_demo_data=False)


@pytest.fixture
async def bot(settings: Settings, nlu: NLU) -> AsyncIterator[Bot]:
    """A bot on a fresh SQLite database, migrated, with the real content and NLU."""
    built = await build_bot(settings, nlu=nlu)
    yield built
    await built.close()


@pytest.fixture
def cli_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for running the CLI as a subprocess against a fresh SQLite database."""
    env = dict(os.environ)
    env["JALUR_AMAN_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    env["JALUR_AMAN_CACHE_DIR"] = str(PROJECT_ROOT / "var" / "cache")
    yield env


@pytest.fixture
def base_url(settings: Settings, nlu: NLU) -> Iterator[str]:
    """The whole app served on loopback with `settings` (a module may override that
    fixture, e.g. for a media folder or demo data), for browser tests."""
    from tests.browser import running_server

    with running_server(settings, nlu) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's chromium driven by Playwright (fails loudly in CI when missing)."""
    from tests.browser import chromium_browser

    with chromium_browser() as chromium:
        yield chromium
