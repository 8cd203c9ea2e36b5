/**
 * What the executor does for a comparison: at a run's start it takes the cell's previous
 * recording out of the output it is about to clear; at its end it compares the two and keeps
 * the list of differences with the new recording (and the run before in this page's memory,
 * for the timelines). Only two runs that both ran compare: a compile error has no run.
 */
import type { IOutputModel } from '@jupyterlab/rendermime';
import { comparisonOf, diffRuns, type SlowmoEvent } from '@go-slowmo/kernel-bridge/protocol';
import { RUN_MIME, unpack, type Recording, type SavedComparison } from '../recording';
import { rememberBefore } from './before-runs';

/**
 * The saved recording among the outputs, as it is (unpacked only when the run now has ended:
 * a long recording costs time to read, and the run now should not wait for it).
 */
export function previousData(outputs: { length: number; get(i: number): IOutputModel }): unknown {
  for (let i = 0; i < outputs.length; i++) {
    const data = outputs.get(i).data[RUN_MIME];
    if (data !== undefined) return data;
  }
  return undefined;
}

/** The run before, read from its saved data: undefined when there is none, it did not run, or it is damaged. */
function runBefore(data: unknown): Recording | undefined {
  if (data === undefined) return undefined;
  try {
    const rec = unpack(data);
    return rec.end && rec.events.length > 0 ? rec : undefined;
  } catch {
    // A damaged recording compares with nothing; the cell runs as always.
    return undefined;
  }
}

/** The new run compared with the one before; the run before kept under `session`. */
export function compareWithBefore(
  session: string,
  beforeData: unknown,
  now: readonly SlowmoEvent[],
): SavedComparison | undefined {
  const before = runBefore(beforeData);
  if (!before) return undefined;
  rememberBefore(session, before);
  return { ...comparisonOf(diffRuns(before.events, now)), session };
}
