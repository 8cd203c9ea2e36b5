#!/usr/bin/env bash
# make setup, step 8: the eBPF programs and slowmo-probe (bpf/Makefile
# decides what is out of date).
source "$(dirname "$0")/env.sh"

step 8 $TOTAL "build bpf/ (the eBPF programs and slowmo-probe)"
# A seeded Go build cache (another machine's GOCACHE, as an overlay) has what
# that machine's go compiled: the standard library at least, with the same Go
# in the same place.
if gocache_seed="$(seed gocache)"; then export GOCACHE="$gocache_seed"; fi
make -s -C bpf
