"""Database engine, sessions and migrations (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, event, text
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*=\s*[\"']([^\"']+)[\"']", re.M)
# PostgreSQL advisory lock keys (arbitrary constants, unique to this application).
MIGRATION_LOCK = 0x4A41_0001
STARTUP_LOCK = 0x4A41_0002
ERASED = "personal_data_erased"  # session.info flag: this transaction erased a user's data
# PostgreSQL pool: room for 20 concurrent handlers plus bursts, per worker process.
POOL_SIZE = 20
POOL_OVERFLOW = 10
POOL_RECYCLE_S = 1800  # reconnect after half an hour (server-side idle timeouts)
PING_AFTER_IDLE_S = 5.0  # a connection idle this long is pinged before it is handed out


def create_engine(url: str, *, pool_size: int = POOL_SIZE, max_overflow: int = POOL_OVERFLOW
                  ) -> AsyncEngine:
    """An async engine; for SQLite the parent folder is created and foreign keys enforced.

    On PostgreSQL the pool holds `pool_size` connections (+ overflow) and pings only a
    connection that sat idle (no round trip per checkout on a busy, healthy pool). A
    restart while busy fails the statements in flight (answered 503 upstream); SQLAlchemy
    then sees the disconnect and replaces every older pooled connection."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: error messages and logs never carry user input.
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: durable across crashes
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA secure_delete=ON")  # erased data is overwritten
            cursor.close()

        return engine
    engine = create_async_engine(url, hide_parameters=True, pool_size=pool_size,
                                 max_overflow=max_overflow, pool_recycle=POOL_RECYCLE_S)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Ping a pooled connection at checkout only when it was idle PING_AFTER_IDLE_S or
    more; a failed ping makes the pool discard it and hand out a fresh one."""
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_conn, record):  # type: ignore[no-untyped-def]
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy):  # type: ignore[no-untyped-def]
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            dialect.do_ping(dbapi_conn)
        except Exception as exc:  # any failure: not usable, reconnect
            raise DisconnectionError("stale pooled connection") from exc


def is_postgres(session: AsyncSession) -> bool:
    """Whether the session talks to PostgreSQL (row locks, SKIP LOCKED) or SQLite."""
    return session.bind is not None and session.bind.dialect.name == "postgresql"


def insert_for(session: AsyncSession, table: Any) -> Any:
    """The dialect's INSERT (for ON CONFLICT DO NOTHING / DO UPDATE) on `table`. Each
    dialect's module is imported on first use: a SQLite process never loads PostgreSQL's."""
    if is_postgres(session):
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


async def compact_after_erasure(session: AsyncSession) -> None:
    """After a deletion of personal data commits on SQLite: copy the write-ahead log into
    the file and empty it, so the old row versions are gone from disk too (secure_delete
    zeroes freed space in the file). Nothing to do on PostgreSQL (VACUUM reclaims)."""
    bind = session.bind
    if not isinstance(bind, AsyncEngine) or bind.dialect.name != "sqlite":
        return
    async with bind.connect() as conn:
        await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def own_pool(sessions: async_sessionmaker[AsyncSession], size: int = 4
             ) -> tuple[async_sessionmaker[AsyncSession], AsyncEngine | None]:
    """Sessions on a small connection pool of their own, for short transactions that must
    not queue behind a busy shared pool, and its engine to dispose; on SQLite the same
    sessions and None (one writer at a time anyway)."""
    bind = sessions.kw.get("bind")
    if not isinstance(bind, AsyncEngine) or bind.dialect.name != "postgresql":
        return sessions, None
    # Like the main pool: a connection is pinged only after sitting idle (a ping on every
    # checkout was a round trip more for each of the sender's short transactions).
    engine = create_engine(bind.url.render_as_string(hide_password=False), pool_size=size,
                           max_overflow=size)
    return session_factory(engine), engine


@asynccontextmanager
async def migrated(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the database at `url`, migrated to the newest revision first; the
    engine is disposed on leaving (one short job: a command-line tool)."""
    engine = create_engine(url)
    try:
        await upgrade(engine)
        yield session_factory(engine)
    finally:
        await engine.dispose()


def _alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


@contextmanager
def _quiet_alembic() -> Iterator[None]:
    """Alembic's INFO lines ("Context impl SQLiteImpl.") silenced for a while."""
    alembic_log = logging.getLogger("alembic")
    level = alembic_log.level
    alembic_log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        alembic_log.setLevel(level)


def _upgrade(connection: Connection) -> None:
    """Migrate to head. Silent when the database is already there (a worker that waited
    for another's migration); otherwise Alembic logs each revision it runs."""
    from alembic import command

    with _quiet_alembic():
        current, heads = _current_heads(connection)
    if current == heads:
        return
    cfg = _alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


async def upgrade(engine: AsyncEngine) -> None:
    """Run all Alembic migrations up to head on this engine. On PostgreSQL a transaction
    advisory lock makes concurrent upgrades (N workers starting at once) run one at a time;
    the later ones find the schema at head and do nothing. A database already at head is
    recognised without loading Alembic (a command-line tool starts faster)."""
    if await _at_script_head(engine):
        return
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": MIGRATION_LOCK})
        await conn.run_sync(_upgrade)


def script_heads() -> set[str]:
    """Head revisions of the migration scripts, read from their `revision =` and
    `down_revision =` lines (a merge revision's tuple is not read: no fast answer then)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        revisions.update(v for k, v in found.items() if k == "revision")
        parents.update(v for k, v in found.items() if k == "down_revision")
    return revisions - parents


async def _at_script_head(engine: AsyncEngine) -> bool:
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
            current = {row[0] for row in rows}
    except DBAPIError:  # no alembic_version table yet: a new database
        return False
    return bool(current) and current == script_heads()


@asynccontextmanager
async def startup_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """Serialise start-up work (migrate, seed, sync offices) of workers sharing one
    PostgreSQL: a session advisory lock held on its own connection. No-op on SQLite."""
    if engine.dialect.name != "postgresql":
        yield
        return
    async with engine.connect() as conn:
        await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK})
        await conn.commit()
        try:
            yield
        finally:
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK})
            await conn.commit()


def _current_heads(connection: Connection) -> tuple[set[str], set[str]]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    context = MigrationContext.configure(connection)
    return set(context.get_current_heads()), set(script.get_heads())


async def is_current(engine: AsyncEngine) -> bool:
    """True when the database is migrated to the newest revision."""
    async with engine.connect() as conn:
        current, heads = await conn.run_sync(_current_heads)
    return current == heads
