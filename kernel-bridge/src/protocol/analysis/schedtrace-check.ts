/**
 * The runtime's schedtrace beside the reducer's model: at each `schedtrace` event, what the
 * model said of the same numbers (each P's local run queue length, idle Ps, spinning Ms, the
 * global queue) around the moment the runtime sampled them. Each checks the other: the picture
 * is built from probes, schedtrace from the runtime's own counters.
 *
 * The tolerance, and why. The runtime reads its counters while it prints, without the Ps'
 * locks (runqhead and runqtail are loaded atomically one P after another; only the global queue
 * and the idle lists are under sched.lock): a number is true at one instant, which the recording
 * knows only within a window:
 * - late end: the recorder read the line's last byte no later than the first scheduler event
 *   after the output that holds it (output is stamped when read, and writes merged into one
 *   output event had no event between them): the sample is before that event. Records that the
 *   eBPF ring buffer gave late, after output the probe had let go, carry the output's time
 *   (the stream keeps t monotonic) though they came first: events at the line's own t count as
 *   in the window whatever their seq.
 * - early end: the line says its own time, ms since the runtime's first schedtrace line,
 *   truncated. The runtime's clock and the recording's are the same monotonic clock, so the
 *   line read soonest after its sample pins the offset between them (a read is never before
 *   its write); the sample of line i is then no earlier than offset + uptimeMs_i, less the 1 ms
 *   of truncation and the best line's own read delay, allowed 1 ms more.
 * The runtime's number agrees when it is one of the values the model took within that window
 * (between the model's least and greatest there). A number outside is a difference: the line is
 * shown with the model's range and the reason.
 */
import type { EventOf, SlowmoEvent } from '../events';
import { apply } from '../reducer';
import { initialState, type SchedState } from '../state';

/** What the early end of the window allows beyond the line's own clock: truncation and read delay. */
export const SCHEDTRACE_EARLY_SLACK_NS = 2_000_000;

export type SchedtraceQuantity = 'runq' | 'idleprocs' | 'spinningthreads' | 'runqueue';

export interface SchedtraceFieldCheck {
  quantity: SchedtraceQuantity;
  /** For `runq`: the P. */
  p?: number;
  /** What the runtime printed. */
  runtime: number;
  /** The least and greatest the model held within the window. */
  model: { min: number; max: number };
  agrees: boolean;
}

export interface SchedtraceCheck {
  /** The schedtrace event's seq. */
  seq: number;
  /** The window the sample is known to lie in, ns since the run started. */
  from: number;
  to: number;
  /** The sample's likeliest time: the line's own clock, within the window (where to draw it). */
  sampled: number;
  fields: SchedtraceFieldCheck[];
  agrees: boolean;
}

/** The model's own values of the quantities schedtrace prints, in one state. */
function modelValues(s: SchedState, procs: number): number[] {
  let idle = 0;
  const runqs: number[] = [];
  for (let p = 0; p < procs; p++) {
    const pp = s.procs[p];
    runqs.push(pp ? pp.runq.length : 0);
    if (pp?.state === 'idle') idle++;
  }
  let spinning = 0;
  s.ms.forEach((m) => {
    if (m.state === 'spinning') spinning++;
  });
  return [...runqs, idle, spinning, s.globalq.length + s.globalqMore];
}

const NOT_SCHEDULER = new Set(['output', 'schedtrace', 'gctrace']);

interface Window {
  e: EventOf<'schedtrace'>;
  from: number;
  to: number;
  sampled: number;
  min: number[];
  max: number[];
}

/**
 * Each schedtrace event of `events` (a recording in seq order) with the model's values in its
 * window. Which quantities are compared follows what the backend sees: run queues only where
 * `run.start.fidelity.runq` says it sees them (eBPF), idle Ps and spinning Ms on both.
 */
