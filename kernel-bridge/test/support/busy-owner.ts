/**
 * Issue 15's busy owner: 100 clients ask one owner goroutine over channels
 * for a second, as fast as they can. It makes events faster than anything
 * downstream can pass them on, so it is the test of back-pressure. One
 * program for the probe's Go test and the bridge's tests, and the check its
 * recordings must pass.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apply, initialState, type SlowmoEvent } from '../../src/protocol';

export const BUSY_OWNER = readFileSync(
  join(__dirname, '..', '..', '..', 'bpf', 'internal', 'probe', 'testdata', 'owner.go'),
  'utf8',
);

/** What it prints when it ends well. */
export const BUSY_OWNER_PRINTS = 'clients done true\n';

/**
 * Each runq snapshot the model did not already hold: before a snapshot is
 * applied, the reducer's queue of that P must be what the runtime's is.
 * Returns the disagreements (empty: the model agreed every time) and the
 * number of snapshots.
 */
export function runqDisagreements(events: readonly SlowmoEvent[]): {
  snapshots: number;
  disagreements: string[];
} {
  let state = initialState();
  let snapshots = 0;
  const disagreements: string[] = [];
  for (const e of events) {
    if (e.kind === 'runq') {
      snapshots++;
      const before = state.procs[e.qp];
      const modelled = { runnext: before?.runnext ?? 0, goids: [...(before?.runq ?? [])] };
      const runtime = { runnext: e.runnext, goids: e.goids };
      if (JSON.stringify(modelled) !== JSON.stringify(runtime))
        disagreements.push(
          `seq ${e.seq} P${e.qp}: modelled ${JSON.stringify(modelled)}, runtime ${JSON.stringify(runtime)}`,
        );
    }
    state = apply(state, e);
  }
  return { snapshots, disagreements };
}
