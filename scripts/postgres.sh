# Sourced by scripts/test.sh (and the benchmarks): a throwaway PostgreSQL on 127.0.0.1.
# start_test_postgres exports JALUR_AMAN_TEST_POSTGRES_URL; stop_test_postgres removes it.
PG_PORT=${JALUR_AMAN_PG_PORT:-55432}

start_test_postgres() {
  if [ -n "${JALUR_AMAN_TEST_POSTGRES_URL:-}" ]; then return 0; fi
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ]; then echo "PostgreSQL is not installed"; return 1; fi
  PG_DIR=$(mktemp -d /tmp/jalur-aman-pg.XXXXXX)
  local run=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$PG_DIR"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bin/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-h 127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c max_connections=200" start >/dev/null
  export PG_BIN="$bin" PG_DIR PG_RUN="${run[*]:-}"
  export JALUR_AMAN_TEST_POSTGRES_URL="postgresql+asyncpg://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "PostgreSQL started on 127.0.0.1:$PG_PORT"
}

stop_test_postgres() {
  if [ -z "${PG_DIR:-}" ]; then return 0; fi
  ${PG_RUN:-} "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  unset JALUR_AMAN_TEST_POSTGRES_URL PG_DIR
}
