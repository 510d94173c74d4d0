"""Shared pieces of the failure drills: a throwaway PostgreSQL, `serve` workers, traffic.

Everything runs on loopback. PostgreSQL: when scripts/postgres.sh already started one
(PG_BIN, PG_DIR, PG_RUN and JALUR_AMAN_TEST_POSTGRES_URL exported) it is reused, else one
is initialised in a temporary folder on JALUR_AMAN_PG_PORT (default 55437) and removed at
the end. Each drill gets a fresh database. Traffic is the web chat API (POST /api/chat):
unique out-of-scope messages (each answered turn stores exactly one `unanswered` row
holding its marker) and complete complaint intakes (one complaint per user). The server
issues each chat's identity (a Bearer token, bot/channels/webchat/identity.py); every
worker a drill starts gets the same SECRET_KEY (DRILL_SECRET), so a token issued by one
worker is accepted by all of them, also by a worker restarted mid-drill.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[2]
# One secret for every worker this process starts (a Worker's `env` may override it).
DRILL_SECRET = secrets.token_urlsafe(32)
COMPLAINT_STEPS: list[dict[str, str]] = [
    {"button": "complaint"}, {"button": "complaint:pick:consent:yes"},
    {"button": "complaint:pick:affected:self"},
    {"button": "complaint:pick:category:agency_fraud"}, {"text": "PT Maju Jaya Abadi"},
    {"button": "complaint:pick:country:Malaysia"}, {"text": "Kuala Lumpur"},
    {"text": "jatim"}, {"button": "complaint:skip"},
    {"text": "Agen minta uang 15 juta lalu menghilang, tidak jadi berangkat."},
    {"button": "complaint:skip"}, {"button": "complaint:pick:contact:chat"},
    {"button": "complaint:pick:confirm:yes"},
]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (also used by tests/browser.py)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Postgres:
    def __init__(self) -> None:
        self.own = not os.environ.get("PG_DIR")
        self.bin = os.environ.get("PG_BIN") or sorted(Path("/usr/lib/postgresql").glob(
            "*/bin"), key=lambda p: int(p.parent.name))[-1].as_posix()
        self.dir = os.environ.get("PG_DIR") or tempfile.mkdtemp(prefix="ja-drill-pg-")
        self.run = (os.environ.get("PG_RUN") or "").split() if not self.own else (
            ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else [])
        self.port = int(os.environ.get("JALUR_AMAN_PG_PORT", "55437"))
        self.admin = os.environ.get("JALUR_AMAN_TEST_POSTGRES_URL", "") if not self.own else \
            f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def ctl(self, *args: str) -> None:
        subprocess.run([*self.run, f"{self.bin}/pg_ctl", "-D", f"{self.dir}/data", *args],
                       check=True, stdout=subprocess.DEVNULL, timeout=120)

    def start(self) -> None:
        if not self.own:
            return
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run([*self.run, f"{self.bin}/initdb", "-D", f"{self.dir}/data", "-U",
                        "postgres", "-A", "trust", "--no-sync"], check=True,
                       stdout=subprocess.DEVNULL, timeout=120)
        self.ctl("-l", f"{self.dir}/log", "-w", "-o",
                 f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
                 "-c max_connections=200", "start")

    def restart(self, down: float = 0.0) -> None:
        """A fast restart: open connections are cut, the server stays down `down` seconds
        and is back when this returns."""
        if not down:
            self.ctl("-m", "fast", "-w", "restart")
            return
        self.ctl("-m", "fast", "-w", "stop")
        time.sleep(down)
        self.ctl("-l", f"{self.dir}/log", "-w", "-o",
                 f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
                 "-c max_connections=200", "start")

    def stop(self) -> None:
        if self.own:
            self.ctl("-m", "fast", "stop")
            shutil.rmtree(self.dir, ignore_errors=True)

    async def fresh_database(self) -> str:
        name = f"ja_drill_{uuid.uuid4().hex[:10]}"
        conn = await asyncpg.connect(self.admin.replace("+asyncpg", ""))
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return self.admin.rsplit("/", 1)[0] + "/" + name


@dataclass
class Worker:
    """One `jalur-aman serve` process (optionally `--workers N`) on its own port; `env`
    adds or overrides environment variables (e.g. a channel's token and API base)."""

    database_url: str
    workers: int = 1
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path = field(default_factory=lambda: Path(tempfile.mkstemp(suffix=".log")[1]))
    module: str = "bot"  # another server (answering /readyz, taking --port) for baselines

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120) -> None:
        env = {**os.environ, "JALUR_AMAN_DATABASE_URL": self.database_url,
               "JALUR_AMAN_SEED_DEMO_DATA": "false", "JALUR_AMAN_LOG_FORMAT": "json",
               "JALUR_AMAN_RATE_LIMIT_CHAT_PER_S": "0", "JALUR_AMAN_CACHE_DIR":
               str(ROOT / "var" / "cache"), "JALUR_AMAN_SECRET_KEY": DRILL_SECRET,
               **self.env}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(self.port), "--workers",
             str(self.workers), "--shutdown-timeout", "5"] if self.module == "bot" else
            [sys.executable, "-m", self.module, "--port", str(self.port)],
            cwd=ROOT, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/readyz", timeout=1).read()
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.2)
        raise RuntimeError(f"worker did not start; see {self.log_path}")

    def kill9(self) -> float:
        """SIGKILL, without waiting (the caller's event loop may run a fake platform);
        returns the monotonic time taken just before the kill. Then await `reaped()`."""
        assert self.proc is not None
        at = time.monotonic()
        self.proc.kill()
        return at

    async def reaped(self) -> None:
        assert self.proc is not None
        await asyncio.to_thread(self.proc.wait, 10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def log_lines(self, needle: str) -> int:
        return sum(needle in line for line in self.log_path.read_text(errors="replace")
                   .splitlines())


def marker(run: str, user: int, i: int) -> str:
    """A unique word; the stored unanswered text contains it (lower case, no digits lost)."""
    return f"zqdrill{run}u{user}m{i}"


async def unanswered_chats(url: str, run: str) -> dict[str, list[str]]:
    """Each marker of `run` -> the external user id of every `unanswered` row holding it
    (one entry per stored row; "" for a row without a user)."""
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        rows = await conn.fetch(
            "SELECT a.text, u.external_id FROM unanswered a LEFT JOIN users u "
            "ON u.id = a.user_id WHERE a.text LIKE $1", f"%zqdrill{run}%")
    finally:
        await conn.close()
    chats: dict[str, list[str]] = {}
    for row in rows:
        for word in str(row["text"]).split():
            if word.startswith(f"zqdrill{run}"):
                chats.setdefault(word, []).append(str(row["external_id"] or ""))
    return chats


def user_of(token: str) -> str:
    """The server-issued user id inside a web chat token (`<user id>.<signature>`); it is
    the `users.external_id` of the chat's rows."""
    return token.partition(".")[0]


async def complaints_per_user(url: str, channel: str = "web") -> dict[str, int]:
    """Complaints filed per user (external id) of `channel`; a drill's database is fresh,
    so these are the drill's users (warm-up chats file none)."""
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        rows = await conn.fetch(
            "SELECT u.external_id, count(c.id) AS n FROM users u JOIN complaints c "
            "ON c.user_id = u.id WHERE u.channel = $1 GROUP BY u.external_id", channel)
    finally:
        await conn.close()
    return {str(r["external_id"]): int(r["n"]) for r in rows}


def run(coro: asyncio.Future[int] | object) -> None:
    """Run a drill's main coroutine and exit with its code."""
    code = asyncio.run(coro)  # type: ignore[arg-type]
    sys.exit(int(code))
