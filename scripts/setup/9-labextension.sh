#!/usr/bin/env bash
# make setup, step 9: the notebook extension, installed into the venv.
source "$(dirname "$0")/env.sh"

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
