/**
 * The patterns a reader of an execution trace is taught to spot, found in a
 * recording, each with the stretch of time (and of events) where it holds
 * and a plain sentence:
 *   - many goroutines, few running: a crowd, mostly parked, while Ps have
 *     nothing to run (contention, or everyone waiting on one thing);
 *   - Ps idle while goroutines are runnable: work queued on one P while
 *     another sits idle;
 *   - a long wait in the run queue: one goroutine runnable for longer than
 *     the runtime's time slice (scheduler latency);
 *   - excessive switching: goroutines changing so often that the switches
 *     are the work.
 * Read from the lanes, in one sweep over their slices in seq order, from
 * where the learner's program begins: the runtime's start-up (runtime.main
 * locked to its thread, Ms made one by one) has stalls of its own that are
 * not the program's.
 */
import type { SlowmoEvent } from '../events';
import { isRuntimeFunction } from '../goroutines';
import { pWords } from '../why';
import { plural, waitWords } from '../words';
import { LaneBuilder, type GoroutineLane, type Lanes, type LaneSlice } from './lanes';

export const PATTERN_KINDS = [
  'few-running',
  'idle-while-runnable',
  'long-runnable',
  'excessive-switching',
] as const;
export type PatternKind = (typeof PATTERN_KINDS)[number];

/**
 * Goroutines alive for "many": below this a reader follows each one in the
 * picture; from here the crowd itself is what the timeline shows. Lessons'
 * programs are small, so this is far below the hundreds a profiler warns at.
 */
export const MANY_GOROUTINES = 20;
/**
 * "Few running" because they are blocked: at least this share of the crowd
 * waits (parked or in a syscall). A crowd that is runnable but not running
 * is queueing for Ps instead: the idle-while-runnable and long-wait patterns.
 */
export const MOSTLY_BLOCKED = 0.75;
/**
 * How long "few running" must last: under a millisecond it is a program
 * starting or a burst of wake-ups, not a shape a reader can see.
 */
export const FEW_RUNNING_MIN_NS = 1_000_000;
/**
 * How long a P must stay idle with work queued elsewhere. An idle P is woken
 * for new work within microseconds (a spinning M steals it), so a whole
 * millisecond idle beside a queue is the scheduler (or the OS) not keeping up.
 */
export const IDLE_WHILE_RUNNABLE_MIN_NS = 1_000_000;
/**
 * A wait in the run queue counts as long past the runtime's time slice: sysmon
 * preempts a goroutine that ran 10 ms (forcePreemptNS in runtime/proc.go), so
 * a longer wait sat behind at least one other goroutine's whole turn.
 */
export const LONG_RUNNABLE_NS = 10_000_000;
/**
 * Switches that count as excessive: 50 a millisecond for each P, a turn of
 * 20 µs or less, where the switch and the wake-up that causes it (a few µs
 * with the scheduler's bookkeeping, more under a recorder) are a large part
 * of what the program does. Counted in windows of a millisecond.
 */
export const SWITCH_WINDOW_NS = 1_000_000;
export const SWITCHES_PER_P_PER_WINDOW = 50;
/**
 * A crowd that lets a goroutine through for less than this is still a
 * blocked crowd to a reader looking at milliseconds of timeline: "few
 * running" stretches are joined across such gaps. (An idle P beside queued
 * work is not: a queue emptied, even for a moment, was served.)
 */
export const STRETCH_GAP_NS = 500_000;

export interface PatternNote {
  readonly kind: PatternKind;
  /** Where it holds: ns since the run started, and the events at its ends. */
  readonly start: number;
  readonly end: number;
  readonly startSeq: number;
  readonly endSeq: number;
  /** The sentence a learner reads: "P1 idle for 8 ms while 12 goroutines were runnable on P0". */
  readonly text: string;
  /** The P it is about (the idle one), -1 for none. */
  readonly p: number;
  /** The goroutine it is about (the one that waited), 0 for none. */
  readonly goid: number;
  /**
   * Its size: goroutines alive (few-running), goroutines runnable at most
   * (idle-while-runnable), ns waited (long-runnable), switches (excessive-switching).
   */
  readonly count: number;
}

