#!/usr/bin/env bash
# make setup, step 3: the Python virtual environment (JupyterLab,
# jupyter-server-proxy; podman-compose for the container tests).
source "$(dirname "$0")/env.sh"

step 3 $TOTAL "Python virtual environment .venv (JupyterLab, jupyter-server-proxy)"
req_hash="$(sha256sum scripts/python-requirements.txt | cut -d' ' -f1)"
# version PACKAGE: its installed version in the venv, found, not imported
# (importing JupyterLab costs seconds that make start would wait for).
version() { "$VENV/bin/python" -c 'import importlib.metadata as m, sys
print(m.version(sys.argv[1]))' "$1" 2>/dev/null; }
installed() { "$VENV/bin/python" -c 'import importlib.util as u, sys
sys.exit(0 if u.find_spec("jupyterlab") and u.find_spec("jupyter_server_proxy") else 1)' 2>/dev/null && version jupyterlab; }
if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMPS/venv" 2>/dev/null)" = "$req_hash" ] && lab_version="$(installed)"; then
  skip "up to date (JupyterLab $lab_version)"
else
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  # A seeded pip cache (another machine's) is tried before the index.
  if pip_seed="$(seed pip)"; then export PIP_CACHE_DIR="$pip_seed"; fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r scripts/python-requirements.txt
  echo "$req_hash" >"$STAMPS/venv"
  info "JupyterLab $("$VENV/bin/jupyter-lab" --version)"
fi
# The compose file as a Docker user runs it, with podman (the container tests).
# (Asked of importlib, not `pip show | grep -q`: grep's early exit broke pip's
# pipe, pipefail made the test false, and every setup reinstalled it.)
PODMAN_COMPOSE=podman-compose==1.6.0
if [ "$PROFILE" = full ] && [ "$(version podman-compose)" != "${PODMAN_COMPOSE#*==}" ]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$PODMAN_COMPOSE"
  info "installed $PODMAN_COMPOSE"
fi
