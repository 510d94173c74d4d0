"""`jalur-aman agencies import/check` as a subprocess: counts, the --json contract, batch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "bot" / "demo_data" / "p3mi_demo.csv"


def run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", "agencies", *args], input=stdin,
                          capture_output=True, text=True, env=env, cwd=PROJECT_ROOT,
                          timeout=120)


@pytest.fixture
def imported(cli_env: dict[str, str]) -> dict[str, str]:
    done = run(cli_env, "import", str(SAMPLE), "--as-of", "2026-11-01")
    assert done.returncode == 0, done.stderr
    assert "imported 40 agencies" in done.stdout
    return cli_env


def test_import_reports_rejected_rows(cli_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "reg.csv"
    path.write_text("Nama P3MI,No. SIP3MI,Status Izin\nPT Satu,KEP.1/KA/2020,aktif\n"
                    "PT Dua,,aktif\nPT Tiga,KEP.3/KA/2020,hilang\n", encoding="utf-8")
    done = run(cli_env, "import", str(path))
    assert done.returncode == 0, done.stderr
    assert "imported 1 agencies" in done.stdout
    assert "rejected row 3" in done.stdout and "rejected row 4" in done.stdout


def test_unreadable_file_keeps_the_old_register(imported: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    done = run(imported, "import", str(path))
    assert done.returncode == 1 and "not changed" in done.stderr
    out = json.loads(run(imported, "check", "--json", "PT Cipta Tunas").stdout)
    assert out["verdict"] == "registered"


def test_check_json_contract(imported: dict[str, str]) -> None:
    done = run(imported, "check", "--json", "PT Cipta Bestari")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert set(out) >= {"query", "verdict", "as_of", "matches"}
    assert out["query"] == "PT Cipta Bestari" and out["as_of"] == "2026-11-01"
    assert out["verdict"] == "license_problem"
    [match] = out["matches"]
    assert set(match) == {"name", "sip3mi", "status", "province", "expires", "score"}
    assert match["status"] == "penghentian_sementara" and 0 <= match["score"] <= 100


def test_check_plain_text(imported: dict[str, str]) -> None:
    done = run(imported, "check", "kep 938 tahun 2024")
    assert done.returncode == 0 and done.stdout.startswith("registered")


def test_batch_one_line_per_query_in_order_and_junk_is_not_found(
    imported: dict[str, str],
) -> None:
    queries = [
        "PT Cipta Tunas", "", "pt cipta tunsa", "   ", "x" * 2000,
        "<script>alert('pt')</script>", "'; DROP TABLE agencies; --", "KEP.917/MEN/2025",
        "<b>&nbsp;</b>", "1 OR 1=1", "PT Cipta Tunas Jaya", "\t",
    ]
    done = run(imported, "check", "--json", "-", stdin="\n".join(queries) + "\n")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    expected = [q for q in queries if q.strip()]
    assert [line["query"] for line in lines] == expected
    verdicts = [line["verdict"] for line in lines]
    assert verdicts == ["registered", "ambiguous", "not_found", "not_found", "not_found",
                        "license_problem", "not_found", "not_found", "ambiguous"]
    assert all(line["as_of"] == "2026-11-01" for line in lines)


def test_check_without_a_register_says_not_found(cli_env: dict[str, str]) -> None:
    done = run(cli_env, "check", "--json", "PT Cipta Tunas")
    assert done.returncode == 0
    assert json.loads(done.stdout)["verdict"] == "not_found"
