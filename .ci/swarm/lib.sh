# shellcheck shell=bash
# shellcheck disable=SC2034 # the names below are used by the scripts that source this file
# lib.sh — names, logging and node access shared by the local-swarm scripts in this folder (build-images.sh, up.sh,
# down.sh). Sourced, never run.
#
# One local swarm is a set of containers on the host engine, all carrying the label zdd.swarm=<prefix>:
#   <prefix>-registry   Debian's docker-registry, port 5000 on the swarm's network, 127.0.0.1:<random> on the host
#   <prefix>-node<i>    a Docker engine in a container (Docker-in-Docker), node 1 the manager and the edge
#   <prefix>-net        the user-defined network the nodes and the registry talk over
# Each node's engine is reached from the host through a Unix socket in $state_dir/node<i>/ (bind-mounted), never
# over TCP: the host sends nothing to a container's private address. $state_dir/swarm.env records it all.

prefix=${ZDD_SWARM_PREFIX:-zdd-swarm}
case "$prefix" in
  *[!a-z0-9-]* | "" | -*) echo "ZDD_SWARM_PREFIX: expected lower-case letters, digits and dashes, got '$prefix'" >&2
    exit 64 ;;
esac
state_dir=${ZDD_SWARM_STATE_DIR:-/tmp/$prefix}
label=zdd.swarm=$prefix
network=$prefix-net
registry=$prefix-registry

NODE_IMAGE=${ZDD_SWARM_NODE_IMAGE:-zdd-swarm/node:trixie}
REGISTRY_IMAGE=${ZDD_SWARM_REGISTRY_IMAGE:-zdd-swarm/registry:2.8}

log() { printf '[swarm %s %s] %s\n' "$prefix" "$(date -u +%H:%M:%S)" "$*"; }
die() { log "error: $*" >&2; exit 1; }

# timed "what" command...: runs the command and logs how long it took.
timed() {
  local what=$1 start=$SECONDS
  shift
  "$@"
  log "  $what: $((SECONDS - start)) s"
}

node_name() { printf '%s-node%s' "$prefix" "$1"; }

node_socket() { printf '%s/node%s/docker.sock' "$state_dir" "$1"; }

# node_docker i args...: the docker CLI against node i's engine.
node_docker() {
  local i=$1
  shift
  docker --host "unix://$(node_socket "$i")" "$@"
}

# wait_for "what" seconds command...: polls the command every 0.5 s until it succeeds, or dies after the bound.
wait_for() {
  local what=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "$what: not ready after ${seconds} s"
    sleep 0.5
  done
}
