/**
 * Why does this goroutine run now? For a `g.running`, where the scheduler
 * found it, read from the model just before the event: the P's runnext
 * slot, the head of its local queue, the global queue, another P's queue
 * (a steal), the network poller, or its own system call.
 *
 * The runtime's order (schedule/findRunnable in runtime/proc.go): every
 * 61st schedule of a P looks at the global queue first, so that a P busy
 * with its own queue cannot starve the global one; then runnext, then the
 * local queue; then the global queue, the poller, and stealing. A goroutine
 * taken from the global queue while its P had local work was therefore
 * taken by that fairness rule, and that is worth saying.
 */
import { z } from 'zod';
import type { EventOf } from './events';
import type { SchedState } from './state';

export const RUN_SOURCES = [
  'runnext',
  'local',
  'global',
  'steal',
  'netpoll',
  'syscall',
  'handoff',
  'unknown',
] as const;

export const RunSourceSchema = z.object({
  from: z.enum(RUN_SOURCES),
  /** The P it came from: the one whose runnext or local queue held it, or the steal's victim. */
  p: z.number().int().min(0).optional(),
  /** Taken from the global queue ahead of its P's own queue: the every-61st-schedule rule. */
  fairness: z.boolean().optional(),
});
export type RunSource = z.infer<typeof RunSourceSchema>;

/**
 * Where the goroutine that `e` starts came from, by the state before `e`.
 * `lastSteal` (the latest steal event before `e`, when the caller has it)
 * names the victim of a steal; the state only says the goroutine was handed
 * to the thief.
 */
export function whyRunning(
  before: SchedState,
  e: EventOf<'g.running'>,
  lastSteal?: EventOf<'steal'>,
): RunSource {
  const g = before.gs.get(e.goid);
  if (g === undefined) return { from: 'unknown' };
  switch (g.status) {
    case 'syscall':
      return { from: 'syscall' };
    case 'waiting':
      // findRunnable runs the first goroutine netpoll returns without queueing it.
      return g.wait?.reason === 'IO wait' ? { from: 'netpoll' } : { from: 'unknown' };
    case 'runnable':
      break;
    default:
      return { from: 'unknown' };
  }
  if (g.queue === 'global') {
    const own = e.p >= 0 ? before.procs[e.p] : undefined;
    const localWork = own !== undefined && (own.runnext !== 0 || own.runq.length > 0);
    // Without run queue contents (the trace backend), "its queue was not empty" is not known.
    const seesQueues = before.run?.fidelity.runq !== false;
    return localWork && seesQueues ? { from: 'global', fairness: true } : { from: 'global' };
  }
  if (g.queue === 'runnext' || g.queue === 'local') {
    // Another P's queue without a steal event seen: a steal all the same.
    if (e.p >= 0 && g.qp >= 0 && g.qp !== e.p) return { from: 'steal', p: g.qp };
    return { from: g.queue, p: g.qp };
  }
  // In no queue: handed over by a steal, back from a syscall without a P, or not seen queued.
  if (g.qp >= 0) {
    const stole = lastSteal && lastSteal.thief === g.qp && lastSteal.goids.includes(e.goid);
    if (stole) return { from: 'steal', p: lastSteal.victim };
    return { from: g.qp === e.p ? 'steal' : 'handoff' };
  }
  // Only a syscall exit without a P leaves a goroutine that has run on an M with no P.
  if (g.m >= 0 && g.p < 0) return { from: 'syscall' };
  return { from: 'unknown' };
}

/** "P1", or words for "no P" (a p of -1), never "P-1". */
export function pWords(p: number): string {
  return p >= 0 ? `P${p}` : 'no P';
}

function origin(source: RunSource, p: number): string {
  const same = source.p === undefined || source.p === p;
  switch (source.from) {
    case 'runnext':
      return `it was next in ${pWords(source.p ?? p)}'s runnext slot`;
    case 'local':
      return same
        ? `it was taken from the head of ${pWords(p)}'s local queue`
        : `it was taken from ${pWords(source.p ?? p)}'s local queue`;
    case 'global':
      return source.fairness
        ? `it was taken from the global run queue before ${pWords(p)}'s own queue (every 61st schedule, the global queue goes first so it cannot starve)`
        : 'it was taken from the global run queue';
    case 'steal':
      return source.p !== undefined
        ? `${pWords(p)} stole it from ${pWords(source.p)}`
        : `${pWords(p)} stole it from another P`;
    case 'netpoll':
      return 'the network poller found its I/O ready';
    case 'syscall':
      return 'it came back from a system call';
    case 'handoff':
      return `it was handed to ${pWords(p)} directly, without a queue`;
    default:
      return '';
  }
}

/**
 * The sentence for a `g.running` with its source: "g7 runs on P1: it was
 * next in P1's runnext slot". `who` names the goroutine ("g7 (worker)").
 */
export function whyRunningText(
  source: RunSource,
  e: EventOf<'g.running'>,
  who = `g${e.goid}`,
): string {
  const where = e.p >= 0 ? `on ${pWords(e.p)}` : `on M${e.m} without a P`;
  const m = e.p >= 0 && e.m >= 0 ? ` (M${e.m})` : '';
  const why = origin(source, e.p);
  const slice = e.inheritTime ? ', in the same time slice' : '';
  return `${who} runs ${where}${m}${why ? `: ${why}` : ''}${slice}`;
}
