"""Peak memory (VmHWM) of `serve` next to a bare server, in the same run.

Each server starts as a fresh process on a free loopback port; once it answers, it gets
the same small workload: 20 web chat messages and one staff sign-in attempt (a wrong
password: the password check runs argon2 at its full memory cost either way). The figure
is the process's VmHWM from /proc/PID/status after that, in MB.

Servers:
- `first --demo`: `serve --demo` on an empty database with the NLU model cached (the first
  start seeds the demo register, villages and demo staff: one argon2 hash);
- `first, no model`: the same with an empty model cache (the model is trained first);
- `restart`: `serve` again on the database of `first --demo`;
- bare: aiohttp + scikit-learn + SQLite: unpickles the cached scikit-learn pipeline,
  `predict_proba` and one aiosqlite insert per message (no sessions, flows or dashboard).

    .venv/bin/python benchmarks/serve_memory.py [--runs 3]

The ratio (largest `serve` peak / bare peak) and the min/median/max over runs come last.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TARGET_MB = 250

BARE = """
import asyncio, pickle, sys
import aiosqlite
from aiohttp import web
with open(sys.argv[1], "rb") as fh:
    model = pickle.load(fh)
async def open_db(app):
    app["db"] = await aiosqlite.connect(sys.argv[2])
    await app["db"].execute("create table if not exists t (id integer primary key, text, intent)")
async def close_db(app):
    await app["db"].close()
async def chat(request):
    text = str((await request.json()).get("text", ""))[:1000]
    p = model.predict_proba([text])[0]
    intent = str(model.classes_[int(p.argmax())])
    await request.app["db"].execute("insert into t (text, intent) values (?, ?)", (text, intent))
    await request.app["db"].commit()
    return web.json_response({"intent": intent})
async def ok(request):
    return web.json_response({"ok": True})
app = web.Application()
app.on_startup.append(open_db)
app.on_cleanup.append(close_db)
app.router.add_post("/api/chat", chat)
app.router.add_get("/healthz", ok)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[3]), print=None, access_log=None)
"""
MESSAGES = ["halo", "syarat kerja ke taiwan apa", "biaya ke korea berapa", "cek pt maju jaya",
            "paspor saya ditahan agen", "gaji di malaysia berapa", "menu"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def status_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(key)


def workload(base: str, staff: bool) -> None:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    for i in range(20):
        body = json.dumps({"text": MESSAGES[i % len(MESSAGES)]}).encode()
        request = urllib.request.Request(f"{base}/api/chat", body,
                                         {"Content-Type": "application/json"})
        opener.open(request, timeout=30).read()
    if staff:
        page = opener.open(f"{base}/staff/login", timeout=30).read().decode()
        found = re.search(r'name="csrf" value="([^"]+)"', page)
        assert found, "no CSRF token on the login page"
        form = urllib.parse.urlencode({"csrf": found.group(1), "username": "demo",
                                       "password": "not-the-password"}).encode()
        try:
            opener.open(f"{base}/staff/login", form, timeout=30).read()
        except urllib.error.HTTPError as exc:  # refused sign-in: expected
            assert exc.code < 500, exc


def peak(cmd: list[str], env: dict[str, str], cwd: Path, port: int, staff: bool) -> float:
    """VmHWM (MB) of a server process after start-up and the workload."""
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"{cmd} exited with {proc.returncode}")
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{cmd} did not start") from None
                time.sleep(0.1)
        workload(base, staff)
        return status_mb(proc.pid, "VmHWM")
    finally:
        proc.terminate()
        proc.wait(30)


def one_run(work: Path, model_cache: Path, pipeline: Path) -> dict[str, float]:
    env = dict(os.environ, JALUR_AMAN_CACHE_DIR=str(model_cache), JALUR_AMAN_LOG_FORMAT="text")
    env.pop("JALUR_AMAN_SEED_DEMO_DATA", None)
    serve = [PY, "-m", "bot", "serve", "--host", "127.0.0.1"]
    figures = {}
    for label, demo, cache in (("first --demo", True, model_cache),
                               ("first, no model", True, None),
                               ("restart", False, model_cache)):
        folder = Path(tempfile.mkdtemp(dir=work))
        if label == "restart":
            folder = work / "first"
        elif label == "first --demo":
            folder = work / "first"
            folder.mkdir()
        run_env = dict(env, JALUR_AMAN_DATABASE_URL=f"sqlite+aiosqlite:///{folder}/serve.db",
                       JALUR_AMAN_CACHE_DIR=str(cache or folder / "cache"))
        port = free_port()
        figures[label] = peak([*serve, "--port", str(port), *(["--demo"] if demo else [])],
                              run_env, folder, port, staff=True)
    script = work / "bare_server.py"
    script.write_text(BARE)
    port = free_port()
    figures["bare"] = peak([PY, str(script), str(pipeline), str(work / "bare.db"), str(port)],
                           env, work, port, staff=False)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    model_cache = ROOT / "var" / "cache"
    env = dict(os.environ, JALUR_AMAN_CACHE_DIR=str(model_cache))
    # Warm the model cache; the bare server unpickles the same fitted pipeline.
    subprocess.run([PY, "-m", "bot", "nlu", "parse", "--json"], input=b"halo\n", env=env,
                   check=True, capture_output=True, cwd=ROOT)
    pipeline = max(model_cache.glob("nlu-src-*.pkl"), key=lambda p: p.stat().st_mtime)
    ratios: list[float] = []
    worst: list[float] = []
    print(f"{'run':<4}{'first --demo':>14}{'first, no model':>17}{'restart':>9}{'bare':>7}"
          f"{'ratio':>7}   (VmHWM MB)")
    for run_no in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="ja-serve-mem-") as tmp:
            f = one_run(Path(tmp), model_cache, pipeline)
        ours = max(f["first --demo"], f["first, no model"], f["restart"])
        worst.append(ours)
        ratios.append(ours / f["bare"])
        print(f"{run_no:<4}{f['first --demo']:>14.0f}{f['first, no model']:>17.0f}"
              f"{f['restart']:>9.0f}{f['bare']:>7.0f}{ours / f['bare']:>7.2f}", flush=True)
    print(f"serve peak (largest of the three) min/median/max: {min(worst):.0f}/"
          f"{statistics.median(worst):.0f}/{max(worst):.0f} MB (target <= {TARGET_MB} MB)")
    print(f"ratio (serve peak / bare peak, min/median/max of {args.runs} runs): "
          f"{min(ratios):.2f}/{statistics.median(ratios):.2f}/{max(ratios):.2f}")


if __name__ == "__main__":
    main()
