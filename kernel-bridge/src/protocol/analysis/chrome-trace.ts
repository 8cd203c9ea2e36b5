/**
 * A recording as Chrome Trace Event JSON, which Perfetto UI and
 * chrome://tracing open: one process each for the Ps, the Ms, the
 * goroutines and GC, one named thread (track) per P, M and goroutine,
 * complete events (ph X) for their slices, an instant event at each
 * goroutine's creation, flow events (ph s/f) for steals and wake-ups,
 * counters (ph C) for the run queues' lengths, and the GC phases and
 * stop-the-world bands on tracks of their own, and the program's own tasks,
 * regions and logs when the recording has them. Times are µs (the format's
 * unit), from the run's own ns.
 */
import { EVENT_SCHEMAS, type SlowmoEvent } from '../events';
import { learnerFunction } from '../goroutines';
import { apply } from '../reducer';
import { initialState, type SchedState } from '../state';
import { LaneBuilder, type Lanes, type LaneSlice } from './lanes';

/** The trace's processes, in the order they are shown. */
export const CHROME_PIDS = { procs: 1, ms: 2, goroutines: 3, gc: 4, regions: 5 } as const;
/** The GC process's two tracks. */
export const CHROME_GC_TIDS = { phases: 1, stw: 2 } as const;

export interface ChromeTraceEvent {
  name: string;
  /** B/E begin and end, X complete, i instant, C counter, s/f flow start and end, b/e async, M metadata. */
  ph: 'X' | 'B' | 'E' | 'i' | 'C' | 's' | 't' | 'f' | 'b' | 'e' | 'M';
  /** µs since the run started. */
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  /** µs, for ph X. */
  dur?: number;
  /** An instant's scope: thread, process or global. */
  s?: 't' | 'p' | 'g';
  /** A flow's id, shared by its s and f. */
  id?: number;
  /** A flow end binds to the slice enclosing it ("e") rather than the next one. */
  bp?: 'e';
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ns' | 'ms';
  otherData: Record<string, unknown>;
}

const us = (ns: number) => ns / 1000;

/** "g7 main.worker", "g1 main", or "g7" when its function is not known. */
function gName(lanes: Lanes, goid: number): string {
  if (goid === 1) return 'g1 main';
  const fn = lanes.byGoid.get(goid)?.fn;
  return fn ? `g${goid} ${learnerFunction(fn)}` : `g${goid}`;
}

function complete(
  s: LaneSlice,
  name: string,
  pid: number,
  tid: number,
  args: Record<string, unknown> = {},
): ChromeTraceEvent {
  return {
    name,
    cat: s.kind,
    ph: 'X',
    ts: us(s.start),
    dur: us(s.end - s.start),
    pid,
    tid,
    args: { ...args, startSeq: s.startSeq, endSeq: s.endSeq },
  };
}

function metadata(pid: number, tid: number, key: string, args: Record<string, unknown>) {
  return { name: key, ph: 'M' as const, ts: 0, pid, tid, args };
}

/** Names and orders the processes and their threads. */
function names(lanes: Lanes): ChromeTraceEvent[] {
  const out: ChromeTraceEvent[] = [];
  const process = (pid: number, name: string) => {
    out.push(metadata(pid, 0, 'process_name', { name }));
    out.push(metadata(pid, 0, 'process_sort_index', { sort_index: pid }));
  };
  const thread = (pid: number, tid: number, name: string, order: number) => {
    out.push(metadata(pid, tid, 'thread_name', { name }));
    out.push(metadata(pid, tid, 'thread_sort_index', { sort_index: order }));
  };
  process(CHROME_PIDS.procs, 'Ps (processors)');
  for (const p of lanes.procs) thread(CHROME_PIDS.procs, p.p, `P${p.p}`, p.p);
  process(CHROME_PIDS.ms, 'Ms (OS threads)');
  for (const m of lanes.ms) thread(CHROME_PIDS.ms, m.m, `M${m.m}`, m.m);
  process(CHROME_PIDS.goroutines, 'goroutines');
  for (const g of lanes.goroutines)
    thread(CHROME_PIDS.goroutines, g.goid, gName(lanes, g.goid), g.goid);
  process(CHROME_PIDS.gc, 'GC');
  thread(CHROME_PIDS.gc, CHROME_GC_TIDS.phases, 'GC phases', 1);
  thread(CHROME_PIDS.gc, CHROME_GC_TIDS.stw, 'stop-the-world', 2);
  return out;
}

function pSliceName(lanes: Lanes, s: LaneSlice): string | null {
  switch (s.kind) {
    case 'running':
      return gName(lanes, s.goid);
    case 'sched':
      return 'scheduler';
    case 'syscall':
      return s.goid > 0 ? `syscall (${gName(lanes, s.goid)})` : 'syscall';
    case 'gcstop':
      return 'stopped for GC';
    default:
      return null; // idle: a gap
  }
}

