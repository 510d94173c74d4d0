"""Every failure drill N times on PostgreSQL, one after another, and one table of the results.

    .venv/bin/python -m benchmarks.drills.run_all [--runs 3] [--only a,b:whatsapp,...]
        [--outage 30] [--fuzz-scale 0.3] [--timeout 900] [--log-dir DIR]

The plan (each line a drill module with its options; --only keeps the lines whose
"drill" or "drill:platform" is listed):

- a  two workers, webhooks delivered twice (--duplicates), Telegram and WhatsApp
- b  kill -9 a worker at a reply just delivered, Telegram and WhatsApp
- c  PostgreSQL down 10 s under web chat and Telegram traffic
- d  platform down --outage seconds (502, cut connections, delivered-then-lost, 429),
     Telegram and WhatsApp
- e  fuzz every webhook (Telegram, WhatsApp, valid and forged secrets) and the web chat
     on a fresh PostgreSQL database (--postgres)

Each drill runs in its own process and starts its own PostgreSQL on JALUR_AMAN_PG_PORT
(or reuses the one scripts/postgres.sh started); rounds run the whole plan in turn, so a
slow spell of a shared machine hits different drills. Each run's JSON and its stderr go
to --log-dir (default var/drills/<UTC time>/). Rows of the table, per drill and channel,
over the runs: lost and reordered chats (summed), doubles (the most in one run, with the
bound the drill holds them to), the most send attempts in any second, rate violations
(attempts over the platform's limit in a second plus attempts to a chat inside its
interval, summed), calls inside a 429's retry_after (summed) and pass/fail (every run
passed). Web chat rows: lost = confirmed or in-doubt messages not stored, doubles =
messages stored twice (only a chat's first message, which has no token yet, may be) and
complaints filed twice. Exits 1 when any run failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.drills.common import ROOT

PLATFORMS = ("telegram", "whatsapp")
FUZZED = "web chat + webhooks"


@dataclass
class Row:
    """One drill × channel over its runs."""

    runs: int = 0
    passed: int = 0
    lost: int = 0
    reordered: int = 0
    doubles: int = 0
    bound: str = "0"
    per_second: int | None = None
    rate: int = 0
    retry_after: int = 0
    notes: list[str] = field(default_factory=list)

    def cell(self, value: Any) -> str:
        return "-" if value is None else str(value)


def plan(outage: float, scale: float) -> list[tuple[str, str, list[str]]]:
    """(label, module, options) of every drill run of one round."""
    lines: list[tuple[str, str, list[str]]] = []
    for platform in PLATFORMS:
        lines.append((f"a:{platform}", "a_two_workers", ["--platform", platform,
                                                           "--duplicates"]))
    for platform in PLATFORMS:
        lines.append((f"b:{platform}", "b_kill_worker", ["--platform", platform]))
    lines.append(("c:telegram", "c_restart_postgres", ["--platform", "telegram"]))
    for platform in PLATFORMS:
        lines.append((f"d:{platform}", "d_platform_outage", ["--platform", platform,
                                                               "--outage", str(outage)]))
    lines.append(("e:all", "e_fuzz", ["--postgres", "--scale", str(scale)]))
    return lines


def platform_row(row: Row, f: dict[str, Any], ok: bool, bound: str) -> None:
    row.runs += 1
    row.passed += ok
    row.lost += f["lost"]
    row.reordered += f["chats_reordered"]
    row.doubles = max(row.doubles, f["doubles_answer_lost"] + f["doubles_resent_after_kill"]
                      + f["doubles_unexplained"])
    row.bound = bound
    row.per_second = max(row.per_second or 0, f["max_attempts_in_1s"])
    row.rate += max(0, f["max_attempts_in_1s"] - f["per_second_limit"])
    row.rate += f["per_chat_violations"]
    row.retry_after += f["calls_inside_retry_after"]


def web_row(row: Row, f: dict[str, Any], ok: bool) -> None:
    row.runs += 1
    row.passed += ok
    row.lost += f["confirmed_lost"] + f["in_doubt_lost"]
    row.doubles = max(row.doubles, f["confirmed_doubled"] + f["in_doubt_repeated"]
                      + f["complaints_doubled"])
    row.bound = "first msgs in doubt"
    if f["in_doubt"]:
        row.notes.append(f"{f['in_doubt']} in doubt")


def add(rows: dict[tuple[str, str], Row], label: str, result: dict[str, Any] | None) -> None:
    """Fold one run's JSON (None: the drill crashed or timed out) into the rows."""
    drill, _, platform = label.partition(":")
    if result is None:
        channels = {"e": [FUZZED], "d": [platform]}.get(drill, ["web", platform])
        for channel in channels:
            rows[drill, channel].runs += 1
        return
    if drill == "e":
        row = rows[drill, FUZZED]
        row.runs += 1
        row.passed += bool(result["ok"])
        row.notes.append(f"{result.get('inputs')} inputs, {result.get('http_500', 0)} 5xx, "
                         f"{result.get('forged_accepted', 0)} forged accepted")
        return
    if drill == "d":
        bound = f"answers lost ({result['answers_lost_after_delivery']})"
        platform_row(rows[drill, platform], result, bool(result["ok"]), bound)
        return
    web_row(rows[drill, "web"], result, bool(result["web_ok"]))
    f = result[platform]
    bound = f"{f['resend_bound']} per kill" if drill == "b" else "0"
    platform_row(rows[drill, platform], f, bool(f["ok"]), bound)


