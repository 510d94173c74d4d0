"""`jalur-aman ads check` as a subprocess: the --json contract in order, text and pictures,
clear errors for lines that cannot be checked, and a plain summary without --json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from tests.core.adverts.conftest import ADVERTS, REGISTER_CSV
from tests.core.adverts.pictures import poster


def run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin,
                          capture_output=True, text=True, env=env, cwd=PROJECT_ROOT,
                          timeout=300)


@pytest.fixture
def imported(cli_env: dict[str, str]) -> dict[str, str]:
    done = run(cli_env, "agencies", "import", str(REGISTER_CSV), "--as-of", "2026-12-01")
    assert done.returncode == 0, done.stderr
    return cli_env


def by_id(name: str) -> dict[str, object]:
    return next(a for a in ADVERTS if a["id"] == name)


def test_json_lines_answer_in_order_with_text_and_pictures(
        imported: dict[str, str], tmp_path: Path, tesseract: None) -> None:
    picture = tmp_path / "poster.png"
    picture.write_bytes(poster(str(by_id("me_oman_maid_poster")["text"]), 0))
    pdf = tmp_path / "file.png"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    lines = [json.dumps({"text": by_id("legit_taiwan_bina_kerja")["text"]}),
             json.dumps({"image": str(picture)}), "", json.dumps({"text": ""}),
             "not json", json.dumps({"image": str(pdf)}),
             json.dumps({"text": by_id("lookalike_kilau")["text"]})]
    done = run(imported, "ads", "check", "--json", stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o.get("risk") or o.get("error") for o in out] == [
        "low", "high", "empty", "bad_line", "not_picture", "medium"]
    assert out[0]["agencies"] == [{"query": "Bina Kerja Mandiri", "verdict": "registered",
                                   "match": "PT Bina Kerja Mandiri"}]
    assert "middle_east_domestic" in [f["code"] for f in out[1]["flags"]]
    assert out[5]["agencies"][0]["verdict"] == "ambiguous"


def test_plain_check_of_a_text_file_prints_flags_and_sources(
        imported: dict[str, str], tmp_path: Path) -> None:
    advert = tmp_path / "iklan.txt"
    advert.write_text(str(by_id("scam_cambodia_admin")["text"]), encoding="utf-8")
    done = run(imported, "ads", "check", str(advert))
    assert done.returncode == 0, done.stderr
    assert "risiko: high" in done.stdout and "[non_placement_country]" in done.stdout
    assert "sumber:" in done.stdout


def test_missing_file_is_a_clear_error(cli_env: dict[str, str]) -> None:
    done = run(cli_env, "ads", "check", "/nonexistent/iklan.txt")
    assert done.returncode == 2 and "does not exist" in done.stderr
