#!/usr/bin/env bash
# make bench: every benchmark, each printing its figures beside its goal.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
step 1 1 "TypeScript benchmarks (lerna run bench)"
npx lerna run bench --concurrency 1 --loglevel=warn
