/**
 * `{"type": "batch", "min": 32}`: a P whose local queue ran dry took a batch
 * of goroutines from the global queue at once: it moved all but one to its
 * local queue and ran the first. Read from the reducer's picture, so it does
 * not depend on which queue snapshots the probe chose to send.
 */
import { z } from 'zod';
import type { SlowmoEvent } from '../events';
import { apply } from '../reducer';
import { initialState } from '../state';
import { eventNumber, plural } from '../words';
import type { Found } from './compare';

export const BatchCheckSchema = z.object({
  type: z.literal('batch'),
  /** How many goroutines one batch must take at least. */
  min: z.number().int().min(2).default(2),
});
export type BatchCheck = z.infer<typeof BatchCheckSchema>;

interface Batch {
  p: number;
  seq: number;
  moved: number;
  ran: number;
}

/** Every batch taken from the global queue, by P, with the goroutine run at once. */
export function batches(events: readonly SlowmoEvent[]): Batch[] {
  const open = new Map<number, Batch>();
  const out: Batch[] = [];
  let state = initialState();
  for (const e of events) {
    const fromGlobal = 'goid' in e && state.gs.get(e.goid)?.queue === 'global';
    if (e.kind === 'g.runnable' && e.queue !== 'global' && e.qp >= 0 && fromGlobal) {
      const b = open.get(e.qp) ?? { p: e.qp, seq: e.seq, moved: 0, ran: 0 };
      b.moved++;
      open.set(e.qp, b);
    } else if (e.kind === 'g.running' && open.has(e.p)) {
      const b = open.get(e.p) as Batch;
      if (fromGlobal) b.ran = e.goid;
      out.push(b);
      open.delete(e.p);
    }
    state = apply(state, e);
  }
  return out;
}

export function evalBatch(check: BatchCheck, events: readonly SlowmoEvent[]): Found {
  const all = batches(events);
  const size = (b: Batch) => b.moved + (b.ran ? 1 : 0);
  const best = all.reduce<Batch | null>((a, b) => (a && size(a) >= size(b) ? a : b), null);
  const need = `needed at least ${check.min}`;
  if (best === null)
    return { passed: false, reason: `no P took a batch from the global queue (${need})` };
  const ran = best.ran ? ` and ran g${best.ran} at once` : '';
  return {
    passed: size(best) >= check.min,
    reason: `P${best.p} took ${plural(size(best), 'goroutine')} from the global queue at once at event ${eventNumber(best.seq)}: it moved ${best.moved} to its local queue${ran} (${need})`,
    seq: best.seq,
  };
}
