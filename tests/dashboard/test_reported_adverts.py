"""The early-warning page lists reported adverts grouped by near-duplicate text, newest
first, with a count and a CSV export; it shows nothing of the reporters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.composition import Bot
from bot.core.adverts.grouping import normalise
from storage.models.adverts import AdvertReport
from storage.repositories import adverts as repo
from tests.dashboard.conftest import Client, add_staff, login

SCAM = ("LOWONGAN KERJA KAMBOJA admin gaji 15 juta, tiket gratis. Biaya proses 3 juta "
        "transfer ke BRI a.n. Siti Rahma, WA 0812 3456 7890")
OTHER = "Dicari ART untuk majikan di Riyadh Arab Saudi, gaji 6 juta, DP 2 juta lewat sponsor"


async def _report(bot: Bot, text: str, district: str | None, minutes_ago: int) -> None:
    async with bot.sessions() as db, db.begin():
        row = await repo.add_report(db, text=text, normalised=normalise(text), risk="high",
                                    flags=["non_placement_country", "fee_requested"],
                                    district=district, channel="whatsapp", user_id=None)
        row.created_at = datetime.now(UTC) - timedelta(minutes=minutes_ago)


async def test_reported_adverts_are_grouped_newest_first_with_csv(
        bot: Bot, client: Client) -> None:
    await _report(bot, SCAM, "33.01", 50)
    await _report(bot, "Diteruskan: " + SCAM + " 🔥🔥", "33.02", 40)
    await _report(bot, SCAM.upper(), None, 30)
    await _report(bot, OTHER, "35.07", 10)
    await add_staff(bot, "kepala", "bp3mi_jateng", role="supervisor")
    await login(client, "kepala")
    html = await (await client.get("/staff/peringatan")).text()
    table = html[html.index('id="reported-adverts"'):]
    assert table.index("Riyadh") < table.index("KAMBOJA")  # newest group first
    assert 'data-count="3"' in table and 'data-count="1"' in table
    assert "0812 3456 7890" not in table  # phone numbers masked
    export = await client.get("/staff/peringatan/lowongan.csv")
    body = await export.text()
    assert export.status == 200 and body.lstrip("\ufeff").startswith("advert,risk,flags")
    assert len(body.strip().splitlines()) == 3
    async with bot.sessions() as db:
        assert len((await db.execute(select(AdvertReport))).scalars().all()) == 4


async def test_handlers_cannot_see_reported_adverts(bot: Bot, client: Client) -> None:
    await add_staff(bot, "petugas", "bp3mi_jateng")
    await login(client, "petugas")
    assert (await client.get("/staff/peringatan/lowongan.csv")).status == 403
