"""Deployment files: compose.yaml and the Dockerfiles are wired as documented. Building and
running them is the container check (`make container-check`, run by .ci/run after the tests)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.settings import PROJECT_ROOT, Settings

ROOT = Path(PROJECT_ROOT)
BASE_ARG = "${JALUR_AMAN_BASE_IMAGE:-debian:bookworm-slim}"


def test_compose_has_postgres_workers_and_one_entry() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"db", "bot", "proxy"}
    for service in services.values():  # every image builds here, on the base argument
        assert service["build"]["args"]["BASE"] == BASE_ARG
        assert service["build"]["network"] == "host"
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    bot = services["bot"]
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["deploy"]["replicas"] >= 2 and "ports" not in bot  # only the proxy is public
    assert "container_name" not in bot  # --scale bot=N needs generated names
    assert any(volume.startswith("media:") for volume in bot["volumes"])  # shared by workers
    env = bot["environment"]
    assert env["JALUR_AMAN_DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert env["JALUR_AMAN_SECRET_KEY"].startswith("${JALUR_AMAN_SECRET_KEY:?")
    for name in env:  # every setting it passes exists
        assert name.removeprefix("JALUR_AMAN_").lower() in Settings.model_fields, name
    assert services["proxy"]["ports"] == ["${HTTP_PORT:-8080}:80"]


def test_nginx_passes_the_port_the_browser_used() -> None:
    """The dashboard compares Origin with Host: behind a proxy on :8080 both carry the port."""
    nginx = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "server bot:8080" in nginx and re.search(r"location = /metrics \{\s*deny all;", nginx)
    assert "proxy_set_header Host $http_host;" in nginx


def test_images_take_their_base_as_an_argument() -> None:
    for path in ("Dockerfile", "deploy/postgres.Dockerfile", "deploy/proxy.Dockerfile"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert text.startswith("#")
        assert "ARG BASE=debian:bookworm-slim" in text and "FROM ${BASE}" in text, path


def test_bot_image_is_non_root_with_healthcheck_model_and_no_secrets() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^USER jalur$", text, re.MULTILINE)
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert "load_nlu(Settings())" in text  # the model is trained at build time
    assert '"serve", "--host", "0.0.0.0"' in text
    assert "SECRET" not in text and "PASSWORD" not in text
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "var", ".env"} <= set(ignored)


def test_ci_runs_the_container_check_after_the_tests() -> None:
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert lines.index("make test </dev/null") < lines.index("make container-check </dev/null")
