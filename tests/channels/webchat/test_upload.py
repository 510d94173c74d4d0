"""POST /api/chat/upload: photos and PDFs from the web chat, with type and size limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.composition import Bot, build_bot
from bot.core.nlu import NLU
from bot.settings import Settings
from bot.web import create_app
from storage.models import User
from storage.models.media import Media
from tests.core.complaints.test_intake import HAPPY

Client = TestClient  # type: ignore[type-arg]
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 200
PDF = b"%PDF-1.4\n" + b"x" * 200


@pytest.fixture
async def small_bot(settings: Settings, nlu: NLU, tmp_path: Path) -> AsyncIterator[Bot]:
    """A bot whose media store keeps files in tmp_path and accepts at most 4 KiB."""
    built = await build_bot(settings.model_copy(update={
        "media_dir": tmp_path / "media", "media_max_bytes": 4096}), nlu=nlu)
    yield built
    await built.close()


@pytest.fixture
async def client(small_bot: Bot) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    app = create_app(small_bot)
    app.on_cleanup.clear()
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _form(data: bytes, name: str = "bukti.png", caption: str | None = None) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", data, filename=name, content_type="application/octet-stream")
    if caption is not None:
        form.add_field("caption", caption)
    return form


async def _step(client: Client, token: str, kind: str, value: str) -> None:
    body = {"button": value} if kind == "button" else {"text": value}
    assert (await client.post("/api/chat", json=body, headers=_auth(token))).status == 200


async def _media_rows(bot: Bot) -> int:
    async with bot.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(Media))).scalar_one())


async def test_photo_in_the_intake_is_saved_as_evidence(client: Client, small_bot: Bot) -> None:
    token = (await (await client.post("/api/chat", json={"text": "halo"})).json())["token"]
    for kind, value in HAPPY[:10]:  # up to the evidence step
        await _step(client, token, kind, value)
    response = await client.post("/api/chat/upload", data=_form(PNG), headers=_auth(token))
    assert response.status == 200
    assert [r["key"] for r in (await response.json())["replies"]] == ["complaint.evidence_saved"]
    async with small_bot.sessions() as session:
        user = (await session.execute(select(User).where(
            User.external_id == token.partition(".")[0]))).scalar_one()
        [media] = (await session.execute(select(Media))).scalars().all()
    [evidence] = user.state["flow_data"]["answers"]["evidence"]
    assert evidence == {"ref": f"media:{media.id}", "mime": "image/png", "size": len(PNG)}
    assert media.user_id == user.id and small_bot.media.read(media.id) == PNG


async def test_pdf_outside_the_intake_is_answered_and_kept_in_history(client: Client) -> None:
    token = (await (await client.post("/api/chat", json={"text": "halo"})).json())["token"]
    response = await client.post("/api/chat/upload", data=_form(PDF, "kontrak.pdf"),
                                 headers=_auth(token))
    assert response.status == 200 and (await response.json())["replies"]
    history = await (await client.get("/api/chat/history", headers=_auth(token))).json()
    assert history["entries"][-1]["said"]["file"] == {
        "name": "kontrak.pdf", "size": len(PDF), "mime": "application/pdf"}


async def test_file_of_another_type_is_refused_and_nothing_stored(
        client: Client, small_bot: Bot) -> None:
    response = await client.post("/api/chat/upload", data=_form(b"MZ\x90\0 not a picture",
                                                                "foto.jpg"))
    assert response.status == 415
    assert (await response.json())["error"] == "unsupported_type"
    assert await _media_rows(small_bot) == 0


async def test_file_over_the_size_limit_is_refused_and_nothing_stored(
        client: Client, small_bot: Bot) -> None:
    response = await client.post("/api/chat/upload", data=_form(PNG + b"\0" * 5000))
    assert response.status == 413
    assert (await response.json())["error"] == "too_large"
    assert await _media_rows(small_bot) == 0


async def test_upload_without_a_file_or_with_a_forged_token_is_refused(client: Client) -> None:
    form = aiohttp.FormData()
    form.add_field("caption", "ini foto")
    assert (await client.post("/api/chat/upload", data=form)).status == 400
    assert (await client.post("/api/chat/upload", data=b"{}",
                              headers={"Content-Type": "application/json"})).status == 400
    forged = _auth("web-AAAAAAAAAAAAAAAAAAAAAA.forged")
    assert (await client.post("/api/chat/upload", data=_form(PNG),
                              headers=forged)).status == 401


@pytest.mark.usefixtures("tesseract")
async def test_advert_picture_outside_the_intake_is_read_and_checked(
        settings: Settings, nlu: NLU, tmp_path: Path) -> None:
    from tests.core.adverts.conftest import ADVERTS
    from tests.core.adverts.pictures import screenshot

    scam = next(a for a in ADVERTS if a["id"] == "scam_cambodia_admin")
    bot = await build_bot(settings.model_copy(update={"media_dir": tmp_path / "media"}), nlu=nlu)
    app = create_app(bot)
    app.on_cleanup.clear()
    try:
        async with TestClient(TestServer(app, host="127.0.0.1")) as web_client:
            token = (await (await web_client.post("/api/chat", json={"text": "halo"})).json()
                     )["token"]
            response = await web_client.post(
                "/api/chat/upload", data=_form(screenshot(scam["text"], fmt="JPEG"), "iklan.jpg"),
                headers=_auth(token))
            assert response.status == 200
            assert [r["key"] for r in (await response.json())["replies"]] == ["ad_check.high"]
    finally:
        await bot.close()
