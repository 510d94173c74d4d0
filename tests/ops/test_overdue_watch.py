"""The serve process runs the overdue check by itself: an app with a short interval marks
a case whose target has passed, and stops the watch cleanly on shutdown."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer

from bot.composition import build_bot
from bot.core.complaints.rules import Offices, file_complaint
from bot.core.nlu import NLU
from bot.settings import PROJECT_ROOT, Settings
from bot.web import create_app
from storage.models import utcnow
from storage.models.complaints import Complaint
from storage.repositories.users import get_or_create_user


async def test_the_app_marks_late_cases_in_the_background(sqlite_url: str, nlu: NLU) -> None:
    settings = Settings(database_url=sqlite_url, cache_dir=PROJECT_ROOT / "var" / "cache",
                        seed_demo_data=False, overdue_check_seconds=0.05)
    bot = await build_bot(settings, nlu=nlu)
    offices = Offices.load(settings.content_dir / "offices.yml")
    async with bot.sessions() as session, session.begin():
        user = await get_or_create_user(session, "web", "u-late")
        complaint, _ = await file_complaint(session, user=user, channel="web", offices=offices,
                                            answers={"category": "other",
                                                     "description": "Gaji belum dibayar."})
        complaint.first_response_due = utcnow() - timedelta(minutes=1)
    async with TestClient(TestServer(create_app(bot), host="127.0.0.1")):
        for _ in range(400):
            async with bot.sessions() as session:
                row = await session.get(Complaint, complaint.id)
                if row is not None and row.overdue_at is not None:
                    break
            await asyncio.sleep(0.05)
        assert row is not None and row.overdue_at is not None and row.escalated
