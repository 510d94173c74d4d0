"""`jalur-aman staff add` (password from stdin, office checked against configuration) and the
demo staff account created on first start when demo data is on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.composition import build_bot
from bot.core.complaints.rules import Offices
from bot.core.nlu import NLU
from bot.settings import PROJECT_ROOT, Settings
from bot.web import create_app
from storage.models.complaints import Staff


def _staff_add(env: dict[str, str], password: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "staff", "add", *args], input=password + "\n",
        env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


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
    short = _staff_add(cli_env, "pendek", "--username", "budi", "--office", "BP3MI-JATIM")
    assert short.returncode == 1


@pytest.mark.parametrize("seed", [True, False])
async def test_demo_staff_account_on_first_start(
        seed: bool, sqlite_url: str, nlu: NLU, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
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
        default = Offices.load(settings.content_dir / "offices.yml").default
        assert [(s.username, s.office_code) for s in accounts] == [("demo", default)]
        assert "DEMO" in out
    else:
        assert accounts == [] and "DEMO" not in out
