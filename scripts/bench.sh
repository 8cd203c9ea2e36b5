#!/usr/bin/env bash
# make bench: every benchmark, each printing its figures beside its goal.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
step 1 3 "TypeScript benchmarks (lerna run bench)"
npx lerna run bench --concurrency 1 --loglevel=warn
step 2 3 "eBPF probe engine: plain vs probe vs execution tracer, and the GC lens (--gc) vs without"
if bpf/bin/slowmo-probe check >/dev/null 2>&1; then
  bpf/bin/probe-bench "$ROOT/bpf/bin/slowmo-probe"
else
  info "skipped: eBPF is not available here ($(bpf/bin/slowmo-probe check 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["why"])'))"
fi
step 3 3 "the acceptance corpus: plain vs eBPF vs tracer through the bridge (SLOWMO_CORPUS_ROUNDS, default 3)"
node kernel-bridge/dist/bench/corpus.bench.js
