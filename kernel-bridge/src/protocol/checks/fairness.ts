/**
 * `{"type": "fairness", "fn": "main.work"}`: the every-61st-schedule rule,
 * seen happen. A goroutine waiting in the global queue started to run while
 * its P's local queue still held goroutines, which only that rule does: a P
 * otherwise takes from the global queue when its local one is empty, and then
 * a whole batch (moved to its local queue, the first run at once), which is
 * told apart and not counted.
 */
import { z } from 'zod';
import { RUNNABLE_REASONS, type SlowmoEvent } from '../events';
import { functionName } from '../goroutines';
import { apply } from '../reducer';
import { initialState, type SchedState } from '../state';
import { eventNumber, plural } from '../words';
import type { Found } from './compare';
import { runsFunction } from './facts';

export const FairnessCheckSchema = z.object({
  type: z.literal('fairness'),
  /** Only goroutines of this function count. */
  fn: z.string().min(1).optional(),
  /** Only goroutines put in the global queue for this reason count (`overflow`: not a yield). */
  via: z.enum(RUNNABLE_REASONS).optional(),
});
export type FairnessCheck = z.infer<typeof FairnessCheckSchema>;

function localLength(state: SchedState, p: number): number {
  const proc = state.procs[p];
  return proc ? proc.runq.length + (proc.runnext !== 0 ? 1 : 0) : 0;
}

/** Whether `e` moves a goroutine from the global queue to a P's local one (a batch). */
function batchMove(state: SchedState, e: SlowmoEvent): number | null {
  if (e.kind !== 'g.runnable' || e.queue === 'global' || e.qp < 0) return null;
  return state.gs.get(e.goid)?.queue === 'global' ? e.qp : null;
}

/** The run in words, with how many goroutines its P had scheduled in new time slices before it. */
function picked(
  e: SlowmoEvent & { kind: 'g.running' },
  fn: string | undefined,
  waiting: number,
  before: number,
): Found {
  const name = `g${e.goid}${fn ? ` (${functionName(fn)})` : ''}`;
  return {
    passed: true,
    reason: `${name} was taken from the global queue at event ${eventNumber(e.seq)} while P${e.p}'s local queue still held ${plural(waiting, 'goroutine')}: P${e.p} had scheduled ${plural(before, 'goroutine')} in time slices of their own before it (every 61 schedules, a P looks at the global queue first)`,
    seq: e.seq,
  };
}

export function evalFairness(check: FairnessCheck, events: readonly SlowmoEvent[]): Found {
  const batched = new Set<number>();
  const slices = new Map<number, number>();
  const fns = new Map<number, string>();
  const why = new Map<number, string>();
  let fromGlobal = 0;
  let state = initialState();
  for (const e of events) {
    if (e.kind === 'g.create') fns.set(e.goid, e.fn);
    if (e.kind === 'g.runnable' && e.queue === 'global') why.set(e.goid, e.reason);
    const moved = batchMove(state, e);
    if (moved !== null) batched.add(moved);
    if (e.kind === 'g.running' && e.p >= 0) {
      // A goroutine run from runnext inherits its time slice: the runtime's schedtick does not count it.
      const before = slices.get(e.p) ?? 0;
      if (!e.inheritTime) slices.set(e.p, before + 1);
      const global = state.gs.get(e.goid)?.queue === 'global';
      const fn = fns.get(e.goid);
      const mine =
        (check.fn === undefined || runsFunction(check.fn, e.goid, fn)) &&
        (check.via === undefined || why.get(e.goid) === check.via);
      const waiting = localLength(state, e.p);
      if (global && mine) fromGlobal++;
      if (global && mine && waiting > 0 && !batched.has(e.p)) return picked(e, fn, waiting, before);
      batched.delete(e.p);
    }
    state = apply(state, e);
  }
  const fnWho = check.fn ? ` running ${check.fn}` : '';
  const via = check.via ? ` that went to the global queue by ${check.via}` : '';
  return {
    passed: false,
    reason:
      fromGlobal === 0
        ? `no goroutine${fnWho}${via} ran from the global queue`
        : `${plural(fromGlobal, 'goroutine')}${fnWho}${via} ran from the global queue, but each only once its P's local queue was empty (a batch), never while local goroutines waited`,
  };
}
