"""Adverts drawn as pictures (phone screenshot, coloured posters) are read by OCR and get
their text's risk; pictures that are not, are too large, or hold no text get a clear reason."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from bot.core.adverts.service import AdvertChecker, AdvertError
from bot.core.agencies.matching import Register
from tests.core.adverts.conftest import ADVERTS, TODAY
from tests.core.adverts.pictures import plain, poster, screenshot

PICTURED = [a for a in ADVERTS if a.get("picture")]
pytestmark = pytest.mark.usefixtures("tesseract")


def draw(advert: dict[str, Any]) -> bytes:
    kind, _, style = str(advert["picture"]).partition(":")
    return screenshot(advert["text"]) if kind == "screenshot" else poster(
        advert["text"], int(style or 0))


@pytest.mark.parametrize("advert", PICTURED, ids=[a["id"] for a in PICTURED])
def test_picture_gets_its_texts_risk(advert: dict[str, Any], checker: AdvertChecker,
                                     register: Register) -> None:
    verdict = checker.check_picture(draw(advert), register, TODAY)
    assert verdict.risk == advert["risk"]


def test_small_jpeg_screenshot_is_read(checker: AdvertChecker, register: Register) -> None:
    advert = next(a for a in ADVERTS if a["id"] == "scam_cambodia_admin")
    small = screenshot(advert["text"], fmt="JPEG", size=(540, 960))
    assert checker.check_picture(small, register, TODAY).risk == "high"


def test_small_text_on_a_big_canvas_is_scaled_up_and_read(
        checker: AdvertChecker, register: Register) -> None:
    advert = next(a for a in ADVERTS if a["id"] == "scam_cambodia_admin")
    assert checker.check_picture(plain(advert["text"], 11), register, TODAY).risk == "high"


def _reason(checker: AdvertChecker, register: Register, data: bytes) -> str:
    with pytest.raises(AdvertError) as caught:
        checker.check_picture(data, register, TODAY)
    return caught.value.reason


def test_binary_claiming_to_be_a_picture_is_not_one(checker: AdvertChecker,
                                                    register: Register) -> None:
    assert _reason(checker, register, b"\xff\xd8\xff" + bytes(range(256)) * 40) == \
        "not_picture"


def test_pdf_is_not_a_picture(checker: AdvertChecker, register: Register) -> None:
    assert _reason(checker, register, b"%PDF-1.4\n%%EOF\n") == "not_picture"


def test_twenty_megabyte_picture_is_refused_before_reading(
        checker: AdvertChecker, register: Register) -> None:
    out = io.BytesIO()
    Image.new("RGB", (9000, 9000), "white").save(out, format="BMP")
    data = out.getvalue()
    assert len(data) > 20_000_000
    assert _reason(checker, register, data) == "too_large"


def test_picture_without_text_is_unreadable(checker: AdvertChecker,
                                            register: Register) -> None:
    out = io.BytesIO()
    Image.new("RGB", (800, 800), "#884422").save(out, format="PNG")
    assert _reason(checker, register, out.getvalue()) == "unreadable"
