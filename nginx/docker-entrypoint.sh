#!/bin/sh
# docker-entrypoint.sh — starts nginx for the `nginx` service of docker-compose.yaml (run as
# `/bin/sh /etc/nginx/zdd/docker-entrypoint.sh`, so it needs no exec bit and no image-specific entrypoint).
#
# Before nginx starts it:
#   1. writes the first active-slot marker (/etc/nginx/state/active-slot.blue) on the nginx-state volume if there
#      is none yet. Afterwards only deploy-scripts rename it, and it survives container recreation;
#   2. clears what a killed zdd-state.sh run may have left (its lock) and logs the routing state if any is on;
#   3. writes the server_name line from SERVER_NAMES (default "localhost 127.0.0.1") to
#      /etc/nginx/generated/server-names.conf, included by servers/api.conf and servers/http-redirect.conf;
#   4. writes the limits per client address (http/limits.conf) from LIMIT_REQ_RATE (requests per second, default
#      20), LIMIT_REQ_BURST (default 40) and LIMIT_CONN (requests at once, default 20) to
#      /etc/nginx/generated/limits-http.conf and limits-server.conf;
#   5. writes Strict-Transport-Security from HSTS_MAX_AGE (seconds; default 0 = no header) to
#      /etc/nginx/generated/hsts.conf.
# Each value is checked before it is pasted into a directive; a bad one stops the start (exit 64) and names the
# variable. Then it execs its arguments (default: nginx in the foreground), so nginx is PID 1 and gets Docker's
# signals. POSIX sh only, no envsubst: it runs on the official nginx image and on the Debian stand-in, without
# /docker-entrypoint.d, as the unprivileged user the compose file starts nginx as (101); /etc/nginx/generated is a
# tmpfs of that user and the state volume is made its own by the one-shot nginx-init.
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

# require_count NAME VALUE MAX: VALUE must be a whole number 1..MAX (no sign, no leading zero, no unit).
require_count() {
  case "$2" in
    "" | 0* | *[!0-9]*) ;;
    *) if [ "${#2}" -le 9 ] && [ "$2" -le "$3" ]; then return 0; fi ;;
  esac
  echo "docker-entrypoint.sh: $1: expected a whole number 1-$3, got '$2'" >&2
  exit 64
}

limit_req_rate="${LIMIT_REQ_RATE:-20}"
limit_req_burst="${LIMIT_REQ_BURST:-40}"
limit_conn="${LIMIT_CONN:-20}"
require_count LIMIT_REQ_RATE "$limit_req_rate" 1000000
require_count LIMIT_REQ_BURST "$limit_req_burst" 1000000
require_count LIMIT_CONN "$limit_conn" 1000000
{
  echo "# Written by docker-entrypoint.sh from LIMIT_REQ_RATE; included by http/limits.conf."
  printf 'limit_req_zone $binary_remote_addr zone=req_per_address:10m rate=%sr/s;\n' "$limit_req_rate"
} > "$generated_dir/limits-http.conf"
{
  echo "# Written by docker-entrypoint.sh from LIMIT_REQ_BURST and LIMIT_CONN; included by servers/api.conf."
  # nodelay: a burst within the allowance is served at once rather than spaced out at the rate.
  printf 'limit_req zone=req_per_address burst=%s nodelay;\n' "$limit_req_burst"
  printf 'limit_conn conn_per_address %s;\n' "$limit_conn"
} > "$generated_dir/limits-server.conf"

hsts_max_age="${HSTS_MAX_AGE:-0}"
{
  echo "# Written by docker-entrypoint.sh from HSTS_MAX_AGE; included by servers/api.conf."
  if [ "$hsts_max_age" != 0 ]; then
    require_count HSTS_MAX_AGE "$hsts_max_age" 630720000
    printf 'add_header Strict-Transport-Security "max-age=%s" always;\n' "$hsts_max_age"
  fi
} > "$generated_dir/hsts.conf"

if [ "$#" -eq 0 ]; then
  set -- nginx -g 'daemon off;'
fi
exec "$@"
