"""Agency check benchmark: a generated 10,000-agency register, per-query time for exact,
typo and not-found queries next to two bare `rapidfuzz.process.extractOne` scans over the
same names in the same run, plus import time (parse + SQLite replace) and peak memory.

Baselines: "cheap" is `extractOne(q.lower(), lowercased names, scorer=fuzz.ratio,
score_cutoff=70)` (one C loop, the cheapest reasonable scan); "WRatio" is the default
`extractOne(q, names)` (rapidfuzz's most expensive scorer). For typo queries each column
also gives how often the right agency came first.

    .venv/bin/python benchmarks/agencies.py [--agencies 10000] [--queries 300] [--runs 3]

Prints a table per run (each function's fastest of `--rounds` interleaved passes over the
queries) and, last, the min/median/max ratio over the runs; well under two minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

from rapidfuzz import fuzz, process

# Run as a script: import the project, not sibling scripts (a sibling script could
# shadow the standard library's queue module).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from bot.core.agencies.matching import Register  # noqa: E402
from bot.core.agencies.register_file import parse_register  # noqa: E402


def _split(text: str) -> list[str]:
    return text.split()


SYLLABLES = _split("ba ka sa ta ma na ra la ja da ga pa wa ya ha ci ti ri ni mi di si li ki gi "
                   "bu ku su tu mu nu ru lu ju du gu pu so to mo no ro lo jo do go po be ke se "
                   "te me ne re le je de ge pe")
WORDS = _split("adhi andalan arunika bestari bina candra cipta daya gita global indah insani "
               "jati jaya karsa karya kemilau kilau lintas loka mandala mandiri mulia nawa "
               "nusantara padma pesona pilar puri raya samudra sarana sakura sentosa sentra "
               "swadaya tirta tunas wahana widya abadi bumi cahaya mega sinar utama prima persada")
SUFFIXES = ("", "", "", "Indonesia", "Internasional", "Global", "Mandiri")
STATUSES = ("aktif",) * 8 + ("penghentian_sementara", "dicabut", "kedaluwarsa")


def _word(rng: random.Random) -> str:
    if rng.random() < 0.55:
        return rng.choice(WORDS)
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))


def generate_names(n: int, seed: int = 7) -> list[str]:
    """`n` distinct company names (without legal form) in the style of the register."""
    rng = random.Random(seed)
    names: dict[str, None] = {}
    while len(names) < n:
        words = [_word(rng) for _ in range(rng.randint(2, 4))]
        suffix = rng.choice(SUFFIXES)
        name = " ".join(w.capitalize() for w in words) + (f" {suffix}" if suffix else "")
        names.setdefault(name, None)
    return list(names)


def spelled(name: str, rng: random.Random) -> str:
    """How a register spells a name: PT Name, PT. NAME, Name, PT."""
    form = rng.random()
    if form < 0.6:
        return f"PT {name}"
    if form < 0.8:
        return f"PT. {name.upper()}"
    return f"{name}, PT"


def generate_number(i: int, rng: random.Random) -> str:
    year = rng.randint(2015, 2025)
    kind = i % 4
    if kind == 0:
        return f"KEP.{i}/KA/{year}"
    if kind == 1:
        return f"B.{i}/PPTKIS/{rng.choice(['III', 'V', 'IX', 'XI'])}/{year}"
    if kind == 2:
        return f"KEP {i} TAHUN {year}"
    return f"{rng.choice(['912', '022'])}{year}{i:06d}"


def write_register(path: Path, names: Sequence[str], seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["Nama P3MI", "No. SIP3MI", "Status Izin", "Provinsi", "Kab/Kota",
                      "Alamat", "Telepon", "Tgl Terbit", "Tgl Berakhir"])
        for i, name in enumerate(names, start=1000):
            issued = date(2016, 1, 1) + timedelta(days=rng.randint(0, 3000))
            ends = issued + timedelta(days=1825)
            out.writerow([spelled(name, rng), generate_number(i, rng), rng.choice(STATUSES),
                          "Jawa Barat", "Bandung", f"Jl. Contoh No. {i}",
                          f"021-555-{i % 10000:04d}", issued.isoformat(), ends.isoformat()])


def typo(name: str, rng: random.Random) -> str:
    chars = list(name.lower())
    positions = [i for i, c in enumerate(chars) if c.isalpha()]
    i = rng.choice(positions)
    op = rng.random()
    if op < 0.33:
        chars[i] = rng.choice("abcdefghijklmnopqrstuvwxyz")
    elif op < 0.66:
        del chars[i]
    elif i + 1 < len(chars):
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def _time(fn: Callable[[str], object], queries: Sequence[str]) -> float:
    start = time.perf_counter()
    for q in queries:
        fn(q)
    return (time.perf_counter() - start) / len(queries) * 1000


def _interleaved(fns: Sequence[Callable[[str], object]], queries: Sequence[str],
                 rounds: int) -> list[float]:
    """ms per query of each function: the fastest of `rounds` passes, the functions taking
    turns pass by pass (in a rotating order), so a busy moment of a shared machine slows
    all of them, not one."""
    best = [float("inf")] * len(fns)
    for r in range(rounds):
        for i in [(r + k) % len(fns) for k in range(len(fns))]:
            best[i] = min(best[i], _time(fns[i], queries))
    return best


async def _import_time(path: Path) -> float:
    from bot.core.agencies.service import AgencyService
    from storage import db

    with tempfile.TemporaryDirectory() as tmp:
        engine = db.create_engine(f"sqlite+aiosqlite:///{tmp}/bench.db")
        await db.upgrade(engine)
        service = AgencyService(db.session_factory(engine))
        start = time.perf_counter()
        await service.import_file(path, as_of=date.today())
        elapsed = time.perf_counter() - start
        start_load = time.perf_counter()
        await service.snapshot()
        print(f"load register from DB into memory: {time.perf_counter() - start_load:.2f} s")
        await engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3, help="timing runs; ratio per run")
    parser.add_argument("--rounds", type=int, default=5, help="passes per run (fastest)")
    args = parser.parse_args()
    rng = random.Random(11)
    names = generate_names(args.agencies)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "register.csv"
        write_register(path, names)
        tracemalloc.start()
        t0 = time.perf_counter()
        parsed = parse_register(path)
        register = Register(parsed.agencies)
        build = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        import_s = asyncio.run(_import_time(path))
    raw_names = [a.name for a in parsed.agencies]
    picks = rng.sample(names, args.queries)
    sets = {
        "exact": [f"PT {n}" for n in picks],
        "typo": [typo(n, rng) for n in picks],
        "not-found": [" ".join(_word(rng).capitalize() for _ in range(3)) + " Sejahtera Makmur"
                      for _ in picks],
    }
    today = date.today()
    print(f"\nregister: {len(register)} agencies; parse+index {build:.2f} s (traced), "
          f"import into SQLite (parse+replace) {import_s:.2f} s, peak memory of parse+index "
          f"{peak / 1e6:.1f} MB\n")
    lowered = [n.lower() for n in raw_names]

    def ours(q: str) -> str | None:
        best = register.check(q, today).best
        return best.agency.name if best else None

    def cheap(q: str) -> str | None:
        found = process.extractOne(q.lower(), lowered, scorer=fuzz.ratio, score_cutoff=70)
        return raw_names[found[2]] if found else None

    def wratio(q: str) -> str | None:
        found = process.extractOne(q, raw_names)
        return raw_names[found[2]] if found else None

    expected = {q: n for q, n in zip(sets["typo"], picks, strict=True)}
    by_name = {a.name: name for a, name in zip(parsed.agencies, names, strict=True)}

    def right_first(fn: Callable[[str], str | None]) -> float:
        hits = sum(by_name.get(fn(q) or "") == n for q, n in expected.items())
        return hits / len(expected)

    print(f"{'run':<4}{'queries':<10} {'ours ms/q':>10} {'cheap ms/q':>11} {'WRatio ms/q':>12} "
          f"{'ratio cheap':>12} {'ratio WRatio':>13}")
    ratios: dict[str, list[float]] = {label: [] for label in sets}
    for run_no in range(1, args.runs + 1):
        for label, queries in sets.items():
            times = _interleaved((ours, cheap, wratio), queries, args.rounds)
            ratios[label].append(times[0] / times[1])
            print(f"{run_no:<4}{label:<10} {times[0]:>10.3f} {times[1]:>11.3f} "
                  f"{times[2]:>12.3f} {times[0] / times[1]:>12.2f} "
                  f"{times[0] / times[2]:>13.2f}", flush=True)
    print(f"\ntypo right first: ours {right_first(ours):.3f}, cheap {right_first(cheap):.3f}, "
          f"WRatio {right_first(wratio):.3f}")
    print(f"ratio (ours / cheap bare scan, time; min/median/max of {args.runs} runs): "
          + ", ".join(f"{k} {min(v):.2f}/{statistics.median(v):.2f}/{max(v):.2f}"
                      for k, v in ratios.items()))


if __name__ == "__main__":
    main()
