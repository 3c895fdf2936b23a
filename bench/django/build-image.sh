#!/usr/bin/env bash
# Builds the image of the original service for the benchmark's side-by-side throughput figure: Django + Django REST
# framework's /profile view (profile_site/, beside this script) on gunicorn with 3 sync workers, all from Debian
# trixie's packages (python3-django, python3-djangorestframework, gunicorn), the way .ci/build-standin-images.sh
# builds its stand-ins: mmdebstrap a root file system, `docker import` it, then a small Dockerfile on top. Needs no
# registry. Called by the benchmark (bench/DjangoImage.cs); a developer can run it by hand.
#
# The image is labelled with a hash of this directory (script, project, recipe), and kept while that hash matches:
# the first run takes a minute or two (the packages are downloaded), later runs nothing. --rebuild forces it.
# Prints progress on stderr and the image reference on stdout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
image=${DJANGO_BENCH_IMAGE:-zdd-bench/django-profile:latest}
rebuild=false
[ "${1:-}" = "--rebuild" ] && rebuild=true

log() { printf '[django-image] %s\n' "$*" >&2; }

inputs=$(cd "$here" && find . -type f ! -name '*.pyc' ! -path '*/__pycache__/*' | LC_ALL=C sort | xargs sha256sum \
  | sha256sum | cut -c1-16)
label=$(docker image inspect --format '{{ index .Config.Labels "zdd.bench-inputs" }}' "$image" 2>/dev/null || true)
if ! $rebuild && [ "$label" = "$inputs" ]; then
  log "$image exists (inputs $inputs)"
  echo "$image"
  exit 0
fi

mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log "building $image (inputs $inputs): mmdebstrap trixie python3-django python3-djangorestframework gunicorn"
start=$SECONDS
mmdebstrap --quiet --variant=minbase --include=python3-django,python3-djangorestframework,gunicorn \
  --aptopt='Acquire::Check-Valid-Until "false"' trixie "$work/rootfs.tar" "$mirror"
rootfs=zdd-bench/django-rootfs:$inputs
docker import "$work/rootfs.tar" "$rootfs" >/dev/null
rm -f "$work/rootfs.tar"
log "  root file system in $((SECONDS - start)) s"

mkdir -p "$work/ctx"
cp -r "$here/profile_site" "$work/ctx/"
cat > "$work/ctx/Dockerfile" <<DOCKERFILE
FROM $rootfs
COPY profile_site /srv/profile_site/profile_site
WORKDIR /srv/profile_site
# Compiled once here, so that no worker compiles at start (and a read-only root would not fail on it).
RUN python3 -m compileall -q /srv/profile_site && python3 -c "import django, rest_framework; print(django.get_version(), rest_framework.VERSION)"
USER 65534:65534
ENV PYTHONDONTWRITEBYTECODE=1 DJANGO_SETTINGS_MODULE=profile_site.settings
EXPOSE 8000
# 3 sync workers: the original service's setting. No access log (gunicorn's default): nginx writes one.
CMD ["gunicorn", "--workers", "3", "--worker-class", "sync", "--bind", "0.0.0.0:8000", "profile_site.wsgi:application"]
LABEL zdd.bench-inputs=$inputs
DOCKERFILE
docker build -q -t "$image" "$work/ctx" >/dev/null
docker rmi "$rootfs" >/dev/null 2>&1 || true
log "  built in $((SECONDS - start)) s: $(docker run --rm "$image" python3 -c 'import django, rest_framework, gunicorn; print("Django", django.get_version(), "DRF", rest_framework.VERSION, "gunicorn", gunicorn.__version__)')"
echo "$image"
