"""Personal data is masked before unanswered questions are shown or exported."""

from __future__ import annotations

import pytest

from bot.core.redact import redact


@pytest.mark.parametrize(("text", "gone", "mask"), [
    ("hp saya 0812-3456-7890 tolong", "3456", "<telepon>"),
    ("wa +62 812 3456 789", "812", "<telepon>"),
    ("NIK 3201234567890123", "3201234567890123", "<nik>"),
    ("nik 320123 456789 0123", "456789", "<nik>"),
    ("email siti.a@gmail.com", "siti.a", "<email>"),
    ("nama saya Siti Aminah dari Cilacap", "Aminah", "<nama>"),
    ("namaku budi mau ke taiwan", "budi", "<nama>"),
    ("aku Dewi Lestari mau tanya", "Dewi", "<nama>"),
    ("Nama : Joko Susilo umur 20", "Joko", "<nama>"),
    ("paspor A1234567 ditahan", "1234567", "<nomor>"),
    ("anak saya Rudi Hartono ditahan agen", "Rudi", "<nama>"),
    ("majikan saya Ahmad galak sekali", "Ahmad", "<nama>"),
    ("tolong bu Sri dan pak Bambang", "Bambang", "<nama>"),
    ("rumah saya di Jalan Melati Nomor 17, Cilacap", "Melati", "<alamat>"),
    ("alamat jl. kenanga gg. 3 rt 02 rw 05 desa sukamaju", "kenanga", "<alamat>"),
    ("tinggal di Perumahan Griya Asri blok C", "Griya", "<alamat>"),
])
def test_personal_data_is_masked(text: str, gone: str, mask: str) -> None:
    masked = redact(text)
    assert gone not in masked and mask in masked


def test_ordinary_questions_are_kept() -> None:
    for text in ("aku mau kerja ke Jepang", "berapa biaya ke Hongkong 2024",
                 "syarat kerja ke Korea Selatan", "berangkat dengan visa kerja"):
        assert redact(text) == text
