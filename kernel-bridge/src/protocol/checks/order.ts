/**
 * `{"type": "order", "first": "main.first", "then": "main.second"}`: a
 * goroutine of one function started running before any goroutine of another
 * did. First runs only: a goroutine that ran, parked and ran again later does
 * not count as running before someone it let go first. With `"event":
 * "park"`, the first parks in the learner's code instead (g1's parks while the
 * runtime starts up are not main's).
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
  event: z.enum(['run', 'park']).default('run'),
});
export type OrderCheck = z.infer<typeof OrderCheckSchema>;

interface FirstRun {
  goid: number;
  seq: number;
  /** For a park: why. */
  reason?: string;
}

/** The goroutine an event is the first run (or park in the learner's code) of, if it is one. */
function counts(check: OrderCheck, e: SlowmoEvent): FirstRun | null {
  if (check.event === 'run') return e.kind === 'g.running' ? { goid: e.goid, seq: e.seq } : null;
  if (e.kind !== 'g.waiting' || !e.file) return null;
  return { goid: e.goid, seq: e.seq, reason: e.reason };
}

/** The first g.running of a goroutine of each function, in one pass. */
function firstRuns(check: OrderCheck, events: readonly SlowmoEvent[]) {
  const fnOf = new Map<number, string>();
  let first: FirstRun | null = null;
  let then: FirstRun | null = null;
  for (const e of events) {
    if (e.kind === 'g.create') fnOf.set(e.goid, e.fn);
    const hit = counts(check, e);
    if (hit === null) continue;
    const fn = fnOf.get(hit.goid);
    if (first === null && runsFunction(check.first, hit.goid, fn)) first = hit;
    if (then === null && runsFunction(check.then, hit.goid, fn)) then = hit;
  }
  return { first, then };
}

const ran = (fn: string, r: FirstRun) =>
  r.reason === undefined
    ? `g${r.goid} (${fn}) first ran at event ${eventNumber(r.seq)}`
    : `g${r.goid} (${fn}) first parked at event ${eventNumber(r.seq)} (${r.reason})`;

export function evalOrder(check: OrderCheck, events: readonly SlowmoEvent[]): Found {
  const { first, then } = firstRuns(check, events);
  const verb = check.event === 'run' ? 'ran' : 'parked';
  if (first === null)
    return { passed: false, reason: `no goroutine running ${check.first} ${verb}` };
  if (then === null || first.seq < then.seq) {
    const after =
      then === null
        ? `, and no goroutine of ${check.then} ${verb}`
        : `, before ${ran(check.then, then)}`;
    return { passed: true, reason: `${ran(check.first, first)}${after}`, seq: first.seq };
  }
  return {
    passed: false,
    reason: `${ran(check.then, then)}, before ${ran(check.first, first)}`,
    seq: then.seq,
  };
}
