"""Village pages: village/district accounts see only their own aggregates (fail closed),
small counts are suppressed, supervisors get the early warning and content review, and
the poster PDF opens and its QR codes decode back to the share links."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from bot.composition import Bot
from bot.core.messages import Message
from bot.core.villages.poster import pdf_to_png
from bot.core.villages.reports import suppress
from bot.core.villages.service import DEMO_FILE, import_villages, links
from storage.models.complaints import Staff
from storage.models.villages import Village
from storage.repositories import staff as staff_repo
from storage.repositories.users import record_unanswered
from tests.dashboard.conftest import PASSWORD, Client, add_staff, login


async def _villages(bot: Bot) -> dict[str, Village]:
    await import_villages(bot.sessions, DEMO_FILE, demo=True)
    async with bot.sessions() as db:
        return {v.code: v for v in (await db.execute(select(Village))).scalars()}


async def _scoped(bot: Bot, username: str, role: str, village: str | None = None,
                  district: str | None = None) -> None:
    async with bot.sessions() as db, db.begin():
        staff: Staff = await staff_repo.create_staff(
            db, username=username, password=PASSWORD, office_code=f"x:{village or district}",
            role=role)
        staff.village_code, staff.district_code = village, district


async def _residents(bot: Bot, village: Village, n: int, prefix: str) -> None:
    for i in range(n):
        user = f"{prefix}{i}"
        await bot.engine.handle(Message("web", user, text="hai", referral=village.referral_code))
        await bot.engine.handle(Message("web", user,
                                        button=f"village:yes:{village.referral_code}"))
        await bot.engine.handle(Message("web", user, button="costs"))


def test_suppression() -> None:
    assert [suppress(n) for n in (0, 1, 4, 5, 12)] == ["0", "<5", "<5", "5", "12"]


async def test_village_account_sees_only_its_village(bot: Bot, client: Client) -> None:
    villages = await _villages(bot)
    mine, other = villages["99.01.01.2001"], villages["99.01.01.2002"]
    await _residents(bot, mine, 6, "a")
    await _residents(bot, other, 2, "b")
    await _scoped(bot, "desa1", "village", village=mine.code)
    assert (await login(client, "desa1")).status == 303
    page = await client.get("/staff/desa")
    html = await page.text()
    assert page.status == 200 and 'data-count="users">6<' in html
    widened = await (await client.get(f"/staff/desa?desa={other.referral_code}")).text()
    assert 'data-count="users">6<' in widened  # the query cannot change the scope
    for path in ("/staff/queue/new", "/staff/case/1", "/staff/export.csv", "/staff/peringatan",
                 "/staff/tinjauan", "/staff/tinjauan.yml", "/staff/peringatan.csv"):
        assert (await client.get(path, allow_redirects=False)).status == 404, path
    poster = await client.get(f"/staff/desa/poster.pdf?desa={other.referral_code}")
    assert poster.status == 200
    assert mine.referral_code in PdfReader(io.BytesIO(await poster.read())).pages[0].extract_text()


async def test_small_counts_are_suppressed_for_a_district(bot: Bot, client: Client) -> None:
    villages = await _villages(bot)
    await _residents(bot, villages["99.02.01.2001"], 3, "c")
    await _residents(bot, villages["99.01.01.2001"], 7, "d")
    await _scoped(bot, "kab2", "district", district="99.02")
    await login(client, "kab2")
    html = await (await client.get("/staff/desa")).text()
    assert 'data-count="users">&lt;5<' in html and ">3<" not in html
    outside = await client.get(f"/staff/desa?desa={villages['99.01.01.2001'].referral_code}")
    assert outside.status == 404


async def test_handler_gets_403_and_supervisor_sees_warning_and_review(
        bot: Bot, client: Client) -> None:
    await _villages(bot)
    await add_staff(bot, "petugas", "bp3mi_jateng")
    await login(client, "petugas")
    assert (await client.get("/staff/desa")).status == 403
    assert (await client.get("/staff/peringatan")).status == 403
    async with bot.sessions() as db, db.begin():
        await record_unanswered(db, None, "nama saya Siti Aminah 081234567890 qwx", "costs", 0.2)
    await add_staff(bot, "kepala", "bp3mi_jateng", role="supervisor")
    await login(client, "kepala")
    assert (await client.get("/staff/peringatan")).status == 200
    assert (await client.get("/staff/peringatan.csv")).status == 200
    review = await (await client.get("/staff/tinjauan")).text()
    assert "Aminah" not in review and "081234567890" not in review
    export = await client.get("/staff/tinjauan.yml")
    body = await export.text()
    assert export.status == 200 and "3.1" in body and "intent:" in body
    assert "Aminah" not in body


def _decode_all(png: bytes) -> set[str]:
    image = np.array(Image.open(io.BytesIO(png)).convert("L"))
    found: set[str] = set()
    detector = cv2.QRCodeDetector()
    ok, texts, _points, _ = detector.detectAndDecodeMulti(image)
    if ok:
        found |= {t for t in texts if t}
    _height, width = image.shape
    for parts in (2, 3):  # one code at a time too (two or three side by side)
        for i in range(parts):
            piece = image[:, i * width // parts: (i + 1) * width // parts]
            text, _pts, _ = detector.detectAndDecode(np.ascontiguousarray(piece))
            if text:
                found.add(text)
    return found


async def test_poster_pdf_opens_and_qr_codes_decode_to_the_links(bot: Bot) -> None:
    from bot.core.villages.poster import poster_pdf

    villages = await _villages(bot)
    village = villages["99.01.01.2001"]
    bot.settings.telegram_bot_username = "JalurAmanUjiBot"
    bot.settings.whatsapp_public_number = "+62 811 0000 0000"
    share = links(bot.settings, bot.content, village)
    pdf = poster_pdf(bot.content, village, share)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert village.name in text and bot.content.contacts["kp2mi_hotline"] in text
    assert _decode_all(pdf_to_png(pdf, dpi=200)) == {share.web, share.whatsapp,
                                                     share.telegram}


async def test_poster_without_telegram_or_whatsapp_has_only_the_web_chat_qr(bot: Bot) -> None:
    from bot.core.villages.poster import poster_pdf

    village = (await _villages(bot))["99.01.01.2001"]
    share = links(bot.settings, bot.content, village)
    assert share.channels == ["web"]
    pdf = poster_pdf(bot.content, village, share)
    assert _decode_all(pdf_to_png(pdf, dpi=200)) == {share.web}
    assert "Belum tersedia" not in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


async def test_warning_and_review_pages_have_indonesian_labels_and_card_labels(
        bot: Bot, client: Client) -> None:
    from datetime import date

    from bot.core.agencies.service import AgencyService
    from bot.demo import DEMO_REGISTER

    await AgencyService(bot.sessions).import_file(DEMO_REGISTER, as_of=date(2026, 11, 1),
                                                  source="daftar uji")
    for message in (Message("web", "w1", button="agency_check"),
                    Message("web", "w1", text="PT Tidak Ada Sama Sekali"),
                    Message("web", "w1", button="agency:report")):
        await bot.engine.handle(message)
    async with bot.sessions() as db, db.begin():
        await record_unanswered(db, None, "qwx zzv", "costs", 0.2)
    await add_staff(bot, "kepala", "bp3mi_jateng", role="supervisor")
    await login(client, "kepala")
    warning = await (await client.get("/staff/peringatan")).text()
    assert "Tidak terdaftar" in warning and "not_found" not in warning
    review = await (await client.get("/staff/tinjauan")).text()
    assert bot.content.title("costs") in review and ">costs<" not in review
    for html in (warning, review):
        cells = html.count("<td")
        assert cells and html.count("<td data-label=") == cells  # every cell labelled
