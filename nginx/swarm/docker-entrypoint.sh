#!/bin/sh
# swarm/docker-entrypoint.sh — the nginx service's entrypoint on Swarm (swarm/docker-compose.swarm.yaml, delivered
# as a Swarm config at /etc/nginx/zdd/swarm/docker-entrypoint.sh, run as `/bin/sh <path>`).
#
# Swarm has no depends_on: nginx may start before the tls-init job has written this edge node's certificate into
# its `tls` volume, and nginx refuses to start without it. So wait for the certificate (bounded: CERT_WAIT_SECONDS,
# default 120), then hand over to the shared entrypoint (nginx/docker-entrypoint.sh: marker, server names, nginx).
# If it never comes, exit non-zero: Swarm's restart policy starts the task again, and `docker service ps` shows why.
set -eu

certs=/etc/nginx/certs
wait_seconds=${CERT_WAIT_SECONDS:-120}
waited=0
until [ -s "$certs/tls.crt" ] && [ -s "$certs/tls.key" ]; do
  if [ "$waited" -ge "$wait_seconds" ]; then
    echo "swarm/docker-entrypoint.sh: no $certs/tls.crt and tls.key after ${wait_seconds}s; is the tls-init job" \
      "done on this node? (docker service ps <stack>_tls-init)" >&2
    exit 66
  fi
  if [ "$waited" -eq 0 ]; then
    echo "swarm/docker-entrypoint.sh: waiting for tls-init's certificate in $certs" >&2
  fi
  sleep 1
  waited=$((waited + 1))
done

exec /bin/sh /etc/nginx/zdd/docker-entrypoint.sh "$@"
