#!/usr/bin/env bash
# Installs a Docker engine (Debian 13 packages) and starts dockerd, on a Debian machine that has none.
# Called by .ci/run; a developer can run it by hand. Idempotent: a running engine is left alone.
#
# Why Debian 13: Debian 12's docker.io speaks API 1.41, and Testcontainers 4.x needs 1.44 or later.
# trixie's docker.io is Engine 26.1 (API 1.45) with Compose v2.26.
set -euo pipefail

log() { printf '[install-docker] %s\n' "$*"; }

if docker info >/dev/null 2>&1; then
  log "a Docker engine already answers: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v mmdebstrap >/dev/null 2>&1; then
  # Add trixie (and forky, for mmdebstrap's nginx 1.30 stand-in) next to the machine's own source, on the same
  # mirror, pinned low so that nothing else is upgraded from them by accident.
  src=/etc/apt/sources.list.d/debian.sources
  mirror=$(awk '/^URIs:/ {print $2; exit}' "$src")
  mirror=${mirror:-http://deb.debian.org/debian}
  cat > /etc/apt/sources.list.d/zdd-trixie.sources <<SRC
Types: deb
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  cat > /etc/apt/preferences.d/zdd-trixie <<PIN
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
  log "apt-get update"
  apt-get update -qq
  log "installing docker.io, docker-compose, docker-buildx (trixie), mmdebstrap, wrk"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t trixie \
    docker.io docker-compose docker-buildx mmdebstrap >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk uidmap >/dev/null || true
fi

# The machine may carry a newer docker CLI on PATH (/usr/local/bin); it negotiates the API down, but it must find
# the compose and buildx plugins that the Debian packages install.
for plugin in docker-compose docker-buildx; do
  if [ -x "/usr/libexec/docker/cli-plugins/$plugin" ] && [ ! -e "/usr/local/lib/docker/cli-plugins/$plugin" ]; then
    mkdir -p /usr/local/lib/docker/cli-plugins
    ln -s "/usr/libexec/docker/cli-plugins/$plugin" "/usr/local/lib/docker/cli-plugins/$plugin"
  fi
done

log "starting dockerd in the background (log: /var/log/zdd-dockerd.log)"
nohup dockerd >/var/log/zdd-dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    log "engine up: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})'), compose $(docker compose version --short)"
    exit 0
  fi
  sleep 1
done
log "dockerd did not answer within 60 s; the last lines of its log:"
tail -n 30 /var/log/zdd-dockerd.log >&2
exit 1
