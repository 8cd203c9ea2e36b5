#!/usr/bin/env bash
# make start: JupyterLab on 127.0.0.1:8888, opened on the lesson index, after
# make setup (which skips what is built already, so this is quick).
#
# The notebook's bridge is the one jupyter-server-proxy starts behind Jupyter
# at /slowmo/ on the first Go-slowmo run. SLOWMO_BRIDGE_PORT=8765 also starts a
# bridge of its own on that port for the slowmo CLI and other API clients.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

HOST="${SLOWMO_HOST:-127.0.0.1}"
PORT="${SLOWMO_PORT:-8888}"
VENV="${SLOWMO_VENV:-$ROOT/.venv}"
LESSON="lessons/00-index.ipynb"

echo
ebpf="$(bpf/bin/slowmo-probe check 2>/dev/null | python3 -c 'import json, sys
r = json.load(sys.stdin)
print("available" if r["available"] else "not available: " + r["why"] + " (the trace backend runs instead)")' ||
  echo "unknown: bpf/bin/slowmo-probe check failed")"
echo "eBPF here: $ebpf"

if [ -n "${SLOWMO_BRIDGE_PORT:-}" ]; then
  node kernel-bridge/dist/src/cli.js serve --host 127.0.0.1 --port "$SLOWMO_BRIDGE_PORT" &
  bridge=$!
  trap 'kill $bridge 2>/dev/null' EXIT
  echo "A bridge for the slowmo CLI and API clients listens on http://127.0.0.1:$SLOWMO_BRIDGE_PORT (SLOWMO_BRIDGE_PORT)"
fi

args=(--no-browser --ip="$HOST" --port="$PORT" --ServerApp.root_dir="$ROOT")
# The URL Jupyter prints (and / redirects to) opens the lesson index.
[ ! -f "$LESSON" ] || args+=(--LabApp.default_url="/lab/tree/$LESSON")
[ "$(id -u)" -ne 0 ] || args+=(--allow-root)
# jupyter lab, except at the end: on Ctrl-C or SIGTERM Jupyter Server stops its
# kernels and extensions, and then its process waits for ever for AnyIO's idle
# worker threads (jupyterlab/jupyterlab#10442). Once Jupyter's own cleanup has
# returned, this exits without waiting for them.
LAB='import logging, os, sys
from jupyterlab.labapp import main
main()
logging.shutdown()
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)'
echo "Starting JupyterLab on http://$HOST:$PORT: open the URL with its token below (Ctrl-C stops it)"
echo
if [ -n "${bridge:-}" ]; then
  "$VENV/bin/python" -c "$LAB" "${args[@]}"
else
  exec "$VENV/bin/python" -c "$LAB" "${args[@]}"
fi