function mSliceName(lanes: Lanes, s: LaneSlice): string | null {
  const onP = s.p >= 0 ? ` on P${s.p}` : '';
  switch (s.kind) {
    case 'running':
      return s.goid > 0 ? `${gName(lanes, s.goid)}${onP}` : `scheduler${onP}`;
    case 'syscall':
      return `syscall (${gName(lanes, s.goid)})`;
    case 'spinning':
      return `spinning${onP}`;
    default:
      return null;
  }
}

function gSliceName(s: LaneSlice): string {
  switch (s.kind) {
    case 'running':
      return s.p >= 0 ? `running on P${s.p}` : 'running';
    case 'runnable':
      if (s.queue === 'global') return 'runnable (global queue)';
      if (s.queue !== null) return `runnable (P${s.p} ${s.queue})`;
      return s.p >= 0 ? `runnable (handed to P${s.p})` : 'runnable';
    case 'waiting':
      return `waiting: ${s.reason ?? ''}`;
    default:
      return s.kind;
  }
}

/** The lanes' slices as complete events, gaps (idle) left out of the P and M tracks. */
function slices(lanes: Lanes): ChromeTraceEvent[] {
  const out: ChromeTraceEvent[] = [];
  for (const lane of lanes.procs) {
    for (const s of lane.slices) {
      const name = pSliceName(lanes, s);
      if (name !== null)
        out.push(complete(s, name, CHROME_PIDS.procs, lane.p, { goid: s.goid, m: s.m }));
    }
  }
  for (const lane of lanes.ms) {
    for (const s of lane.slices) {
      const name = mSliceName(lanes, s);
      if (name !== null)
        out.push(complete(s, name, CHROME_PIDS.ms, lane.m, { goid: s.goid, p: s.p }));
    }
  }
  for (const g of lanes.goroutines) {
    for (const s of g.slices) {
      const args = s.kind === 'waiting' ? { reason: s.reason } : { p: s.p, m: s.m, queue: s.queue };
      out.push(complete(s, gSliceName(s), CHROME_PIDS.goroutines, g.goid, args));
    }
  }
  for (const s of lanes.gc)
    out.push(complete(s, `GC ${s.kind}`, CHROME_PIDS.gc, CHROME_GC_TIDS.phases));
  for (const s of lanes.stw) {
    out.push(complete(s, `stop-the-world: ${s.reason ?? ''}`, CHROME_PIDS.gc, CHROME_GC_TIDS.stw));
  }
  return out;
}

/** A flow from one track to another, bound at both ends to the slices there. */
function flow(
  id: number,
  cat: string,
  name: string,
  ts: number,
  from: [number, number],
  to: [number, number],
  args: Record<string, unknown>,
): ChromeTraceEvent[] {
  const [pid, tid] = from;
  return [
    { name, cat, ph: 's', id, ts, pid, tid, args },
    { name, cat, ph: 'f', bp: 'e', id, ts, pid: to[0], tid: to[1] },
  ];
}

/** Steals from P to P; wake-ups from the waker's goroutine to the woken one. Ids: 2 seq (+1 for a wake). */
function flows(lanes: Lanes): ChromeTraceEvent[] {
  const out: ChromeTraceEvent[] = [];
  const { procs, goroutines } = CHROME_PIDS;
  for (const a of lanes.arrows) {
    const ts = us(a.t);
    if (a.kind === 'steal') {
      const args = { goids: a.goids, seq: a.seq };
      out.push(...flow(2 * a.seq, 'steal', 'steal', ts, [procs, a.fromP], [procs, a.toP], args));
    } else if (lanes.byGoid.has(a.fromG) && lanes.byGoid.has(a.toG)) {
      const args = { waker: a.fromG, woken: a.toG, seq: a.seq };
      out.push(
        ...flow(
          2 * a.seq + 1,
          'wake',
          'wake-up',
          ts,
          [goroutines, a.fromG],
          [goroutines, a.toG],
          args,
        ),
      );
    }
  }
  return out;
}

/** Each goroutine's creation, an instant on its own track. */
function creations(lanes: Lanes): ChromeTraceEvent[] {
  const out: ChromeTraceEvent[] = [];
  for (const g of lanes.goroutines) {
    if (g.createdAt === null) continue;
    const by = g.parent > 0 ? ` by g${g.parent}` : '';
    out.push({
      name: `created${by}`,
      cat: 'create',
      ph: 'i',
      s: 't',
      ts: us(g.createdAt),
      pid: CHROME_PIDS.goroutines,
      tid: g.goid,
      args: { parent: g.parent, fn: g.fn, file: g.file, line: g.line, seq: g.createdSeq },
    });
  }
  return out;
}

