"""Reading a P3MI register file (CSV or XLSX) into validated agencies: pure, no database.

Headers are matched by alias in any case and order ("Nama P3MI", "No. SIP3MI", "Status Izin",
"Kab/Kota", "Tgl Berakhir", ...). Every data row is validated; a rejected row is reported
with its spreadsheet row number (header = row 1) and a reason. A repeated SIP3MI number is
rejected (a licence number names one licence); a repeated name with another number is kept
and reported, because the matcher then answers conservatively for both.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.core.agencies.matching import (
    ACTIVE,
    EXPIRED,
    REVOKED,
    SUSPENDED,
    Agency,
    name_key,
    number_key,
)

COLUMNS = ("nama", "nomor_sip3mi", "status", "provinsi", "kabupaten_kota", "alamat",
           "telepon", "tanggal_terbit", "tanggal_berakhir")
REQUIRED = ("nama", "nomor_sip3mi", "status")
_ALIASES: dict[str, tuple[str, ...]] = {
    "nama": ("nama", "namap3mi", "namaperusahaan", "namapt", "perusahaan", "p3mi", "name",
             "namapppmi", "namapptkis", "pptkis", "namabadanusaha"),
    "nomor_sip3mi": ("nomorsip3mi", "nosip3mi", "sip3mi", "nomorizin", "noizin", "nosip",
                     "nomorsip", "nomorsippppmi", "nosipppmi", "nib", "noizinp3mi", "number"),
    "status": ("status", "statusizin", "statussip3mi", "statusp3mi", "statuslisensi"),
    "provinsi": ("provinsi", "prov", "propinsi", "province"),
    "kabupaten_kota": ("kabupatenkota", "kabkota", "kabupaten", "kota", "kabkot", "city",
                       "kabupatenataukota", "kotakabupaten"),
    "alamat": ("alamat", "alamatkantor", "address", "alamatperusahaan"),
    "telepon": ("telepon", "telp", "notelp", "notelepon", "nomortelepon", "phone", "telpon",
                "nohp", "kontak"),
    "tanggal_terbit": ("tanggalterbit", "tglterbit", "terbit", "tanggalizin", "tglizin",
                       "berlakumulai", "mulaiberlaku", "issued", "tanggalmulai"),
    "tanggal_berakhir": ("tanggalberakhir", "tglberakhir", "berakhir", "berlakusampai",
                         "masaberlaku", "berlakuhingga", "tanggalkedaluwarsa", "expires",
                         "tglkadaluarsa", "tanggalkadaluarsa", "akhirberlaku"),
}
_HEADER = {alias: column for column, aliases in _ALIASES.items() for alias in aliases}
_STATUS = {
    "aktif": ACTIVE, "active": ACTIVE, "berlaku": ACTIVE,
    "penghentiansementara": SUSPENDED, "dihentikansementara": SUSPENDED, "skorsing": SUSPENDED,
    "suspended": SUSPENDED, "dibekukan": SUSPENDED, "pembekuan": SUSPENDED,
    "dicabut": REVOKED, "pencabutan": REVOKED, "cabut": REVOKED, "revoked": REVOKED,
    "kedaluwarsa": EXPIRED, "kadaluwarsa": EXPIRED, "kadaluarsa": EXPIRED,
    "kedaluarsa": EXPIRED, "expired": EXPIRED, "habismasaberlaku": EXPIRED,
}
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_EXCEL_EPOCH = date(1899, 12, 30)


class RegisterFileError(ValueError):
    """The file cannot be read as a register at all (format, missing required columns)."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int
    reason: str


@dataclass
class ParsedRegister:
    agencies: list[Agency] = field(default_factory=list)
    rejected: list[RowProblem] = field(default_factory=list)
    duplicates: list[RowProblem] = field(default_factory=list)
    rows_read: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> header as written


def header_column(header: object) -> str | None:
    """The canonical column for a header as written, or None when it is not recognised."""
    text = re.sub(r"[^a-z0-9]", "", str(header or "").lower())
    return _HEADER.get(text) or (text if text in COLUMNS else None)


def parse_status(value: object) -> str | None:
    return _STATUS.get(re.sub(r"[^a-z]", "", str(value or "").lower()))


