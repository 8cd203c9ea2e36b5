/**
 * `make bench` for the protocol: how fast the reducer applies events, what it
 * allocates per event, and how fast the timeline seeks, on 1,000,000
 * synthetic events, each printed beside its goal and, for seek, beside
 * replaying from the start in the same run.
 */
import v8 from 'node:v8';
import { apply, initialState, Timeline, type SlowmoEvent } from '../src/protocol';
import { rng, synthetic } from './synthetic';

const EVENTS = 1_000_000;
const APPLY_GOAL = 5_000_000; // events per second
const SEEK_GOAL_MS = 2;
const SEEKS = 200;

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function applyAll(events: readonly SlowmoEvent[]): number {
  let state = initialState();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < events.length; i++) state = apply(state, events[i] as SlowmoEvent);
  const ns = Number(process.hrtime.bigint() - t0);
  if (state.seq !== events.length - 1) throw new Error('reducer did not reach the last event');
  return ns;
}

/**
 * Bytes the reducer allocates per event: the heap's growth between garbage
 * collections (each one's before, less the previous one's after), and since
 * the last. The cost that a live picture and seeking pay in collections.
 */
function allocatedPerEvent(events: readonly SlowmoEvent[]): number {
  const profiler = new v8.GCProfiler();
  let last = v8.getHeapStatistics().used_heap_size;
  profiler.start();
  let state = initialState();
  for (let i = 0; i < events.length; i++) state = apply(state, events[i] as SlowmoEvent);
  const end = v8.getHeapStatistics().used_heap_size;
  let bytes = 0;
  for (const gc of profiler.stop().statistics) {
    bytes += gc.beforeGC.heapStatistics.usedHeapSize - last;
    last = gc.afterGC.heapStatistics.usedHeapSize;
  }
  if (state.seq !== events.length - 1) throw new Error('reducer did not reach the last event');
  return (bytes + end - last) / events.length;
}

function row(name: string, value: string, goal: string, ratio: string): void {
  console.log(`${name.padEnd(34)} ${value.padStart(16)}   goal ${goal.padEnd(14)} ${ratio}`);
}

function main(): void {
  console.log(
    `protocol reducer benchmark: ${EVENTS.toLocaleString('en')} synthetic events, node ${process.version}`,
  );
  const events = synthetic(EVENTS, { seed: 42, procs: 8, population: 400 });

  applyAll(events.slice(0, 200_000)); // warm-up: let the JIT settle
  const runs = [applyAll(events), applyAll(events), applyAll(events)];
  const eps = EVENTS / (median(runs) / 1e9);
  row(
    'apply (events/s, median of 3)',
    Math.round(eps).toLocaleString('en'),
    `>= ${APPLY_GOAL.toLocaleString('en')}`,
    `x${(eps / APPLY_GOAL).toFixed(2)} of goal`,
  );
  row(
    'allocated per event (bytes)',
    Math.round(allocatedPerEvent(events)).toLocaleString('en'),
    '-',
    'fewer is faster: collections',
  );

  const t0 = process.hrtime.bigint();
  const timeline = Timeline.from(events);
  const buildMs = Number(process.hrtime.bigint() - t0) / 1e6;
  row(
    'timeline build with keyframes (ms)',
    buildMs.toFixed(0),
    '-',
    `interval ${timeline.interval}`,
  );

  const pick = rng(7);
  const targets = Array.from({ length: SEEKS }, () => Math.floor(pick() * EVENTS));
  const seekMs = targets.map((seq) => {
    const s0 = process.hrtime.bigint();
    timeline.stateAt(seq);
    return Number(process.hrtime.bigint() - s0) / 1e6;
  });
  const seek = median(seekMs);
  row(
    'seek to a random seq (median ms)',
    seek.toFixed(3),
    `<= ${SEEK_GOAL_MS}`,
    `x${(SEEK_GOAL_MS / seek).toFixed(1)} under goal`,
  );

  // The same seeks without keyframes: replay from the start (a few, it is slow).
  const replayMs = targets.slice(0, 5).map((seq) => {
    const s0 = process.hrtime.bigint();
    let state = initialState();
    for (let i = 0; i <= seq; i++) state = apply(state, events[i] as SlowmoEvent);
    return Number(process.hrtime.bigint() - s0) / 1e6;
  });
  const replay = median(replayMs);
  row(
    'seek by replay from start (median)',
    replay.toFixed(1),
    '-',
    `keyframes x${(replay / seek).toFixed(0)} faster`,
  );

  const ok = eps >= APPLY_GOAL && seek <= SEEK_GOAL_MS;
  console.log(ok ? 'reducer goals: met' : 'reducer goals: NOT met');
}

main();
