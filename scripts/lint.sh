#!/usr/bin/env bash
# make lint: the project's own formatters and linters, as CI runs them.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
step 1 3 "ESLint + Prettier in every workspace (lerna run lint)"
npx lerna run lint --loglevel=warn
step 2 3 "Prettier on the files outside the workspaces"
npx prettier --check --log-level=warn --ignore-path .prettierignore '*.{json,md,mjs}' 'bpf/*.md' scripts lessons containers binder
info "formatted"
step 3 3 "gofmt and go vet (bpf/)"
make -s -C bpf vet
info "clean"
