/**
 * An exploration across settings: the same program run N times with each
 * GOMAXPROCS value and each Go version asked (as `slowmo explore --procs 1,2
 * --go 1.22,1.27` does), and each output's runs counted per setting, so a
 * learner sees which settings give which output. Pure: the dialog
 * (sweep-dialog.ts) asks, the explorer runs (explore-run.ts) and draws.
 */
import type { ExploredRun, OutcomeGroup } from '@go-slowmo/kernel-bridge/protocol';

/** One setting the program runs with; a field left out is the cell's own. */
export interface Setting {
  procs?: number;
  go?: string;
}

export interface Sweep {
  /** Runs per setting, 1 to EXPLORE_RUNS_MAX. */
  runs: number;
  /** GOMAXPROCS values; empty: the cell's. */
  procs: number[];
  /** Go versions; empty: the cell's. */
  goVersions: string[];
}

/** Every Go version with every GOMAXPROCS value asked, in that order. */
export function settingsOf(sweep: Pick<Sweep, 'procs' | 'goVersions'>): Setting[] {
  const gos: (string | undefined)[] = sweep.goVersions.length ? sweep.goVersions : [undefined];
  const procs: (number | undefined)[] = sweep.procs.length ? sweep.procs : [undefined];
  return gos.flatMap((go) =>
    procs.map((p) => ({ ...(go ? { go } : {}), ...(p ? { procs: p } : {}) })),
  );
}

/** How a run's setting reads: "Go 1.27.4, GOMAXPROCS 2". */
export function settingWords(run: Pick<ExploredRun, 'go' | 'procs'>): string {
  return `${run.go.replace(/^go/, 'Go ')}, GOMAXPROCS ${run.procs}`;
}

/**
 * An output's runs counted per setting, in the order the settings first ran;
 * empty when every run had the same one (nothing to tell apart).
 */
export function perSetting(
  outcome: Pick<OutcomeGroup, 'runs'>,
  runs: readonly ExploredRun[],
): { setting: string; count: number; of: number }[] {
  const all = new Map<string, number>();
  for (const r of runs) all.set(settingWords(r), (all.get(settingWords(r)) ?? 0) + 1);
  if (all.size < 2) return [];
  const mine = new Set(outcome.runs);
  return [...all].map(([setting, of]) => ({
    setting,
    of,
    count: runs.filter((r) => mine.has(r.id) && settingWords(r) === setting).length,
  }));
}
