"""Village-level reports: k-anonymity suppression of small counts, and the BP3MI
early-warning table of agencies asked about (CSV and HTML, also the weekly digest).
"""

from __future__ import annotations

import csv
import html
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.redact import redact
from storage.repositories import village_stats as stats

K_MIN = 5  # counts 1..K_MIN-1 are shown as "<5"
WARNING_COLUMNS = ("agency", "name_key", "district", "verdicts", "checks", "reports",
                   "total", "first_seen", "last_seen")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def suppress(count: int) -> str:
    """A count safe to show: 0 stays 0 (nobody), 1-4 become "<5"."""
    return f"<{K_MIN}" if 0 < count < K_MIN else str(count)


def _cell(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _warning_values(row: stats.WarningRow) -> list[object]:
    return [redact(row.example), redact(row.name_key), row.district, row.verdicts, row.checks,
            row.reports, row.total, row.first_seen, row.last_seen]


def warnings_csv(rows: list[stats.WarningRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(WARNING_COLUMNS)
    for row in rows:
        writer.writerow([_cell(v) for v in _warning_values(row)])
    return buffer.getvalue()


def warnings_html(rows: list[stats.WarningRow], *, title: str, period: str) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in WARNING_COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in _warning_values(r))
        + "</tr>" for r in rows)
    return (f"<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
            f"<p>{html.escape(period)}</p><table border=\"1\" cellpadding=\"4\">"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>\n")


async def write_weekly(session: AsyncSession, out_dir: Path, *, days: int = 7,
                       now: datetime | None = None) -> list[Path]:
    """The weekly early-warning digest: CSV and HTML files in `out_dir`."""
    now = now or datetime.now(UTC)
    since = now - timedelta(days=days)
    rows = await stats.early_warning(session, since=since)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y-%m-%d")
    csv_path = out_dir / f"peringatan-dini-{stamp}.csv"
    html_path = out_dir / f"peringatan-dini-{stamp}.html"
    csv_path.write_text("\ufeff" + warnings_csv(rows), encoding="utf-8")
    period = f"{since:%d-%m-%Y} s.d. {now:%d-%m-%Y}"
    html_path.write_text(warnings_html(rows, title="Peringatan dini P3MI (Jalur Aman)",
                                       period=period), encoding="utf-8")
    return [csv_path, html_path]
