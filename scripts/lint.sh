#!/usr/bin/env bash
# make lint: the project's own formatters and linters, as CI runs them.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
step 1 3 "ESLint + Prettier in every workspace (lerna run lint)"
npx lerna run lint --loglevel=warn
step 2 3 "Prettier on the files outside the workspaces, ESLint on the scripts and the lessons' generator"
npx prettier --check --log-level=warn --ignore-path .prettierignore '*.{json,md,mjs}' 'bpf/*.md' scripts lessons containers binder
npx eslint --max-warnings=0 scripts lessons/tools
info "formatted"
step 3 3 "gofmt and go vet (bpf/), gofmt of the lessons' Go programs (lessons/src)"
make -s -C bpf vet
unformatted="$(gofmt -l lessons/src)"
[ -z "$unformatted" ] || die "gofmt: these lesson programs need formatting (gofmt -w lessons/src): $unformatted"
info "clean"
