/**
 * Two recordings of one program side by side (Go 1.25 against 1.26, GOMAXPROCS 1 against 4,
 * before and after the learner's change): what each run measured, and the differences a
 * learner should look at first.
 *
 * Runs are compared by what does not depend on goids or exact times: counts (goroutines,
 * steals, preemptions, hand-offs, GC cycles…), outputs, and durations only where they differ by
 * more than timing noise (a quarter, and at least 200 µs: two runs of the same program on a busy
 * machine differ by that much without meaning anything). The program's own goroutines are
 * matched by the function they run, as the learner wrote it, never by goid.
 */
import { z } from 'zod';
import type { SlowmoEvent } from '../events';
import { isRuntimeFunction, learnerFunction } from '../goroutines';
import { analyzeGoroutines, type GoroutineStats } from './goroutines';
import { LaneBuilder } from './lanes';
import { runOutcome } from './schedule';

/** What one function's goroutines did, added up. */
export interface FunctionMeasures {
  goroutines: number;
  runs: number;
  preempted: number;
  stolen: number;
  /** ns, summed over its goroutines. */
  running: number;
  runnable: number;
  waiting: number;
}

/** One run, measured. */
export interface RunMeasures {
  goVersion: string;
  gomaxprocs: number;
  backend: string;
  /** ns from the learner's main to the program's last event (from the first event without one). */
  wall: number;
  exitCode: number;
  stdout: string;
  /** The program's own goroutines, main's included; the runtime's own counted apart. */
  goroutines: number;
  runtimeGoroutines: number;
  /** Ps the program's goroutines ran on. */
  psUsed: number;
  steals: number;
  preemptions: number;
  /** Times a goroutine waited (parked), by the runtime's wait reason. */
  waits: Record<string, number>;
  syscalls: number;
  /**
   * Ps taken from a goroutine in a system call (sysmon's retake, then another M or idle) instead
   * of going back to it when the call returned.
   */
  handoffs: number;
  gcCycles: number;
  stwPauses: number;
  /** ns. */
  stw: number;
  /** ns the program's goroutines were runnable and not running (scheduler latency), summed. */
  schedLatency: number;
  byFunction: Record<string, FunctionMeasures>;
}

/** What `a` and `b` of a difference are: nanoseconds, a count, or a setting or output as it is. */
export const DIFF_UNITS = ['ns', 'count', 'text'] as const;

/** A difference as a notebook keeps it: texts (an output) cut to this many characters. */
export const DIFF_TEXT_MAX = 200;
const diffValue = z.union([z.string().max(DIFF_TEXT_MAX + 1), z.number()]);

export const RunDifferenceSchema = z.object({
  /** What differs, as a short name ("steals", "GOMAXPROCS", "worker: preempted"). */
  what: z.string().max(300),
  a: diffValue,
  b: diffValue,
  unit: z.enum(DIFF_UNITS),
  /** In a sentence, for a learner. */
  words: z.string().max(1000),
});
export type RunDifference = z.infer<typeof RunDifferenceSchema>;

/**
 * A run compared with the one before it (the cell's previous recording), as the recording keeps
 * it: small, so the notebook can carry it; the runs themselves are not repeated.
 */
export const RunComparisonSchema = z.object({
  /** The run before: how it was made. */
  before: z.object({
    goVersion: z.string().max(64),
    gomaxprocs: z.number().int().min(0).max(1024),
    backend: z.string().max(16),
  }),
  differences: z.array(RunDifferenceSchema).max(500),
  same: z.array(z.string().max(300)).max(500),
});
export type RunComparison = z.infer<typeof RunComparisonSchema>;

/** The comparison a recording keeps: the differences with long texts cut. */
export function comparisonOf(d: RunDiff): RunComparison {
  const cut = (v: string | number) =>
    typeof v === 'string' && v.length > DIFF_TEXT_MAX ? `${v.slice(0, DIFF_TEXT_MAX)}…` : v;
  return {
    before: { goVersion: d.a.goVersion, gomaxprocs: d.a.gomaxprocs, backend: d.a.backend },
    differences: d.differences.slice(0, 500).map((x) => ({ ...x, a: cut(x.a), b: cut(x.b) })),
    same: d.same.slice(0, 500),
  };
}

export interface RunDiff {
  a: RunMeasures;
  b: RunMeasures;
  /** The differences, the settings first, then the outcome, then what the scheduler did. */
  differences: RunDifference[];
  /** What was compared and found equal, by name. */
  same: string[];
}

/** Durations closer than this share (and this many ns) are the same run's noise. */
const NOISE_SHARE = 0.25;
const NOISE_NS = 200_000;

