/**
 * `{"type": "parallel", "fn": "main.count", "value": 2, "forMs": 5}`:
 * simultaneity as simultaneity. How many Ps ran goroutines of one function at
 * the same instant (or, with `"state": "parked"`, how many of its goroutines
 * were parked at once), for at least `forMs` in all: the runtime's own
 * goroutines on another P, a start-up moment or goroutines that only take
 * turns never count, and the margin keeps a microsecond's overlap (a
 * goroutine spinning on a mutex while its holder finishes) from passing.
 */
import { z } from 'zod';
import type { SlowmoEvent } from '../events';
import { apply } from '../reducer';
import { initialState, type SchedState } from '../state';
import { comparisonWords, eventNumber, plural } from '../words';
import { compare, COMPARE_OPS, msWords, type Found } from './compare';
import { runsFunction } from './facts';

export const ParallelCheckSchema = z.object({
  type: z.literal('parallel'),
  fn: z.string().min(1),
  /** Count the Ps running its goroutines, or its goroutines that are parked. */
  state: z.enum(['running', 'parked']).default('running'),
  op: z.enum(COMPARE_OPS).default('>='),
  value: z.number().int().min(0),
  /** How long it must hold, in ms in all: a timing margin (0: one instant is enough). */
  forMs: z.number().min(0).default(0),
  /**
   * And for at least this share (%) of the time any goroutine of `fn` ran (or was parked): a
   * margin that scales with the machine's speed, where `forMs` does not.
   */
  forShare: z.number().min(0).max(100).optional(),
});
export type ParallelCheck = z.infer<typeof ParallelCheckSchema>;

/**
 * How many Ps run its goroutines, not counting one on its way out: a goroutine
 * that has woken main or another of its kind in this turn (its Unlock, wg.Done
 * or last send) has done its work, and its thread, if the machine is busy, may
 * wait a while for a CPU to finish; counted, it would overlap with the
 * goroutine it woke.
 */
function countOf(
  check: ParallelCheck,
  state: SchedState,
  mine: ReadonlySet<number>,
  leaving: ReadonlySet<number>,
): number {
  if (check.state === 'running') {
    return state.procs.reduce(
      (n, p) => n + (mine.has(p.running) && !leaving.has(p.running) ? 1 : 0),
      0,
    );
  }
  let n = 0;
  for (const goid of mine) if (state.gs.get(goid)?.status === 'waiting') n++;
  return n;
}

/** "2 Ps ran goroutines of main.count at the same time" / "10 goroutines of main.nap were parked at once". */
function what(check: ParallelCheck, n: string, one: boolean): string {
  return check.state === 'running'
    ? `${n} ${one ? 'P' : 'Ps'} ran goroutines of ${check.fn} at the same time`
    : `${n} ${one ? 'goroutine' : 'goroutines'} of ${check.fn} ${one ? 'was' : 'were'} parked at the same time`;
}

export function evalParallel(check: ParallelCheck, events: readonly SlowmoEvent[]): Found {
  const mine = new Set<number>();
  const leaving = new Set<number>();
  if (check.fn === 'main.main') mine.add(1);
  let state = initialState();
  let most = 0;
  let total = 0;
  let span = 0;
  let since: { t: number; ok: boolean; any: boolean } | null = null;
  let first = -1;
  for (const e of events) {
    if (e.kind === 'g.create' && runsFunction(check.fn, e.goid, e.fn)) mine.add(e.goid);
    if (e.kind === 'g.running') leaving.delete(e.goid);
    // Handing over to main or to another of its kind: the runtime's own wake-ups do not count.
    const handover = e.kind === 'g.runnable' && (e.goid === 1 || mine.has(e.goid));
    if (handover && e.by !== undefined && mine.has(e.by)) leaving.add(e.by);
    if (since !== null) {
      if (since.ok) total += e.t - since.t;
      if (since.any) span += e.t - since.t;
    }
    state = apply(state, e);
    const n = countOf(check, state, mine, leaving);
    most = Math.max(most, n);
    const ok = mine.size > 0 && compare(n, check.op, check.value);
    since = { t: e.t, ok, any: n > 0 };
    if (ok && first < 0) first = e.seq;
  }
  return verdict(check, { mine: mine.size, most, total, span, first });
}

function verdict(
  check: ParallelCheck,
  r: { mine: number; most: number; total: number; span: number; first: number },
): Found {
  const share = r.span > 0 ? Math.round((100 * r.total) / r.span) : 0;
  const margins = [
    ...(check.forMs > 0 ? [`for at least ${check.forMs} ms in all`] : []),
    ...(check.forShare !== undefined
      ? [
          `for at least ${check.forShare}% of the time any of them ${check.state === 'running' ? 'ran' : 'was parked'}`,
        ]
      : []),
  ];
  const margin = margins.length ? `, ${margins.join(' and ')}: a timing margin` : '';
  const need = `needed ${comparisonWords(check.op, check.value)}${margin}`;
  if (r.mine === 0) {
    return { passed: false, reason: `no goroutine running ${check.fn} was created (${need})` };
  }
  if (r.first < 0) {
    return {
      passed: false,
      reason: `at most ${what(check, String(r.most), r.most === 1)} (${need})`,
    };
  }
  const passed =
    r.total >= check.forMs * 1e6 && (check.forShare === undefined || share >= check.forShare);
  const held = what(check, comparisonWords(check.op, check.value), check.value === 1);
  return {
    passed,
    reason: `${held} for ${msWords(r.total)} in all (${share}% of the time any of them ${check.state === 'running' ? 'ran' : 'was parked'}), first at event ${eventNumber(r.first)} (${need}; the most at once: ${plural(r.most, check.state === 'running' ? 'P' : 'goroutine')})`,
    seq: r.first,
  };
}
