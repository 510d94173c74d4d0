"""`jalur-aman staff add` (password from stdin, office checked against configuration) and the
demo staff account created on first start when demo data is on."""

from __future__ import annotations

import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import pyotp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.composition import build_bot
from bot.core.complaints.rules import Offices
from bot.core.nlu import NLU
from bot.dashboard import demo
from bot.settings import PROJECT_ROOT, Settings
from bot.web import create_app
from storage.models.complaints import Staff


def _staff(env: dict[str, str], stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "staff", *args], input=stdin + "\n",
        env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


def _staff_add(env: dict[str, str], password: str, *args: str) -> subprocess.CompletedProcess[str]:
    return _staff(env, password, "add", *args)


def test_staff_add_creates_once_and_checks_office_and_password(
        cli_env: dict[str, str]) -> None:
    ok = _staff_add(cli_env, "sandi-yang-panjang", "--username", "siti",
                    "--office", "BP3MI-JATIM", "--role", "supervisor")
    assert ok.returncode == 0, ok.stderr
    assert "siti" in ok.stdout
    again = _staff_add(cli_env, "sandi-yang-panjang", "--username", "siti",
                       "--office", "BP3MI-JATIM")
    assert again.returncode == 1
    unknown = _staff_add(cli_env, "sandi-yang-panjang", "--username", "budi",
                         "--office", "NOPE")
    assert unknown.returncode == 1
    for weak in ("pendek", "aaaaaaaaaaaa", "1qaz2wsx3edc"):  # short, guessable, common
        refused = _staff_add(cli_env, weak, "--username", "budi", "--office", "BP3MI-JATIM")
        assert refused.returncode == 1 and "password refused" in refused.stderr


def test_in_production_staff_add_prints_an_enrolment_link_not_a_password(
        cli_env: dict[str, str]) -> None:
    env = {**cli_env, "JALUR_AMAN_PUBLIC_URL": "https://jalur-aman.example.go.id"}
    done = _staff_add(env, "", "--username", "rina", "--office", "BP3MI-JATIM",
                      "--role", "admin")
    assert done.returncode == 0, done.stderr
    link = re.search(r"https://jalur-aman\.example\.go\.id/staff/enrol/[\w-]+", done.stdout)
    assert link and "kata sandi" not in done.stdout.lower()


def test_a_script_can_sign_in_with_a_secret_file(cli_env: dict[str, str],
                                                 tmp_path: Path) -> None:
    secret_file = tmp_path / "totp.txt"
    done = _staff_add(cli_env, "sandi-yang-panjang", "--username", "cek", "--office",
                      "BP3MI-JATIM", "--role", "supervisor", "--totp-secret-file",
                      str(secret_file))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = secret_file.read_text().split()[0]
    code = _staff(cli_env, "", "totp-code", "--secret-file", str(secret_file))
    assert code.stdout.strip() in {pyotp.TOTP(secret).at(time.time() + d) for d in (-30, 0, 30)}


@pytest.mark.parametrize("seed", [True, False])
async def test_demo_staff_account_on_first_start(
        seed: bool, sqlite_url: str, nlu: NLU, capsys: pytest.CaptureFixture[str],
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Demo data only when asked; the password never reaches output that is not a
    terminal (a log): it goes to a 0600 file."""
    monkeypatch.setattr(demo, "CREDENTIALS_FILE", tmp_path / "demo-staff.txt")
    settings = Settings(database_url=sqlite_url, cache_dir=PROJECT_ROOT / "var" / "cache",
                        seed_demo_data=seed, secret_key="k" * 32)
    bot = await build_bot(settings, nlu=nlu)
    async with TestClient(TestServer(create_app(bot), host="127.0.0.1")):
        pass
    out = capsys.readouterr().out
    bot = await build_bot(settings, nlu=nlu)
    async with bot.sessions() as db:
        accounts = list((await db.execute(select(Staff))).scalars())
    await bot.close()
    if seed:
        offices = Offices.load(settings.content_dir / "offices.yml")
        by_office = {s.office_code: s.username for s in accounts}
        assert set(by_office) == set(offices.names)  # every office's demo case is seen
        assert by_office[offices.default] == "demo"
        assert by_office["BP3MI-JATIM"] == "demo-jatim"
        assert {s.role for s in accounts} == {"supervisor"}
        assert len({s.password_hash for s in accounts}) == 1
        written = tmp_path / "demo-staff.txt"
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
        assert "demo-jatim" in written.read_text() and "kata sandi" not in out
    else:
        assert accounts == [] and not (tmp_path / "demo-staff.txt").exists()