/** Measures one recording. */
export function measureRun(events: readonly SlowmoEvent[]): RunMeasures {
  const lanes = LaneBuilder.from(events).lanes();
  const outcome = runOutcome(events);
  const m: RunMeasures = {
    goVersion: '',
    gomaxprocs: 0,
    backend: '',
    wall: Math.max(0, lanes.end - (lanes.main?.t ?? lanes.start)),
    exitCode: outcome.exitCode,
    stdout: outcome.stdout,
    goroutines: 0,
    runtimeGoroutines: 0,
    psUsed: 0,
    steals: 0,
    preemptions: 0,
    waits: {},
    syscalls: 0,
    handoffs: 0,
    gcCycles: 0,
    stwPauses: lanes.stw.length,
    stw: lanes.stw.reduce((sum, s) => sum + (s.end - s.start), 0),
    schedLatency: 0,
    byFunction: {},
  };
  // One bucket: the state chart's counts are not compared, and 60 cost a pass each.
  addGoroutines(m, analyzeGoroutines(lanes, 1).goroutines);
  addEvents(m, events);
  return m;
}

/** The goroutines' lives, added up per function. */
function addGoroutines(m: RunMeasures, goroutines: readonly GoroutineStats[]): void {
  const ps = new Set<number>();
  for (const g of goroutines) {
    // g1's creation names runtime.main; it is the learner's main.
    if (g.goid !== 1 && (g.fn === '' || g.runtime)) {
      m.runtimeGoroutines++;
      continue;
    }
    m.goroutines++;
    m.schedLatency += g.schedLatency;
    for (const p of g.ps) ps.add(p);
    const fn = g.goid === 1 ? 'main.main' : learnerFunction(g.fn);
    const f = (m.byFunction[fn] ??= {
      goroutines: 0,
      runs: 0,
      preempted: 0,
      stolen: 0,
      running: 0,
      runnable: 0,
      waiting: 0,
    });
    f.goroutines++;
    f.runs += g.runs;
    f.preempted += g.preempted;
    f.stolen += g.stolen;
    f.running += g.running;
    f.runnable += g.runnable;
    f.waiting += g.waiting;
  }
  m.psUsed = ps.size;
}

/** What the events count: the settings, steals, preemptions, waits, system calls, GC cycles. */
function addEvents(m: RunMeasures, events: readonly SlowmoEvent[]): void {
  // The M that took each P into a system call, until the P runs or idles again.
  const inSyscall = new Map<number, number>();
  const learner = new Set<number>([1]);
  for (const e of events) {
    switch (e.kind) {
      case 'run.start':
        m.goVersion = e.goVersion;
        m.gomaxprocs = e.gomaxprocs;
        m.backend = e.backend;
        break;
      case 'g.create':
        if (!isRuntimeFunction(e.fn)) learner.add(e.goid);
        break;
      case 'steal':
        m.steals++;
        break;
      case 'g.runnable':
        if (e.reason === 'preempt' && learner.has(e.goid)) m.preemptions++;
        break;
      case 'g.waiting':
        if (learner.has(e.goid)) m.waits[e.reason] = (m.waits[e.reason] ?? 0) + 1;
        break;
      case 'g.syscall':
        if (learner.has(e.goid)) m.syscalls++;
        break;
      case 'p.state': {
        // Back to running on the M that made the call: the call returned fast enough to keep it.
        const caller = inSyscall.get(e.p);
        if (e.state === 'syscall') inSyscall.set(e.p, e.pm);
        else if (caller !== undefined) {
          if (e.state !== 'running' || e.pm !== caller) m.handoffs++;
          inSyscall.delete(e.p);
        }
        break;
      }
      case 'gc':
        if (e.phase === 'mark') m.gcCycles++;
        break;
    }
  }
}

/** A duration as the comparison says it: `1.3 ms`, `250 µs`. */
export function diffDuration(ns: number): string {
  return ns >= 1_000_000 ? `${(ns / 1e6).toFixed(1)} ms` : `${Math.round(ns / 1e3)} µs`;
}

/** How the duration now compares with the one before: `3.2× as long`, `5.0× shorter`. */
function times(x: number, y: number): string {
  return y >= x
    ? `${(y / Math.max(x, 1)).toFixed(1)}× as long`
    : `${(x / Math.max(y, 1)).toFixed(1)}× shorter`;
}

function noisy(a: number, b: number): boolean {
  return Math.abs(a - b) < Math.max(NOISE_NS, NOISE_SHARE * Math.max(a, b));
}

/** `1 P`, `4 Ps`. */
function ps(n: number): string {
  return `${n} P${n === 1 ? '' : 's'}`;
}

function quote(s: string): string {
  const line = s.length > 60 ? `${s.slice(0, 57)}…` : s;
  return JSON.stringify(line);
}

/** The comparison as it is made: each measure found equal or different. */
class Comparison {
  readonly differences: RunDifference[] = [];
  readonly same: string[] = [];

