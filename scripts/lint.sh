#!/usr/bin/env bash
# make lint: the project's own formatters and linters, as CI runs them.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
step 1 3 "ESLint"
npx eslint --max-warnings=0 .
step 2 3 "Prettier"
npx prettier --check --log-level=warn .
info "formatted"
step 3 3 "gofmt and go vet (bpf/)"
make -s -C bpf vet
info "clean"
