"""Reading register files: header aliases, per-row validation, duplicates, XLSX, expiry."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from bot.core.agencies.matching import Register
from bot.core.agencies.register_file import RegisterFileError, parse_register
from bot.settings import PROJECT_ROOT

SAMPLE_CSV = PROJECT_ROOT / "bot" / "demo_data" / "p3mi_demo.csv"


def write(tmp_path: Path, text: str, name: str = "reg.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_sample_reads_completely() -> None:
    parsed = parse_register(SAMPLE_CSV)
    assert len(parsed.agencies) == 40 and not parsed.rejected and not parsed.duplicates
    # two aktif rows past their end date count as expired on the sample's as-of date
    register = Register(parsed.agencies)
    expired = [a for a in register.agencies
               if a.status == "aktif" and a.status_on(date(2026, 11, 1)) == "kedaluwarsa"]
    assert len(expired) == 2


def test_header_aliases_in_any_case_and_order(tmp_path: Path) -> None:
    path = write(tmp_path, "TGL BERAKHIR;Status Izin;kab/kota;No. SIP3MI;Nama P3MI;Provinsi\n"
                           "31/12/2028;Aktif;Kupang;KEP.1/KA/2020;PT Satu;NTT\n")
    parsed = parse_register(path)
    [agency] = parsed.agencies
    assert (agency.name, agency.sip3mi, agency.status) == ("PT Satu", "KEP.1/KA/2020", "aktif")
    assert agency.expires == date(2028, 12, 31) and agency.city == "Kupang"
    assert parsed.columns["tanggal_berakhir"] == "TGL BERAKHIR"


def test_bad_rows_are_reported_with_row_numbers_and_reasons(tmp_path: Path) -> None:
    path = write(tmp_path, (
        "nama,nomor_sip3mi,status,tanggal_terbit,tanggal_berakhir\n"
        "PT Baik,KEP.1/KA/2020,aktif,2020-01-01,2025-01-01\n"   # row 2 ok
        ",KEP.2/KA/2020,aktif,,\n"                               # row 3 no name
        "PT Tanpa Nomor,,aktif,,\n"                              # row 4 no number
        "PT Status Aneh,KEP.4/KA/2020,aktip,,\n"                 # row 5 unknown status
        "PT Tanggal,KEP.5/KA/2020,aktif,2020-01-01,31-31-2024\n"  # row 6 bad date
        "PT Mundur,KEP.6/KA/2020,aktif,2024-01-01,2020-01-01\n"  # row 7 ends before issue
        "\n"                                                     # blank: skipped
        "PT Baik Lagi,KEP.1/KA/2020,dicabut,,\n"                 # row 9 duplicate number
        "PT. BAIK,KEP.9/KA/2020,dicabut,,\n"                     # row 10 duplicate name: kept
    ))
    parsed = parse_register(path)
    assert [a.name for a in parsed.agencies] == ["PT Baik", "PT. BAIK"]
    rejected = {p.row: p.reason for p in parsed.rejected}
    assert sorted(rejected) == [3, 4, 5, 6, 7, 9]
    assert "name" in rejected[3] and "SIP3MI" in rejected[4] and "aktip" in rejected[5]
    assert "date" in rejected[6] and "before" in rejected[7] and "row 2" in rejected[9]
    assert [(d.row, "row 2" in d.reason) for d in parsed.duplicates] == [(10, True)]
    assert parsed.rows_read == 8


def test_missing_required_column_refuses_the_file(tmp_path: Path) -> None:
    with pytest.raises(RegisterFileError, match="nomor_sip3mi"):
        parse_register(write(tmp_path, "nama,status\nPT A,aktif\n"))
    with pytest.raises(RegisterFileError):
        parse_register(write(tmp_path, "", "empty.csv"))
    with pytest.raises(RegisterFileError):
        parse_register(write(tmp_path, "x", "register.pdf"))


def test_xlsx_with_real_dates_and_text_numbers(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Nama P3MI", "No. SIP3MI", "Status Izin", "Provinsi", "Kab/Kota", "Alamat",
                  "Telepon", "Tgl Terbit", "Tgl Berakhir"])
    sheet.append(["PT Dua", "0222018000911", "penghentian sementara", "Bali", "Denpasar",
                  "Jl. A", "021-555-0100", datetime(2018, 5, 30), datetime(2029, 10, 21)])
    sheet.append(["PT Tiga", "KEP 3 TAHUN 2020", "Kadaluarsa", "Bali", "", "", "",
                  None, 46000])  # a spreadsheet serial number date
    path = tmp_path / "reg.xlsx"
    workbook.save(path)
    parsed = parse_register(path)
    assert not parsed.rejected
    first, second = parsed.agencies
    assert first.sip3mi == "0222018000911" and first.status == "penghentian_sementara"
    assert first.issued == date(2018, 5, 30) and first.expires == date(2029, 10, 21)
    assert second.status == "kedaluwarsa" and second.expires == date(2025, 12, 9)


def test_shared_xlsx_sample_if_present() -> None:
    path = Path("/work/shared/samples/p3mi_sample.xlsx")
    if not path.exists():
        pytest.skip("shared sample not available")
    parsed = parse_register(path)
    assert len(parsed.agencies) == 40 and not parsed.rejected
    assert parsed.agencies == parse_register(SAMPLE_CSV).agencies
