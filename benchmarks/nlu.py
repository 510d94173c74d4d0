"""NLU benchmark: parse throughput on one core, model build time, resident memory.

Prints a table. The baseline, measured in the same run on the same messages, does the same
work with bare scikit-learn: the same normalisation and the same trained pipeline's
`predict_proba`, with the top three intents taken from the row (our path adds the
emergency net, the second-guess rule and the Parse object). `--runs N` measures both N
times, taking turns (the order alternating run by run); the min/median/max ratio over the
runs is printed last.

    .venv/bin/python benchmarks/nlu.py [--seconds 3] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil

from bot.composition import build_bot
from bot.core.messages import Message
from bot.core.nlu import NLU
from bot.core.nlu.training_data import read_examples
from bot.settings import PROJECT_ROOT, Settings


def rate(fn, items: list[str], seconds: float) -> float:  # type: ignore[no-untyped-def]
    """Messages per second of fn over items, repeated for about `seconds`."""
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for text in items:
            fn(text)
        done += len(items)
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    proc = psutil.Process()
    rss_start = proc.memory_info().rss

    intents_dir = PROJECT_ROOT / "intents"
    examples = read_examples(intents_dir)
    t0 = time.perf_counter()
    nlu = NLU.load(intents_dir, cache_dir=None)
    build_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as cache:
        NLU.load(intents_dir, cache_dir=Path(cache))
        t0 = time.perf_counter()
        NLU.load(intents_dir, cache_dir=Path(cache))
        cached_s = time.perf_counter() - t0

    messages = [e.text for e in read_examples(PROJECT_ROOT / "tests" / "nlu" / "heldout.tsv")]
    pipeline = nlu.classifier.pipeline
    classes = pipeline.classes_

    def bare(text: str) -> list[str]:
        row = pipeline.predict_proba([nlu.normalise(text)])[0]
        return [classes[i] for i in row.argsort()[::-1][:3]]

    ratios: list[float] = []
    for run_no in range(1, args.runs + 1):
        pair = [(nlu.parse, 0), (bare, 1)][:: 1 if run_no % 2 else -1]
        rates = dict((i, rate(fn, messages, args.seconds)) for fn, i in pair)
        ours, baseline = rates[0], rates[1]
        ratios.append(ours / baseline)
        print(f"run {run_no}: parse ours {ours:,.0f} msg/s, bare {baseline:,.0f} msg/s, "
              f"ratio {ours / baseline:.2f}", flush=True)

    async def engine_rate() -> tuple[float, int]:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp}/bench.db",
                                seed_demo_data=False)
            bot = await build_bot(settings, nlu=nlu)
            n = 0
            start = time.perf_counter()
            while time.perf_counter() - start < args.seconds:
                for i, text in enumerate(messages[:50]):
                    await bot.engine.handle(Message("bench", f"u{i % 20}", text=text))
                    n += 1
            elapsed = time.perf_counter() - start
            rss = proc.memory_info().rss
            await bot.close()
            return n / elapsed, rss

    turns, rss_bot = asyncio.run(engine_rate())
    rows = [
        ("training examples", f"{len(examples)}", ""),
        ("model build (no cache)", f"{build_s:.2f} s", ""),
        ("model load (cached)", f"{cached_s:.2f} s", f"{build_s / cached_s:.1f}x faster"),
        ("parse, ours (1 core, last run)", f"{ours:,.0f} msg/s",
         f"{1000 / ours:.2f} ms per message"),
        ("parse, bare normalise + predict_proba", f"{baseline:,.0f} msg/s", "baseline, last run"),
        ("engine turns (SQLite, 1 core)", f"{turns:,.0f} msg/s", "parse + state + DB commit"),
        ("resident memory, running bot", f"{rss_bot / 2**20:.0f} MiB",
         f"{(rss_bot - rss_start) / 2**20:.0f} MiB above interpreter start"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'value':>16}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>16}  {note}")
    print(f"ratio (ours / bare, parse throughput; min/median/max of {args.runs} runs): "
          f"{min(ratios):.2f}/{statistics.median(ratios):.2f}/{max(ratios):.2f}")


if __name__ == "__main__":
    main()
