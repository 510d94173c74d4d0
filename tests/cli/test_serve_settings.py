"""`serve` checks its settings at start-up: a Telegram webhook secret with characters
Telegram refuses, or WhatsApp without its app secret, stops it with a message naming the
setting; WhatsApp without an invitation template is a warning. The Graph API version is
a setting with a current default."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.serve import check_settings
from bot.settings import Settings


def serve(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JALUR_AMAN_")}
    clean.update(JALUR_AMAN_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", **env)
    return subprocess.run([sys.executable, "-m", "bot", "serve", "--port", "1"], cwd=tmp_path,
                          env=clean, capture_output=True, text=True, timeout=120)


def test_telegram_secret_with_bad_characters_stops_serve(tmp_path: Path) -> None:
    done = serve(tmp_path, JALUR_AMAN_TELEGRAM_TOKEN="1:x",
                 JALUR_AMAN_TELEGRAM_WEBHOOK_SECRET="abc+def/ghi==")
    assert done.returncode == 2
    assert "JALUR_AMAN_TELEGRAM_WEBHOOK_SECRET" in done.stderr


def test_whatsapp_without_app_secret_stops_serve(tmp_path: Path) -> None:
    done = serve(tmp_path, JALUR_AMAN_WHATSAPP_TOKEN="t",
                 JALUR_AMAN_WHATSAPP_PHONE_NUMBER_ID="1055")
    assert done.returncode == 2 and "JALUR_AMAN_WHATSAPP_APP_SECRET" in done.stderr


def test_whatsapp_without_template_is_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(_env_file=None, whatsapp_token="t", whatsapp_app_secret="s",
                        whatsapp_phone_number_id="1055")
    assert check_settings(settings)
    assert "JALUR_AMAN_WHATSAPP_TEMPLATE_NAME" in capsys.readouterr().err
    settings = Settings(_env_file=None, whatsapp_token="t", whatsapp_app_secret="s",
                        whatsapp_template_name="balasan_petugas",
                        telegram_token="1:x", telegram_webhook_secret="Ok_secret-1")
    assert check_settings(settings)
    assert capsys.readouterr().err == ""


def test_graph_api_version_is_a_setting_with_a_current_default() -> None:
    assert Settings(_env_file=None).whatsapp_graph_url == "https://graph.facebook.com/v26.0"
    assert Settings(_env_file=None, whatsapp_api_version="v25.0",
                    whatsapp_api_base="http://127.0.0.1:9/").whatsapp_graph_url \
        == "http://127.0.0.1:9/v25.0"
    assert Settings(_env_file=None, whatsapp_api_version="25").errors()
