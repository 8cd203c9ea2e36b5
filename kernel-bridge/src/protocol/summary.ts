/**
 * summarize(state): the picture as plain JSON, for tests, checkpoints, the
 * CLI and anyone who wants to compare two states without knowing how the
 * reducer stores them.
 */
import type { GStatus, SchedState } from './state';

export interface ProcSummary {
  id: number;
  /** The M holding the P, -1 for none. */
  m: number;
  /** The goid running on it, null for none. */
  running: number | null;
  /** The goid in its runnext slot, null for none. */
  runnext: number | null;
  /** Its local run queue, head first. */
  runq: number[];
}

export interface StateSummary {
  procs: ProcSummary[];
  globalq: number[];
  goroutines: Record<string, GStatus>;
}

export function summarize(state: SchedState): StateSummary {
  const goroutines: Record<string, GStatus> = {};
  state.gs.forEach((g, goid) => {
    goroutines[goid] = g.status;
  });
  return {
    procs: state.procs.map((p) => ({
      id: p.id,
      m: p.m,
      running: p.running === 0 ? null : p.running,
      runnext: p.runnext === 0 ? null : p.runnext,
      runq: p.runq.slice(),
    })),
    globalq: state.globalq.slice(),
    goroutines,
  };
}
