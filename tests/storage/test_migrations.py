"""Migrations log what they run, and nothing when the database is already at head."""

from __future__ import annotations

import logging

import pytest

from storage import db


async def test_upgrade_is_silent_when_nothing_changes(
        database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    engine = db.create_engine(database_url)
    try:
        with caplog.at_level(logging.INFO, logger="alembic"):
            await db.upgrade(engine)
            ran = [r.getMessage() for r in caplog.records if r.name.startswith("alembic")]
            caplog.clear()
            await db.upgrade(engine)
            again = [r.getMessage() for r in caplog.records if r.name.startswith("alembic")]
    finally:
        await engine.dispose()
    assert any(m.startswith("Running upgrade") for m in ran)
    assert again == []
    assert await _is_current(database_url)


async def _is_current(url: str) -> bool:
    engine = db.create_engine(url)
    try:
        return await db.is_current(engine)
    finally:
        await engine.dispose()
