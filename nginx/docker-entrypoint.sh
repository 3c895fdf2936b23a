#!/bin/sh
# docker-entrypoint.sh — starts nginx for the `nginx` service of docker-compose.yaml (run as
# `/bin/sh /etc/nginx/zdd/docker-entrypoint.sh`, so it needs no exec bit and no image-specific entrypoint).
#
# Before nginx starts it:
#   1. writes the first active-slot marker (/etc/nginx/state/active-slot.blue) on the nginx-state volume if there
#      is none yet. Afterwards only deploy-scripts rename it, and it survives container recreation;
#   2. clears what a killed zdd-state.sh run may have left (its lock) and logs the routing state if any is on;
#   3. writes the server_name line from SERVER_NAMES (default "localhost 127.0.0.1") to
#      /etc/nginx/generated/server-names.conf, included by servers/api.conf and servers/http-redirect.conf.
# Then it execs its arguments (default: nginx in the foreground), so nginx is PID 1 and gets Docker's signals.
# POSIX sh only: it runs on the official nginx image and on the Debian stand-in, without /docker-entrypoint.d.
set -eu

state_dir=/etc/nginx/state
generated_dir=/etc/nginx/generated

mkdir -p "$state_dir" "$generated_dir"

# ls exits non-zero when one of the two is missing, which is the usual case: only its list matters.
markers=$(cd "$state_dir" && { ls active-slot.blue active-slot.green 2>/dev/null || true; })
case "$markers" in
  active-slot.blue | active-slot.green) ;;
  "")
    printf '%s\n' "Active slot, renamed by deploy-scripts. Do not edit by hand: run deploy-scripts/swap.ps1." \
      > "$state_dir/active-slot.blue"
    echo "docker-entrypoint.sh: no active slot yet, wrote $state_dir/active-slot.blue" >&2
    ;;
  *)
    # Both markers: servers/api.conf would pick green. Refuse to start instead of guessing which slot is right.
    echo "docker-entrypoint.sh: both $state_dir/active-slot.blue and active-slot.green exist; remove the one" \
      "that is not serving (deploy-scripts/status.ps1 shows which slot is ready)" >&2
    exit 65
    ;;
esac

# The routing state (maintenance, staged candidate, canary: zdd-state.sh, docs/stack.md "Routing state files")
# survives a restart like the marker, so say that it is on. A lock or temporary file of a zdd-state.sh run is stale
# now: such a run dies with its container, and none runs before nginx starts.
rm -rf "$state_dir/.zdd-state.lock" "$state_dir/.routing.new" "$state_dir"/.routing.body.*
if [ -L "$state_dir/routing" ]; then
  echo "docker-entrypoint.sh: routing state on: $state_dir/routing -> $(readlink "$state_dir/routing")" >&2
fi

server_names="${SERVER_NAMES:-localhost 127.0.0.1}"
case "$server_names" in
  *[!A-Za-z0-9._*\ -]*)
    echo "docker-entrypoint.sh: SERVER_NAMES: expected host names separated by spaces, got '$server_names'" >&2
    exit 64
    ;;
esac
printf 'server_name %s;\n' "$server_names" > "$generated_dir/server-names.conf"

if [ "$#" -eq 0 ]; then
  set -- nginx -g 'daemon off;'
fi
exec "$@"
