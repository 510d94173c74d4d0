"""Villages: registry parsing, referral codes, share links, attribution in the chat from
both deep-link forms (Telegram /start payload as Message.referral, WhatsApp prefilled
text), district choice, topic counters and agency sightings."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select

from bot.composition import Bot
from bot.core.agencies.service import AgencyService
from bot.core.messages import Message
from bot.core.villages.registry import ALPHABET, find_code, parse_villages, referral_code
from bot.core.villages.service import DEMO_FILE, import_villages, links
from bot.settings import PROJECT_ROOT
from storage.models import User
from storage.models.villages import AgencySighting, TopicCount, UserAttribution, Village


def test_demo_registry_parses_and_is_fictitious() -> None:
    parsed = parse_villages(DEMO_FILE)
    assert len(parsed.rows) == 6 and parsed.rejected == []
    assert all(r.code.startswith("99.") for r in parsed.rows)
    assert "FIKTIF" in DEMO_FILE.read_text(encoding="utf-8")


def test_two_column_kemendagri_list(tmp_path: Path) -> None:
    path = tmp_path / "wilayah.csv"
    path.write_text("kode,nama\n99,PROVINSI UJI\n99.07,KABUPATEN UJI\n99.07.03,UJI TENGAH\n"
                    "99.07.03.2004,Ujiwangi\n99.07.03.9,rusak\n", encoding="utf-8")
    parsed = parse_villages(path)
    assert [(r.code, r.subdistrict, r.district, r.province) for r in parsed.rows] == [
        ("99.07.03.2004", "UJI TENGAH", "KABUPATEN UJI", "PROVINSI UJI")]


def test_referral_codes_are_short_unambiguous_and_stable() -> None:
    code = referral_code("99.01.01.2001", set())
    assert code == referral_code("99.01.01.2001", set())
    assert len(code) == 7 and all(ch in ALPHABET for ch in code[2:])
    assert referral_code("99.01.01.2001", {code}) != code
    assert find_code(f"Halo Jalur Aman. Kode desa: {code.lower()}") == code


async def _village(bot: Bot) -> Village:
    await import_villages(bot.sessions, DEMO_FILE, demo=True)
    async with bot.sessions() as db:
        return (await db.execute(select(Village).where(Village.code == "99.01.01.2001"))
                ).scalar_one()


async def _attribution(bot: Bot, channel: str, user: str) -> UserAttribution | None:
    async with bot.sessions() as db:
        row = (await db.execute(select(User).where(User.channel == channel,
                                                   User.external_id == user))).scalar_one()
        return await db.get(UserAttribution, row.id)


async def test_telegram_start_payload_asks_and_attributes(bot: Bot) -> None:
    village = await _village(bot)
    replies = await bot.engine.handle(
        Message("telegram", "501", button="menu", referral=village.referral_code))
    keys = [r.key for r in replies]
    assert keys[-1] == "village.confirm" and "menu" in keys
    yes = replies[-1].buttons[0].payload
    assert yes == f"village:yes:{village.referral_code}"
    assert await _attribution(bot, "telegram", "501") is None  # asked, not yet stored
    replies = await bot.engine.handle(Message("telegram", "501", button=yes))
    assert [r.key for r in replies] == ["village.confirmed"]
    attribution = await _attribution(bot, "telegram", "501")
    assert attribution is not None and attribution.village_code == village.code
    assert attribution.district_code == "99.01"
    again = await bot.engine.handle(
        Message("telegram", "501", button="menu", referral=village.referral_code))
    assert "village.confirm" not in [r.key for r in again]


async def test_web_chat_link_uses_public_url_or_says_it_is_local(bot: Bot) -> None:
    village = await _village(bot)
    local = links(bot.settings, bot.content, village)
    assert local.web == f"http://127.0.0.1:8080/?start={village.referral_code}"
    assert local.web_is_local and local.channels == ["web"]
    bot.settings.public_url = "https://jalur-aman.example/"
    public = links(bot.settings, bot.content, village)
    assert public.web == f"https://jalur-aman.example/?start={village.referral_code}"
    assert not public.web_is_local


async def test_web_chat_start_link_asks_and_attributes(bot: Bot) -> None:
    village = await _village(bot)
    start = parse_qs(urlparse(links(bot.settings, bot.content, village).web).query)["start"][0]
    replies = await bot.engine.handle(Message("web", "w-start", text="halo", referral=start))
    assert [r.key for r in replies][-1] == "village.confirm"


async def test_whatsapp_prefilled_text_asks_and_attributes(bot: Bot) -> None:
    village = await _village(bot)
    bot.settings.whatsapp_public_number = "+62 811 0000 0000"
    link = links(bot.settings, bot.content, village).whatsapp
    assert link is not None
    text = parse_qs(urlparse(link).query)["text"][0]
    replies = await bot.engine.handle(Message("whatsapp", "62811", text=text))
    assert [r.key for r in replies][-1] == "village.confirm"
    no = replies[-1].buttons[1].payload
    replies = await bot.engine.handle(Message("whatsapp", "62811", button=no))
    assert replies[-1].key == "village.ask_district"
    replies = await bot.engine.handle(Message("whatsapp", "62811", text="Contoh Jaya"))
    assert replies[-1].key == "village.district_saved"
    attribution = await _attribution(bot, "whatsapp", "62811")
    assert attribution is not None and attribution.village_code is None
    assert attribution.district_code == "99.02"
    async with bot.sessions() as db:
        user = (await db.execute(select(User).where(User.external_id == "62811"))).scalar_one()
        assert user.state["district"] == "Kota Contoh Jaya"
        assert user.referral == village.referral_code


async def test_unknown_code_and_unknown_district_store_nothing(bot: Bot) -> None:
    await _village(bot)
    replies = await bot.engine.handle(Message("web", "u1", text="hai", referral="DSZZZZZ"))
    assert "village.confirm" not in [r.key for r in replies]
    await bot.engine.handle(Message("web", "u1", button="village:district"))
    replies = await bot.engine.handle(Message("web", "u1", text="Atlantis"))
    assert replies[-1].key == "village.district_unknown"
    assert await _attribution(bot, "web", "u1") is None


async def test_topics_are_counted_per_village_and_sightings_recorded(bot: Bot) -> None:
    village = await _village(bot)
    await AgencyService(bot.sessions).import_file(PROJECT_ROOT / "bot" / "demo_data" /
                                                  "p3mi_demo.csv", demo=True)
    await bot.engine.handle(Message("web", "w1", text="hai", referral=village.referral_code))
    await bot.engine.handle(Message("web", "w1", button=f"village:yes:{village.referral_code}"))
    await bot.engine.handle(Message("web", "w1", button="costs"))
    await bot.engine.handle(Message("web", "w1", button="costs"))
    await bot.engine.handle(Message("web", "w1", text="kur buat pmi bunganya brp"))  # costs.kur
    await bot.engine.handle(Message("web", "w1", button="agency_check"))
    await bot.engine.handle(Message("web", "w1", text="PT Tidak Ada Sama Sekali Jaya"))
    async with bot.sessions() as db:
        counts = {(t.village_code, t.intent): t.count
                  for t in (await db.execute(select(TopicCount))).scalars()}
        sightings = list((await db.execute(select(AgencySighting))).scalars())
    assert counts[(village.code, "costs")] == 3  # a specific answer counts for its intent
    assert counts[(village.code, "agency_check")] >= 1
    assert len(sightings) == 1 and sightings[0].district == village.district
    assert sightings[0].village_code == village.code
