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

interface Kick {
  /** Kicked out of runnext, and by whom. */
  old: number;
  by: number;
}

interface Batch {
  p: number;
  seq: number;
  goids: number[];
  kick: Kick | undefined;
  /** Whether the new goroutine was still in runnext after the move. */
  stayed: boolean;
}

function names(goids: readonly number[]): string {
  if (goids.length <= 3) return goids.map((g) => `g${g}`).join(', ');
  return `g${goids[0]} … g${goids[goids.length - 1]}`;
}

function sentence(b: Batch): string {
  const head = b.kick ? b.goids.filter((g) => g !== b.kick?.old) : b.goids;
  const from = `${plural(head.length, 'goroutine')} from the head of P${b.p}'s local queue (${names(head)})`;
  const kicked = b.kick
    ? ` and g${b.kick.old}, which the new g${b.kick.by} had just kicked out of runnext; g${b.kick.by} ${b.stayed ? 'stayed in runnext' : 'did not stay in runnext'}`
    : '';
  return `an overflow moved ${plural(b.goids.length, 'goroutine')} from P${b.p} to the global queue at event ${eventNumber(b.seq)}: ${from}${kicked}`;
}

/** Every overflow of a recording, each with the goroutine kicked out of runnext when one was. */
export function overflows(events: readonly SlowmoEvent[]): Batch[] {
  const kicks = new Map<number, Kick>();
  const batches: Batch[] = [];
  let state: SchedState = initialState();
  let open: Batch | null = null;
  for (const e of events) {
    const overflow = e.kind === 'g.runnable' && e.reason === 'overflow';
    if (!overflow && open) {
      open.stayed = open.kick !== undefined && state.procs[open.p]?.runnext === open.kick.by;
      open = null;
    }
    if (e.kind === 'g.runnable' && e.queue === 'runnext' && e.qp >= 0) {
      const old = state.procs[e.qp]?.runnext ?? 0;
      if (old !== 0 && old !== e.goid) kicks.set(e.qp, { old, by: e.goid });
    }
    if (overflow) {
      if (open === null) {
        open = { p: e.p, seq: e.seq, goids: [], kick: undefined, stayed: false };
        batches.push(open);
      }
      open.goids.push(e.goid);
      const kick = kicks.get(e.p);
      if (kick?.old === e.goid) open.kick = kick;
    }
    state = apply(state, e);
  }
  if (open) open.stayed = open.kick !== undefined && state.procs[open.p]?.runnext === open.kick.by;
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
  const need = `needed at least ${check.min}`;
  return largest
    ? { passed: false, reason: `${sentence(largest)} (${need})`, seq: largest.seq }
    : {
        passed: false,
        reason: `no local run queue overflowed into the global queue (${need} goroutines moved)`,
      };
}
