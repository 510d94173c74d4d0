#!/usr/bin/env bash
# The compose stack (PostgreSQL, N bot workers, nginx) built and run with Debian's docker.io.
#
#   scripts/containers.sh up [N]   build the images and start the stack with N workers (2);
#                                  secrets from .env (copy deploy/env.example)
#   scripts/containers.sh down     stop it and remove its containers and network (data kept)
#   scripts/containers.sh build    build the three images only
#   scripts/containers.sh base     make the local Debian base image (see below)
#   scripts/containers.sh check    CI's container check: build, start 2 workers, chat and file
#                                  a complaint through nginx, list it, staff login, kill a
#                                  worker, tear everything down (exit 1 on any failure)
#
# Installs docker.io, docker-compose and debootstrap when missing (as root) and starts dockerd
# when none answers (flags: DOCKERD_FLAGS). Images are based on debian:bookworm-slim; when it
# cannot be pulled (no registry reachable), a local base is made once with debootstrap from
# Debian's mirror and imported as jalur-aman-base:bookworm (cached as a tarball in
# JALUR_AMAN_CONTAINER_CACHE, and as the image itself). Python packages are built as wheels on
# the host (build/wheels) and installed offline in the image.
set -euo pipefail
cd "$(dirname "$0")/.."

PUBLIC_BASE=debian:bookworm-slim
LOCAL_BASE=jalur-aman-base:bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE=${JALUR_AMAN_CONTAINER_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/jalur-aman}
DOCKERD_FLAGS=${DOCKERD_FLAGS:---iptables=false --bridge=none --storage-driver=vfs}
PROJECT=${COMPOSE_PROJECT_NAME:-jalur-aman}
STARTED_DOCKERD=

