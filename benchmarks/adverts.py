"""Advert checker benchmark, baselines measured in the same run:

1. text checks per second against a generated 10,000-agency register (the written test
   adverts, their company names swapped for register names, look-alikes and unknown
   names), next to the bare agency check of one name per advert;
2. seconds per 1080x1920 phone screenshot (OCR + check), next to a bare
   `pytesseract.image_to_string` of the same picture (same languages); the ratio is
   printed last.

    OMP_THREAD_LIMIT=1 taskset -c 0 .venv/bin/python benchmarks/adverts.py [--checks 1000]
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import random
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # Tesseract on one core, both sides
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import yaml  # noqa: E402

from bot.core.adverts.ocr import LANG  # noqa: E402
from bot.core.adverts.service import AdvertChecker  # noqa: E402
from bot.core.agencies.matching import Agency, Register  # noqa: E402
from bot.core.content import Content  # noqa: E402
from bot.settings import PROJECT_ROOT  # noqa: E402
from tests.core.adverts.pictures import screenshot  # noqa: E402

TODAY = date(2026, 12, 5)


def _agency_names(n: int) -> list[str]:
    spec = importlib.util.spec_from_file_location("bench_agencies", _HERE / "agencies.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.generate_names(n))


def _adverts(names: list[str], count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(advert text, the company name in it): every third exact, look-alike, unknown."""
    written = yaml.safe_load((PROJECT_ROOT / "tests/core/adverts/adverts.yml").read_text())
    out = []
    for i in range(count):
        text = str(written[i % len(written)]["text"])
        name = rng.choice(names)
        if i % 3 == 1:
            name = name + " Jaya"
        elif i % 3 == 2:
            name = " ".join(rng.choice(names).split()[:1] + rng.choice(names).split()[-1:]
                            + ["Nusa"])
        out.append((f"PT {name} membuka lowongan.\n{text}\nRef {i}", name))
    return out


class Clock:
    """Wall time and CPU time (this process plus its children: Tesseract runs as a child).
    On a shared machine the CPU time is the figure for "one core"."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), self._cpu()

    @staticmethod
    def _cpu() -> float:
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + kids.ru_utime + kids.ru_stime

    def stop(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, self._cpu() - self.cpu


Rates = tuple[float, float]  # (per wall second, per CPU second)


def bench_text(checker: AdvertChecker, register: Register, checks: int
               ) -> tuple[Rates, Rates]:
    adverts = _adverts([a.name for a in register.agencies], checks, random.Random(3))
    clock = Clock()
    for text, _ in adverts:
        checker.check_text(text, register, TODAY)
    ours = clock.stop()
    clock = Clock()
    for _, name in adverts:
        register.check(name, TODAY)
    bare = clock.stop()
    return (checks / ours[0], checks / ours[1]), (checks / bare[0], checks / bare[1])


def bench_picture(checker: AdvertChecker, register: Register, rounds: int
                  ) -> tuple[Rates, Rates]:
    import pytesseract
    from PIL import Image

    written = yaml.safe_load((PROJECT_ROOT / "tests/core/adverts/adverts.yml").read_text())
    text = next(a["text"] for a in written if a["id"] == "scam_cambodia_admin")
    data = screenshot(text, size=(1080, 1920))
    ours: list[tuple[float, float]] = []
    bare: list[tuple[float, float]] = []
    for _ in range(rounds):  # interleaved, so machine load hits both alike
        clock = Clock()
        verdict = checker.check_picture(data, register, TODAY)
        ours.append(clock.stop())
        clock = Clock()
        pytesseract.image_to_string(Image.open(io.BytesIO(data)), lang=LANG)
        bare.append(clock.stop())
    assert verdict.risk == "high", verdict.risk
    return ((statistics.median(w for w, _ in ours), statistics.median(c for _, c in ours)),
            (statistics.median(w for w, _ in bare), statistics.median(c for _, c in bare)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=10_000)
    parser.add_argument("--checks", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    names = _agency_names(args.agencies)
    register = Register(Agency(f"PT {n}", f"KEP.{i}/KA/2024", "aktif")
                        for i, n in enumerate(names))
    checker = AdvertChecker(Content.load(PROJECT_ROOT / "content"))
    checker.check_text("PT Warm Up membuka lowongan kerja Malaysia gaji RM 1.800", register)
    (ours_wall, ours_cpu), (bare_wall, bare_cpu) = bench_text(checker, register, args.checks)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"text checks at {len(register):,} agencies: {ours_cpu:7.1f} /s of one core's CPU "
          f"({ours_wall:.1f} /s wall)  (target >= 200/s)")
    print(f"  baseline, one bare agency check per advert: {bare_cpu:7.1f} /s CPU "
          f"({bare_wall:.1f} /s wall)")
    (pic_wall, pic_cpu), (base_wall, base_cpu) = bench_picture(checker, register, args.rounds)
    print(f"1080x1920 screenshot, OCR + check: {pic_cpu:5.2f} s CPU ({pic_wall:.2f} s wall)"
          "  (target <= 2 s)")
    print(f"  baseline, bare pytesseract.image_to_string: {base_cpu:5.2f} s CPU "
          f"({base_wall:.2f} s wall)")
    result: dict[str, Any] = {"ratio": pic_cpu / base_cpu}
    print(f"ratio against bare pytesseract (CPU): {result['ratio']:.2f}  (target <= 1.3)")


if __name__ == "__main__":
    main()
