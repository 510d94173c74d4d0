"""Printable A4 poster of a village's share links: PDF with reportlab, QR codes
encoded by segno and drawn as vector squares, PNG rendered from the PDF by pdfium.

One QR code per configured channel: the web chat always, WhatsApp and Telegram when their
settings are set, so a poster never shows an empty box.

Every printed sentence comes from content/answers/village.yml (keys village.poster.*);
emergency numbers are placeholders filled from content/contacts.yml. A demo (fictitious)
village gets a visible "CONTOH" mark.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from bot.core.content import Content
from bot.core.villages.service import Links
from storage.models.villages import Village

WIDTH, HEIGHT = A4
MARGIN = 42.0
TEAL = colors.HexColor("#0b5d5b")
RED = colors.HexColor("#b3261e")
INK = colors.HexColor("#1b1b1b")
QR_SIZE = 215.0
WEB_CAPTION = "village.poster.scan_web"


@dataclass(frozen=True, slots=True)
class PosterFiles:
    pdf: Path
    png: Path


def _text(content: Content, key: str, **params: object) -> str:
    return content.fill(content.entries[key].text, params).strip()


def _wrapped(c: Canvas, text: str, x: float, y: float, width: float, font: str,
             size: float, leading: float | None = None) -> float:
    """Draw `text` wrapped to `width`; returns the y below the last line."""
    leading = leading or size * 1.25
    c.setFont(font, size)
    for paragraph in text.splitlines():
        for line in simpleSplit(paragraph, font, size, width) or [""]:
            c.drawString(x, y, line)
            y -= leading
    return y


def _qr(c: Canvas, data: str, x: float, y: float, size: float) -> None:
    """A QR code of `data` (segno, error correction M) with its quiet zone, at (x, y)."""
    qr = segno.make(data, error="m", micro=False)
    rows = list(qr.matrix_iter(scale=1, border=4))
    module = size / len(rows)
    c.setFillColor(colors.white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor(colors.black)
    for r, row in enumerate(rows):
        for col, dark in enumerate(row):
            if dark:
                c.rect(x + col * module, y + size - (r + 1) * module, module + 0.05,
                       module + 0.05, stroke=0, fill=1)


def _qr_block(c: Canvas, content: Content, link: str, caption_key: str,
              x: float, y: float, size: float) -> None:
    """A caption, the QR code of `link` and the link itself (without https://; a web chat
    link keeps its ?start=CODE, which a reader may type)."""
    c.setFillColor(INK)
    caption = _text(content, caption_key)
    font = min(15.0, 15.0 * (size + 8) / max(stringWidth(caption, "Helvetica-Bold", 15), 1))
    c.setFont("Helvetica-Bold", font)
    c.drawCentredString(x + size / 2, y + size + 10, caption)
    _qr(c, link, x, y, size)
    c.setFillColor(INK)
    short = link.removeprefix("https://").removeprefix("http://")
    if caption_key != WEB_CAPTION:
        short = short.split("?", 1)[0]
    c.setFont("Helvetica", 9)
    c.drawCentredString(x + size / 2, y - 14, short)


def _qr_row(c: Canvas, content: Content, share: Links, y: float) -> None:
    """One QR block per configured channel, side by side; never an empty box (the web
    chat link always exists)."""
    blocks = [(share.web, WEB_CAPTION)]
    if share.whatsapp:
        blocks.append((share.whatsapp, "village.poster.scan_whatsapp"))
    if share.telegram:
        blocks.append((share.telegram, "village.poster.scan_telegram"))
    inner = WIDTH - 2 * MARGIN
    size = min(QR_SIZE, (inner - (len(blocks) + 1) * 14) / len(blocks))
    gap = (inner - len(blocks) * size) / (len(blocks) + 1)
    for i, (link, caption) in enumerate(blocks):
        _qr_block(c, content, link, caption, MARGIN + gap + i * (size + gap),
                  y + (QR_SIZE - size) / 2, size)


def poster_pdf(content: Content, village: Village, share: Links) -> bytes:
    """The poster as PDF bytes (one A4 page)."""
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, pageCompression=1)
    c.setTitle(f"Jalur Aman - {village.name}")
    c.setAuthor("Jalur Aman")
    inner = WIDTH - 2 * MARGIN
    band = 150.0
    c.setFillColor(TEAL)
    c.rect(0, HEIGHT - band, WIDTH, band, stroke=0, fill=1)
    c.setFillColor(colors.white)
    c.setFont("Helvetica-Bold", 16)
    c.drawString(MARGIN, HEIGHT - 40, "JALUR AMAN")
    y = _wrapped(c, _text(content, "village.poster.heading"), MARGIN, HEIGHT - 78, inner,
                 "Helvetica-Bold", 26, 31)
    c.setFillColor(INK)
    y = HEIGHT - band - 34
    place = ", ".join(p for p in (village.subdistrict, village.district, village.province) if p)
    c.setFont("Helvetica-Bold", 22)
    c.drawString(MARGIN, y, f"Desa {village.name}" if not village.name.lower().startswith(
        ("desa", "kelurahan")) else village.name)
    y = _wrapped(c, place, MARGIN, y - 20, inner, "Helvetica", 12)
    y = _wrapped(c, _text(content, "village.poster.intro", village=village.name), MARGIN,
                 y - 8, inner, "Helvetica", 13)
    y -= 6
    for line in _text(content, "village.poster.helps").splitlines():
        c.setFillColor(TEAL)
        c.circle(MARGIN + 6, y + 4, 4, stroke=0, fill=1)
        c.setFillColor(INK)
        y = _wrapped(c, line, MARGIN + 20, y, inner - 20, "Helvetica", 13, 18)
    entry = content.entries["village.poster.emergency"]
    lines = _text(content, "village.poster.emergency").splitlines()
    box_h = 22 + 21 * len(lines)
    box_y = 78.0
    qr_y = box_y + box_h + 48 + ((y - 40) - (box_y + box_h + 48) - QR_SIZE - 30) / 2
    _qr_row(c, content, share, qr_y)
    c.setStrokeColor(RED)
    c.setLineWidth(2)
    c.roundRect(MARGIN, box_y, inner, box_h, 8, stroke=1, fill=0)
    c.setFillColor(RED)
    ty = box_y + box_h - 24
    for i, line in enumerate(lines):
        ty = _wrapped(c, line, MARGIN + 14, ty, inner - 28, "Helvetica-Bold",
                      16 if i else 13, 21)
    c.setFillColor(colors.grey)
    c.setFont("Helvetica", 8)
    if entry.source:
        c.drawString(MARGIN, box_y - 12, f"Sumber: {entry.source}")
    c.setFillColor(INK)
    _wrapped(c, _text(content, "village.poster.footer", code=village.referral_code), MARGIN,
             40, inner, "Helvetica", 9)
    if village.demo:  # a fictitious village: marked in the header band, never over a QR
        c.setFillColor(colors.white)
        c.roundRect(WIDTH - MARGIN - 190, HEIGHT - 50, 190, 24, 4, stroke=0, fill=1)
        c.setFillColor(RED)
        c.setFont("Helvetica-Bold", 12)
        c.drawCentredString(WIDTH - MARGIN - 95, HEIGHT - 42,
                            _text(content, "village.poster.demo"))
    c.showPage()
    c.save()
    return buffer.getvalue()


def pdf_to_png(pdf: bytes, dpi: int = 150) -> bytes:
    """The first page of a PDF rendered to PNG (pdfium)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def write_poster(content: Content, village: Village, out_dir: Path,
                 share: Links) -> PosterFiles:
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf = poster_pdf(content, village, share)
    stem = f"poster-{village.referral_code}"
    files = PosterFiles(out_dir / f"{stem}.pdf", out_dir / f"{stem}.png")
    files.pdf.write_bytes(pdf)
    files.png.write_bytes(pdf_to_png(pdf))
    return files