log() { printf '[containers %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

install_tools() {
  local need=()
  command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
  command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 \
    || need+=(docker-compose)
  command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
  ((${#need[@]})) || return 0
  if [ "$(id -u)" != 0 ]; then
    log "missing ${need[*]}: install them (apt-get install ${need[*]})"; return 1
  fi
  log "installing ${need[*]} from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  mkdir -p "$CACHE"
  { apt-get update -qq && apt-get install -y -qq "${need[@]}"; } >"$CACHE/apt.log" 2>&1 \
    || { tail -n 20 "$CACHE/apt.log"; return 1; }
}

start_dockerd() {
  docker info >/dev/null 2>&1 && return 0
  log "starting dockerd $DOCKERD_FLAGS"
  mkdir -p "$CACHE"
  # shellcheck disable=SC2086  # the flags are words
  setsid dockerd $DOCKERD_FLAGS >"$CACHE/dockerd.log" 2>&1 </dev/null &
  STARTED_DOCKERD=$!
  for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && return 0
    kill -0 "$STARTED_DOCKERD" 2>/dev/null || break
    sleep 1
  done
  log "dockerd did not start:"; tail -n 20 "$CACHE/dockerd.log"; return 1
}

stop_dockerd() {
  [ -n "$STARTED_DOCKERD" ] || return 0
  log "stopping the dockerd this script started"
  kill "$STARTED_DOCKERD" 2>/dev/null || true
  for _ in $(seq 30); do kill -0 "$STARTED_DOCKERD" 2>/dev/null || break; sleep 1; done
  STARTED_DOCKERD=
}

# Debian bookworm minbase, trimmed like the official slim image (no docs, man pages, locales,
# apt lists or package cache), imported as $LOCAL_BASE.
make_local_base() {
  local tarball="$CACHE/debian-bookworm-minbase.tar"
  mkdir -p "$CACHE"
  if [ ! -s "$tarball" ]; then
    local root
    root=$(mktemp -d /tmp/jalur-aman-rootfs.XXXXXX)
    chmod 755 "$root"  # becomes the image's /
    log "debootstrap --variant=minbase bookworm from $MIRROR (about a minute)"
    if ! debootstrap --variant=minbase bookworm "$root" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1
    then
      tail -n 20 "$CACHE/debootstrap.log"; rm -rf "$root"; return 1
    fi
    cat >"$root/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb ${MIRROR%/debian}/debian-security bookworm-security main
EOF
    cat >"$root/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
    cat >"$root/etc/apt/apt.conf.d/slim" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
EOF
    find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    rm -rf "$root"/usr/share/{man,info}/* "$root"/var/lib/apt/lists/* \
      "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/log/*.log
    find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias \
      -exec rm -rf {} +
    mkdir -p "$root/var/lib/apt/lists/partial"  # apt downloads as _apt into these
    chroot "$root" chown _apt:root /var/lib/apt/lists/partial /var/cache/apt/archives/partial
    chmod 700 "$root/var/lib/apt/lists/partial" "$root/var/cache/apt/archives/partial"
    tar -C "$root" --numeric-owner -cf "$tarball.part" . && mv "$tarball.part" "$tarball" \
      || { rm -rf "$root"; return 1; }
    rm -rf "$root"
  fi
  log "importing $tarball as $LOCAL_BASE"
  docker import "$tarball" "$LOCAL_BASE" >/dev/null
}

# Which base the images build on: the public image when it is here or can be pulled, else the
# local one (made once).
choose_base() {
  if [ -n "${JALUR_AMAN_BASE_IMAGE:-}" ]; then :
  elif docker image inspect "$PUBLIC_BASE" >/dev/null 2>&1 \
      || timeout 120 docker pull -q "$PUBLIC_BASE" >/dev/null 2>&1; then
    JALUR_AMAN_BASE_IMAGE=$PUBLIC_BASE
  else
    docker image inspect "$LOCAL_BASE" >/dev/null 2>&1 || make_local_base || return 1
    JALUR_AMAN_BASE_IMAGE=$LOCAL_BASE
  fi
  export JALUR_AMAN_BASE_IMAGE
  log "base image: $JALUR_AMAN_BASE_IMAGE"
}

# Wheels of the dependencies (build/wheels/deps, rebuilt when pyproject.toml changes) and of
# the application (build/wheels/app, reproducible so an unchanged tree hits the layer cache),
# built on the host: bookworm's python3 is 3.11 like the host's.
build_wheels() {
  local python=${PYTHON:-} stamp
  [ -n "$python" ] || { [ -x .venv/bin/python ] && python=.venv/bin/python || python=python3; }
  stamp="build/wheels/deps/.pyproject-$(cksum <pyproject.toml | cut -d' ' -f1)"
  mkdir -p "$CACHE"
  if [ ! -e "$stamp" ]; then
    log "building the dependencies' wheels with $python"
    rm -rf build/wheels/deps
    if ! "$python" -m pip wheel -q --disable-pip-version-check -w build/wheels/deps . \
        >"$CACHE/wheels.log" 2>&1; then
      grep -v "^WARNING: Location" "$CACHE/wheels.log"; return 1
    fi
    rm -f build/wheels/deps/jalur_aman-*.whl
    touch "$stamp"
  fi
  rm -rf build/wheels/app
  SOURCE_DATE_EPOCH=315532800 "$python" -m pip wheel -q --disable-pip-version-check --no-deps \
    -w build/wheels/app . >"$CACHE/wheels.log" 2>&1 || { cat "$CACHE/wheels.log"; return 1; }
}

compose() {
  local cmd=(docker-compose)
  command -v docker-compose >/dev/null 2>&1 || cmd=(docker compose)
  "${cmd[@]}" -p "$PROJECT" ${ENV_FILE:+--env-file "$ENV_FILE"} -f compose.yaml "$@"
}

# BuildKit (the Dockerfiles use RUN --mount); Debian's docker CLI has it built in.
build_image() {  # NAME DOCKERFILE CONTEXT
  local cli=docker
  [ -x /usr/bin/docker ] && cli=/usr/bin/docker
  DOCKER_BUILDKIT=1 "$cli" build --network host --progress plain \
    --build-arg "BASE=$JALUR_AMAN_BASE_IMAGE" -t "$1" -f "$2" "$3"
}

build_images() {
  choose_base || return 1
  build_wheels || return 1
  log "building images on $JALUR_AMAN_BASE_IMAGE"
  local name
  for name in postgres proxy; do
    build_image "jalur-aman-$name:latest" "deploy/$name.Dockerfile" deploy \
      >"$CACHE/build-$name.log" 2>&1 || { tail -n 30 "$CACHE/build-$name.log"; return 1; }
  done
  build_image jalur-aman:latest Dockerfile . >"$CACHE/build-bot.log" 2>&1 \
    || { tail -n 30 "$CACHE/build-bot.log"; return 1; }
  log "built: $(image_sizes | tr '\n' ' ')"
}

image_sizes() {
  docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' \
    | grep -E '^jalur-aman(-postgres|-proxy|-base)?:' || true
}

case "${1:-}" in
  base) install_tools; start_dockerd; choose_base ;;
  build) install_tools; start_dockerd; build_images ;;
  up)
    [ -f .env ] || { log "no .env: cp deploy/env.example .env and set the secrets"; exit 1; }
    install_tools; start_dockerd; build_images
    compose up -d --no-build --scale "bot=${2:-2}"
    compose exec -T proxy nginx -s reload  # nginx resolves "bot" again: every worker
    compose ps ;;
  down) compose down --remove-orphans ;;
  check) source scripts/container_check.sh; run_check ;;
  *) sed -n '2,18p' "$0"; exit 2 ;;
esac
