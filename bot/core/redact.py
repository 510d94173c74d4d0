"""Masking of personal data in user messages shown to content editors.

Masked: e-mail addresses, 16-digit NIK (with or without separators), phone numbers
(+62 / 62 / 0 followed by 7-13 digits, any separators), other long digit runs (bank
accounts, passport numbers), and person names after an introduction ("nama saya ...",
"namaku ...", "saya bernama ...", "panggil saya ...") or capitalised words after
"aku"/"saya"/"ini", honorifics ("bu Siti"), relatives and recruiters ("anak saya Budi",
"majikan saya Ahmad", "calo bernama ..."), "atas nama ..."; street addresses (jalan / jl /
gang / perumahan / dusun / kampung ... up to the next comma or full stop, RT/RW, house
and block numbers). Redaction is deliberately greedy: a masked word that was not a name
costs little; a name that stays can identify someone.
"""

from __future__ import annotations

import re

EMAIL = "<email>"
NIK = "<nik>"
PHONE = "<telepon>"
NUMBER = "<nomor>"
NAME = "<nama>"
ADDRESS = "<alamat>"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NIK = re.compile(r"(?<!\d)\d{6}[\s.-]?\d{6}[\s.-]?\d{4}(?!\d)")
_PHONE = re.compile(r"(?<![\w+])(?:\+?62|0)[\s.-]?8?\d(?:[\s.-]?\d){6,12}(?!\d)")
_LONG_NUMBER = re.compile(r"(?<![\w<])[A-Za-z]{0,2}\d(?:[\s.-]?\d){6,}(?![\w>])")
# Words that end a name ("nama saya Siti dari Cilacap").
_STOP = (r"(?:dari|di|asal|umur|usia|mau|ingin|pengen|pingin|dan|yang|kerja|sudah|sdh|"
         r"belum|tinggal|ke|mo|mau|tahun|thn|ini|itu|bisa|tolong|mohon)")
_INTRO = re.compile(
    r"(?P<cue>\b(?:nama\s*(?:saya|aku|ku|sy|gue|gw)|namaku|namanya|nama\s+lengkap(?:\s+saya)?|"
    r"nama(?=\s*:)|saya\s+bernama|aku\s+bernama|bernama|panggil\s+(?:saya|aku)|perkenalkan(?:\s+saya)?)"
    r"\s*(?:adalah|ialah|:|,)?\s+)"
    rf"(?P<name>(?:(?!{_STOP}\b)[^\W\d_][\w'.-]*)(?:\s+(?!{_STOP}\b)[^\W\d_][\w'.-]*){{0,3}})",
    re.IGNORECASE)
_CAPITALISED = re.compile(
    r"(?P<cue>\b(?i:aku|saya|sy|ini|bu|pak|ibu|bapak|mbak|mas|kak|bang|teh|neng|mbok|"
    r"(?:anak|suami|istri|adik|adek|kakak|ibu|bapak|ayah|mertua|keponakan|teman|majikan|"
    r"agen|bos|sponsor|calo|tekong|pl)(?:\s+(?:saya|aku|sy|ku|kami|nya))?|"
    r"atas\s+nama|a\.n\.|dengan|sama|oleh)\s+)"
    r"(?P<name>[A-Z][A-Za-z'.-]+(?:\s+[A-Z][A-Za-z'.-]+){0,3})")
_ADDRESS = re.compile(
    r"\b(?:jalan|jln?\.?|gang|gg\.?|perumahan|perum\.?|komplek|kompleks|dusun|dsn\.?|"
    r"kampung|kp\.?|blok|rt\.?\s*\d|rw\.?\s*\d|no\.?\s*\d|nomor\s+\d)"
    r"[^,.;\n]{0,60}", re.IGNORECASE)


def redact(text: str) -> str:
    """The message with personal data replaced by <email>, <nik>, <telepon>, <nomor>,
    <alamat>, <nama>."""
    out = _EMAIL.sub(EMAIL, text)
    out = _NIK.sub(NIK, out)
    out = _PHONE.sub(PHONE, out)
    out = _LONG_NUMBER.sub(NUMBER, out)
    out = _ADDRESS.sub(ADDRESS, out)
    out = _INTRO.sub(lambda m: m.group("cue") + NAME, out)
    out = _CAPITALISED.sub(lambda m: m.group("cue") + NAME, out)
    return out
