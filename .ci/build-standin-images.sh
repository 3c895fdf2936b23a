#!/usr/bin/env bash
# Builds local stand-ins for the official images this project uses, from Debian packages and the .NET SDK already on
# the machine, for CI machines that can reach no container registry. Writes .ci/standin-images.env, which points the
# image overrides (NGINX_IMAGE, POSTGRES_IMAGE, DOTNET_SDK_IMAGE, ASPNET_IMAGE) at them.
# Called by .ci/run; a developer can run it by hand. Images that already exist are kept (pass --rebuild to redo).
#
#   nginx     Debian forky's nginx (1.30): keepalive_min_timeout needs 1.27.4+, trixie ships 1.26.
#   postgres  Debian trixie's postgresql-17 with a small entrypoint that mimics the official image's.
#   aspnet    trixie minbase + the host's .NET runtime (Microsoft.NETCore.App + Microsoft.AspNetCore.App).
#   sdk       trixie minbase + the host's whole .NET SDK + a warm NuGet folder for api/, so that the Dockerfile's
#             restore needs no network. No ICU, so the image sets DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 itself (as
#             a slim SDK image would); api/Dockerfile needs no setting of its own for it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
rebuild=false
[ "${1:-}" = "--rebuild" ] && rebuild=true

log() { printf '[standin-images] %s\n' "$*"; }
timed() { local start=$SECONDS; "$@"; log "  took $((SECONDS - start)) s"; }

mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

NGINX_STANDIN=zdd-standin/nginx:1.30
POSTGRES_STANDIN=zdd-standin/postgres:17
ASPNET_STANDIN=zdd-standin/aspnet:10.0
SDK_STANDIN=zdd-standin/dotnet-sdk:10.0
DEPS_STANDIN=zdd-standin/dotnet-deps:trixie

exists() { ! $rebuild && docker image inspect "$1" >/dev/null 2>&1; }

rootfs() { # suite packages output
  mmdebstrap --quiet --variant=minbase --include="$2" \
    --aptopt='Acquire::Check-Valid-Until "false"' "$1" "$3" "$mirror"
}

if exists "$NGINX_STANDIN"; then log "$NGINX_STANDIN exists"; else
  log "building $NGINX_STANDIN (forky nginx)"
  timed rootfs forky nginx "$work/nginx.tar"
  docker import --change 'CMD ["nginx", "-g", "daemon off;"]' --change 'STOPSIGNAL SIGQUIT' \
    --change 'EXPOSE 80 443' "$work/nginx.tar" "$NGINX_STANDIN" >/dev/null
  rm -f "$work/nginx.tar"
fi
log "  $(docker run --rm "$NGINX_STANDIN" nginx -v 2>&1)"

# Labelled with a hash of its entrypoint and of this script's recipe for it, so that a change to either rebuilds it.
pg_inputs=$( (cat "$here/standin/postgres-entrypoint.sh"; echo "data-dir-owned-by-postgres, socket-dir-3777") | sha256sum | cut -c1-16)
pg_label=$(docker image inspect --format '{{ index .Config.Labels "zdd.entrypoint" }}' "$POSTGRES_STANDIN" 2>/dev/null || true)
if ! $rebuild && [ "$pg_label" = "$pg_inputs" ]; then log "$POSTGRES_STANDIN exists"; else
  log "building $POSTGRES_STANDIN (trixie postgresql-17)"
  timed rootfs trixie postgresql-17 "$work/postgres.tar"
  docker import "$work/postgres.tar" zdd-standin/postgres-rootfs:17 >/dev/null
  rm -f "$work/postgres.tar"
  mkdir -p "$work/pg"
  cp "$here/standin/postgres-entrypoint.sh" "$work/pg/docker-entrypoint.sh"
  cat > "$work/pg/Dockerfile" <<DOCKERFILE
FROM zdd-standin/postgres-rootfs:17
COPY --chmod=755 docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/17/bin:\$PATH PGDATA=/var/lib/postgresql/data
# As in the official image: the data directory belongs to postgres, so that a new volume does too and the server can
# start as postgres without root (docker-compose.yaml's \`user: postgres\`). The socket directory is 3777, as there:
# Docker gives a tmpfs mounted over an existing directory that directory's mode (not the tmpfs' own mode= option),
# so with 755 the compose file's tmpfs would be root's and postgres could not create its lock file.
RUN mkdir -p /var/lib/postgresql/data /var/run/postgresql /docker-entrypoint-initdb.d \\
 && chown postgres:postgres /var/lib/postgresql/data /var/run/postgresql && chmod 700 /var/lib/postgresql/data \\
 && chmod 3777 /var/run/postgresql