/** 812 ns, 1.7 µs, 40 µs, 8 ms, 12.5 ms, 1.2 s: two significant digits at most, in the largest unit. */
export function durationWords(ns: number): string {
  const units: readonly [number, string][] = [
    [1e9, 's'],
    [1e6, 'ms'],
    [1e3, 'µs'],
  ];
  for (const [size, unit] of units) {
    if (ns >= size) {
      const v = ns / size;
      return `${v < 10 ? Math.round(v * 10) / 10 : Math.round(v)} ${unit}`;
    }
  }
  return `${Math.round(ns)} ns`;
}

/** 1,200 */
export function countWords(n: number): string {
  return n.toLocaleString('en-US');
}

/** A stretch of time where a condition held, with the largest size it had and what went with it. */
interface Held {
  start: number;
  end: number;
  startSeq: number;
  endSeq: number;
  /** The largest `size` while it held, and the `at` given with it. */
  peak: number;
  at: number;
  /** The largest `other` while it held. */
  high: number;
}

/** A condition over time, as stretches where it held (with gaps up to `gapNs` bridged). */
class Stretches {
  private open: Held | null = null;
  /** When the condition last stopped holding, while the stretch may still go on. */
  private off: { t: number; seq: number } | null = null;
  readonly found: Held[] = [];

  constructor(
    private readonly minNs: number,
    private readonly gapNs = 0,
  ) {}

  /** The condition after event `seq` (at time `t`), with its size then and what goes with it. */
  hold(held: boolean, t: number, seq: number, size = 0, at = -1, other = 0): void {
    if (!held) {
      if (this.open !== null && this.off === null) this.off = { t, seq };
      return;
    }
    if (this.off !== null && (t - this.off.t > this.gapNs || this.gapNs === 0)) this.flush();
    this.off = null;
    const o = this.open;
    if (o === null) {
      this.open = { start: t, end: t, startSeq: seq, endSeq: seq, peak: size, at, high: other };
      return;
    }
    if (size > o.peak) [o.peak, o.at] = [size, at];
    if (other > o.high) o.high = other;
  }

  /** Ends whatever is open at the end of the run. */
  finish(t: number, seq: number): void {
    if (this.open !== null && this.off === null) this.off = { t, seq };
    this.flush();
  }

  private flush(): void {
    const { open, off } = this;
    this.open = null;
    this.off = null;
    if (open === null || off === null || off.t - open.start < this.minNs) return;
    this.found.push({ ...open, end: off.t, endSeq: off.seq });
  }
}

/** One step of the sweep: a slice starting (+1) or ending (-1) at `seq`. */
interface Change {
  readonly seq: number;
  readonly t: number;
  readonly d: 1 | -1;
  /** What it counts: ALIVE or ACTIVE (the program's goroutines), IDLE or RUNNING (P `p`), or QUEUED on `p` (-1: global). */
  readonly what: number;
  readonly p: number;
}
const ALIVE = 0;
const IDLE = 1;
const RUNNING = 2;
const QUEUED = 3;
const ACTIVE = 4;

function isUser(g: GoroutineLane): boolean {
  return g.goid === 1 || !isRuntimeFunction(g.fn);
}

function changesOf(lanes: Lanes): Change[] {
  const out: Change[] = [];
  const add = (s: LaneSlice, what: number, p: number) => {
    out.push({ seq: s.startSeq, t: s.start, d: 1, what, p });
    if (!s.open) out.push({ seq: s.endSeq, t: s.end, d: -1, what, p });
  };
  for (const g of lanes.goroutines) {
    const user = isUser(g);
    // The runtime's own goroutines park most of the time and queue at start-up: not the program's shape.
    if (!user) continue;
    for (const s of g.slices) {
      add(s, ALIVE, -1);
      if (s.kind === 'running' || s.kind === 'runnable') add(s, ACTIVE, -1);
      // Runnext is its P's own next turn, not stolen while that P runs (runqgrab waits first): not work left lying.
      if (s.kind === 'runnable' && (s.queue === 'local' || s.queue === 'global'))
        add(s, QUEUED, s.p);
    }
  }
  for (const lane of lanes.procs) {
    for (const s of lane.slices) {
      if (s.kind === 'idle') add(s, IDLE, lane.p);
      else if (s.kind === 'running') add(s, RUNNING, lane.p);
    }
  }
  // Stable: at one seq the order does not matter, only the counts after all of it.
  return out.sort((a, b) => a.seq - b.seq);
}

/** The counts the sweep keeps, after the events so far. */
class Counts {
  alive = 0;
  active = 0;
  running = 0;
  queued = 0;
  global = 0;
  readonly idle: boolean[];
  readonly local: number[];

