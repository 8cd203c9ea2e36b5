#!/usr/bin/env bash
# make setup, step 4: the npm packages of every workspace, as the lock file says.
source "$(dirname "$0")/env.sh"

step 4 $TOTAL "npm packages (npm ci)"
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -d node_modules ] && [ "$(cat "$STAMPS/npm" 2>/dev/null)" = "$lock_hash" ]; then
  skip "node_modules matches package-lock.json"
elif from="$(seed checkout)" && [ "$(cat "$from/.setup-stamps/npm" 2>/dev/null)" = "$lock_hash" ] && [ -d "$from/node_modules" ]; then
  # A seeded checkout (the machine's own, when the image is built there) whose
  # stamp says npm ci made its node_modules from this same lock file: a copy
  # is that, in a fifth of npm ci's time. (The workspaces' links are relative.)
  (cd "$from" && find . -maxdepth 2 -name node_modules -type d -print0) |
    while IFS= read -r -d '' dir; do rm -rf "$dir" && cp -a "$from/$dir" "$dir"; done
  echo "$lock_hash" >"$STAMPS/npm"
  info "node_modules of the seeded checkout (same package-lock.json), copied"
else
  # A seeded npm cache (another machine's ~/.npm) is tried before the registry.
  cache=()
  if npm_seed="$(seed npm)"; then cache=(--cache "$npm_seed" --prefer-offline); fi
  npm ci --no-audit --no-fund --loglevel=error "${cache[@]}"
  echo "$lock_hash" >"$STAMPS/npm"
fi
