#!/usr/bin/env bash
# make setup, step 5: the Go modules of bpf/.
source "$(dirname "$0")/env.sh"

step 5 $TOTAL "Go modules of bpf/"
# A seeded module cache (another machine's GOMODCACHE) is a Go module proxy of its own.
if gomod_seed="$(seed gomod)"; then export GOPROXY="file://$gomod_seed/cache/download,${GOPROXY:-https://proxy.golang.org,direct}"; fi
(cd bpf && go mod download)
# Verified once per go.sum (it hashes every module again: a second a run).
sum_hash="$(cat bpf/go.mod bpf/go.sum | sha256sum | cut -d' ' -f1) $(go env GOMODCACHE)"
if [ "$(cat "$STAMPS/gomod" 2>/dev/null)" = "$sum_hash" ]; then
  skip "verified"
else
  (cd bpf && go mod verify >/dev/null)
  echo "$sum_hash" >"$STAMPS/gomod"
  info "$(cd bpf && go list -m all | wc -l) modules in the cache"
fi