/** The run queues' lengths (each P's local queue with its runnext, and the global one) where they change, by the reducer. */
function counters(events: readonly SlowmoEvent[]): ChromeTraceEvent[] {
  const out: ChromeTraceEvent[] = [];
  let state: SchedState = initialState();
  let last = '';
  for (const e of events) {
    // A kind this reducer does not know (a newer protocol's) changes no queue.
    if (!(e.kind in EVENT_SCHEMAS)) continue;
    state = apply(state, e);
    const args: Record<string, number> = {};
    for (const p of state.procs) args[`P${p.id}`] = p.runq.length + (p.runnext !== 0 ? 1 : 0);
    args['global'] = state.globalq.length + state.globalqMore;
    const key = Object.values(args).join(',');
    if (key === last) continue;
    last = key;
    out.push({
      name: 'run queue length',
      cat: 'runq',
      ph: 'C',
      ts: us(e.t),
      pid: CHROME_PIDS.procs,
      tid: 0,
      args,
    });
  }
  return out;
}

/**
 * The program's own annotations (`user.*` kinds, from runtime/trace's tasks,
 * regions and logs), for recordings that carry them. Regions are B/E events
 * on a track of their own per goroutine (beside its state slices, which they
 * cross), closed at the end when they were left open; tasks are async events
 * (b/e, matched by task id); logs are instants on the goroutine's track.
 */
function annotations(events: readonly SlowmoEvent[], end: number): ChromeTraceEvent[] {
  const out: ChromeTraceEvent[] = [];
  const open = new Map<number, string[]>();
  const { regions, goroutines } = CHROME_PIDS;
  for (const e of events) {
    if (e.kind !== 'user.region' && e.kind !== 'user.task' && e.kind !== 'user.log') continue;
    const { seq, t, m, p, g, kind: _kind, ...fields } = e;
    const args = { ...fields, seq, m, p };
    const ts = us(t);
    if (e.kind === 'user.region') {
      const stack = open.get(g) ?? [];
      open.set(g, stack);
      if (e.begin) stack.push(e.name);
      else if (stack.pop() === undefined) continue; // its begin was not recorded
      out.push({
        name: e.name,
        cat: 'region',
        ph: e.begin ? 'B' : 'E',
        ts,
        pid: regions,
        tid: g,
        args,
      });
    } else if (e.kind === 'user.task') {
      const name = e.name || `task ${e.task}`;
      const ph = e.begin ? 'b' : 'e';
      out.push({ name, cat: 'task', ph, id: e.task, ts, pid: regions, tid: g, args });
    } else {
      const name = e.category ? `log ${e.category}` : 'log';
      out.push({ name, cat: 'user', ph: 'i', s: 't', ts, pid: goroutines, tid: g, args });
    }
  }
  for (const [g, stack] of open) {
    for (const name of stack.reverse())
      out.push({ name, cat: 'region', ph: 'E', ts: us(end), pid: regions, tid: g });
  }
  return out;
}

/** Names the annotations' tracks: one per goroutine that has regions or tasks. */
function annotationNames(lanes: Lanes, notes: readonly ChromeTraceEvent[]): ChromeTraceEvent[] {
  const tids = new Set(notes.filter((e) => e.pid === CHROME_PIDS.regions).map((e) => e.tid));
  if (tids.size === 0) return [];
  return [
    metadata(CHROME_PIDS.regions, 0, 'process_name', { name: 'tasks and regions' }),
    metadata(CHROME_PIDS.regions, 0, 'process_sort_index', { sort_index: CHROME_PIDS.regions }),
    ...[...tids].map((tid) =>
      metadata(CHROME_PIDS.regions, tid, 'thread_name', { name: `${gName(lanes, tid)} regions` }),
    ),
  ];
}

/** The recording as a Chrome trace. */
export function chromeTrace(events: readonly SlowmoEvent[]): ChromeTrace {
  const lanes = LaneBuilder.from(events).lanes();
  const start = events.find((e) => e.kind === 'run.start');
  const run = start?.kind === 'run.start' ? start : undefined;
  const notes = annotations(events, lanes.end);
  return {
    traceEvents: [
      ...names(lanes),
      ...annotationNames(lanes, notes),
      ...slices(lanes),
      ...creations(lanes),
      ...flows(lanes),
      ...counters(events),
      ...notes,
    ],
    displayTimeUnit: 'ns',
    otherData: {
      producer: 'go-slowmo',
      ...(run
        ? {
            goVersion: run.goVersion,
            gomaxprocs: run.gomaxprocs,
            backend: run.backend,
            fidelity: run.fidelity,
          }
        : {}),
      events: events.length,
    },
  };
}
