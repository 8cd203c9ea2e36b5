#!/usr/bin/env bash
# make setup: everything a fresh Debian 12 machine of this kind lacks, in
# order, each step skipped when already done. Safe to run again. Each step
# is a script of its own in scripts/setup/ (N-*.sh, runnable alone): the
# image (containers/Dockerfile) builds its dependency layers from one step
# each, so that an edit of one step does not rebuild the others' layers.
source "$(dirname "$0")/lib.sh"

S="$ROOT/scripts/setup"
# Each step names itself when it fails (lib.sh's trap), and so stops setup.
in_order() { for s in "$@"; do bash "$S/$s" || return; done; }

in_order 1-debian.sh 2-toolchains.sh || exit

# Steps 3 to 6 download from three registries (PyPI, npm, the Go module proxy)
# and need nothing of one another: side by side, a fresh machine waits for the
# slowest registry instead of for all three in turn (they took 87 to 140 s in
# turn). Each lane's output is kept and printed whole, in step order, once all
# have ended; if one failed, setup stops there.
lanes=("3-venv.sh" "4-npm.sh" "5-go-modules.sh 6-go-toolchains.sh")
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
pids=()
for i in "${!lanes[@]}"; do
  # shellcheck disable=SC2086 # a lane is a list of steps
  in_order ${lanes[$i]} >"$logs/$i" 2>&1 &
  pids+=($!)
done
ok=true
for pid in "${pids[@]}"; do wait "$pid" || ok=false; done
for i in "${!lanes[@]}"; do cat "$logs/$i"; done
$ok || exit 1

in_order 7-typescript.sh 8-probe.sh 9-labextension.sh || exit

printf '\nsetup complete.\n'