export function checkSchedtrace(events: readonly SlowmoEvent[]): SchedtraceCheck[] {
  const traces: { e: EventOf<'schedtrace'>; i: number }[] = [];
  events.forEach((e, i) => {
    if (e.kind === 'schedtrace') traces.push({ e, i });
  });
  if (traces.length === 0) return [];
  const offset = clockOffset(events, traces);
  const end = events[events.length - 1]?.t ?? 0;
  const windows: Window[] = traces.map(({ e, i }) => {
    let to = end;
    for (let k = i + 1; k < events.length; k++) {
      const next = events[k] as SlowmoEvent;
      if (!NOT_SCHEDULER.has(next.kind) && next.t > e.t) {
        to = next.t;
        break;
      }
    }
    const from = Math.max(0, Math.min(e.at, offset + e.uptimeMs * 1e6 - SCHEDTRACE_EARLY_SLACK_NS));
    const sampled = Math.min(to, Math.max(from, offset + e.uptimeMs * 1e6));
    return { e, from, to, sampled, min: [], max: [] };
  });
  const fold = (w: Window, s: SchedState) => {
    const v = modelValues(s, w.e.gomaxprocs);
    v.forEach((x, k) => {
      w.min[k] = Math.min(w.min[k] ?? Infinity, x);
      w.max[k] = Math.max(w.max[k] ?? -Infinity, x);
    });
  };
  // Windows open at the first event after their start (the state before it held there) and
  // take every state until an event at or past their end.
  const order = [...windows].sort((a, b) => a.from - b.from);
  let next = 0;
  let active: Window[] = [];
  let state = initialState();
  let runq = false;
  for (const e of events) {
    if (e.kind === 'run.start') runq = e.fidelity.runq;
    while (next < order.length && (order[next] as Window).from < e.t) {
      const w = order[next++] as Window;
      fold(w, state);
      active.push(w);
    }
    state = apply(state, e);
    if (active.length === 0) continue;
    active = active.filter((w) => w.to > e.t);
    for (const w of active) fold(w, state);
  }
  for (const w of order.slice(next)) fold(w, state);
  return windows.map((w) => judge(w, runq));
}

/**
 * The runtime's schedtrace clock against the recording's: the least of the lines' at - uptime,
 * over the lines whose own first write began an output event. Those were stamped when that
 * write was read, never before it was made; a line inside an output event that began with an
 * earlier write carries that write's stamp, which may be before its sample (no event came
 * between them, so the model is the same there, but the clock would be pinned too early).
 */
function clockOffset(
  events: readonly SlowmoEvent[],
  traces: readonly { e: EventOf<'schedtrace'> }[],
): number {
  const began = new Set<string>();
  for (const e of events) {
    if (e.kind === 'output' && e.stream === 'stderr' && e.data.startsWith('SCHED ')) {
      began.add(`${e.t} ${/^SCHED (\d+)ms/.exec(e.data)?.[1] ?? ''}`);
    }
  }
  let clean = Infinity;
  let any = Infinity;
  for (const { e } of traces) {
    const offset = e.at - e.uptimeMs * 1e6;
    any = Math.min(any, offset);
    if (began.has(`${e.at} ${e.uptimeMs}`)) clean = Math.min(clean, offset);
  }
  return clean === Infinity ? any : clean;
}

function judge(w: Window, runq: boolean): SchedtraceCheck {
  const n = w.e.gomaxprocs;
  const field = (
    quantity: SchedtraceQuantity,
    k: number,
    runtime: number,
    p?: number,
  ): SchedtraceFieldCheck => {
    const min = w.min[k] ?? 0;
    const max = w.max[k] ?? 0;
    return {
      quantity,
      ...(p !== undefined ? { p } : {}),
      runtime,
      model: { min, max },
      agrees: runtime >= min && runtime <= max,
    };
  };
  const fields: SchedtraceFieldCheck[] = [];
  if (runq) w.e.runqs.forEach((len, p) => fields.push(field('runq', p, len, p)));
  fields.push(field('idleprocs', n, w.e.idleprocs));
  fields.push(field('spinningthreads', n + 1, w.e.spinningthreads));
  if (runq) fields.push(field('runqueue', n + 2, w.e.runqueue));
  return {
    seq: w.e.seq,
    from: w.from,
    to: w.to,
    sampled: w.sampled,
    fields,
    agrees: fields.every((f) => f.agrees),
  };
}

/** Agreement counts per quantity over checks, for tests and the widget's words. */
export function schedtraceAgreement(
  checks: readonly SchedtraceCheck[],
): Record<SchedtraceQuantity, { agree: number; total: number; offByOne: number }> {
  const out = {} as Record<SchedtraceQuantity, { agree: number; total: number; offByOne: number }>;
  for (const q of ['runq', 'idleprocs', 'spinningthreads', 'runqueue'] as const) {
    out[q] = { agree: 0, total: 0, offByOne: 0 };
  }
  for (const c of checks) {
    for (const f of c.fields) {
      const o = out[f.quantity];
      o.total++;
      if (f.agrees) o.agree++;
      else if (f.runtime >= f.model.min - 1 && f.runtime <= f.model.max + 1) o.offByOne++;
    }
  }
  return out;
}