  setting(what: string, x: string | number, y: string | number, words: string): void {
    if (x === y) this.same.push(what);
    else this.differ(what, x, y, typeof x === 'number' ? 'count' : 'text', words);
  }

  count(what: string, x: number, y: number, noun: string): void {
    if (x === y) this.same.push(what);
    else this.differ(what, x, y, 'count', `${noun}: ${x} before, ${y} now`);
  }

  duration(what: string, x: number, y: number, noun: string): void {
    if (noisy(x, y)) this.same.push(what);
    else {
      const words = `${noun}: ${diffDuration(x)} before, ${diffDuration(y)} now (${times(x, y)})`;
      this.differ(what, x, y, 'ns', words);
    }
  }

  differ(
    what: string,
    a: string | number,
    b: string | number,
    unit: RunDifference['unit'],
    words: string,
  ): void {
    this.differences.push({ what, a, b, unit, words });
  }
}

/** The settings, the outcome, and what the scheduler did in all. */
function compareRuns(c: Comparison, a: RunMeasures, b: RunMeasures): void {
  c.setting('Go version', a.goVersion, b.goVersion, `Go ${a.goVersion} against Go ${b.goVersion}`);
  c.setting(
    'GOMAXPROCS',
    a.gomaxprocs,
    b.gomaxprocs,
    `${ps(a.gomaxprocs)} before, ${ps(b.gomaxprocs)} now`,
  );
  c.setting(
    'backend',
    a.backend,
    b.backend,
    `recorded by ${a.backend} against ${b.backend}: they see different things`,
  );
  c.setting(
    'output',
    a.stdout,
    b.stdout,
    `the program printed ${quote(a.stdout)} before, ${quote(b.stdout)} now`,
  );
  c.setting(
    'exit code',
    a.exitCode,
    b.exitCode,
    `it exited with ${a.exitCode}, then with ${b.exitCode}`,
  );
  c.count('goroutines', a.goroutines, b.goroutines, "the program's goroutines (main's included)");
  c.count('Ps used', a.psUsed, b.psUsed, "Ps the program's goroutines ran on");
  c.count('steals', a.steals, b.steals, 'steals (a P took work from another P)');
  c.count('preemptions', a.preemptions, b.preemptions, "preemptions of the program's goroutines");
  c.count('syscalls', a.syscalls, b.syscalls, 'system calls');
  c.count('hand-offs', a.handoffs, b.handoffs, 'Ps taken from a goroutine in a system call');
  c.count('GC cycles', a.gcCycles, b.gcCycles, 'GC cycles');
  for (const r of [...new Set([...Object.keys(a.waits), ...Object.keys(b.waits)])].sort())
    c.count(`waits: ${r}`, a.waits[r] ?? 0, b.waits[r] ?? 0, `waits on ${r}`);
  c.duration('wall time', a.wall, b.wall, "the program's time from main to its end");
  c.duration(
    'scheduler latency',
    a.schedLatency,
    b.schedLatency,
    'time runnable but not running, summed',
  );
  c.duration('stop-the-world', a.stw, b.stw, 'time with the world stopped');
}

/** The program's own functions, matched by name. */
function compareFunctions(c: Comparison, a: RunMeasures, b: RunMeasures): void {
  for (const fn of [
    ...new Set([...Object.keys(a.byFunction), ...Object.keys(b.byFunction)]),
  ].sort()) {
    const fa = a.byFunction[fn];
    const fb = b.byFunction[fn];
    const short = fn.replace(/^main\./, '');
    if (!fa || !fb) {
      const words = `${fn} ran only ${fa ? 'before' : 'now'}`;
      c.differ(`${short}: goroutines`, fa?.goroutines ?? 0, fb?.goroutines ?? 0, 'count', words);
      continue;
    }
    c.count(`${short}: goroutines`, fa.goroutines, fb.goroutines, `goroutines running ${fn}`);
    c.count(
      `${short}: preempted`,
      fa.preempted,
      fb.preempted,
      `times ${fn}'s goroutines were preempted`,
    );
    c.count(`${short}: stolen`, fa.stolen, fb.stolen, `times ${fn}'s goroutines were stolen`);
    c.duration(
      `${short}: runnable`,
      fa.runnable,
      fb.runnable,
      `time ${fn}'s goroutines waited for a P`,
    );
  }
}

/** Compares two runs (`a` before, `b` now), as measured or as recorded. */
export function diffRuns(
  a: RunMeasures | readonly SlowmoEvent[],
  b: RunMeasures | readonly SlowmoEvent[],
): RunDiff {
  const ma = 'byFunction' in a ? a : measureRun(a);
  const mb = 'byFunction' in b ? b : measureRun(b);
  const c = new Comparison();
  compareRuns(c, ma, mb);
  compareFunctions(c, ma, mb);
  return { a: ma, b: mb, differences: c.differences, same: c.same };
}
