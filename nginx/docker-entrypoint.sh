#!/bin/sh
# docker-entrypoint.sh — starts nginx for the `nginx` service of docker-compose.yaml (run as
# `/bin/sh /etc/nginx/zdd/docker-entrypoint.sh`, so it needs no exec bit and no image-specific entrypoint).
#
# Before nginx starts it:
#   1. writes the default active-slot include (blue) on the nginx-state volume if there is none yet. Afterwards
#      only deploy-scripts change that file, and it survives container recreation;
#   2. writes the server_name line from SERVER_NAMES (default "localhost 127.0.0.1") to
#      /etc/nginx/generated/server-names.conf, included by servers/api.conf and servers/http-redirect.conf.
# Then it execs its arguments (default: nginx in the foreground), so nginx is PID 1 and gets Docker's signals.
# POSIX sh only: it runs on the official nginx image and on the Debian stand-in, without /docker-entrypoint.d.
set -eu

state_dir=/etc/nginx/state
active="$state_dir/active-slot.conf"
generated_dir=/etc/nginx/generated

mkdir -p "$state_dir" "$generated_dir"

if [ ! -s "$active" ]; then
  # Same temporary-file-and-rename as the deploy scripts, so nginx never reads half a file.
  tmp="$state_dir/.active-slot.conf.$$"
  printf '%s\n' \
    '# Active slot, written by deploy-scripts. Do not edit by hand: run deploy-scripts/swap.ps1.' \
    'proxy_pass http://api_blue;' > "$tmp"
  mv -f "$tmp" "$active"
  echo "docker-entrypoint.sh: no active slot yet, wrote $active (api_blue)" >&2
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
