"""The advert check in chat through the engine: forwarded adverts and pictures answered with
ad_check.<risk>, ordinary questions left to the NLU, reports stored without half-writes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.composition import Bot
from bot.core.adverts.ocr import picture_text
from bot.core.messages import Message, Reply
from storage import media as media_store
from storage.media import is_image, sniff_mime
from storage.models import User
from storage.models.adverts import AdvertReport
from storage.models.media import Media
from tests.core.adverts.conftest import ADVERTS
from tests.core.adverts.pictures import screenshot

SCAM = next(a for a in ADVERTS if a["id"] == "scam_cambodia_admin")
LEGIT = next(a for a in ADVERTS if a["id"] == "legit_taiwan_bina_kerja")
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


async def say(bot: Bot, text: str | None = None, button: str | None = None,
              meta: dict[str, Any] | None = None, user: str = "u1") -> list[Reply]:
    return await bot.engine.handle(Message("web", user, text=text, button=button,
                                           meta=meta or {}))


def keys(replies: list[Reply]) -> list[str]:
    return [r.key for r in replies]


async def send_file(bot: Bot, data: bytes, user: str = "u1", *, read: bool = True
                    ) -> list[Reply]:
    """Store a file and read a picture as a channel does (before the turn, `read`), then
    send the turn that refers to it."""
    text = picture_text(data) if read and is_image(sniff_mime(data) or "") else {}
    async with bot.sessions() as db, db.begin():
        row = await bot.media.save(db, data, channel="web", user_id=None, source="web:upload")
        ref, mime, size = media_store.ref(row), row.mime, row.size
    meta: dict[str, Any] = {"media": [{"ref": ref, "mime": mime, "size": size}]}
    if text:
        meta["read"] = {ref: text}
    return await say(bot, meta=meta, user=user)


async def count(bot: Bot, model: type[Any]) -> int:
    async with bot.sessions() as db:
        return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def test_forwarded_scam_advert_gets_high_with_three_buttons(ad_bot: Bot) -> None:
    await say(ad_bot, "halo")
    [reply] = await say(ad_bot, SCAM["text"])
    assert reply.key == "ad_check.high"
    assert [b.payload for b in reply.buttons] == ["agency_check", "ad:report", "menu"]
    assert [b.title for b in reply.buttons] == ["Cek P3MI", "Laporkan lowongan ini",
                                                "Menu utama"]
    assert len(reply.text.splitlines()) <= 14


async def test_legit_advert_gets_low_and_never_says_safe(ad_bot: Bot) -> None:
    await say(ad_bot, "halo")
    [reply] = await say(ad_bot, LEGIT["text"])
    assert reply.key == "ad_check.low"
    assert "aman" not in reply.text.lower().replace("amanah", "")
    assert "SIAPkerja" in reply.text and "BP3MI" in reply.text


async def test_ordinary_questions_are_not_taken_for_adverts(ad_bot: Bot) -> None:
    await say(ad_bot, "halo")
    for question in ("berapa biaya kerja ke Taiwan?",
                     "saya mau kerja di Malaysia jadi ART, gajinya berapa ya kak? syaratnya apa?",
                     "Kak, saya sudah bayar 5 juta ke sponsor tapi belum berangkat, "
                     "paspor saya ditahan, saya harus lapor ke mana ya?"):
        replies = await say(ad_bot, question)
        assert not any(k.startswith("ad_check") for k in keys(replies)), question


async def test_report_stores_advert_flags_and_district_once(ad_bot: Bot) -> None:
    await say(ad_bot, "halo")
    async with ad_bot.sessions() as db, db.begin():
        user = (await db.execute(select(User).where(User.external_id == "u1"))).scalar_one()
        user.state = {**user.state, "district": "33.01"}
    await say(ad_bot, SCAM["text"])
    assert keys(await say(ad_bot, button="ad:report")) == ["ad_check.reported"]
    async with ad_bot.sessions() as db:
        [row] = (await db.execute(select(AdvertReport))).scalars().all()
    assert row.district == "33.01" and row.risk == "high"
    assert "non_placement_country" in row.flags.split(",") and "KAMBOJA" in row.text
    assert keys(await say(ad_bot, button="ad:report")) == ["ad_check.nothing_to_report"]
    assert await count(ad_bot, AdvertReport) == 1


async def test_picture_outside_a_complaint_is_read_and_checked(ad_bot: Bot,
                                                                tesseract: None) -> None:
    await say(ad_bot, "halo")
    [reply] = await send_file(ad_bot, screenshot(SCAM["text"], fmt="JPEG"))
    assert reply.key == "ad_check.high"
    assert "ad:report" in [b.payload for b in reply.buttons]


async def test_picture_not_read_before_its_turn_asks_for_the_text(ad_bot: Bot) -> None:
    await say(ad_bot, "halo")  # the turn itself never runs OCR (no transaction held for it)
    replies = await send_file(ad_bot, screenshot(SCAM["text"], fmt="JPEG"), read=False)
    assert keys(replies) == ["ad_check.unreadable"]


async def test_unreadable_picture_asks_for_the_text(ad_bot: Bot, tesseract: None) -> None:
    from PIL import Image

    await say(ad_bot, "halo")
    blank = Image.new("RGB", (600, 800), "#3366aa")
    import io
    out = io.BytesIO()
    blank.save(out, format="PNG")
    assert keys(await send_file(ad_bot, out.getvalue())) == ["ad_check.unreadable"]


async def test_pdf_sent_outside_a_complaint_gets_a_clear_answer(ad_bot: Bot) -> None:
    await say(ad_bot, "halo")
    assert keys(await send_file(ad_bot, PDF)) == ["ad_check.not_picture"]


async def test_picture_claiming_bytes_that_are_not_one_get_a_clear_answer(ad_bot: Bot) -> None:
    await say(ad_bot, "halo")
    broken = b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 100
    assert keys(await send_file(ad_bot, broken)) == ["ad_check.not_picture"]


async def test_media_not_in_the_store_is_answered_not_crashed(ad_bot: Bot) -> None:
    await say(ad_bot, "halo")
    replies = await say(ad_bot, meta={"media": [{"ref": "media:" + "0" * 32,
                                                 "mime": "image/jpeg", "size": 10}]})
    assert keys(replies) == ["ad_check.unreadable"]
    assert await count(ad_bot, Media) == 0


async def test_empty_and_emoji_only_and_huge_texts_get_clear_answers(ad_bot: Bot) -> None:
    await say(ad_bot, "halo")
    assert keys(await say(ad_bot, "   ")) == ["error.empty"]
    assert not keys(await say(ad_bot, "😀🔥🙏" * 20))[0].startswith("ad_check")
    assert keys(await say(ad_bot, "lowongan kerja gaji 10 juta " * 2000)) == ["error.too_long"]
    assert await count(ad_bot, AdvertReport) == 0


async def test_deleting_my_data_detaches_my_reports_but_keeps_the_advert(ad_bot: Bot) -> None:
    from bot.core.complaints.rules import delete_personal_data

    await say(ad_bot, "halo")
    await say(ad_bot, SCAM["text"])
    await say(ad_bot, button="ad:report")
    async with ad_bot.sessions() as db, db.begin():
        user = (await db.execute(select(User).where(User.external_id == "u1"))).scalar_one()
        await delete_personal_data(db, user)
    async with ad_bot.sessions() as db:
        [row] = (await db.execute(select(AdvertReport))).scalars().all()
    assert row.user_id is None and row.risk == "high"


async def test_picture_with_too_many_pixels_is_refused_clearly(ad_bot: Bot) -> None:
    import io

    from PIL import Image

    await say(ad_bot, "halo")
    out = io.BytesIO()
    Image.new("L", (8000, 6000), 255).save(out, format="PNG")  # 48 Mpx in a small file
    assert keys(await send_file(ad_bot, out.getvalue())) == ["ad_check.too_large"]
    assert await count(ad_bot, AdvertReport) == 0


async def test_file_the_channel_refused_gets_its_reason(ad_bot: Bot) -> None:
    await say(ad_bot, "halo")
    too_big = {"media": [{"ref": "rejected:size", "mime": "image/jpeg", "size": 20_000_000}]}
    assert keys(await say(ad_bot, meta=too_big)) == ["ad_check.too_large"]
    not_picture = {"media": [{"ref": "rejected:type", "mime": "image/jpeg", "size": 10}]}
    assert keys(await say(ad_bot, meta=not_picture)) == ["ad_check.not_picture"]


async def test_advert_longer_than_a_chat_message_is_still_checked(ad_bot: Bot) -> None:
    await say(ad_bot, "halo")
    long_advert = SCAM["text"] + "\nKeterangan: " + "kerja enak, bos baik, gaji lancar. " * 70
    assert len(long_advert) > ad_bot.settings.max_message_chars
    assert keys(await say(ad_bot, long_advert)) == ["ad_check.high"]


async def test_voice_note_keeps_the_usual_answer(ad_bot: Bot) -> None:
    await say(ad_bot, "halo")
    voice = {"media": [{"ref": "rejected:type", "mime": "audio/ogg", "size": 5000}]}
    assert keys(await ad_bot.engine.handle(Message("web", "u1", media="voice", meta=voice))) \
        == ["error.unsupported"]


async def test_short_forwarded_advert_gets_an_advert_check(ad_bot: Bot) -> None:
    await say(ad_bot, "halo")
    for advert in (a for a in ADVERTS if a["id"].endswith("_short")):
        assert keys(await say(ad_bot, advert["text"])) == [f"ad_check.{advert['risk']}"], \
            advert["id"]


async def test_adverts_asking_a_school_level_or_an_age_are_checked_not_taken_for_emergencies(
        ad_bot: Bot) -> None:
    await say(ad_bot, "halo")
    for advert in (a for a in ADVERTS if a["id"].endswith("_chat")):
        assert keys(await say(ad_bot, advert["text"])) == [f"ad_check.{advert['risk']}"], \
            advert["id"]
