"""Dashboard labels: codes stored in the database are shown to staff in Indonesian."""

from __future__ import annotations


def test_event_notes_and_code_lists_read_in_indonesian() -> None:
    from bot.dashboard.labels import VERDICT_LABELS, event_body, label_list

    assert event_body("agency_checked", "not_found: - (register demo)") == \
        "Tidak terdaftar: - (daftar contoh fiktif)"
    assert event_body("note", "teks") == "teks"
    assert label_list("not_found, reported", VERDICT_LABELS) == "Tidak terdaftar, Dilaporkan"
    assert label_list("", VERDICT_LABELS) == "-"