  constructor(procs: number) {
    this.idle = new Array<boolean>(procs).fill(false);
    this.local = new Array<number>(procs).fill(0);
  }

  apply(c: Change): void {
    if (c.what === ALIVE) this.alive += c.d;
    else if (c.what === ACTIVE) this.active += c.d;
    else if (c.what === RUNNING) this.running += c.d;
    else if (c.what === IDLE) this.idle[c.p] = c.d > 0;
    else {
      this.queued += c.d;
      if (c.p < 0) this.global += c.d;
      else this.local[c.p] = (this.local[c.p] ?? 0) + c.d;
    }
  }

  /** The P whose local queue holds the most, or -1 when the global queue holds more. */
  fullest(): number {
    let best = -1;
    let most = this.global;
    this.local.forEach((n, p) => {
      if (n > most) [best, most] = [p, n];
    });
    return best;
  }
}

interface Sweep {
  few: Stretches;
  idle: Stretches[];
}

/** Walks the changes in seq order and feeds the stretch detectors after each event's changes. */
function sweep(lanes: Lanes): Sweep {
  const procs = lanes.procs.length;
  const counts = new Counts(procs);
  const few = new Stretches(FEW_RUNNING_MIN_NS, STRETCH_GAP_NS);
  const idle = lanes.procs.map(() => new Stretches(IDLE_WHILE_RUNNABLE_MIN_NS));
  const changes = changesOf(lanes);
  const from = lanes.main?.seq ?? 0;
  for (let i = 0; i < changes.length;) {
    const { seq, t } = changes[i] as Change;
    for (; i < changes.length && (changes[i] as Change).seq === seq; i++) {
      counts.apply(changes[i] as Change);
    }
    if (seq < from) continue;
    const blocked = counts.alive - counts.active;
    const crowd =
      counts.alive >= MANY_GOROUTINES &&
      counts.running < procs &&
      blocked >= counts.alive * MOSTLY_BLOCKED;
    few.hold(crowd, t, seq, counts.alive, -1, counts.running);
    const where = counts.queued > 0 ? counts.fullest() : -1;
    idle.forEach((st, p) => {
      st.hold(counts.idle[p] === true && counts.queued > 0, t, seq, counts.queued, where);
    });
  }
  few.finish(lanes.end, lanes.lastSeq);
  for (const st of idle) st.finish(lanes.end, lanes.lastSeq);
  return { few, idle };
}

/** What the program's goroutines mostly waited for between `start` and `end`. */
function mostWaitedFor(lanes: Lanes, start: number, end: number): string | null {
  const by = new Map<string, number>();
  for (const g of lanes.goroutines) {
    if (!isUser(g)) continue;
    for (const s of g.slices) {
      if (s.kind !== 'waiting' || s.end <= start || s.start >= end) continue;
      const overlap = Math.min(s.end, end) - Math.max(s.start, start);
      by.set(s.reason ?? '', (by.get(s.reason ?? '') ?? 0) + overlap);
    }
  }
  let best: string | null = null;
  for (const [reason, ns] of by) if (best === null || ns > (by.get(best) ?? 0)) best = reason;
  return best;
}

function fewRunningNotes(lanes: Lanes, few: Stretches): PatternNote[] {
  const procs = lanes.procs.length;
  return few.found.map((h) => {
    const reason = mostWaitedFor(lanes, h.start, h.end);
    const why = reason === null ? '' : ` (they were mostly ${waitWords(reason)})`;
    const running = h.high === 0 ? 'none running' : `at most ${h.high} running`;
    return {
      kind: 'few-running',
      start: h.start,
      end: h.end,
      startSeq: h.startSeq,
      endSeq: h.endSeq,
      text: `${plural(h.peak, 'goroutine')} alive but ${running} on ${plural(procs, 'P')} for ${durationWords(h.end - h.start)}${why}`,
      p: -1,
      goid: 0,
      count: h.peak,
    };
  });
}

function idleNotes(idle: readonly Stretches[]): PatternNote[] {
  return idle.flatMap((st, p) =>
    st.found.map((h) => {
      const where = h.at < 0 ? 'in the global run queue' : `on ${pWords(h.at)}`;
      const were = h.peak === 1 ? 'was' : 'were';
      return {
        kind: 'idle-while-runnable' as const,
        start: h.start,
        end: h.end,
        startSeq: h.startSeq,
        endSeq: h.endSeq,
        text: `${pWords(p)} idle for ${durationWords(h.end - h.start)} while ${plural(h.peak, 'goroutine')} ${were} runnable ${where}`,
        p,
        goid: 0,
        count: h.peak,
      };
    }),
  );
}

