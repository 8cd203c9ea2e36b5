#!/usr/bin/env bash
# The time of `make test` on a fresh machine (a budget of 45 minutes), measured on this one:
# `bash .ci/run` on a fresh clone of this repository's HEAD, with every cache the project's own
# files fill pointed at empty directories under DIR (default /tmp/slowmo-fresh, emptied first):
#   HOME                     Go's module cache (the six toolchains), Go's build cache, npm, pip
#   TMPDIR                   jest's transform cache, the bridge's work directories (binaries,
#                            their Go build caches)
#   CONTAINERS_STORAGE_CONF  podman's storage: no image, layer or debian:12
#   SLOWMO_ROOTFS_CACHE      the debootstrap tarball
# Only the Debian packages stay installed. make test prints each step's time at its end.
#
#   bash scripts/fresh-test.sh [DIR]
set -uo pipefail
F="${1:-/tmp/slowmo-fresh}"
SRC="$(cd "$(dirname "$0")/.." && pwd)"
rm -rf "$F"
mkdir -p "$F/home" "$F/tmp" "$F/rootfs" "$F/podman/graph" "$F/podman/run"
# The bridge builds as another user, which must read the toolchains under HOME.
chmod 755 "$F" "$F/home"
chmod 1777 "$F/tmp"
printf '[storage]\ndriver = "overlay"\ngraphroot = "%s"\nrunroot = "%s"\n' \
  "$F/podman/graph" "$F/podman/run" >"$F/storage.conf"
git clone -q "$SRC" "$F/repo"
cd "$F/repo" || exit 1
export HOME="$F/home" TMPDIR="$F/tmp" SLOWMO_ROOTFS_CACHE="$F/rootfs" CONTAINERS_STORAGE_CONF="$F/storage.conf"
start=$SECONDS
bash .ci/run
rc=$?
echo "fresh make test: exit $rc in $((SECONDS - start)) s (make setup included)"
exit $rc
