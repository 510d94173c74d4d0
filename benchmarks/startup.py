"""Cold start of CLI commands against bare scripts doing the same work, in the same run.

Each pair runs as a fresh process, alternately, `--repeat` times per run; a run's figure is
the median wall time (and peak RSS) of each side, and its ratio ours / bare. `--runs N`
repeats that N times; the last line gives each command's min/median/max ratio over the runs.

Bare scripts (same input, same output):
- `agencies check --json NAME`: open the SQLite file with SQLAlchemy async, read the
  register, `rapidfuzz.process.extractOne`, print one JSON line;
- `complaints list --json`: SQLAlchemy async select of the complaints, print JSON lines;
- `nlu parse --json` (one line): unpickle the cached model, `predict_proba`, print JSON;
- `chat --json` (one line): unpickle the model, predict, write and read a user row with
  SQLAlchemy, print JSON.

    .venv/bin/python benchmarks/startup.py [--runs 3] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

BARE_AGENCY = """
import asyncio, json, sys
from rapidfuzz import fuzz, process
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
async def main():
    engine = create_async_engine(sys.argv[1])
    async with engine.connect() as conn:
        rows = (await conn.execute(text("select name, sip3mi, status from agencies"))).all()
    await engine.dispose()
    names = [r[0].lower() for r in rows]
    best = process.extractOne(sys.argv[2].lower(), names, scorer=fuzz.ratio, score_cutoff=70)
    print(json.dumps({"query": sys.argv[2], "match": best and rows[best[2]][0]}))
asyncio.run(main())
"""

BARE_COMPLAINTS = """
import asyncio, json, sys
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
async def main():
    engine = create_async_engine(sys.argv[1])
    async with engine.connect() as conn:
        rows = (await conn.execute(text(
            "select ticket, status, category, office_code, urgent, created_at from complaints"
        ))).all()
    await engine.dispose()
    for r in rows:
        print(json.dumps([str(v) for v in r]))
asyncio.run(main())
"""

BARE_NLU = """
import json, pickle, sys
with open(sys.argv[1], "rb") as fh:
    model = pickle.load(fh)
for line in sys.stdin:
    p = model.predict_proba([line.strip()])[0]
    i = int(p.argmax())
    print(json.dumps({"text": line.strip(), "intent": str(model.classes_[i]),
                      "confidence": float(p[i])}))
"""

BARE_CHAT = """
import asyncio, json, pickle, sys
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
with open(sys.argv[1], "rb") as fh:
    model = pickle.load(fh)
async def main():
    engine = create_async_engine(sys.argv[2])
    async with engine.begin() as conn:
        await conn.execute(text("create table if not exists u (id text primary key, state text)"))
        for line in sys.stdin:
            msg = json.loads(line)
            p = model.predict_proba([msg["text"]])[0]
            intent = str(model.classes_[int(p.argmax())])
            await conn.execute(text("insert or replace into u values (:id, :s)"),
                               {"id": msg["user"], "s": intent})
            row = (await conn.execute(text("select state from u where id = :id"),
                                      {"id": msg["user"]})).one()
            print(json.dumps({"user": msg["user"], "replies": [{"key": row[0]}]}))
    await engine.dispose()
asyncio.run(main())
"""


def run(cmd: list[str], stdin: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one fresh process."""
    start = time.perf_counter()
    proc = psutil.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    peak = 0
    assert proc.stdin is not None
    proc.stdin.write(stdin.encode())
    proc.stdin.close()
    while proc.poll() is None:
        try:
            peak = max(peak, proc.memory_info().rss)
        except psutil.Error:
            break
        time.sleep(0.01)
    if proc.returncode:
        raise SystemExit(f"{cmd} failed with {proc.returncode}")
    return time.perf_counter() - start, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs; ratios per run")
    parser.add_argument("--repeat", type=int, default=3, help="processes per side per run")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ja-startup-"))
    db_file = work / "bench.db"
    url = f"sqlite+aiosqlite:///{db_file}"
    env = dict(os.environ, JALUR_AMAN_DATABASE_URL=url, JALUR_AMAN_SEED_DEMO_DATA="false",
               JALUR_AMAN_CACHE_DIR=str(ROOT / "var" / "cache"), OMP_NUM_THREADS="1")
    ours = [PY, "-m", "bot"]
    # Prepare: a migrated database with the sample register, and the cached NLU model.
    subprocess.run([*ours, "agencies", "import", str(ROOT / "bot" / "demo_data" /
                                                      "p3mi_demo.csv")],
                   env=env, check=True, capture_output=True, cwd=ROOT)
    subprocess.run([*ours, "nlu", "parse", "--json"], input=b"halo\n", env=env, check=True,
                   capture_output=True, cwd=ROOT)
    model = max((ROOT / "var" / "cache").glob("nlu-*.pkl"), key=lambda p: p.stat().st_mtime)
    scripts = {}
    for name, source in (("agency", BARE_AGENCY), ("complaints", BARE_COMPLAINTS),
                         ("nlu", BARE_NLU), ("chat", BARE_CHAT)):
        scripts[name] = work / f"bare_{name}.py"
        scripts[name].write_text(source)
    chat_line = '{"user": "b1", "text": "syarat kerja ke taiwan apa"}\n'
    pairs = [
        ("agencies check", [*ours, "agencies", "check", "--json", "PT Cipta Tunas"], "",
         [PY, str(scripts["agency"]), url, "PT Cipta Tunas"], ""),
        ("complaints list", [*ours, "complaints", "list", "--json"], "",
         [PY, str(scripts["complaints"]), url], ""),
        ("nlu parse", [*ours, "nlu", "parse", "--json"], "syarat kerja ke taiwan\n",
         [PY, str(scripts["nlu"]), str(model)], "syarat kerja ke taiwan\n"),
        ("chat --json", [*ours, "chat", "--json"], chat_line,
         [PY, str(scripts["chat"]), str(model), f"sqlite+aiosqlite:///{work / 'bare.db'}"],
         chat_line),
    ]
    ratios: dict[str, list[float]] = {label: [] for label, *_ in pairs}
    print(f"{'run':<4}{'command':<18}{'ours s':>9}{'MB':>7}{'bare s':>9}{'MB':>7}{'ratio':>8}")
    for run_no in range(1, args.runs + 1):
        for label, our_cmd, our_in, bare_cmd, bare_in in pairs:
            times: dict[str, list[float]] = {"ours": [], "bare": []}
            peaks: dict[str, list[float]] = {"ours": [], "bare": []}
            for _ in range(args.repeat):
                for who, cmd, stdin in (("ours", our_cmd, our_in),
                                        ("bare", bare_cmd, bare_in)):
                    seconds, peak = run(cmd, stdin, env)
                    times[who].append(seconds)
                    peaks[who].append(peak)
            ours_s = statistics.median(times["ours"])
            bare_s = statistics.median(times["bare"])
            ratios[label].append(ours_s / bare_s)
            print(f"{run_no:<4}{label:<18}{ours_s:>9.2f}{max(peaks['ours']):>7.0f}"
                  f"{bare_s:>9.2f}{max(peaks['bare']):>7.0f}{ours_s / bare_s:>8.2f}",
                  flush=True)
    print(f"ratio (ours / bare, min/median/max of {args.runs} runs): " + ", ".join(
        f"{label} {min(r):.2f}/{statistics.median(r):.2f}/{max(r):.2f}"
        for label, r in ratios.items()))

if __name__ == "__main__":
    main()