/** Each user goroutine's runs of runnable slices (a steal moves it, it still waits) of LONG_RUNNABLE_NS or more. */
function longRunnableNotes(lanes: Lanes): PatternNote[] {
  const out: PatternNote[] = [];
  const from = lanes.main?.seq ?? 0;
  for (const g of lanes.goroutines) {
    if (!isUser(g)) continue;
    const slices = g.slices;
    for (let i = 0; i < slices.length; i++) {
      const first = slices[i] as LaneSlice;
      if (first.kind !== 'runnable' || first.startSeq < from) continue;
      let last = first;
      let queued = first.queue !== null;
      while (slices[i + 1]?.kind === 'runnable') {
        last = slices[++i] as LaneSlice;
        queued ||= last.queue !== null;
      }
      const waited = last.end - first.start;
      if (waited < LONG_RUNNABLE_NS) continue;
      const where = queued ? 'in the run queue' : 'for a P';
      const still = last.open ? ' (and was still waiting at the end)' : '';
      out.push({
        kind: 'long-runnable',
        start: first.start,
        end: last.end,
        startSeq: first.startSeq,
        endSeq: last.endSeq,
        text: `g${g.goid} waited ${durationWords(waited)} ${where}${still}`,
        p: -1,
        goid: g.goid,
        count: waited,
      });
    }
  }
  return out;
}

/** Every goroutine switch (a goroutine starting to run), in seq order. */
function switchesOf(lanes: Lanes): LaneSlice[] {
  const out: LaneSlice[] = [];
  const from = lanes.main?.seq ?? 0;
  for (const g of lanes.goroutines) {
    for (const s of g.slices) if (s.kind === 'running' && s.startSeq >= from) out.push(s);
  }
  return out.sort((a, b) => a.startSeq - b.startSeq);
}

/**
 * Stretches where every switch is within a window of SWITCH_WINDOW_NS that
 * holds SWITCHES_PER_P_PER_WINDOW switches per P or more: the windows that
 * qualify, joined where they overlap or nearly meet.
 */
function switchingNotes(lanes: Lanes): PatternNote[] {
  const runs = switchesOf(lanes);
  const enough = SWITCHES_PER_P_PER_WINDOW * Math.max(1, lanes.procs.length);
  const spans: [number, number][] = [];
  for (let i = 0, j = 0; i < runs.length; i++) {
    const t0 = (runs[i] as LaneSlice).start;
    while (j < runs.length && (runs[j] as LaneSlice).start - t0 <= SWITCH_WINDOW_NS) j++;
    if (j - i < enough) continue;
    const last = spans[spans.length - 1];
    // Overlapping windows, or busy stretches with a lull shorter than a window between them, are one.
    const near = last !== undefined && t0 - (runs[last[1]] as LaneSlice).start <= SWITCH_WINDOW_NS;
    if (last !== undefined && (i <= last[1] || near)) last[1] = j - 1;
    else spans.push([i, j - 1]);
  }
  return spans.map(([i, j]) => {
    const [a, b] = [runs[i] as LaneSlice, runs[j] as LaneSlice];
    const n = j - i + 1;
    const span = b.start - a.start;
    return {
      kind: 'excessive-switching' as const,
      start: a.start,
      end: b.start,
      startSeq: a.startSeq,
      endSeq: b.startSeq,
      text: `${countWords(n)} goroutine switches in ${durationWords(span)} (one every ${durationWords(span / (n - 1))})`,
      p: -1,
      goid: 0,
      count: n,
    };
  });
}

/** The patterns in a run, from its lanes (or its events), in order of time. */
export function findPatterns(source: Lanes | Iterable<SlowmoEvent>): PatternNote[] {
  const lanes = 'goroutines' in source ? source : LaneBuilder.from(source).lanes();
  const { few, idle } = sweep(lanes);
  return [
    ...fewRunningNotes(lanes, few),
    ...idleNotes(idle),
    ...longRunnableNotes(lanes),
    ...switchingNotes(lanes),
  ].sort((a, b) => a.startSeq - b.startSeq || a.endSeq - b.endSeq);
}
