#!/usr/bin/env bash
# What make setup expects to find on a bare Debian 12 (README: "Go >= 1.22,
# Node >= 20.19 and Python 3"): Debian 12's own Go (1.19) and Node (18) are
# too old, so Go and Node come from their official releases, checked against
# the published SHA-256 sums. The container image and the fresh-root-
# filesystem test run this, then make setup; a developer machine that has
# them already never needs it. Root only. Skips what is there.
source "$(dirname "$0")/lib.sh"

GO_VERSION="${GO_VERSION:-1.26.8}"
NODE_VERSION="${NODE_VERSION:-20.20.2}"
PREFIX="${PREFIX:-/usr/local}"
[ "$(id -u)" -eq 0 ] || die "run this as root (it installs into $PREFIX and with apt-get)"
[ "$(uname -m)" = x86_64 ] || die "linux/amd64 only: the probes decode amd64 machine code"

step 1 3 "Debian packages make setup itself needs (python3-venv, make, curl, git, xz-utils)"
pkgs=(ca-certificates curl git make python3 python3-venv xz-utils)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  skip "all installed"
else
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  info "installed: ${missing[*]}"
fi

step 2 3 "Go $GO_VERSION in $PREFIX/go"
if [ "$("$PREFIX/go/bin/go" env GOVERSION 2>/dev/null)" = "go$GO_VERSION" ]; then
  skip "installed"
else
  file="go$GO_VERSION.linux-amd64.tar.gz"
  want="$(curl -fsSL 'https://go.dev/dl/?mode=json&include=all' | python3 -c '
import json, sys
print(next(f["sha256"] for r in json.load(sys.stdin) for f in r["files"] if f["filename"] == sys.argv[1]))' "$file")"
  curl -fsSL -o "/tmp/$file" "https://go.dev/dl/$file"
  echo "$want  /tmp/$file" | sha256sum -c --quiet
  rm -rf "$PREFIX/go" && tar -C "$PREFIX" -xzf "/tmp/$file" && rm "/tmp/$file"
  ln -sf "$PREFIX/go/bin/go" "$PREFIX/go/bin/gofmt" "$PREFIX/bin/"
  info "$("$PREFIX/bin/go" version)"
fi

step 3 3 "Node $NODE_VERSION in $PREFIX"
if [ "$("$PREFIX/bin/node" --version 2>/dev/null)" = "v$NODE_VERSION" ]; then
  skip "installed"
else
  file="node-v$NODE_VERSION-linux-x64.tar.xz"
  base="https://nodejs.org/dist/v$NODE_VERSION"
  curl -fsSL -o "/tmp/$file" "$base/$file"
  (cd /tmp && curl -fsSL "$base/SHASUMS256.txt" | grep " $file\$" | sha256sum -c --quiet)
  tar -C "$PREFIX" --strip-components=1 -xJf "/tmp/$file" && rm "/tmp/$file"
  info "node $("$PREFIX/bin/node" --version), npm $("$PREFIX/bin/npm" --version)"
fi
