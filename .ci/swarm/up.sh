#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# up.sh — brings up a local Docker Swarm of N nodes on this machine, offline, for the Swarm tests and by hand:
#   1. builds the node and registry images if missing (build-images.sh);
#   2. starts a registry (Debian's docker-registry) and N Docker-in-Docker node containers on a private network;
#   3. makes node 1 the manager (`docker swarm init`), joins the others as workers;
#   4. labels node 1 as the edge (zdd.edge=true: nginx runs there, its ports published on the host's 127.0.0.1) and
#      as the database's node (zdd.db=true: PostgreSQL and its volume stay there);
#   5. pushes the images the stack needs into the registry: NGINX_IMAGE, POSTGRES_IMAGE (the stand-ins in CI) and
#      the API image (--api-image, else built here from api/Dockerfile) as <registry>/zdd/api:blue and :green;
#   6. writes $state_dir/swarm.env: how to reach each node's engine, the registry, the edge ports, the image names.
#
#   bash .ci/swarm/up.sh [--nodes 2] [--api-image zero-downtime/api:1.0.0]
#   set -a; . /tmp/zdd-swarm/swarm.env; set +a; docker --host "$ZDD_SWARM_MANAGER" node ls
#
# Idempotent: what runs already is kept (a stopped node is started again), images are pushed again (unchanged
# layers are skipped). Environment: ZDD_SWARM_PREFIX (default zdd-swarm: names, label, state dir /tmp/<prefix>),
# ZDD_SWARM_HTTPS_PORT / ZDD_SWARM_HTTP_PORT (host ports of the edge node, default random), ZDD_STORAGE_DRIVER
# (overlay2 or vfs). Used by tests/Swarm.Tests (through SwarmCluster) and docs/swarm.md; down.sh removes it all.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

nodes=2
api_image=${ZDD_SWARM_API_IMAGE:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes=${2:?--nodes needs a number}; shift 2 ;;
    --api-image) api_image=${2:?--api-image needs an image}; shift 2 ;;
    *) die "unknown argument '$1' (expected --nodes N, --api-image IMAGE)" ;;
  esac
done
case "$nodes" in
  '' | *[!0-9]* | 0) die "--nodes: expected a number >= 1, got '$nodes'" ;;
esac

started=$SECONDS
log "up: $nodes node(s), state in $state_dir"
mkdir -p "$state_dir"

timed "images" bash "$here/build-images.sh"

# ---- network and registry ----
if ! docker network inspect "$network" >/dev/null 2>&1; then
  docker network create --label "$label" "$network" >/dev/null
  log "network $network created"
fi

ensure_running() { # container: starts it if it exists but is stopped; returns 1 if it does not exist
  local state
  state=$(docker container inspect --format '{{.State.Running}}' "$1" 2>/dev/null) || return 1
  if [ "$state" != true ]; then
    log "$1 exists but is stopped: starting it"
    docker start "$1" >/dev/null
  fi
}

if ! ensure_running "$registry"; then
  # Created first, so that the volume carries the label down.sh removes by.
  docker volume create --label "$label" "$prefix-registry-data" >/dev/null
  docker run --detach --name "$registry" --label "$label" --network "$network" \
    --publish 127.0.0.1::5000 \
    --volume "$prefix-registry-data:/var/lib/docker-registry" \
    --restart unless-stopped "$REGISTRY_IMAGE" >/dev/null
  log "registry $registry started"
fi
registry_port=$(docker port "$registry" 5000/tcp | awk -F: 'NR==1 {print $NF}')
push_registry=127.0.0.1:$registry_port
pull_registry=$registry:5000
wait_for "registry on $push_registry" 30 curl --silent --fail "http://$push_registry/v2/"

# ---- nodes ----
start_node() { # i
  local i=$1 name publish=()
  name=$(node_name "$i")
  if ensure_running "$name"; then
    return
  fi
  mkdir -p "$state_dir/node$i"
  if [ "$i" -eq 1 ]; then
    # The edge: the host reaches nginx here, on loopback only. Inside the swarm nginx publishes 80/443 in host mode
    # on this node, so neither the routing mesh nor any other node is on a request's path.
    publish=(--publish "127.0.0.1:${ZDD_SWARM_HTTPS_PORT:-}:443" --publish "127.0.0.1:${ZDD_SWARM_HTTP_PORT:-}:80")
  fi
  docker volume create --label "$label" "$prefix-node$i-data" >/dev/null
  # --privileged and a private cgroup namespace: what dockerd needs to run containers inside a container.
  # --init: docker-init reaps what dockerd's children leave behind. The data volume lets overlay2 work.
  # Called as `start_node i || ...`, where errexit is off: a refused container must return by itself.
  docker run --detach --name "$name" --hostname "$name" --label "$label" --network "$network" \
    --privileged --cgroupns private --init \
    --env "ZDD_REGISTRY=$pull_registry" --env "ZDD_STORAGE_DRIVER=${ZDD_STORAGE_DRIVER:-overlay2}" \
    --volume "$prefix-node$i-data:/var/lib/docker" \
    --volume "$state_dir/node$i:/run/zdd-host" \
    "${publish[@]}" "$NODE_IMAGE" >/dev/null || return 1
  log "node $name started"
}

# Exit code 75 (EX_TEMPFAIL) says "this machine cannot run a Docker engine inside a container" (no privileged
# containers, a rootless engine, a kernel without what dockerd needs), as opposed to a broken script: the Swarm tests
# skip with the message on 75 (or fail, with ZDD_REQUIRE_DOCKER=true) and fail on anything else.
nested_engine_failed() { # i
  log "error: a Docker engine cannot run inside a container here: $(node_name "$1") says:" >&2
  docker logs --tail 5 "$(node_name "$1")" 2>&1 | sed 's/^/    /' >&2 || true
  exit 75
}

