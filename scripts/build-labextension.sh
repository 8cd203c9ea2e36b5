#!/usr/bin/env bash
# Builds jupyter-ext's prebuilt labextension with JupyterLab's own builder,
# against the core of the JupyterLab that `python` (the venv's, first on
# PATH during make setup) imports. Not `jupyter labextension build`: the one
# installed here comes from jupyter_builder, which reaches for GitHub and
# swaps node_modules for Yarn's.
set -euo pipefail
cd "$(dirname "$0")/../jupyter-ext"
core="$(python -c 'import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging"))')"
exec node ../node_modules/@jupyterlab/builder/lib/build-labextension.js --core-path "$core" .
