"""Evidence files on the case page: thumbnails and downloads served with the stored type,
Content-Disposition and nosniff, to the case's office only (another office: 404, as for
the case itself), each access in the staff audit log."""

from __future__ import annotations

from sqlalchemy import select

from bot.composition import Bot
from storage import media
from storage.models.complaints import Complaint, Evidence
from storage.models.staff_audit import StaffAudit
from storage.repositories.complaint_records import set_evidence_ref
from storage.repositories.users import get_or_create_user
from tests.dashboard.conftest import Client, add_complaint, add_staff, login, post
from tests.fakes.media import png


async def _case_with_photo(bot: Bot, province: str, user: str) -> tuple[int, str, bytes]:
    """A complaint whose evidence is a photo in the media store: (case id, media id, bytes)."""
    picture = png()
    case_id, _ticket, _office = await add_complaint(
        bot, province, user=user, channel="telegram",
        evidence=[{"ref": "telegram:FILE", "mime": "image/jpeg"}])
    async with bot.sessions() as db, db.begin():
        owner = await get_or_create_user(db, "telegram", user)
        row = await bot.media.save(db, picture, channel="telegram", user_id=owner.id,
                                   source="telegram:FILE")
        evidence_id = (await db.execute(select(Evidence.id).where(
            Evidence.complaint_id == case_id))).scalar_one()
        await set_evidence_ref(db, evidence_id, media.ref(row), mime=row.mime, size=row.size)
    return case_id, row.id, picture


async def test_thumbnail_and_download_for_the_case_office(client: Client, bot: Bot) -> None:
    case_id, media_id, picture = await _case_with_photo(bot, "Jawa Timur", "a")
    _, _, office = await add_complaint(bot, "Jawa Timur", user="other")
    await add_staff(bot, "handler-a", office)
    await login(client, "handler-a")
    page = await (await client.get(f"/staff/case/{case_id}")).text()
    url = f"/staff/case/{case_id}/media/{media_id}"
    assert f'src="{url}"' in page and f'href="{url}?download=1"' in page
    shown = await client.get(url)
    assert shown.status == 200 and await shown.read() == picture
    assert shown.headers["Content-Type"] == "image/png"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert shown.headers["Content-Disposition"].startswith("inline;")
    download = await client.get(url + "?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    async with bot.sessions() as db:
        audit = [(a.action, a.username) for a in (await db.execute(
            select(StaffAudit).where(StaffAudit.action.like("media_%")))).scalars()]
    assert audit == [("media_view", "handler-a"), ("media_download", "handler-a")]


async def test_another_office_gets_404_and_nothing_is_audited(client: Client, bot: Bot) -> None:
    case_id, media_id, _ = await _case_with_photo(bot, "Jawa Timur", "a")
    await add_staff(bot, "handler-b", "BP3MI-JABAR")
    await login(client, "handler-b")
    for suffix in ("", "?download=1"):
        response = await client.get(f"/staff/case/{case_id}/media/{media_id}{suffix}")
        assert response.status == 404
    async with bot.sessions() as db:
        assert (await db.execute(select(StaffAudit).where(
            StaffAudit.action.like("media_%")))).first() is None


async def test_a_file_not_attached_to_the_case_is_404(client: Client, bot: Bot) -> None:
    case_id, _, _ = await _case_with_photo(bot, "Jawa Timur", "a")
    other_case, other_media, _ = await _case_with_photo(bot, "Jawa Timur", "b")
    async with bot.sessions() as db:
        complaint = await db.get(Complaint, case_id)
        assert complaint is not None
        office = complaint.office_code
    await add_staff(bot, "handler-a", office)
    await login(client, "handler-a")
    assert (await client.get(f"/staff/case/{case_id}/media/{other_media}")).status == 404
    assert (await client.get(f"/staff/case/{other_case}/media/{other_media}")).status == 200
    assert (await client.get(f"/staff/case/{case_id}/media/{'0' * 32}")).status == 404
    await post(client, "/staff/logout")
    assert (await client.get(f"/staff/case/{other_case}/media/{other_media}",
                             allow_redirects=False)).status in (302, 303, 401, 403)
