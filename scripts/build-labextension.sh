#!/usr/bin/env bash
# Builds jupyter-ext's prebuilt labextension with JupyterLab's own builder,
# against the core of the JupyterLab in the project's Python environment
# (SLOWMO_VENV, default .venv; else the python3 on PATH). Not `jupyter
# labextension build`: the one installed here comes from jupyter_builder,
# which reaches for GitHub and swaps node_modules for Yarn's.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${SLOWMO_VENV:-$ROOT/.venv}"
PY=python3
[ -x "$VENV/bin/python" ] && PY="$VENV/bin/python"
core="$("$PY" -c 'import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging"))')" ||
  { echo "build-labextension: no JupyterLab in $VENV or on PATH: run make setup" >&2; exit 1; }
cd "$ROOT/jupyter-ext"
exec node ../node_modules/@jupyterlab/builder/lib/build-labextension.js --core-path "$core" .