engines_started=$SECONDS
for i in $(seq 1 "$nodes"); do start_node "$i" || nested_engine_failed "$i"; done
for i in $(seq 1 "$nodes"); do
  deadline=$((SECONDS + 60))
  until node_docker "$i" version >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ] \
      || [ "$(docker container inspect --format '{{.State.Running}}' "$(node_name "$i")")" != true ]; then
      nested_engine_failed "$i"
    fi
    sleep 0.5
  done
done
log "  engines: $((SECONDS - engines_started)) s"

# ---- swarm ----
swarm_state() { node_docker "$1" info --format '{{.Swarm.LocalNodeState}}'; }
manager_ip=$(docker container inspect --format "{{ (index .NetworkSettings.Networks \"$network\").IPAddress }}" \
  "$(node_name 1)")
if [ "$(swarm_state 1)" != active ]; then
  node_docker 1 swarm init --advertise-addr "$manager_ip" >/dev/null
  log "swarm initialised on $(node_name 1) ($manager_ip)"
fi
token=$(node_docker 1 swarm join-token --quiet worker)
for i in $(seq 2 "$nodes"); do
  if [ "$(swarm_state "$i")" != active ]; then
    node_docker "$i" swarm join --token "$token" "$manager_ip:2377" >/dev/null
    log "$(node_name "$i") joined"
  fi
done
node_docker 1 node update --label-add zdd.edge=true --label-add zdd.db=true "$(node_name 1)" >/dev/null
ready_nodes() { [ "$(node_docker 1 node ls --format '{{.Status}}' | grep -c Ready)" -eq "$nodes" ]; }
wait_for "$nodes nodes Ready" 60 ready_nodes
log "swarm: $(node_docker 1 node ls --format '{{.Hostname}} {{.Status}} {{.ManagerStatus}}' | paste -sd ';' -)"

# ---- images ----
# push SOURCE NAME: SOURCE (an image on the host engine) as NAME in the registry.
push() {
  local source=$1 name=$2 start=$SECONDS
  docker image inspect "$source" >/dev/null 2>&1 || die "image $source is not on this machine"
  docker tag "$source" "$push_registry/$name"
  docker push --quiet "$push_registry/$name" >/dev/null
  docker rmi "$push_registry/$name" >/dev/null
  log "  pushed $source as $pull_registry/$name ($((SECONDS - start)) s)"
}
# repository name without registry or namespace, and its tag: zdd-standin/nginx:1.30 -> nginx:1.30
short_name() { local last=${1##*/}; case "$last" in *:*) echo "$last" ;; *) echo "$last:latest" ;; esac; }

build_api_image() { # tag: api/Dockerfile with the base images of the stand-ins (or the official ones)
  docker build --quiet --file "$repo/api/Dockerfile" \
    --build-arg "SDK_IMAGE=${DOTNET_SDK_IMAGE:-mcr.microsoft.com/dotnet/sdk:10.0}" \
    --build-arg "RUNTIME_IMAGE=${ASPNET_IMAGE:-mcr.microsoft.com/dotnet/aspnet:10.0}" \
    --tag "$1" "$repo" >/dev/null
}

images_started=$SECONDS
nginx_source=${NGINX_IMAGE:-nginx:1.30}
postgres_source=${POSTGRES_IMAGE:-postgres:17}
if [ -z "$api_image" ]; then
  api_image=zdd-swarm/api:local
  log "building $api_image from api/Dockerfile"
  timed "api image" build_api_image "$api_image"
fi
push "$nginx_source" "zdd/$(short_name "$nginx_source")"
push "$postgres_source" "zdd/$(short_name "$postgres_source")"
push "$api_image" zdd/api:blue
push "$api_image" zdd/api:green
log "  images: $((SECONDS - images_started)) s"

# ---- what the tests and the docs read ----
{
  echo "# Written by .ci/swarm/up.sh for the local swarm '$prefix'. Use: set -a; . $state_dir/swarm.env; set +a"
  echo "ZDD_SWARM_PREFIX=$prefix"
  echo "ZDD_SWARM_NODES=$nodes"
  echo "ZDD_SWARM_MANAGER=unix://$(node_socket 1)"
  for i in $(seq 1 "$nodes"); do echo "ZDD_SWARM_NODE${i}_HOST=unix://$(node_socket "$i")"; done
  for i in $(seq 1 "$nodes"); do echo "ZDD_SWARM_NODE${i}_NAME=$(node_name "$i")"; done
  echo "ZDD_SWARM_NETWORK=$network"
  echo "ZDD_SWARM_REGISTRY_PUSH=$push_registry"
  echo "ZDD_SWARM_REGISTRY_PULL=$pull_registry"
  echo "ZDD_SWARM_HTTPS_PORT=$(docker port "$(node_name 1)" 443/tcp | awk -F: 'NR==1 {print $NF}')"
  echo "ZDD_SWARM_HTTP_PORT=$(docker port "$(node_name 1)" 80/tcp | awk -F: 'NR==1 {print $NF}')"
  echo "# The stack's image overrides (docker-compose.yaml reads them), as the nodes pull them."
  echo "NGINX_IMAGE=$pull_registry/zdd/$(short_name "$nginx_source")"
  echo "POSTGRES_IMAGE=$pull_registry/zdd/$(short_name "$postgres_source")"
  echo "API_IMAGE=$pull_registry/zdd/api"
} > "$state_dir/swarm.env.tmp"
mv "$state_dir/swarm.env.tmp" "$state_dir/swarm.env"
log "up: done in $((SECONDS - started)) s; settings in $state_dir/swarm.env"
