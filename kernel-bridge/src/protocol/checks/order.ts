/**
 * `{"type": "order", "first": "main.first", "then": "main.second"}`: a
 * goroutine of one function started running before any goroutine of another
 * did. First runs only: a goroutine that ran, parked and ran again later does
 * not count as running before someone it let go first.
 */
import { z } from 'zod';
import type { SlowmoEvent } from '../events';
import { eventNumber } from '../words';
import type { Found } from './compare';
import { runsFunction } from './facts';

export const OrderCheckSchema = z.object({
  type: z.literal('order'),
  first: z.string().min(1),
  then: z.string().min(1),
});
export type OrderCheck = z.infer<typeof OrderCheckSchema>;

interface FirstRun {
  goid: number;
  seq: number;
}

/** The first g.running of a goroutine of each function, in one pass. */
function firstRuns(check: OrderCheck, events: readonly SlowmoEvent[]) {
  const fnOf = new Map<number, string>();
  let first: FirstRun | null = null;
  let then: FirstRun | null = null;
  for (const e of events) {
    if (e.kind === 'g.create') fnOf.set(e.goid, e.fn);
    if (e.kind !== 'g.running') continue;
    const fn = fnOf.get(e.goid);
    if (first === null && runsFunction(check.first, e.goid, fn))
      first = { goid: e.goid, seq: e.seq };
    if (then === null && runsFunction(check.then, e.goid, fn)) then = { goid: e.goid, seq: e.seq };
  }
  return { first, then };
}

const ran = (fn: string, r: FirstRun) =>
  `g${r.goid} (${fn}) first ran at event ${eventNumber(r.seq)}`;

export function evalOrder(check: OrderCheck, events: readonly SlowmoEvent[]): Found {
  const { first, then } = firstRuns(check, events);
  if (first === null) return { passed: false, reason: `no goroutine running ${check.first} ran` };
  if (then === null || first.seq < then.seq) {
    const after =
      then === null
        ? `, and no goroutine of ${check.then} ran`
        : `, before ${ran(check.then, then)}`;
    return { passed: true, reason: `${ran(check.first, first)}${after}`, seq: first.seq };
  }
  return {
    passed: false,
    reason: `${ran(check.then, then)}, before ${ran(check.first, first)}`,
    seq: then.seq,
  };
}