def table(rows: dict[tuple[str, str], Row]) -> str:
    head = ["drill", "channel", "runs", "lost", "reordered", "doubles (max)", "bound",
            "max attempts/s", "rate violations", "retry_after violations", "pass"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for (drill, channel), row in rows.items():
        web_or_fuzz = channel == "web" or drill == "e"
        cells = [drill, channel, str(row.runs), "-" if drill == "e" else str(row.lost),
                 "-" if web_or_fuzz else str(row.reordered),
                 "-" if drill == "e" else str(row.doubles), "-" if drill == "e" else row.bound,
                 row.cell(row.per_second), "-" if web_or_fuzz else str(row.rate),
                 "-" if web_or_fuzz else str(row.retry_after),
                 ("pass" if row.passed == row.runs else f"FAIL ({row.runs - row.passed})")
                 + (f" ({'; '.join(row.notes[:3])})" if drill == "e" and row.notes else "")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run_once(module: str, options: list[str], log: Path, timeout: float
             ) -> dict[str, Any] | None:
    """Run one drill; its last JSON line, or None when it crashed or timed out."""
    command = [sys.executable, "-m", f"benchmarks.drills.{module}", *options]
    with log.with_suffix(".stderr").open("wb") as err:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=err,
                                env=os.environ.copy(), start_new_session=True)
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)  # the drill's own process group: its workers too
            proc.wait()
            return None
    log.write_bytes(out)
    for line in reversed(out.decode(errors="replace").splitlines()):
        if line.startswith("{"):
            result: dict[str, Any] = json.loads(line)
            return result
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated: a, b:whatsapp, ...")
    parser.add_argument("--outage", type=float, default=30.0, help="drill (d): seconds down")
    parser.add_argument("--fuzz-scale", type=float, default=0.3, help="drill (e): --scale")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per drill run")
    parser.add_argument("--log-dir", type=Path)
    args = parser.parse_args()
    only = {item.strip() for item in args.only.split(",") if item.strip()}
    lines = [line for line in plan(args.outage, args.fuzz_scale)
             if not only or line[0] in only or line[0].split(":")[0] in only]
    folder = args.log_dir or ROOT / "var" / "drills" / datetime.now(UTC).strftime(
        "%Y%m%dT%H%M%SZ")
    folder.mkdir(parents=True, exist_ok=True)
    rows: dict[tuple[str, str], Row] = defaultdict(Row)
    for round_ in range(1, args.runs + 1):
        for label, module, options in lines:
            started = time.monotonic()
            log = folder / f"{round_}-{label.replace(':', '-')}.json"
            result = run_once(module, options, log, args.timeout)
            add(rows, label, result)
            verdict = "crashed/timed out" if result is None else (
                "ok" if result.get("ok") else "FAILED")
            print(f"round {round_} {label}: {verdict} in {time.monotonic() - started:.0f} s "
                  f"({log})", flush=True)
    text = table(rows)
    (folder / "table.md").write_text(text + "\n")
    print(text)
    return 0 if all(row.passed == row.runs for row in rows.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
