# Sourced by scripts/containers.sh: `check`, the container check .ci/run runs after the tests.
# 1 build the images; 2 start PostgreSQL + 2 bot workers + nginx and wait for health; 3 chat
# and file a complaint through nginx; 4 see it with `complaints list` inside a worker; 5 staff
# sign-in through nginx (Origin on the proxy's port); 6 kill a worker, the other answers;
# 7 tear down: no container, network or volume of the check is left, and dockerd is stopped if
# this script started it. Images stay cached. Exit 1 on the first failure (logs are shown).

CHECK_PORT=${JALUR_AMAN_CHECK_PORT:-18480}
CHECK_URL=http://127.0.0.1:$CHECK_PORT
CHECK_PY=${PYTHON:-python3}
PASSED=0
STEP_STARTED=0

step() {
  STEP_STARTED=$SECONDS
  log "step $1"
}

passed() {
  PASSED=$((PASSED + 1))
  log "  ok ($((SECONDS - STEP_STARTED)) s) $*"
}

leftovers() {
  local label="label=com.docker.compose.project=$PROJECT"
  docker ps -aq --filter "$label"
  docker network ls -q --filter "$label"
  docker volume ls -q --filter "$label"
}

teardown() {
  local code=$?
  trap - EXIT
  if [ "$code" != 0 ] && [ -n "${ENV_FILE:-}" ]; then
    log "failed: last log lines of the stack"
    compose logs --no-color --tail 30 2>&1 | tail -n 120 || true
  fi
  if [ -n "${ENV_FILE:-}" ]; then
    compose down --volumes --remove-orphans --timeout 20 >/dev/null 2>&1 || true
    rm -f "$ENV_FILE"
  fi
  stop_dockerd
  exit "$code"
}

wait_healthy() {
  local deadline=$((SECONDS + ${1:-300})) ids id states
  while :; do
    ids=$(compose ps -q)
    states=""
    for id in $ids; do
      states+="$(docker inspect -f '{{.Name}}={{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$id") "
    done
    if [ "$(wc -w <<<"$ids")" -ge 4 ] && ! grep -qvE '=healthy$' <(tr ' ' '\n' <<<"${states% }")
    then
      break
    fi
    if ((SECONDS > deadline)); then log "not healthy in time: $states"; return 1; fi
    sleep 2
  done
  until [ "$("$CHECK_PY" -c "import urllib.request as u; print(u.urlopen('$CHECK_URL/readyz', timeout=5).status)" 2>/dev/null)" = 200 ]; do
    if ((SECONDS > deadline)); then log "$CHECK_URL/readyz is not 200"; return 1; fi
    sleep 1
  done
  log "  ${states% }"
}

run_check() {
  local started=$SECONDS ticket_text listing password victim
  PROJECT=${COMPOSE_PROJECT_NAME:-jalur-aman-check}
  trap teardown EXIT

  step "1: build the images"
  install_tools
  start_dockerd
  compose down --volumes --remove-orphans >/dev/null 2>&1 || true  # a previous run's remains
  build_images || return 1
  passed

  step "2: PostgreSQL + 2 bot workers + nginx on :$CHECK_PORT, healthy"
  ENV_FILE=$(mktemp /tmp/jalur-aman-check-env.XXXXXX)
  cat >"$ENV_FILE" <<EOF
POSTGRES_PASSWORD=$("$CHECK_PY" -c 'import secrets; print(secrets.token_hex(16))')
JALUR_AMAN_SECRET_KEY=$("$CHECK_PY" -c 'import secrets; print(secrets.token_hex(32))')
JALUR_AMAN_PUBLIC_URL=$CHECK_URL
HTTP_PORT=$CHECK_PORT
EOF
  compose up -d --no-build --scale bot=2 || return 1
  wait_healthy 300
  passed "$(compose ps -q bot | wc -l) workers behind nginx"

  step "3: chat and file a complaint through nginx"
  ticket_text=$("$CHECK_PY" scripts/stack_check.py chat "$CHECK_URL")
  passed "filed: $(head -n 1 <<<"$ticket_text")"

  step "4: complaints list --json inside a worker"
  listing=$(compose exec -T bot jalur-aman complaints list --json </dev/null 2>"$CACHE/exec.log") \
    || { cat "$CACHE/exec.log"; return 1; }
  TICKET=$("$CHECK_PY" -c '
import json, sys
text = sys.argv[1]
tickets = [json.loads(line)["ticket"] for line in sys.stdin if line.strip()]
print(next(t for t in tickets if t in text))' "$ticket_text" <<<"$listing") \
    || { log "the filed ticket is not listed: $listing"; return 1; }
  passed "$TICKET listed"

  step "5: staff sign-in through nginx (Origin http://127.0.0.1:$CHECK_PORT)"
  password=$("$CHECK_PY" -c 'import secrets; print(secrets.token_urlsafe(18))')
  local staff=(--username check-handler --office BP3MI-JATIM --role handler)
  if grep -q -- "--totp-secret-file" bot/cli/staff.py; then  # sign-in with a second factor
    staff+=(--password-stdin --totp-secret-file /app/var/check-totp)
    export STACK_CHECK_TOTP_COMMAND="docker-compose -p $PROJECT --env-file $ENV_FILE \
-f compose.yaml exec -T bot jalur-aman staff totp-code --secret-file /app/var/check-totp"
  fi
  compose exec -T bot jalur-aman staff add "${staff[@]}" <<<"$password" >/dev/null \
    2>"$CACHE/exec.log" || { cat "$CACHE/exec.log"; return 1; }
  "$CHECK_PY" scripts/stack_check.py login "$CHECK_URL" check-handler "$TICKET" <<<"$password"
  passed "signed in, $TICKET in the queue, a foreign Origin refused"

  step "6: kill one worker, the other keeps answering through nginx"
  victim=$(compose ps -q bot)
  victim=${victim%%$'\n'*}
  docker kill "$victim" >/dev/null
  "$CHECK_PY" scripts/stack_check.py answers "$CHECK_URL" 20
  passed "$(docker inspect -f '{{.Name}} {{.State.Status}}' "$victim") was killed"

  step "7: tear down"
  compose down --volumes --remove-orphans --timeout 20 >/dev/null 2>&1
  rm -f "$ENV_FILE"
  ENV_FILE=
  if [ -n "$(leftovers)" ]; then log "left behind: $(leftovers | tr '\n' ' ')"; return 1; fi
  log "image sizes (kept): $(image_sizes | tr '\n' ' ')"
  stop_dockerd
  passed "no container, network or volume left"

  log "container check took $((SECONDS - started)) s"
  echo "containers: $PASSED passed, 0 failed"
}
