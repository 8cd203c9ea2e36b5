#!/usr/bin/env bash
# make setup: everything a fresh Debian 12 machine of this kind lacks, in
# order, each step skipped when already done. Safe to run again.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

TOTAL=9
APT_PACKAGES=(clang llvm libbpf-dev bpftool bubblewrap chromium util-linux ca-certificates)
GO_MIN=1.22
NODE_MIN=20.19.0
# SLOWMO_PROFILE=binder (binder/postBuild): no root, so repo2docker's apt.txt
# brought the Debian packages, the Python environment is the image's own
# (SLOWMO_VENV), and only the local Go toolchain is used (the trace backend).
# SLOWMO_PROFILE=image (containers/Dockerfile): as full, without the container
# engine the container tests use. SLOWMO_SETUP_UNTIL=6: the steps that only
# the lock files decide, so the image caches them in a layer of their own.
PROFILE="${SLOWMO_PROFILE:-full}"
UNTIL="${SLOWMO_SETUP_UNTIL:-$TOTAL}"
# The container tests' engine (kernel-bridge/test/container.test.ts): podman
# with runc, as containers/README.md says it runs here.
[ "$PROFILE" != full ] || APT_PACKAGES+=(podman runc netavark aardvark-dns catatonit)
VENV="${SLOWMO_VENV:-$ROOT/.venv}"
STAMPS="$ROOT/.setup-stamps"
mkdir -p "$STAMPS"

step 1 $TOTAL "Debian packages (${APT_PACKAGES[*]})"
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  skip "all installed"
elif [ "$PROFILE" = binder ]; then
  skip "Binder profile: apt.txt installs what Binder needs (not here: ${missing[*]})"
else
  info "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  info "done"
fi
# This VM's podman: runc (crun refuses its hybrid cgroups), cgroupfs (no
# systemd manager), no default ulimits (it lacks CAP_SYS_RESOURCE to raise
# RLIMIT_NOFILE), netavark (no CNI plugins are installed).
ENGINE_CONF=/etc/containers/containers.conf.d/50-slowmo.conf
if [ "$PROFILE" = full ] && [ ! -f "$ENGINE_CONF" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO mkdir -p "$(dirname "$ENGINE_CONF")"
  printf '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n\n[network]\nnetwork_backend = "netavark"\n' |
    $SUDO tee "$ENGINE_CONF" >/dev/null
  info "podman configured: $ENGINE_CONF"
fi

step 2 $TOTAL "toolchains: Go >= $GO_MIN, Node >= $NODE_MIN, Python 3 with venv"
command -v go >/dev/null || die "Go is not installed: install Go $GO_MIN or newer (https://go.dev/doc/install) and run make setup again"
go_version="$(go env GOVERSION | sed 's/^go//')"
version_ge "$go_version" "$GO_MIN" || die "Go $go_version is too old: need $GO_MIN or newer"
command -v node >/dev/null || die "Node.js is not installed: install Node $NODE_MIN or newer"
node_version="$(node --version | sed 's/^v//')"
version_ge "$node_version" "$NODE_MIN" || die "Node $node_version is too old: need $NODE_MIN or newer"
command -v python3 >/dev/null || die "python3 is not installed"
info "go $go_version, node $node_version, $(python3 --version)"

step 3 $TOTAL "Python virtual environment .venv (JupyterLab, jupyter-server-proxy)"
req_hash="$(sha256sum scripts/python-requirements.txt | cut -d' ' -f1)"
# Found, not imported: importing JupyterLab costs seconds that make start would wait for.
installed() { "$VENV/bin/python" -c 'import importlib.metadata as m, importlib.util as u, sys
if not (u.find_spec("jupyterlab") and u.find_spec("jupyter_server_proxy")): sys.exit(1)
print(m.version("jupyterlab"))' 2>/dev/null; }
if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMPS/venv" 2>/dev/null)" = "$req_hash" ] && lab_version="$(installed)"; then
  skip "up to date (JupyterLab $lab_version)"
else
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r scripts/python-requirements.txt
  echo "$req_hash" >"$STAMPS/venv"
  info "JupyterLab $("$VENV/bin/jupyter-lab" --version)"
fi
# The compose file as a Docker user runs it, with podman (the container tests).
PODMAN_COMPOSE=podman-compose==1.6.0
if [ "$PROFILE" = full ] && ! "$VENV/bin/pip" show podman-compose 2>/dev/null | grep -qx "Version: ${PODMAN_COMPOSE#*==}"; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$PODMAN_COMPOSE"
  info "installed $PODMAN_COMPOSE"
fi

step 4 $TOTAL "npm packages (npm ci)"
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -d node_modules ] && [ "$(cat "$STAMPS/npm" 2>/dev/null)" = "$lock_hash" ]; then
  skip "node_modules matches package-lock.json"
else
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >"$STAMPS/npm"
fi

