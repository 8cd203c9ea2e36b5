#!/usr/bin/env bash
# make bench: every benchmark, each printing its figures beside its goal.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
step 1 3 "TypeScript benchmarks (lerna run bench)"
npx lerna run bench --concurrency 1 --loglevel=warn
step 2 3 "eBPF probe engine: plain vs probe vs execution tracer, the GC lens (--gc) vs without, the runtime's profiles (--profile) vs without"
if bpf/bin/slowmo-probe check >/dev/null 2>&1; then
  bpf/bin/probe-bench "$ROOT/bpf/bin/slowmo-probe"
else
  info "skipped: eBPF is not available here ($(bpf/bin/slowmo-probe check 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["why"])'))"
  info "the runtime's profiles on the trace backend alone:"
  bpf/bin/probe-bench "$ROOT/bpf/bin/slowmo-probe" profiles-trace
fi
step 3 3 "the acceptance corpus: plain vs eBPF vs tracer through the bridge (SLOWMO_CORPUS_ROUNDS, default 3)"
node kernel-bridge/dist/bench/corpus.bench.js