VOLUME /var/lib/postgresql/data
ENTRYPOINT ["docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
LABEL zdd.entrypoint=$pg_inputs
DOCKERFILE
  docker build -q -t "$POSTGRES_STANDIN" "$work/pg" >/dev/null
  docker rmi zdd-standin/postgres-rootfs:17 >/dev/null
fi

if exists "$DEPS_STANDIN"; then log "$DEPS_STANDIN exists"; else
  log "building $DEPS_STANDIN (what .NET needs at run time)"
  timed rootfs trixie ca-certificates,libssl3t64,zlib1g,libstdc++6,libgcc-s1,tzdata "$work/deps.tar"
  docker import "$work/deps.tar" "$DEPS_STANDIN" >/dev/null
  rm -f "$work/deps.tar"
fi

dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")

if exists "$ASPNET_STANDIN"; then log "$ASPNET_STANDIN exists"; else
  log "building $ASPNET_STANDIN (host runtime from $dotnet_root)"
  mkdir -p "$work/aspnet/dotnet"
  cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$dotnet_root/shared" "$work/aspnet/dotnet/"
  # The same user, port and variables as the official aspnet image, so that the Dockerfile needs no special case.
  cat > "$work/aspnet/Dockerfile" <<DOCKERFILE
FROM $DEPS_STANDIN
COPY dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
 && groupadd --gid 1654 app && useradd --uid 1654 --gid 1654 --no-create-home --shell /bin/false app
ENV APP_UID=1654 ASPNETCORE_HTTP_PORTS=8080 DOTNET_RUNNING_IN_CONTAINER=true DOTNET_ROOT=/usr/share/dotnet
DOCKERFILE
  timed docker build -q -t "$ASPNET_STANDIN" "$work/aspnet"
  rm -rf "$work/aspnet"
fi

# The SDK image's environment. Without ICU the .NET CLI aborts at start unless it runs in invariant mode; the build
# needs no culture data (the app itself is InvariantGlobalization).
sdk_env='DOTNET_ROOT=/usr/share/dotnet NUGET_PACKAGES=/root/.nuget/packages DOTNET_CLI_TELEMETRY_OPTOUT=1
    DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 DOTNET_RUNNING_IN_CONTAINER=true
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1'
# The warm NuGet folder must hold exactly what api/ restores, so the SDK image is labelled with a hash of the files
# that decide that (and of its environment), and rebuilt when they change.
# api/Dockerfile publishes ReadyToRun for the build machine's architecture, which needs the runtime and crossgen2 packs
# of that runtime identifier: the restore below asks for them the same way.
case "$(uname -m)" in aarch64 | arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac
nuget_inputs=$( { cat "$repo/api/Api.csproj" "$repo/Directory.Packages.props" "$repo/Directory.Build.props"
  printf '%s\n' "$sdk_env" "restore -r $rid -p:PublishReadyToRun=true"; } | sha256sum | cut -c1-16)
sdk_label=$(docker image inspect --format '{{ index .Config.Labels "zdd.nuget-inputs" }}' "$SDK_STANDIN" 2>/dev/null || true)
if ! $rebuild && [ "$sdk_label" = "$nuget_inputs" ]; then log "$SDK_STANDIN exists (NuGet inputs $nuget_inputs)"; else
  log "building $SDK_STANDIN (host SDK + warm NuGet folder for api/, inputs $nuget_inputs)"
  mkdir -p "$work/sdk/nuget" "$work/restore/api"
  cp -a "$dotnet_root" "$work/sdk/dotnet"
  # Restore a copy of the project on the host, where NuGet is reachable, into a folder of its own; the image
  # carries that folder. A copy, so that the working tree's obj/ is left alone.
  cp "$repo/Directory.Build.props" "$repo/Directory.Packages.props" "$work/restore/"
  cp "$repo/api/Api.csproj" "$work/restore/api/"
  dotnet restore "$work/restore/api/Api.csproj" -r "$rid" -p:PublishReadyToRun=true --packages "$work/sdk/nuget" \
    >/dev/null
  cat > "$work/sdk/Dockerfile" <<DOCKERFILE
FROM $DEPS_STANDIN
COPY dotnet /usr/share/dotnet
COPY nuget /root/.nuget/packages
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV $(printf '%s' "$sdk_env" | tr -s ' \n' ' ')
LABEL zdd.nuget-inputs=$nuget_inputs
DOCKERFILE
  old_sdk=$(docker image inspect --format '{{.Id}}' "$SDK_STANDIN" 2>/dev/null || true)
  timed docker build -q -t "$SDK_STANDIN" "$work/sdk"
  # The replaced image is left untagged; remove it so that stale SDK copies do not pile up.
  if [ -n "$old_sdk" ] && [ "$old_sdk" != "$(docker image inspect --format '{{.Id}}' "$SDK_STANDIN")" ]; then
    docker rmi "$old_sdk" >/dev/null 2>&1 || true
  fi
  rm -rf "$work/sdk" "$work/restore"
fi

cat > "$here/standin-images.env" <<ENV
# Written by .ci/build-standin-images.sh: points the image overrides at the local stand-ins.
# Use: set -a; . .ci/standin-images.env; set +a
NGINX_IMAGE=$NGINX_STANDIN
POSTGRES_IMAGE=$POSTGRES_STANDIN
DOTNET_SDK_IMAGE=$SDK_STANDIN
ASPNET_IMAGE=$ASPNET_STANDIN
ENV
log "done; overrides written to .ci/standin-images.env"
