/**
 * `{"type": "overflow", "min": 129}`: a P's local run queue overflowed into
 * the global one, told as runqputslow does it. A new goroutine takes runnext
 * and kicks the old one out; with the local queue full, that kicked-out
 * goroutine goes to the global queue together with the first half of the
 * local queue, while the new one stays in runnext. The result names all three
 * parts, so the lesson's claim is shown on the learner's own run.
 */
import { z } from 'zod';
import type { SlowmoEvent } from '../events';
import { apply } from '../reducer';
import { initialState, type SchedState } from '../state';
import { eventNumber, plural } from '../words';
import type { Found } from './compare';

export const OverflowCheckSchema = z.object({
  type: z.literal('overflow'),
  /** How many goroutines one overflow must move at least. */
  min: z.number().int().min(1).default(1),
});
export type OverflowCheck = z.infer<typeof OverflowCheckSchema>;

interface Batch {
  p: number;
  seq: number;
  goids: number[];
  /** The goroutine kicked out of runnext that went with them, and the new one that kicked it. */
  kicked: number;
  by: number;
}

function names(goids: readonly number[]): string {
  if (goids.length <= 3) return goids.map((g) => `g${g}`).join(', ');
  return `g${goids[0]} … g${goids[goids.length - 1]}`;
}

function sentence(b: Batch): string {
  const head = b.goids.filter((g) => g !== b.kicked);
  const from = `${plural(head.length, 'goroutine')} from the head of P${b.p}'s local queue (${names(head)})`;
  const by = b.by
    ? `the new g${b.by} had just kicked out of runnext; g${b.by} stayed in runnext`
    : '';
  const kicked = b.kicked
    ? ` and g${b.kicked}, which ${by || 'had just been kicked out of runnext'}`
    : '';
  return `an overflow moved ${plural(b.goids.length, 'goroutine')} from P${b.p} to the global queue at event ${eventNumber(b.seq)}: ${from}${kicked}`;
}

/**
 * Every overflow of a recording. The G kicked out of runnext is the one the
 * picture had in runnext when the move began; the probe may report the new G's
 * arrival in runnext just before the move or just after it, so the G that
 * kicked it is the one put in runnext last before, or first after.
 */
export function overflows(events: readonly SlowmoEvent[]): Batch[] {
  const batches: Batch[] = [];
  const lastInRunnext = new Map<number, { goid: number; old: number }>();
  let state: SchedState = initialState();
  let open: Batch | null = null;
  let waitingForBy: Batch | null = null;
  for (const e of events) {
    const overflow = e.kind === 'g.runnable' && e.reason === 'overflow';
    if (!overflow) open = null;
    if (e.kind === 'g.runnable' && e.queue === 'runnext' && e.qp >= 0) {
      lastInRunnext.set(e.qp, { goid: e.goid, old: state.procs[e.qp]?.runnext ?? 0 });
      if (waitingForBy?.p === e.qp) waitingForBy.by = e.goid;
      waitingForBy = null;
    }
    if (overflow) {
      if (open === null) {
        open = { p: e.p, seq: e.seq, goids: [], kicked: 0, by: 0 };
        batches.push(open);
        waitingForBy = null;
      }
      open.goids.push(e.goid);
      // The kicked G goes last: the one in runnext (its kicker not seen yet), or the one the last G put there kicked.
      const runnext = state.procs[e.p]?.runnext ?? 0;
      const last = lastInRunnext.get(e.p);
      if (e.goid === runnext) {
        open.kicked = e.goid;
        open.by = 0;
        waitingForBy = open;
      } else if (last && e.goid === last.old && last.goid === runnext) {
        open.kicked = e.goid;
        open.by = last.goid;
        waitingForBy = null;
      }
    }
    state = apply(state, e);
  }
  // The kicked G is named only when it went with the others.
  for (const b of batches) {
    if (!b.goids.includes(b.kicked)) b.kicked = 0;
    if (b.kicked === 0 || b.goids.includes(b.by)) b.by = 0;
  }
  return batches;
}

export function evalOverflow(check: OverflowCheck, events: readonly SlowmoEvent[]): Found {
  const all = overflows(events);
  const big = all.find((b) => b.goids.length >= check.min);
  if (big) return { passed: true, reason: sentence(big), seq: big.seq };
  const largest = all.reduce<Batch | null>(
    (a, b) => (a && a.goids.length >= b.goids.length ? a : b),
    null,
  );
  const need = `needed at least ${plural(check.min, 'goroutine')} moved`;
  return largest
    ? { passed: false, reason: `${sentence(largest)} (${need})`, seq: largest.seq }
    : {
        passed: false,
        reason: `no local run queue overflowed into the global queue (${need})`,
      };
}
