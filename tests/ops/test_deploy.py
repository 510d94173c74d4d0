"""Deployment files: compose.yaml loads and is wired as documented (Docker is not run here)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.settings import PROJECT_ROOT, Settings

ROOT = Path(PROJECT_ROOT)


def test_compose_has_postgres_workers_and_one_entry() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"db", "bot", "proxy"}
    assert services["db"]["image"].startswith("postgres:")
    bot = services["bot"]
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["deploy"]["replicas"] >= 2 and "ports" not in bot  # only the proxy is public
    env = bot["environment"]
    assert env["JALUR_AMAN_DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert env["JALUR_AMAN_SECRET_KEY"].startswith("${JALUR_AMAN_SECRET_KEY:?")
    for name in env:  # every setting it passes exists
        assert name.removeprefix("JALUR_AMAN_").lower() in Settings.model_fields, name
    proxy = services["proxy"]
    assert any("nginx.conf" in volume for volume in proxy["volumes"])
    nginx = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "server bot:8080" in nginx and re.search(r"location = /metrics \{\s*deny all;", nginx)


def test_dockerfile_is_slim_non_root_with_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    assert re.search(r"^USER jalur$", text, re.MULTILINE)
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert '"serve", "--host", "0.0.0.0"' in text
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "var", ".env"} <= set(ignored)
