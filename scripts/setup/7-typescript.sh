#!/usr/bin/env bash
# make setup, step 7: the TypeScript workspaces (kernel-bridge, then
# jupyter-ext and its labextension).
source "$(dirname "$0")/env.sh"

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
outputs_missing() { # outputs_missing OUTPUT...: true when one of them (a path or a glob) is not there
  local out
  for out in "$@"; do compgen -G "$out" >/dev/null || return 0; done
  return 1
}
# The directories a workspace's build writes.
declare -A OUTPUT_DIRS=([kernel-bridge]="kernel-bridge/dist" [jupyter-ext]="jupyter-ext/lib jupyter-ext/go_slowmo_ext/labextension")
build_workspace() { # build_workspace NAME HASH OUTPUT...: npm run build in NAME unless its stamp is HASH and OUTPUTs exist
  local name="$1" hash="$2" from dir
  shift 2
  # The stamp is the inputs' hash alone: a missing output forces this build,
  # and must not be what the next run compares with.
  if ! outputs_missing "$@" && [ "$(cat "$STAMPS/build-$name" 2>/dev/null)" = "$hash" ]; then
    skip "$name: up to date"
    return
  fi
  # A seeded checkout (the machine's own, when the image is built there) whose
  # stamp says it built these same inputs: its outputs, not a second build.
  if from="$(seed checkout)" && [ "$(cat "$from/.setup-stamps/build-$name" 2>/dev/null)" = "$hash" ]; then
    for dir in ${OUTPUT_DIRS[$name]}; do
      rm -rf "$dir" && cp -a "$from/$dir" "$dir"
    done
    if ! outputs_missing "$@"; then
      echo "$hash" >"$STAMPS/build-$name"
      info "$name: built from the same inputs in the seeded checkout, copied"
      return
    fi
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
  jupyter-ext/lib/index.js 'jupyter-ext/go_slowmo_ext/labextension/static/remoteEntry.*.js'
