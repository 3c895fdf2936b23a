#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# down.sh — removes a local swarm made by up.sh: every container, volume and network labelled zdd.swarm=<prefix>
# (the node engines with all their containers, images and volumes inside; the registry and its storage), and the
# state folder. The node and registry images stay, so the next up.sh starts in seconds.
#
#   bash .ci/swarm/down.sh                          # the default swarm (ZDD_SWARM_PREFIX=zdd-swarm)
#   ZDD_SWARM_PREFIX=zdd-swarm-test-1a2b bash .ci/swarm/down.sh
#
# Idempotent: nothing to remove is not an error. Used by tests/Swarm.Tests when they are done, and by hand.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

started=$SECONDS
mapfile -t containers < <(docker container ls --all --quiet --filter "label=$label")
if [ "${#containers[@]}" -gt 0 ]; then
  # No grace period: a test swarm holds nothing worth keeping, and its engines go down with their containers.
  docker container rm --force --volumes "${containers[@]}" >/dev/null
  log "removed ${#containers[@]} container(s)"
fi
mapfile -t volumes < <(docker volume ls --quiet --filter "label=$label")
if [ "${#volumes[@]}" -gt 0 ]; then
  docker volume rm --force "${volumes[@]}" >/dev/null
  log "removed ${#volumes[@]} volume(s)"
fi
mapfile -t networks < <(docker network ls --quiet --filter "label=$label")
if [ "${#networks[@]}" -gt 0 ]; then
  docker network rm "${networks[@]}" >/dev/null
  log "removed ${#networks[@]} network(s)"
fi
# Only the files up.sh writes there: the node sockets' folders and swarm.env.
rm -rf "$state_dir"/node[0-9]* "$state_dir/swarm.env" "$state_dir/swarm.env.tmp"
rmdir "$state_dir" 2>/dev/null || true
log "down: done in $((SECONDS - started)) s"
