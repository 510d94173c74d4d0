"""One complaint per confirmation: presses of "Kirim pengaduan" racing each other (five
rounds of several concurrent presses, as a double tap or a flaky connection sends them)
file exactly one complaint each round, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select

from bot.composition import build_bot
from bot.core.messages import Message
from bot.core.nlu import NLU
from bot.settings import PROJECT_ROOT, Settings
from storage.models.complaints import Complaint
from tests.core.complaints.test_intake import HAPPY, keys, run

CONFIRM = "complaint:pick:confirm:yes"


async def test_concurrent_confirm_presses_file_one_complaint(
        database_url: str, nlu: NLU, tmp_path: Path) -> None:
    settings = Settings(database_url=database_url, cache_dir=PROJECT_ROOT / "var" / "cache",
                        seed_demo_data=False)
    bot = await build_bot(settings, nlu=nlu)
    try:
        for round_ in range(5):
            user = f"tap-{round_}"
            assert keys(await run(bot, HAPPY, user=user)) == ["complaint.summary"]
            presses = 2 if round_ % 2 == 0 else 8
            answers = await asyncio.gather(*(
                bot.engine.handle(Message("web", user, button=CONFIRM))
                for _ in range(presses)))
            firsts = sorted(replies[0].key for replies in answers)
            assert firsts.count("complaint.filed") == 1, firsts
            assert set(firsts) <= {"complaint.filed", "complaint_status.new",
                                   "complaint.consent"}
        async with bot.sessions() as db:
            count = (await db.execute(select(func.count()).select_from(Complaint))).scalar_one()
        assert count == 5
    finally:
        await bot.close()
