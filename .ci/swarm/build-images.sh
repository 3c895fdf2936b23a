#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# build-images.sh — builds the two images a local test swarm is made of, from Debian packages (no registry needed):
#   zdd-swarm/node:trixie      a Docker engine to run in a privileged container: trixie's docker.io (Engine 26.1,
#                              dockerd only), docker-cli, iptables; entrypoint node-entrypoint.sh
#   zdd-swarm/registry:2.8     Debian's docker-registry (distribution 2.8), the registry the nodes pull from
# Called by up.sh (which builds only what is missing); a developer can run it by hand. Pass --rebuild to redo both.
# Each image is labelled with a hash of its inputs, so that a changed entrypoint or package list rebuilds it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

rebuild=false
[ "${1:-}" = "--rebuild" ] && rebuild=true

command -v mmdebstrap >/dev/null || die "mmdebstrap is needed (apt-get install mmdebstrap; .ci/install-docker.sh does)"
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

node_packages=docker.io,docker-cli,iptables,ca-certificates
registry_packages=docker-registry,ca-certificates

# current image label zdd.inputs, or nothing
label_of() { docker image inspect --format '{{ index .Config.Labels "zdd.inputs" }}' "$1" 2>/dev/null || true; }

# rootfs packages output.tar: a trixie minbase root file system with the packages, as a tarball
rootfs() {
  mmdebstrap --quiet --variant=minbase --include="$1" \
    --aptopt='Acquire::Check-Valid-Until "false"' trixie "$2" "$mirror"
}

node_inputs=$( { echo "$node_packages"; cat "$here/node-entrypoint.sh"; } | sha256sum | cut -c1-16)
if ! $rebuild && [ "$(label_of "$NODE_IMAGE")" = "$node_inputs" ]; then
  log "$NODE_IMAGE exists (inputs $node_inputs)"
else
  log "building $NODE_IMAGE ($node_packages)"
  timed "root file system" rootfs "$node_packages" "$work/node.tar"
  docker import "$work/node.tar" "$NODE_IMAGE-rootfs" >/dev/null
  rm -f "$work/node.tar"
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
fi
log "  $(docker run --rm --entrypoint dockerd "$NODE_IMAGE" --version)"

registry_inputs=$( { echo "$registry_packages"; cat "$here/registry-config.yml"; } | sha256sum | cut -c1-16)
if ! $rebuild && [ "$(label_of "$REGISTRY_IMAGE")" = "$registry_inputs" ]; then
  log "$REGISTRY_IMAGE exists (inputs $registry_inputs)"
else
  log "building $REGISTRY_IMAGE ($registry_packages)"
  rootfs_image=$REGISTRY_IMAGE-rootfs
  timed "root file system" rootfs "$registry_packages" "$work/registry.tar"
  docker import "$work/registry.tar" "$rootfs_image" >/dev/null
  rm -f "$work/registry.tar"
  mkdir -p "$work/registry"
  cp "$here/registry-config.yml" "$work/registry/config.yml"
  cat > "$work/registry/Dockerfile" <<DOCKERFILE
FROM $rootfs_image
COPY config.yml /etc/docker/registry/config.yml
USER docker-registry
VOLUME /var/lib/docker-registry
EXPOSE 5000
ENTRYPOINT ["/usr/bin/docker-registry", "serve", "/etc/docker/registry/config.yml"]
LABEL zdd.inputs=$registry_inputs
DOCKERFILE
  docker build -q -t "$REGISTRY_IMAGE" "$work/registry" >/dev/null
  docker rmi "$rootfs_image" >/dev/null
fi
log "  $(docker run --rm --entrypoint /usr/bin/docker-registry "$REGISTRY_IMAGE" --version)"
