"""Reading an advert picture with Tesseract (pytesseract), after cheap preprocessing.

The channels read a picture when it arrives (`picture_text`), before its turn and outside
any database transaction; the turn only checks the text that was read.

Phone screenshots and coloured posters mix dark text on light bubbles with light text on
dark or coloured bands. One pass handles both: the picture in grey, small pictures scaled
up, then each pixel's distance from its local background (a median of a coarse grid), so
text of either polarity becomes dark on white. Tesseract then runs once, with its own
inverted-text retry switched off (the picture is already the right way round).
"""

from __future__ import annotations

import io
import logging
import os
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageFilter, ImageOps, UnidentifiedImageError

log = logging.getLogger(__name__)

LANG = "ind+eng"
MAX_PIXELS = 40_000_000  # larger pictures are refused before decoding (decompression bombs)
MAX_SIDE = 2400  # longer sides are scaled down: enough for text, bounded time
MIN_WIDTH = 900  # narrower pictures are scaled up: small text reads better bigger
SMALL_TEXT_PX = 20  # lines of text lower than this are scaled up towards TARGET_TEXT_PX
TARGET_TEXT_PX = 34
_CONFIG = "--psm 3 -c tessedit_do_invert=0"
MAX_TEXT_CHARS = 20_000  # what is kept of a picture's text (an advert is far shorter)


class PictureError(ValueError):
    """The bytes are no picture we can read: reason "not_picture" or "too_large"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class OcrResult:
    text: str
    width: int
    height: int


def open_picture(data: bytes) -> Image.Image:
    """Decode `data` as a still picture, refusing what is not one or is too large."""
    if not data:
        raise PictureError("not_picture")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise PictureError("too_large")
            probe.load()
            picture = probe.copy()
    except PictureError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise PictureError("not_picture") from exc
    if picture.format == "PDF":
        raise PictureError("not_picture")
    return picture


def preprocess(picture: Image.Image) -> Image.Image:
    """Grey, sized for reading, text dark on white whatever its colours were."""
    picture = ImageOps.exif_transpose(picture)
    if picture.mode in ("RGBA", "LA", "P"):
        picture = picture.convert("RGBA")
        white = Image.new("RGBA", picture.size, "white")
        picture = Image.alpha_composite(white, picture)
    gray = picture.convert("L")
    width, height = gray.size
    longest = max(width, height)
    if longest > MAX_SIDE:
        gray = gray.resize((width * MAX_SIDE // longest, height * MAX_SIDE // longest),
                           Image.Resampling.LANCZOS)
    elif width < MIN_WIDTH:
        scale = min(3.0, MIN_WIDTH * 1.6 / width)
        gray = gray.resize((int(width * scale), int(height * scale)), Image.Resampling.LANCZOS)
    # Local background: the median of pixels sampled on a coarse grid (sampled, not
    # averaged, so dense small text does not darken it), scaled back up.
    cell = max(4, min(gray.size) // 80)
    small = gray.resize((max(1, gray.width // cell), max(1, gray.height // cell)),
                        Image.Resampling.NEAREST)
    background = small.filter(ImageFilter.MedianFilter(9)).resize(
        gray.size, Image.Resampling.BILINEAR)
    contrast = ImageOps.autocontrast(ImageChops.difference(gray, background), cutoff=1)
    prepared = ImageOps.invert(contrast)
    box = contrast.point(lambda v: 255 if v > 96 else 0).getbbox()  # where the ink is
    if box is not None:
        margin = 24
        prepared = prepared.crop((max(0, box[0] - margin), max(0, box[1] - margin),
                                  min(prepared.width, box[2] + margin),
                                  min(prepared.height, box[3] + margin)))
    text_px = line_height(prepared)
    if 0 < text_px < SMALL_TEXT_PX and prepared.width * prepared.height < MAX_SIDE ** 2:
        scale = min(3.0, TARGET_TEXT_PX / text_px)
        prepared = prepared.resize((int(prepared.width * scale), int(prepared.height * scale)),
                                   Image.Resampling.LANCZOS)
    return prepared


def line_height(prepared: Image.Image) -> float:
    """Median height of the runs of rows holding ink (dark on white): the text size."""
    import numpy as np

    ink = np.asarray(prepared) < 128
    rows = ink.mean(axis=1) > 0.002
    runs: list[int] = []
    length = 0
    for has_ink in rows.tolist():
        if has_ink:
            length += 1
        elif length:
            runs.append(length)
            length = 0
    lines = [r for r in runs if r >= 4]  # specks are not lines
    return float(np.median(lines)) if lines else 0.0


def read_text(data: bytes, *, timeout: float = 20.0) -> OcrResult:
    """OCR of a picture's bytes. Raises PictureError for what is not a readable picture."""
    import pytesseract  # heavy import, only when a picture is read

    picture = open_picture(data)
    prepared = preprocess(picture)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        text = pytesseract.image_to_string(prepared, lang=LANG, config=_CONFIG,
                                           timeout=timeout)
    except (RuntimeError, OSError, pytesseract.TesseractError) as exc:
        # a timeout (RuntimeError), Tesseract missing or failing: ask for the text instead
        log.warning("OCR failed: %s", type(exc).__name__)
        raise PictureError("unreadable") from exc
    return OcrResult(str(text), picture.width, picture.height)


def picture_text(data: bytes) -> dict[str, str]:
    """What a turn needs of a picture, read before the turn: {"ocr": text} or
    {"ocr_error": reason} ("not_picture", "too_large", "unreadable")."""
    try:
        return {"ocr": read_text(data).text[:MAX_TEXT_CHARS]}
    except PictureError as exc:
        return {"ocr_error": exc.reason}
