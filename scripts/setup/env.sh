# Sourced by each of make setup's steps (scripts/setup/N-*.sh, which
# scripts/setup.sh runs in order): the shared helpers and the settings every
# step reads. Each step also runs alone, so the image (containers/Dockerfile)
# builds its dependency layers from one step's file each; an edit here
# rebuilds them all, so keep this small.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT"

TOTAL=9
# SLOWMO_PROFILE=binder (binder/postBuild): no root, so repo2docker's apt.txt
# brought the Debian packages, the Python environment is the image's own
# (SLOWMO_VENV), and only the local Go toolchain is used (the trace backend).
# SLOWMO_PROFILE=image (containers/Dockerfile): as full, without the container
# engine the container tests use.
PROFILE="${SLOWMO_PROFILE:-full}"
VENV="${SLOWMO_VENV:-$ROOT/.venv}"
STAMPS="$ROOT/.setup-stamps"
mkdir -p "$STAMPS"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# seed NAME: a directory of downloads another machine already made, when the
# build was given one (SLOWMO_SEED/NAME; the container check mounts the
# host's caches there, scripts/lib/podman.mjs), else nothing. Only read.
seed() { [ -n "${SLOWMO_SEED:-}" ] && [ -d "$SLOWMO_SEED/$1" ] && echo "$SLOWMO_SEED/$1"; }
