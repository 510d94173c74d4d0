"""Reported adverts group by near-duplicate text, newest first, with a count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.adverts.grouping import Reported, group_reports, groups_csv

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
AD = "LOWONGAN KERJA KAMBOJA admin gaji 15 juta tiket gratis hubungi WA 0812 3456 7890"


def report(text: str, minutes: int, district: str | None = None) -> Reported:
    return Reported(text, "high", ("non_placement_country",), district,
                    NOW - timedelta(minutes=minutes))


def test_forwarded_copies_count_once_with_a_count() -> None:
    groups = group_reports([
        report(AD, 30, "33.01"), report("*Diteruskan* 🔥 " + AD + " !!", 20, "33.02"),
        report(AD.lower(), 10), report("Dicari ART ke Arab Saudi gaji 6 juta DP 2 juta", 5),
    ])
    assert [g.count for g in groups] == [1, 3]
    assert sorted(groups[1].districts) == ["33.01", "33.02"]
    assert groups[1].first_seen == NOW - timedelta(minutes=30)
    assert groups[0].last_seen > groups[1].last_seen  # newest first


def test_csv_quotes_formula_cells() -> None:
    body = groups_csv(group_reports([report("=HYPERLINK(1) lowongan kerja gaji", 1)]))
    assert body.splitlines()[0].startswith("advert,risk,flags,reports")
    assert "'=HYPERLINK" in body
