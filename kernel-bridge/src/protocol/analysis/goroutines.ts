/**
 * The goroutine analysis: per goroutine, where and when it was made and
 * ended, how often it ran, and how its life divides into running, runnable
 * (waiting for a P: the scheduler latency), waiting (by reason) and syscall
 * time; and how many goroutines were in each state over the run, for a small
 * chart. Read from the lanes, whose goroutine slices cover each life without
 * gaps, so the parts add up to the whole.
 */
import { isRuntimeFunction, learnerFunction } from '../goroutines';
import { LaneBuilder, type GoroutineLane, type Lanes, type LaneSlice } from './lanes';
import type { SlowmoEvent } from '../events';

export interface GoroutineStats {
  readonly goid: number;
  /** The function it runs, as the learner wrote it; '' when its creation was not seen. */
  readonly fn: string;
  /** The runtime's own goroutine (GC workers, sweeper, …), not the program's. */
  readonly runtime: boolean;
  /** Where it was created (the `go` statement) and by whom; '', 0 and 0 when not seen. */
  readonly file: string;
  readonly line: number;
  readonly parent: number;
  /** ns since the run started; null when its creation (its end) was not seen. */
  readonly createdAt: number | null;
  readonly endedAt: number | null;
  /** From its first event (its creation when seen) to its end, or to the last event while it lives. */
  readonly firstAt: number;
  readonly lifetime: number;
  readonly runs: number;
  /** ns in each state; running + runnable + waiting + syscall = lifetime. */
  readonly running: number;
  readonly runnable: number;
  /** Time runnable but not running: the scheduler latency (the same as `runnable`). */
  readonly schedLatency: number;
  /** Its longest single stretch runnable, and the seq where that began (-1 when never runnable). */
  readonly maxRunnable: number;
  readonly maxRunnableSeq: number;
  readonly waiting: number;
  /** Waiting time by the runtime's wait reason ("chan receive", "sleep", …). */
  readonly waitingBy: Readonly<Record<string, number>>;
  readonly syscall: number;
  /** The Ps it ran on, in order of id. */
  readonly ps: readonly number[];
  readonly stolen: number;
  readonly preempted: number;
}

/** How many goroutines were in each state at the end of each bucket of time. */
export interface StateBucket {
  /** The instant counted: the end of the bucket, ns since the run started. */
  readonly t: number;
  readonly running: number;
  readonly runnable: number;
  readonly waiting: number;
  readonly syscall: number;
  /** Ended by then. */
  readonly dead: number;
}

export interface StateCounts {
  readonly start: number;
  /** ns per bucket. */
  readonly width: number;
  readonly buckets: readonly StateBucket[];
}

export interface GoroutineAnalysis {
  readonly start: number;
  readonly end: number;
  /** In the order first seen. */
  readonly goroutines: readonly GoroutineStats[];
  readonly counts: StateCounts;
}

/** Buckets in the state chart by default: enough for its shape, few enough to stay small. */
export const DEFAULT_STATE_BUCKETS = 60;

interface Tally {
  running: number;
  runnable: number;
  waiting: number;
  syscall: number;
  maxRunnable: number;
  maxRunnableSeq: number;
  waitingBy: Record<string, number>;
  ps: Set<number>;
}

function tally(slices: readonly LaneSlice[]): Tally {
  const out: Tally = {
    running: 0,
    runnable: 0,
    waiting: 0,
    syscall: 0,
    maxRunnable: 0,
    maxRunnableSeq: -1,
    waitingBy: {},
    ps: new Set(),
  };
  for (const s of slices) {
    const d = s.end - s.start;
    if (s.kind === 'running') {
      out.running += d;
      if (s.p >= 0) out.ps.add(s.p);
    } else if (s.kind === 'runnable') {
      out.runnable += d;
      if (d > out.maxRunnable || out.maxRunnableSeq < 0) {
        out.maxRunnable = d;
        out.maxRunnableSeq = s.startSeq;
      }
    } else if (s.kind === 'waiting') {
      out.waiting += d;
      const reason = s.reason ?? '';
      out.waitingBy[reason] = (out.waitingBy[reason] ?? 0) + d;
    } else if (s.kind === 'syscall') {
      out.syscall += d;
    }
  }
  return out;
}

function statsOf(g: GoroutineLane, end: number): GoroutineStats {
  const t = tally(g.slices);
  return {
    goid: g.goid,
    fn: learnerFunction(g.fn),
    runtime: g.goid !== 1 && isRuntimeFunction(g.fn),
    file: g.file,
    line: g.line,
    parent: g.parent,
    createdAt: g.createdAt,
    endedAt: g.endedAt,
    firstAt: g.firstAt,
    lifetime: (g.endedAt ?? end) - g.firstAt,
    runs: g.runs,
    running: t.running,
    runnable: t.runnable,
    schedLatency: t.runnable,
    maxRunnable: t.maxRunnable,
    maxRunnableSeq: t.maxRunnableSeq,
    waiting: t.waiting,
    waitingBy: t.waitingBy,
    syscall: t.syscall,
    ps: [...t.ps].sort((a, b) => a - b),
    stolen: g.stolen,
    preempted: g.preempted,
  };
}

type Counter = { -readonly [K in keyof StateBucket]: number };

/**
 * The state of every goroutine (that `include` accepts) at the end of each
 * of `n` equal buckets (after every event at or before that instant).
 * O(slices + buckets): each slice adds itself to the bucket ends it spans.
 */
export function stateCounts(
  lanes: Lanes,
  n = DEFAULT_STATE_BUCKETS,
  include: (g: GoroutineLane) => boolean = () => true,
): StateCounts {
  const { start, end } = lanes;
  const width = end > start ? (end - start) / n : 0;
  const size = width > 0 ? n : 1;
  const at = (k: number) => (k === size - 1 ? end : start + (k + 1) * width);
  const buckets: Counter[] = Array.from({ length: size }, (_, k) => ({
    t: at(k),
    running: 0,
    runnable: 0,
    waiting: 0,
    syscall: 0,
    dead: 0,
  }));
  // The first bucket end at or after `t`.
  const from = (t: number) => {
    let k = width > 0 ? Math.max(0, Math.ceil((t - start) / width) - 1) : 0;
    while (k < size && at(k) < t) k++;
    while (k > 0 && at(k - 1) >= t) k--;
    return k;
  };
  for (const g of lanes.goroutines) {
    if (!include(g)) continue;
    for (const s of g.slices) {
      // A slice holds at instant T when it began by T and ends after it (or is still going).
      const key = s.kind as 'running' | 'runnable' | 'waiting' | 'syscall';
      for (let k = from(s.start); k < size && (s.open || at(k) < s.end); k++) {
        (buckets[k] as Counter)[key]++;
      }
    }
    if (g.endedAt === null) continue;
    for (let k = from(g.endedAt); k < size; k++) (buckets[k] as Counter).dead++;
  }
  return { start, width, buckets };
}

/** The analysis of a run, from its lanes (or its events). */
export function analyzeGoroutines(
  source: Lanes | Iterable<SlowmoEvent>,
  buckets = DEFAULT_STATE_BUCKETS,
): GoroutineAnalysis {
  const lanes = 'goroutines' in source ? source : LaneBuilder.from(source).lanes();
  return {
    start: lanes.start,
    end: lanes.end,
    goroutines: lanes.goroutines.map((g) => statsOf(g, lanes.end)),
    counts: stateCounts(lanes, buckets),
  };
}
