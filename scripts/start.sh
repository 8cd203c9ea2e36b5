#!/usr/bin/env bash
# make start: JupyterLab on 127.0.0.1:8888 with what exists of the product.
# It says plainly which parts are not built yet instead of pretending.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

HOST="${SLOWMO_HOST:-127.0.0.1}"
PORT="${SLOWMO_PORT:-8888}"
JUPYTER="$ROOT/.venv/bin/jupyter"
missing=()

if ! "$JUPYTER" labextension list 2>&1 | grep -q '@go-slowmo/jupyter-ext'; then
  missing+=("the Go-slowmo notebook extension (jupyter-ext/, issue #5): notebooks open, but there is no Go-slowmo cell yet")
fi
if [ ! -x bpf/bin/slowmo-probe ] || ! bpf/bin/slowmo-probe versions >/dev/null 2>&1; then
  missing+=("the eBPF probe engine (bpf/, issue #3): bpf/bin/slowmo-probe was not built")
fi
first_lesson="$(find lessons -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' 2>/dev/null | sort | head -n1)"
if [ -z "$first_lesson" ]; then
  missing+=("the lessons (lessons/, issue #7): JupyterLab opens on the repository instead of lesson 1")
fi

echo
ebpf="$(bpf/bin/slowmo-probe check 2>/dev/null | python3 -c 'import json, sys
r = json.load(sys.stdin)
print("available" if r["available"] else "not available: " + r["why"])' || echo "unknown: bpf/bin/slowmo-probe check failed")"
echo "eBPF here: $ebpf"
if [ ${#missing[@]} -gt 0 ]; then
  echo "Not built yet, so not started:"
  for m in "${missing[@]}"; do echo "  - $m"; done
fi
echo

args=(lab --no-browser --ip="$HOST" --port="$PORT" --ServerApp.root_dir="$ROOT")
[ "$(id -u)" -ne 0 ] || args+=(--allow-root)
[ -z "$first_lesson" ] || args+=("$first_lesson")
# Until the extension starts the bridge through jupyter-server-proxy (issue
# #5), it runs beside JupyterLab for the slowmo CLI and API clients.
BRIDGE_PORT="${SLOWMO_BRIDGE_PORT:-8765}"
node kernel-bridge/dist/src/cli.js serve --host 127.0.0.1 --port "$BRIDGE_PORT" &
bridge=$!
trap 'kill $bridge 2>/dev/null' EXIT
echo "The kernel bridge listens on http://127.0.0.1:$BRIDGE_PORT (GET /api/info says what it can run)"
echo "Starting JupyterLab on http://$HOST:$PORT (the login URL with its token follows; Ctrl-C stops both)"
"$JUPYTER" "${args[@]}"
