"""`villages import/list/links/poster`, `staff add --role village`, `reports weekly` and
`reports unanswered --rasa` as subprocesses against a fresh database."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import yaml

from bot.core.villages.service import DEMO_FILE
from storage import db
from storage.repositories.users import record_unanswered


async def _unanswered(url: str, text: str) -> None:
    engine = db.create_engine(url)
    try:
        async with db.session_factory(engine)() as session, session.begin():
            await record_unanswered(session, None, text, "costs", 0.1)
    finally:
        await engine.dispose()


def run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_villages_links_poster_and_staff(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = {**cli_env, "JALUR_AMAN_TELEGRAM_BOT_USERNAME": "JalurAmanUjiBot",
           "JALUR_AMAN_WHATSAPP_PUBLIC_NUMBER": "+62 811 0000 0000",
           "JALUR_AMAN_SEED_DEMO_DATA": "false"}
    assert run(env, "villages", "import", str(DEMO_FILE)).returncode == 0
    listed = [json.loads(line) for line in run(env, "villages", "list", "--json").stdout
              .splitlines()]
    assert len(listed) == 6
    code = listed[0]["code"]
    found = json.loads(run(env, "villages", "links", code, "--json").stdout)
    assert found["telegram"] == f"https://t.me/JalurAmanUjiBot?start={code}"
    assert found["whatsapp"].startswith("https://wa.me/6281100000000?text=")
    assert code in found["whatsapp"]
    assert found["web"] == f"http://127.0.0.1:8080/?start={code}" and found["web_is_local"]
    assert found["channels"] == ["web", "whatsapp", "telegram"]
    poster = run(env, "villages", "poster", code, "--out", str(tmp_path))
    assert poster.returncode == 0
    assert (tmp_path / f"poster-{code}.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / f"poster-{code}.png").read_bytes().startswith(b"\x89PNG")
    assert run(env, "villages", "links", "DSZZZZZ").returncode == 1
    made = run(env, "staff", "add", "--username", "desa1", "--role", "village",
               "--village", code, stdin="kata-sandi-desa-1\n")
    assert made.returncode == 0, made.stderr
    bad = run(env, "staff", "add", "--username", "desa2", "--role", "village",
              "--village", "DSZZZZZ", stdin="kata-sandi-desa-1\n")
    assert bad.returncode == 1


def test_weekly_report_and_rasa_export(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = {**cli_env, "JALUR_AMAN_SEED_DEMO_DATA": "true"}
    lines = [{"user": "u1", "button": "agency_check"},
             {"user": "u1", "text": "PT Tidak Ada Sama Sekali Jaya"}]
    chat = run(env, "chat", "--json", stdin="".join(json.dumps(x) + "\n" for x in lines))
    assert chat.returncode == 0, chat.stderr
    asyncio.run(_unanswered(env["JALUR_AMAN_DATABASE_URL"],
                            "nama saya Siti Aminah qwerty zxcv 081234567890"))
    weekly = run(env, "reports", "weekly", "--out", str(tmp_path))
    assert weekly.returncode == 0, weekly.stderr
    csv_file = next(tmp_path.glob("peringatan-dini-*.csv"))
    html_file = next(tmp_path.glob("peringatan-dini-*.html"))
    exported = csv_file.read_text(encoding="utf-8-sig")
    assert "jaya" in exported and "081234567890" not in exported
    assert html_file.read_text(encoding="utf-8").startswith("<!doctype html>")
    rasa = run(env, "reports", "unanswered", "--rasa")
    data = yaml.safe_load(rasa.stdout)
    assert data["version"] == "3.1" and data["nlu"]
    assert "Aminah" not in rasa.stdout and "081234567890" not in rasa.stdout
