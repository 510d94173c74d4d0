"""Agency names inside chat messages, through the engine: the safety rule holds in free
text. Cases are data (data/mention_cases.yml) against a fictitious register whose names
hold everyday words (Mas, Kerja, Aman, Ada, Sama, Bisa, Info, Mandiri, Jaya)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from bot.composition import Bot
from bot.core.agencies.matching import name_key
from bot.core.agencies.mentions import LEXICON_FILE, Lexicon, find_mention
from bot.core.agencies.service import AgencyService
from bot.core.messages import Message
from storage.models import User
from storage.models.agencies import AgencyReport
from storage.repositories.village_stats import early_warning

DATA = Path(__file__).parent / "data"
CASES: dict[str, Any] = yaml.safe_load((DATA / "mention_cases.yml").read_text("utf-8"))
VERDICTS = ("registered", "license_problem", "ambiguous", "not_found")


@pytest.fixture
async def register_bot(bot: Bot) -> Bot:
    await AgencyService(bot.sessions).import_file(
        DATA / "everyday_register.csv", as_of=date(2026, 11, 1), source="daftar uji")
    return bot


async def _verdict(bot: Bot, user: str, text: str) -> tuple[str | None, str | None]:
    """The agency verdict a new user gets for `text`, and the register name it is about."""
    replies = await bot.engine.handle(Message("web", user, text=text))
    verdict = next((r.key.split(".")[1] for r in replies if r.key.startswith("agency_check.")
                    and r.key.split(".")[1] in VERDICTS), None)
    async with bot.sessions() as session:
        row = (await session.execute(select(User).where(User.external_id == user))).scalar_one()
        matched = (row.state.get("agency_last") or {}).get("matched")
    return verdict, matched


def _sentences(kind: str) -> list[tuple[str, str]]:
    return [(name, shape.format(name=name)) for name in CASES[kind] for shape in CASES["shapes"]]


async def test_registered_names_with_everyday_words_are_found_whole(register_bot: Bot) -> None:
    sentences = _sentences("registered")
    missed = []
    for i, (name, text) in enumerate(sentences):
        verdict, matched = await _verdict(register_bot, f"r{i}", text)
        if verdict != "registered" or name_key(matched or "") != name_key(name):
            missed.append((text, verdict, matched))
    assert len(missed) / len(sentences) <= 0.03, missed


async def test_look_alike_names_are_never_registered(register_bot: Bot) -> None:
    wrong = []
    for i, (_, text) in enumerate(_sentences("decoys")):
        verdict, matched = await _verdict(register_bot, f"d{i}", text)
        if verdict == "registered":
            wrong.append((text, matched))
    assert wrong == []


async def test_problem_licences_are_named_as_such(register_bot: Bot) -> None:
    for i, (name, text) in enumerate(_sentences("license_problem")):
        verdict, matched = await _verdict(register_bot, f"p{i}", text)
        assert (verdict, name_key(matched or "")) == ("license_problem", name_key(name)), text


async def test_sentences_naming_no_agency_get_no_verdict_and_no_report(
        register_bot: Bot) -> None:
    for i, text in enumerate(CASES["none"]):
        verdict, _ = await _verdict(register_bot, f"n{i}", text)
        assert verdict is None, text
    async with register_bot.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AgencyReport)) == 0
        assert await early_warning(session) == []


@pytest.mark.parametrize("channel", ["web", "telegram", "whatsapp"])
async def test_every_channel_gets_the_same_verdicts(register_bot: Bot, channel: str) -> None:
    decoy = await register_bot.engine.handle(
        Message(channel, "c1", text="PT Cahaya Lombok Aman resmi gak?"))
    real = await register_bot.engine.handle(
        Message(channel, "c2", text="PT Bumi Mas Antarnusa resmi gak?"))
    assert "agency_check.ambiguous" in [r.key for r in decoy]
    assert "agency_check.registered" in [r.key for r in real]


def test_a_name_after_pt_runs_to_a_clear_boundary() -> None:
    mention = find_mention("PT Cahaya Lombok Aman Sentosa resmi gak?")
    assert mention.after_legal == ["cahaya lombok aman sentosa"]
    assert find_mention("PT. MAJU JAYA aman gak?").after_legal == ["maju jaya"]
    assert find_mention("pt sumber tenaga kerja remaja abadi itu terdaftar").after_legal == [
        "sumber tenaga kerja remaja abadi"]


def test_phone_numbers_and_people_are_not_agencies() -> None:
    assert find_mention("0812 3456 7890 ini nomor calo nya").empty
    assert find_mention("sponsor saya pak Budi resmi gak").empty


def test_word_lists_are_read_from_the_configured_intents_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed package (the container image) has no intents/ beside it: INTENTS_DIR."""
    source = Path(__file__).parents[3] / "intents" / LEXICON_FILE
    data = yaml.safe_load(source.read_text("utf-8"))
    data["cues"] += " ajensi"
    (tmp_path / LEXICON_FILE).write_text(yaml.safe_dump(data), "utf-8")
    monkeypatch.setenv("JALUR_AMAN_INTENTS_DIR", str(tmp_path))
    assert "ajensi" in Lexicon.load().cues