step 5 $TOTAL "Go modules of bpf/"
(cd bpf && go mod download && go mod verify >/dev/null)
info "$(cd bpf && go list -m all | wc -l) modules in the cache"

step 6 $TOTAL "Go toolchains the probes support (bpf/go-versions.txt)"
modcache="$(go env GOMODCACHE)"
[ "$PROFILE" != binder ] || skip "Binder profile: the local Go only"
for v in $( [ "$PROFILE" = binder ] || grep -v '^#' bpf/go-versions.txt); do
  if [ -x "$modcache/golang.org/toolchain@v0.0.1-$v.linux-amd64/bin/go" ]; then
    skip "$v"
  else
    info "installing $v from the Go module proxy"
    (cd /tmp && GOTOOLCHAIN="$v" go version >/dev/null)
  fi
done
if [ "$UNTIL" -le 6 ]; then
  printf '\nsetup: steps 1 to 6 done (SLOWMO_SETUP_UNTIL=%s).\n' "$UNTIL"
  exit 0
fi

step 7 $TOTAL "build the TypeScript workspaces (kernel-bridge, then jupyter-ext and its labextension)"
# Each is built only when one of its inputs changed since its last build (a
# hash of their contents is its stamp) or its output is missing, so that
# make start and make test do not spend minutes rebuilding what is there.
# The output goes to a log, shown when the build fails.
inputs_hash() { # inputs_hash PATH...: the contents of the files under PATH (tests and outputs left out)
  find "$@" \( -name node_modules -o -name dist -o -name lib -o -name bench-dist -o -name test -o \
    -name ui-tests -o -name go_slowmo_ext -o -name coverage -o -name __pycache__ \) -prune -o \
    -type f -not -name '*.tsbuildinfo' -print | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1
}
build_workspace() { # build_workspace NAME HASH OUTPUT...: npm run build in NAME unless its stamp is HASH and OUTPUTs exist
  local name="$1" hash="$2" out missing=""
  shift 2
  for out in "$@"; do [ -e "$out" ] || missing="$out"; done
  # The stamp is the inputs' hash alone: a missing output forces this build,
  # and must not be what the next run compares with.
  if [ -z "$missing" ] && [ "$(cat "$STAMPS/build-$name" 2>/dev/null)" = "$hash" ]; then
    skip "$name: up to date"
    return
  fi
  info "$name: building (log: .setup-stamps/build-$name.log)"
  # jupyter-ext's build needs JupyterLab's core from the venv (scripts/build-labextension.sh).
  if ! (cd "$name" && PATH="$VENV/bin:$PATH" npm run build) >"$STAMPS/build-$name.log" 2>&1; then
    cat "$STAMPS/build-$name.log"
    die "the build of $name failed (above)"
  fi
  echo "$hash" >"$STAMPS/build-$name"
}
common="$(cat package-lock.json tsconfig.base.json | sha256sum | cut -d' ' -f1)"
build_workspace kernel-bridge "$common $(inputs_hash kernel-bridge)" kernel-bridge/dist/src/cli.js
build_workspace jupyter-ext \
  "$common $(inputs_hash jupyter-ext kernel-bridge/src/protocol scripts/build-labextension.sh) $(cat "$STAMPS/venv" 2>/dev/null)" \
  jupyter-ext/lib/index.js jupyter-ext/go_slowmo_ext/labextension/static/remoteEntry.*.js

step 8 $TOTAL "build bpf/ (the eBPF programs and slowmo-probe)"
make -s -C bpf

step 9 $TOTAL "install the notebook extension into .venv (pip, with its prebuilt labextension)"
printf 'BRIDGE_CLI = %s\n' "'$ROOT/kernel-bridge/dist/src/cli.js'" >jupyter-ext/go_slowmo_ext/_paths.py
ext_hash="$(find jupyter-ext/go_slowmo_ext jupyter-ext/pyproject.toml jupyter-ext/install.json -type f -not -path '*/__pycache__/*' | sort | xargs sha256sum | sha256sum | cut -d' ' -f1)"
# What is installed is compared file by file with what was built (cheaper than
# asking jupyter, and it sees an install that lost files).
labext_files() { [ -d "$1" ] && (cd "$1" && find . -type f -not -name install.json | LC_ALL=C sort | xargs sha256sum); }
if [ "$(cat "$STAMPS/ext" 2>/dev/null)" = "$ext_hash" ] &&
  [ "$(labext_files jupyter-ext/go_slowmo_ext/labextension)" = "$(labext_files "$VENV/share/jupyter/labextensions/@go-slowmo/jupyter-ext")" ]; then
  skip "installed and up to date"
else
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall ./jupyter-ext
  echo "$ext_hash" >"$STAMPS/ext"
  info "$("$VENV/bin/jupyter" labextension list 2>&1 | grep '@go-slowmo/jupyter-ext' | sed 's/^ *//')"
fi

printf '\nsetup complete.\n'
