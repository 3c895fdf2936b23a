#!/bin/sh
# node-entrypoint.sh — PID 1's child (under docker-init) of a local swarm node: the image built by build-images.sh.
# Writes the engine's daemon.json from the environment that up.sh passes, then execs dockerd in the foreground.
#   ZDD_REGISTRY        host:port of the swarm's registry; plain HTTP on the private network, so listed as insecure
#   ZDD_STORAGE_DRIVER  overlay2 (default; /var/lib/docker must be a volume, not the container's own overlay) or vfs
# The engine listens on /var/run/docker.sock (for `docker` inside the node) and on /run/zdd-host/docker.sock, a
# folder bind-mounted from the host, so that the host's CLI reaches each node without TCP.
set -eu

registry=${ZDD_REGISTRY:?ZDD_REGISTRY: the registry host:port}
driver=${ZDD_STORAGE_DRIVER:-overlay2}

mkdir -p /etc/docker /run/zdd-host
cat > /etc/docker/daemon.json <<JSON
{
  "insecure-registries": ["$registry"],
  "storage-driver": "$driver",
  "hosts": ["unix:///var/run/docker.sock", "unix:///run/zdd-host/docker.sock"],
  "log-driver": "json-file",
  "log-opts": {"max-size": "50m", "max-file": "2"}
}
JSON
# A socket left by an earlier container on the same state folder would make dockerd refuse to start.
rm -f /run/zdd-host/docker.sock /var/run/docker.pid
exec dockerd
