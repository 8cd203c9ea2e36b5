/**
 * `{"type": "fairness", "fn": "main.work"}`: the every-61st-schedule rule,
 * seen happen. A goroutine waiting in the global queue started to run while
 * its P's local queue still held goroutines, which only that rule does: a P
 * otherwise takes from the global queue when its local one is empty, and then
 * a whole batch (moved to its local queue, the first run at once), which is
 * told apart and not counted.
 */
import { z } from 'zod';
import type { SlowmoEvent } from '../events';
import { functionName } from '../goroutines';
import { apply } from '../reducer';
import { initialState, type SchedState } from '../state';
import { eventNumber, plural } from '../words';
import { ordinal, type Found } from './compare';
import { runsFunction } from './facts';

export const FairnessCheckSchema = z.object({
  type: z.literal('fairness'),
  /** Only goroutines of this function count. */
  fn: z.string().min(1).optional(),
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

export function evalFairness(check: FairnessCheck, events: readonly SlowmoEvent[]): Found {
  const batched = new Set<number>();
  const runsOnP = new Map<number, number>();
  const fns = new Map<number, string>();
  let fromGlobal = 0;
  let state = initialState();
  for (const e of events) {
    if (e.kind === 'g.create') fns.set(e.goid, e.fn);
    const moved = batchMove(state, e);
    if (moved !== null) batched.add(moved);
    if (e.kind === 'g.running' && e.p >= 0) {
      const nth = (runsOnP.get(e.p) ?? 0) + 1;
      runsOnP.set(e.p, nth);
      const global = state.gs.get(e.goid)?.queue === 'global';
      const mine = check.fn === undefined || runsFunction(check.fn, e.goid, fns.get(e.goid));
      const waiting = localLength(state, e.p);
      if (global && mine) fromGlobal++;
      if (global && mine && waiting > 0 && !batched.has(e.p)) {
        const fn = fns.get(e.goid);
        return {
          passed: true,
          reason: `g${e.goid}${fn ? ` (${functionName(fn)})` : ''} was taken from the global queue at event ${eventNumber(e.seq)} while P${e.p}'s local queue still held ${plural(waiting, 'goroutine')}: it was the ${ordinal(nth)} goroutine P${e.p} started, by the rule that every 61st schedule looks at the global queue first`,
          seq: e.seq,
        };
      }
      batched.delete(e.p);
    }
    state = apply(state, e);
  }
  const who = check.fn ? ` running ${check.fn}` : '';
  return {
    passed: false,
    reason:
      fromGlobal === 0
        ? `no goroutine${who} ran from the global queue`
        : `${plural(fromGlobal, 'goroutine')}${who} ran from the global queue, but each only once its P's local queue was empty (a batch), never while local goroutines waited`,
  };
}
