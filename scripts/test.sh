#!/usr/bin/env bash
# Runs the whole test suite: lint, type check, pytest on SQLite and PostgreSQL, browser tests.
# Installs (Debian packages, when root) and starts what the tests need: a PostgreSQL server
# on loopback and Debian's chromium. Under CI=true nothing is skipped for a missing service.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export PATH="$PWD/$VENV/bin:$PATH"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v tesseract >/dev/null 2>&1 || need_apt+=(tesseract-ocr)
ls /usr/share/tesseract-ocr/*/tessdata/ind.traineddata >/dev/null 2>&1 \
  || need_apt+=(tesseract-ocr-ind)
if ((${#need_apt[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "installing ${need_apt[*]} from Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "missing ${need_apt[*]} (not root: install them, or tests needing them are skipped locally)"
  fi
fi

if [ "${CI:-}" = true ] && ! ls /usr/share/tesseract-ocr/*/tessdata/ind.traineddata \
    >/dev/null 2>&1; then
  echo "tesseract-ocr with Indonesian (tesseract-ocr-ind) is required under CI=true"; exit 1
fi

source scripts/postgres.sh
start_test_postgres || true

echo "== ruff"; ruff check .
echo "== mypy"; mypy bot storage
echo "== pip-audit"  # known vulnerabilities fail under CI=true; an unreachable service warns
set +e
audit_out=$(pip-audit --progress-spinner off --skip-editable 2>&1); audit=$?
set -e
if [ "$audit" != 0 ]; then
  if grep -qiE "connection|timed out|resolve|network|HTTPSConnectionPool" <<<"$audit_out"; then
    echo "pip-audit: vulnerability service unreachable, skipped (warning)"
  elif [ "${CI:-}" = true ]; then
    echo "$audit_out"; exit 1
  else
    echo "$audit_out"; echo "pip-audit: known vulnerabilities (warning outside CI)"
  fi
fi
echo "== pytest"
set +e
python -m pytest -q "$@"
code=$?
set -e
stop_test_postgres || true
if [ "$code" = 5 ]; then echo "no tests ran: failing"; exit 1; fi
exit "$code"
