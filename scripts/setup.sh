#!/usr/bin/env bash
# make setup: everything a fresh Debian 12 machine of this kind lacks, in
# order, each step skipped when already done. Safe to run again. Each step
# is a script of its own in scripts/setup/ (N-*.sh, runnable alone): the
# image (containers/Dockerfile) builds its dependency layers from one step
# each, so that an edit of one step does not rebuild the others' layers.
source "$(dirname "$0")/lib.sh"

for s in "$ROOT"/scripts/setup/[1-9]-*.sh; do
  # Each step names itself when it fails (lib.sh's trap), and so stops setup.
  bash "$s" || exit
done

printf '\nsetup complete.\n'
