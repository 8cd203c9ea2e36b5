#!/usr/bin/env bash
# The container images' entry point (containers/Dockerfile). One image, three
# roles; in each the learner's side (JupyterLab, notebook kernels) runs as the
# unprivileged user "learner" and only the bridge keeps root:
#
#   container-start.sh lab         one machine (compose): the privileged-bridge
#                                  daemon as root, then JupyterLab as learner
#                                  with no capabilities, on port 8888.
#   container-start.sh bridge      the privileged sidecar of a JupyterHub pod:
#                                  the daemon alone, in the foreground.
#   container-start.sh singleuser  the student container of that pod (already
#                                  unprivileged): jupyterhub-singleuser, using
#                                  the sidecar's bridge when its socket is
#                                  there and the trace backend when it is not.
#
# How the two halves meet: scripts/privileged-bridge.mjs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SLOWMO_VENV:-$ROOT/.venv}"
SOCKET="${SLOWMO_BRIDGE_SOCKET:-/run/slowmo/bridge.sock}"
NOTEBOOKS="${SLOWMO_NOTEBOOKS:-/home/learner/notebooks}"
export SLOWMO_BRIDGE_SOCKET="$SOCKET"
export PATH="$VENV/bin:/usr/local/go/bin:$PATH"

say() { printf 'slowmo: %s\n' "$*" >&2; }

# The lessons, copied into an empty notebook volume the first time.
seed_notebooks() {
  mkdir -p "$NOTEBOOKS" 2>/dev/null || true
  if [ -d "$NOTEBOOKS" ] && [ -z "$(ls -A "$NOTEBOOKS" 2>/dev/null)" ] && [ -d "$ROOT/lessons" ]; then
    cp -r "$ROOT/lessons" "$NOTEBOOKS/lessons"
    say "copied the lessons into $NOTEBOOKS/lessons"
  fi
}

# Use the privileged bridge through its socket, or fall back to the trace
# backend in an unprivileged bridge of our own (as on Binder).
choose_bridge() {
  local wait="${SLOWMO_BRIDGE_WAIT:-0}"
  for _ in $(seq $((wait * 10))); do [ -S "$SOCKET" ] && break; sleep 0.1; done
  if [ -S "$SOCKET" ]; then
    export SLOWMO_BRIDGE_CLI="$ROOT/scripts/privileged-bridge.mjs"
    say "the bridge: privileged, through $SOCKET (eBPF when the kernel allows it)"
  else
    export SLOWMO_SANDBOX=none
    say "the bridge: no privileged bridge at $SOCKET, so the trace backend only (rlimits, no bubblewrap)"
  fi
}

lab_args=(--no-browser --ip=0.0.0.0 --port="${SLOWMO_PORT:-8888}" --ServerApp.root_dir="$NOTEBOOKS")

case "${1:-lab}" in
  bridge)
    [ "$(id -u)" -eq 0 ] || { say "the bridge role needs root"; exit 1; }
    mkdir -p "$(dirname "$SOCKET")" && chmod 0755 "$(dirname "$SOCKET")"
    say "eBPF here: $("$ROOT/bpf/bin/slowmo-probe" check 2>/dev/null | tr -d '\n' || true)"
    exec node "$ROOT/scripts/privileged-bridge.mjs" daemon "$SOCKET"
    ;;
  lab)
    if [ "$(id -u)" -ne 0 ]; then
      say "not root: no eBPF, and no bubblewrap sandbox"
      seed_notebooks
      choose_bridge
      exec "$VENV/bin/jupyter" lab "${lab_args[@]}"
    fi
    mkdir -p "$(dirname "$SOCKET")" "$NOTEBOOKS" && chmod 0755 "$(dirname "$SOCKET")"
    say "eBPF here: $("$ROOT/bpf/bin/slowmo-probe" check 2>/dev/null | tr -d '\n' || true)"
    node "$ROOT/scripts/privileged-bridge.mjs" daemon "$SOCKET" &
    for _ in $(seq 50); do [ -S "$SOCKET" ] && break; sleep 0.1; done
    seed_notebooks
    chown -R learner:learner "$NOTEBOOKS"
    choose_bridge
    # JupyterLab and every kernel it starts: uid learner, no capabilities, ever.
    exec setpriv --reuid=learner --regid=learner --init-groups --inh-caps=-all \
      --bounding-set=-all --no-new-privs \
      env HOME=/home/learner USER=learner "$VENV/bin/jupyter" lab "${lab_args[@]}"
    ;;
  singleuser)
    shift
    seed_notebooks
    choose_bridge
    exec "$VENV/bin/jupyterhub-singleuser" "$@"
    ;;
  *)
    say "usage: container-start.sh [lab|bridge|singleuser [ARGS]]"
    exit 2
    ;;
esac
