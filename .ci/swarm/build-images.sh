#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# build-images.sh — builds the two images a local test swarm is made of, from Debian packages (no registry needed):
#   zdd-swarm/node:trixie      a Docker engine to run in a privileged container: trixie's docker.io (Engine 26.1,
#                              dockerd only), docker-cli, iptables; entrypoint node-entrypoint.sh
#   zdd-swarm/registry:2.8     Debian's docker-registry (distribution 2.8) with registry-config.yml: the registry the
#                              nodes pull from
# Called by up.sh (which builds only what is missing); a developer can run it by hand. Pass --rebuild to redo both.
# Each image is labelled with a hash of its inputs, so that a changed entrypoint, config or package list rebuilds it.
# The two root file systems are made at the same time: each is mostly waiting on downloads and dpkg.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

rebuild=false
[ "${1:-}" = "--rebuild" ] && rebuild=true

mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

node_packages=docker.io,docker-cli,iptables,ca-certificates
registry_packages=docker-registry,ca-certificates
node_inputs=$( { echo "$node_packages"; cat "$here/node-entrypoint.sh"; } | sha256sum | cut -c1-16)
registry_inputs=$( { echo "$registry_packages"; cat "$here/registry-config.yml"; } | sha256sum | cut -c1-16)

# needed image inputs: true when the image is missing, outdated or --rebuild was given
needed() {
  $rebuild && return 0
  [ "$(docker image inspect --format '{{ index .Config.Labels "zdd.inputs" }}' "$1" 2>/dev/null || true)" != "$2" ]
}

# rootfs packages key image: a trixie minbase root file system with the packages, imported as <image>-rootfs; its
# output goes to $work/<key>.log
rootfs() {
  mmdebstrap --quiet --variant=minbase --include="$1" \
    --aptopt='Acquire::Check-Valid-Until "false"' trixie "$work/$2.tar" "$mirror" > "$work/$2.log" 2>&1
  docker import "$work/$2.tar" "$3-rootfs" > /dev/null
  rm -f "$work/$2.tar"
}

build_node=false build_registry=false
needed "$NODE_IMAGE" "$node_inputs" && build_node=true
needed "$REGISTRY_IMAGE" "$registry_inputs" && build_registry=true

if $build_node || $build_registry; then
  command -v mmdebstrap >/dev/null \
    || die "mmdebstrap is needed (apt-get install mmdebstrap; .ci/install-docker.sh does)"
  started=$SECONDS
  jobs=()
  if $build_node; then
    log "building $NODE_IMAGE ($node_packages)"
    rootfs "$node_packages" node "$NODE_IMAGE" & jobs+=("$!:node")
  fi
  if $build_registry; then
    log "building $REGISTRY_IMAGE ($registry_packages)"
    rootfs "$registry_packages" registry "$REGISTRY_IMAGE" & jobs+=("$!:registry")
  fi
  for job in "${jobs[@]}"; do
    if ! wait "${job%%:*}"; then
      cat "$work/${job#*:}.log" >&2 || true
      die "the ${job#*:} image's root file system could not be made (mmdebstrap's output above)"
    fi
  done
  log "  root file systems: $((SECONDS - started)) s"
fi

if $build_node; then
  mkdir -p "$work/node"
  cp "$here/node-entrypoint.sh" "$work/node/"
  cat > "$work/node/Dockerfile" <<DOCKERFILE
FROM $NODE_IMAGE-rootfs
COPY --chmod=755 node-entrypoint.sh /usr/local/bin/node-entrypoint.sh
# The engine's data must be a volume: overlay2 cannot sit on the container's own overlay file system.
VOLUME /var/lib/docker
ENTRYPOINT ["/usr/local/bin/node-entrypoint.sh"]
LABEL zdd.inputs=$node_inputs
DOCKERFILE
  docker build -q -t "$NODE_IMAGE" "$work/node" >/dev/null
  docker rmi "$NODE_IMAGE-rootfs" >/dev/null
else
  log "$NODE_IMAGE exists (inputs $node_inputs)"
fi

if $build_registry; then
  mkdir -p "$work/registry"
  cp "$here/registry-config.yml" "$work/registry/config.yml"
  cat > "$work/registry/Dockerfile" <<DOCKERFILE
FROM $REGISTRY_IMAGE-rootfs
COPY config.yml /etc/docker/registry/config.yml
USER docker-registry
VOLUME /var/lib/docker-registry
EXPOSE 5000
ENTRYPOINT ["/usr/bin/docker-registry", "serve", "/etc/docker/registry/config.yml"]
LABEL zdd.inputs=$registry_inputs
DOCKERFILE
  docker build -q -t "$REGISTRY_IMAGE" "$work/registry" >/dev/null
  docker rmi "$REGISTRY_IMAGE-rootfs" >/dev/null
else
  log "$REGISTRY_IMAGE exists (inputs $registry_inputs)"
fi