def parse_date(value: object) -> date | None:
    """ISO, d/m/yyyy, d-m-yyyy, d.m.yyyy, spreadsheet dates and serial numbers; None if blank.
    Raises ValueError for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 <= value <= 80000:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(str(value))
    text = str(value).strip()
    if match := _DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    return date.fromisoformat(text[:10])


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def read_rows(path: Path) -> Iterator[list[object]]:
    """Raw rows of a CSV (utf-8 or cp1252; , ; tab or | separated) or XLSX file."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise RegisterFileError(f"cannot read {path.name} as XLSX: {exc}") from exc
        try:
            for row in workbook.worksheets[0].iter_rows(values_only=True):
                yield list(row)
        finally:
            workbook.close()
        return
    if suffix not in (".csv", ".txt", ".tsv"):
        raise RegisterFileError(f"{path.name}: expected a .csv or .xlsx file")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=first.count)
    try:
        yield from csv.reader(io.StringIO(text), delimiter=delimiter)
    except csv.Error as exc:  # e.g. a NUL byte or a stray line break: a damaged file
        raise RegisterFileError(f"cannot read {path.name} as CSV: {exc}") from exc


def parse_register(path: Path) -> ParsedRegister:
    return parse_rows(read_rows(path))


def parse_rows(rows: Iterable[Sequence[object]]) -> ParsedRegister:
    """Validate raw rows (the first non-blank row is the header)."""
    result = ParsedRegister()
    positions: dict[str, int] = {}
    seen_numbers: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    header_done = False
    for row_number, row in enumerate(rows, start=1):
        if not any(_cell_text(v) for v in row):
            continue
        if not header_done:
            for i, header in enumerate(row):
                column = header_column(header)
                if column and column not in positions:
                    positions[column] = i
                    result.columns[column] = str(header)
            missing = [c for c in REQUIRED if c not in positions]
            if missing:
                raise RegisterFileError("missing required column(s): " + ", ".join(missing))
            header_done = True
            continue
        result.rows_read += 1
        values = {c: (row[i] if i < len(row) else None) for c, i in positions.items()}
        try:
            agency = _agency(values)
        except ValueError as exc:
            result.rejected.append(RowProblem(row_number, str(exc)))
            continue
        number = number_key(agency.sip3mi)
        if number in seen_numbers:
            result.rejected.append(RowProblem(
                row_number, f"duplicate SIP3MI number (same as row {seen_numbers[number]})"))
            continue
        seen_numbers[number] = row_number
        key = name_key(agency.name)
        if key in seen_names:
            result.duplicates.append(RowProblem(
                row_number, f"duplicate name {agency.name!r} (same as row {seen_names[key]})"))
        else:
            seen_names[key] = row_number
        result.agencies.append(agency)
    if not header_done:
        raise RegisterFileError("the file is empty")
    return result


def _agency(values: dict[str, object]) -> Agency:
    name = _cell_text(values.get("nama"))
    number = _cell_text(values.get("nomor_sip3mi"))
    if not name or len(name_key(name)) < 2:
        raise ValueError("missing name (nama)")
    if len(name) > 255:
        raise ValueError("name longer than 255 characters")
    if not number or sum(ch.isdigit() for ch in number) < 1:
        raise ValueError("missing or invalid SIP3MI number")
    if len(number) > 100:
        raise ValueError("SIP3MI number longer than 100 characters")
    raw_status = values.get("status")
    status = parse_status(raw_status)
    if status is None:
        raise ValueError(f"unknown status {_cell_text(raw_status)!r}")
    dates: dict[str, date | None] = {}
    for column in ("tanggal_terbit", "tanggal_berakhir"):
        try:
            dates[column] = parse_date(values.get(column))
        except ValueError:
            raise ValueError(
                f"invalid date in {column}: {_cell_text(values.get(column))!r}") from None
    issued, expires = dates["tanggal_terbit"], dates["tanggal_berakhir"]
    if issued and expires and expires < issued:
        raise ValueError("tanggal_berakhir is before tanggal_terbit")
    return Agency(
        name=name, sip3mi=number, status=status,
        province=_cell_text(values.get("provinsi"))[:100],
        city=_cell_text(values.get("kabupaten_kota"))[:100],
        address=_cell_text(values.get("alamat"))[:300],
        phone=_cell_text(values.get("telepon"))[:50],
        issued=issued, expires=expires,
    )
