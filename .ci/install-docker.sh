#!/usr/bin/env bash
# Installs a Docker engine (Debian 13 packages) and starts dockerd, on a Debian 12 or 13 machine that has none.
# Called by .ci/run; meant for throwaway CI machines. Idempotent: a running engine is left alone.
#
# Why Debian 13: Debian 12's docker.io speaks API 1.41, and Testcontainers 4.x needs 1.44 or later.
# trixie's docker.io is Engine 26.1 (API 1.45) with Compose v2.26.
#
# What it changes on the machine: adds Debian 13 (trixie) as an apt source pinned at priority 100, installs
# docker.io, docker-compose and docker-buildx from it (they need nothing newer than Debian 12's libc6, so no
# installed package is upgraded), installs mmdebstrap, wrk and uidmap from the machine's own release, links the
# compose and buildx plugins into /usr/local/lib/docker/cli-plugins, and starts dockerd in the background (not as
# a service). Outside CI (CI=true) it refuses unless given --allow-system-changes: on your own machine, install
# Docker the usual way (docs.docker.com/engine/install) and this script has nothing to do.
set -euo pipefail

log() { printf '[install-docker] %s\n' "$*"; }

allow=false
case "${1:-}" in
  --allow-system-changes) allow=true ;;
  "") ;;
  *) echo "usage: $0 [--allow-system-changes]" >&2; exit 2 ;;
esac

if docker info >/dev/null 2>&1; then
  log "a Docker engine already answers: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
  exit 0
fi

if [ "${CI:-}" != true ] && ! $allow; then
  cat >&2 <<'MSG'
[install-docker] No Docker engine answers, and this is not a CI machine (CI is not "true").
This script is meant for throwaway CI machines. It would add Debian 13 (trixie) as an apt source, install
docker.io, docker-compose and docker-buildx from it, install mmdebstrap, wrk and uidmap, and start dockerd in the
background (not as a service). On your own machine, install Docker the usual way
(https://docs.docker.com/engine/install/) and rerun; or pass --allow-system-changes to let this script do it.
MSG
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v mmdebstrap >/dev/null 2>&1; then
  src=/etc/apt/sources.list.d/debian.sources
  if ! command -v apt-get >/dev/null 2>&1 || [ ! -f "$src" ]; then
    echo "[install-docker] needs Debian 12 or 13 (apt-get and $src); install Docker the usual way" >&2
    exit 1
  fi
  # trixie next to the machine's own source, on the same mirror, pinned low so that nothing is taken from it unless
  # named below. (The nginx stand-in comes from forky: mmdebstrap reads that suite from the mirror by itself.)
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
  # package/trixie, not `-t trixie`: -t would make trixie the preferred release of every dependency too, and on
  # Debian 12 upgrade libc6, perl, python3, apt, dpkg and some 30 other installed packages on the way (apt-get -s).
  log "installing docker.io, docker-compose, docker-buildx (trixie), mmdebstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    docker.io/trixie docker-compose/trixie docker-buildx/trixie mmdebstrap >/dev/null
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
