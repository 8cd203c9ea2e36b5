/**
 * What the executor does for a comparison: at a run's start it takes the cell's previous
 * recording out of the output it is about to clear, and reads and measures it while the new run
 * goes on (a long recording costs a few hundred ms to check and measure: not at the run's end,
 * when the learner waits for the picture); at the end it measures the new run, compares the two
 * and keeps the list of differences with the new recording (and the run before in this page's
 * memory, for the timelines). Only two runs that both ran compare: a compile error has no run.
 */
import type { IOutputModel } from '@jupyterlab/rendermime';
import {
  comparisonOf,
  diffRuns,
  measureRun,
  type RunMeasures,
  type SlowmoEvent,
} from '@go-slowmo/kernel-bridge/protocol';
import { RUN_MIME, unpack, type Recording, type SavedComparison } from '../recording';
import { rememberBefore } from './before-runs';

interface Measured {
  rec: Recording;
  measures: RunMeasures;
}

/** The cell's run before, read and measured in the background once the new run has started. */
export class RunBefore {
  private measured: Measured | undefined | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The saved recording, until it is read. */
  /** From the outputs about to be cleared; nothing to compare when none holds a recording. */
  constructor(outputs: { length: number; get(i: number): IOutputModel }) {
    let data: unknown = undefined;
    for (let i = 0; i < outputs.length && data === undefined; i++)
      data = outputs.get(i).data[RUN_MIME];
    if (data === undefined) {
      this.measured = undefined;
      return;
    }
    // After the run's first frames: the live picture comes first.
    this.timer = setTimeout(() => this.measure(data), 500);
    this.pending = data;
  }

  private pending: unknown;

  private measure(data: unknown): void {
    if (this.measured !== null) return;
    this.measured = undefined;
    try {
      const rec = unpack(data);
      // A run that did not run (a compile error) compares with nothing.
      if (rec.end && rec.events.length > 0)
        this.measured = { rec, measures: measureRun(rec.events) };
    } catch {
      // A damaged recording compares with nothing; the cell ran as always.
    }
  }

  /** The new run compared with this one; the run before kept under `session`. */
  compare(session: string, now: readonly SlowmoEvent[]): SavedComparison | undefined {
    clearTimeout(this.timer);
    this.measure(this.pending);
    const before = this.measured;
    if (!before) return undefined;
    rememberBefore(session, before.rec);
    return { ...comparisonOf(diffRuns(before.measures, measureRun(now))), session };
  }
}
