"""Adverts drawn as pictures with PIL, the way people send them: a phone screenshot of a
chat group (1080x1920, bubbles on a patterned background, a dark title bar) and coloured
posters (light text on a dark or coloured band, dark text on a bright body)."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
POSTER_STYLES = (
    ("#b71c1c", "#fff59d", "#ffffff", "#212121"),  # red band, yellow body
    ("#0d47a1", "#e3f2fd", "#ffeb3b", "#0d47a1"),  # blue band, pale body, yellow title
    ("#1b5e20", "#263238", "#ffffff", "#ffffff"),  # green band, dark body, white text
    ("#4a148c", "#ff9800", "#ffffff", "#000000"),  # purple band, orange body
)


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _png(image: Image.Image, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format=fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return out.getvalue()


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines():
        lines.extend(textwrap.wrap(paragraph, width) or [""])
    return lines


def screenshot(text: str, *, fmt: str = "PNG", size: tuple[int, int] = (1080, 1920)) -> bytes:
    """A chat-app screenshot: status bar, group title bar, the advert in a bubble."""
    width, height = size
    image = Image.new("RGB", size, "#e5ddd5")
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 90):  # wallpaper pattern
        for x in range(0, width, 90):
            draw.ellipse((x + 30, y + 30, x + 44, y + 44), fill="#d9d0c7")
    draw.rectangle((0, 0, width, 70), fill="#054d44")
    draw.text((30, 18), "12:41    4G  78%", font=font(30), fill="#ffffff")
    draw.rectangle((0, 70, width, 220), fill="#075e54")
    draw.text((40, 110), "INFO LOKER LUAR NEGERI", font=font(44, bold=True), fill="#ffffff")
    body = _wrap(text, 44)
    line_h = 42
    top = 270
    bubble_h = min(height - top - 140, 70 + line_h * len(body))
    draw.rounded_rectangle((40, top, width - 80, top + bubble_h), 24, fill="#ffffff")
    draw.text((70, top + 20), "+62 812-xxxx (diteruskan)", font=font(26), fill="#128c7e")
    y = top + 60
    for line in body:
        if y > top + bubble_h - line_h:
            break
        draw.text((70, y), line, font=font(32), fill="#111111")
        y += line_h
    draw.rectangle((0, height - 120, width, height), fill="#f0f0f0")
    draw.rounded_rectangle((30, height - 100, width - 150, height - 20), 40, fill="#ffffff")
    return _png(image, fmt)


def poster(text: str, style: int = 0, *, fmt: str = "PNG") -> bytes:
    """A coloured poster: first line as a title on a band, the rest on a coloured body."""
    band, body_colour, title_colour, text_colour = POSTER_STYLES[style % len(POSTER_STYLES)]
    lines = text.splitlines() or [""]
    title, rest = lines[0], "\n".join(lines[1:])
    body = _wrap(rest, 40)
    width = 1080
    height = max(1080, 330 + 46 * len(body) + 80)
    image = Image.new("RGB", (width, height), body_colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 260), fill=band)
    y = 40
    for part in _wrap(title, 24)[:3]:
        draw.text((50, y), part, font=font(58, bold=True), fill=title_colour)
        y += 68
    y = 300
    for line in body:
        draw.text((60, y), line, font=font(36, bold=style % 2 == 1), fill=text_colour)
        y += 46
    draw.rectangle((0, height - 40, width, height), fill=band)
    return _png(image, fmt)


def plain(text: str, size: int = 12, *, background: str = "#ffe082") -> bytes:
    """Small default-font text in a corner of a big canvas (a cropped-out photo of a note)."""
    image = Image.new("RGB", (1080, 1920), background)
    ImageDraw.Draw(image).multiline_text((20, 40), text, font=ImageFont.load_default(size=size),
                                         fill="#333333", spacing=4)
    return _png(image)
