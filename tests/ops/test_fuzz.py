"""A fast fuzz pass (~200 hypothesis inputs) over the engine, /api/chat, the register parser
and /staff/login: no crash, no 500 (the full drill is benchmarks/drills/e_fuzz.py)."""

from __future__ import annotations

from benchmarks.drills.e_fuzz import fuzz_all
from bot.composition import Bot


async def test_fuzzed_inputs_never_crash(bot: Bot) -> None:
    bot.settings.rate_limit_chat_per_s = 0  # the fuzzer is one client sending fast
    figures = await fuzz_all(bot, scale=0.04)
    assert figures["inputs"] >= 200
    assert figures.get("http_500", 0) == 0
    assert figures["engine_turns"] >= 80 and figures["csv_files"] >= 60
