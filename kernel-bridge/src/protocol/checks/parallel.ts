/**
 * `{"type": "parallel", "fn": "main.count", "value": 2, "forMs": 5}`:
 * simultaneity as simultaneity. How many Ps ran goroutines of one function at
 * the same instant, held for a stretch of at least `forMs`: the runtime's
 * own goroutines on another P, a start-up moment or two goroutines that only
 * take turns never count, and the margin keeps a microsecond's overlap (a
 * goroutine spinning on a mutex while its holder finishes) from passing.
 */
import { z } from 'zod';
import type { SlowmoEvent } from '../events';
import { apply } from '../reducer';
import { initialState, type SchedState } from '../state';
import { comparisonWords, eventNumber } from '../words';
import { compare, COMPARE_OPS, msWords, type Found } from './compare';
import { runsFunction } from './facts';

export const ParallelCheckSchema = z.object({
  type: z.literal('parallel'),
  fn: z.string().min(1),
  op: z.enum(COMPARE_OPS).default('>='),
  value: z.number().int().min(0),
  /** The shortest stretch that counts, in ms: a timing margin (0: one instant is enough). */
  forMs: z.number().min(0).default(0),
});
export type ParallelCheck = z.infer<typeof ParallelCheckSchema>;

function runningOf(state: SchedState, mine: ReadonlySet<number>): number {
  return state.procs.reduce((n, p) => n + (mine.has(p.running) ? 1 : 0), 0);
}

interface Stretch {
  from: number;
  seq: number;
  length: number;
}

export function evalParallel(check: ParallelCheck, events: readonly SlowmoEvent[]): Found {
  const mine = new Set<number>();
  if (check.fn === 'main.main') mine.add(1);
  let state = initialState();
  let most = 0;
  let open: Stretch | null = null;
  let best: Stretch | null = null;
  const end = (t: number) => {
    if (open === null) return;
    open.length = t - open.from;
    if (best === null || open.length > best.length) best = open;
    open = null;
  };
  for (const e of events) {
    if (e.kind === 'g.create' && runsFunction(check.fn, e.goid, e.fn)) mine.add(e.goid);
    state = apply(state, e);
    const n = runningOf(state, mine);
    most = Math.max(most, n);
    const ok = mine.size > 0 && compare(n, check.op, check.value);
    if (ok && open === null) open = { from: e.t, seq: e.seq, length: 0 };
    else if (!ok) end(e.t);
  }
  end(events.at(-1)?.t ?? 0);
  const need = `${comparisonWords(check.op, check.value)}${check.forMs > 0 ? ` for at least ${check.forMs} ms (a timing margin)` : ''}`;
  const what = `Ps running goroutines of ${check.fn} at the same time`;
  const found = best as Stretch | null;
  if (found === null) {
    const none =
      mine.size === 0
        ? `no goroutine running ${check.fn} was created`
        : `at most ${most} ${what.replace(/^Ps/, most === 1 ? 'P' : 'Ps')}`;
    return { passed: false, reason: `${none} (needed ${need})` };
  }
  const passed = found.length >= check.forMs * 1e6;
  return {
    passed,
    reason: `${comparisonWords(check.op, check.value)} ${what}${passed ? '' : ' at most'} for ${msWords(found.length)}, from event ${eventNumber(found.seq)} (needed ${need})`,
    seq: found.seq,
  };
}
