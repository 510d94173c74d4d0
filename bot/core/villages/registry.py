"""Villages (desa/kelurahan): the registry file, referral codes and share links. Pure.

Registry file: CSV with the columns kode wilayah, nama desa, kecamatan, kabupaten/kota,
provinsi (header aliases in any case/order), or the two-column Kemendagri list (kode, nama)
in which kecamatan, kabupaten/kota and provinsi are the rows with the shorter parent codes.
See docs/VILLAGES.md.

A referral code is "DS" + 5 characters from an alphabet without look-alikes (no 0/O,
1/I/L), derived from the kode wilayah so it is stable across imports; a collision takes
the next derivation. Codes are matched case-insensitively.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PREFIX = "DS"
CODE_RE = re.compile(rf"\b({PREFIX}[{ALPHABET}]{{5}})\b", re.IGNORECASE)
KODE_RE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
_HEADERS = {
    "kode": ("kode", "kode_wilayah", "kode wilayah", "kode_desa", "kode desa", "kode_kemendagri"),
    "name": ("nama_desa", "nama desa", "desa", "kelurahan", "desa_kelurahan", "desa/kelurahan",
             "nama"),
    "subdistrict": ("kecamatan", "nama_kecamatan"),
    "district": ("kabupaten_kota", "kabupaten/kota", "kabupaten", "kota", "kab_kota",
                 "nama_kabupaten"),
    "province": ("provinsi", "propinsi", "nama_provinsi"),
}
_DISTRICT_PREFIX = re.compile(r"^(?:kabupaten|kab\.?|kota|kotamadya)\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class VillageRow:
    code: str
    name: str
    subdistrict: str
    district: str
    province: str

    @property
    def district_code(self) -> str:
        return district_code(self.code)


@dataclass
class ParsedVillages:
    rows: list[VillageRow] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def district_code(kode: str) -> str:
    """"32.01.01.2001" -> "32.01" (the kabupaten/kota part of a kode wilayah)."""
    return ".".join(kode.split(".")[:2])


def place_key(name: str) -> str:
    """A district name for matching: lower case, "Kabupaten"/"Kab."/"Kota" dropped."""
    text = " ".join(re.sub(r"[^\w\s.]", " ", name.lower()).split())
    return " ".join(_DISTRICT_PREFIX.sub("", text).replace(".", " ").split())


def referral_code(kode: str, taken: set[str]) -> str:
    """The stable referral code of a village that is not in `taken`."""
    salt = 0
    while True:
        digest = hashlib.sha256(f"{kode}|{salt}".encode()).digest()
        number = int.from_bytes(digest[:8], "big")
        chars = []
        for _ in range(5):
            number, rest = divmod(number, len(ALPHABET))
            chars.append(ALPHABET[rest])
        code = PREFIX + "".join(chars)
        if code not in taken:
            return code
        salt += 1


def find_code(text: str) -> str | None:
    """A referral code inside a message (e.g. the prefilled WhatsApp text), upper case."""
    match = CODE_RE.search(text or "")
    return match.group(1).upper() if match else None


def normalise_code(code: str) -> str:
    return code.strip().upper()


def telegram_link(username: str, code: str) -> str:
    return f"https://t.me/{username.lstrip('@')}?start={code}"


def whatsapp_link(number: str, prefill: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())
    return f"https://wa.me/{digits}?text={quote(prefill, safe='')}"


def _column(header: list[str], names: Iterable[str]) -> int | None:
    lowered = [h.strip().lower().replace("\ufeff", "") for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def parse_villages(path: Path) -> ParsedVillages:
    """Read a registry CSV (full columns, or the two-column kode,nama list)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample else csv.excel
        rows = [r for r in csv.reader(handle, dialect) if any(c.strip() for c in r)]
    parsed = ParsedVillages()
    if not rows:
        return parsed
    header, body = rows[0], rows[1:]
    cols = {key: _column(header, names) for key, names in _HEADERS.items()}
    if cols["kode"] is None and KODE_RE.match(header[0].strip()):
        header, body, cols = ["kode", "nama"], rows, {"kode": 0, "name": 1}
    if cols.get("kode") is None or cols.get("name") is None:
        parsed.rejected.append((1, "header needs kode wilayah and nama desa columns"))
        return parsed
    full = all(cols.get(k) is not None for k in ("subdistrict", "district", "province"))
    names = {r[cols["kode"] or 0].strip(): r[cols["name"] or 0].strip()
             for r in body if len(r) > max(cols["kode"] or 0, cols["name"] or 0)}
    seen: set[str] = set()
    for line, row in enumerate(body, start=2):
        def cell(key: str, row: list[str] = row) -> str:
            index = cols.get(key)
            return row[index].strip() if index is not None and index < len(row) else ""
        kode, name = cell("kode"), cell("name")
        if not full and kode.count(".") < 3:
            continue  # a province/district/subdistrict row of the two-column list
        if not KODE_RE.match(kode):
            parsed.rejected.append((line, f"kode wilayah {kode[:20]!r} is not NN.NN.NN.NNNN"))
            continue
        if not name:
            parsed.rejected.append((line, "nama desa is empty"))
            continue
        if kode in seen:
            parsed.rejected.append((line, f"duplicate kode wilayah {kode}"))
            continue
        parts = kode.split(".")
        sub = cell("subdistrict") if full else names.get(".".join(parts[:3]), "")
        dist = cell("district") if full else names.get(".".join(parts[:2]), "")
        prov = cell("province") if full else names.get(parts[0], "")
        if not dist:
            parsed.rejected.append((line, "kabupaten/kota is empty"))
            continue
        seen.add(kode)
        parsed.rows.append(VillageRow(kode, name[:150], sub[:150], dist[:150], prov[:150]))
    return parsed
