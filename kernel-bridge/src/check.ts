/**
 * `slowmo check NOTEBOOK...`: runs every Go-slowmo cell of the notebooks
 * headless, in order, through the same session code as the bridge, and
 * evaluates each cell's checkpoints. CI runs it on the lessons' reference
 * solutions; a teacher runs it on students' notebooks to grade them.
 */
import { readFileSync } from 'node:fs';
import type { Bridge } from './bridge';
import { diagnosticLines, recordRun, type Recorded } from './record';
import {
  checkpointOutcomes,
  explainEnding,
  initialState,
  replay,
  isSlowmo,
  METADATA_KEY,
  parseMetadata,
  RunRequestSchema,
  cellRunRequest,
  uncheckedOutcomes,
  type BackendChoice,
  type CheckpointOutcome,
} from './protocol';

export interface CellReport {
  /** 1-based, among all the notebook's cells, as JupyterLab numbers them. */
  cell: number;
  passed: boolean;
  /** Why the cell failed as a whole: malformed options, compile errors, refused run. */
  problem?: string;
  end?: { reason: string; exitCode: number };
  /** How the program ended when it did not end well: a deadlock, a panic, a limit (the title of explainEnding). */
  ending?: string;
  checkpoints: CheckpointOutcome[];
}

export interface NotebookReport {
  path: string;
  passed: boolean;
  /** Why the notebook could not be read. */
  problem?: string;
  cells: CellReport[];
}

/** Predictions (predict, then reveal) counted apart: they teach, they do not grade. */
export interface PredictionCounts {
  /** Given an answer (right, wrong, or not decided by the run). */
  answered: number;
  right: number;
  wrong: number;
  unanswered: number;
}

export interface CheckReport {
  passed: boolean;
  notebooks: NotebookReport[];
  /** `checkpoints`, `passed` and `failed` leave the predictions out; `predictions` counts them. */
  counts: {
    cells: number;
    checkpoints: number;
    passed: number;
    failed: number;
    predictions: PredictionCounts;
  };
}

/** Whether an outcome is a prediction's, which never fails a cell. */
export const isPrediction = (c: CheckpointOutcome): boolean => c.prediction !== undefined;

export function predictionCounts(outcomes: readonly CheckpointOutcome[]): PredictionCounts {
  const status = outcomes.flatMap((c) => (c.prediction ? [c.prediction.status] : []));
  const n = (s: string) => status.filter((x) => x === s).length;
  return {
    answered: status.length - n('unanswered'),
    right: n('right'),
    wrong: n('wrong'),
    unanswered: n('unanswered'),
  };
}

interface NotebookCell {
  cell_type?: string;
  source?: string | string[];
  metadata?: Record<string, unknown>;
}

/** Numbers runs, so that cells checked at once never share a run id. */
let runs = 0;

/** Runs one cell through the bridge; resolves with its events or why it did not run. */
function runCell(
  bridge: Bridge,
  id: string,
  source: string,
  meta: ReturnType<typeof parseMetadata>,
  backend?: BackendChoice,
): Promise<Recorded> {
  const req = RunRequestSchema.parse({
    ...cellRunRequest(id, source, meta),
    ...(backend ? { backend } : {}),
    mode: 'record',
  });
  return recordRun(bridge, req);
}

/**
 * Runs one Go-slowmo cell (its source and its `metadata.slowmo`) and evaluates
 * its checkpoints, source checks on its code: what `slowmo check` does for
 * each cell, and the lessons' tests for each program they try.
 */
export async function checkCell(
  bridge: Bridge,
  cell: number,
  source: string,
  metadata: unknown,
  opts: { backend?: BackendChoice; goVersion?: string } = {},
): Promise<CellReport> {
  const report: CellReport = { cell, passed: false, checkpoints: [] };
  let meta;
  try {
    meta = parseMetadata(metadata);
  } catch (err) {
    report.problem = (err as Error).message;
    return report;
  }
  // A cell pinned to a version (a lesson showing an older runtime) keeps it.
  if (opts.goVersion && !meta.goVersion) meta = { ...meta, goVersion: opts.goVersion };
  const ran = await runCell(bridge, `check-${cell}-${++runs}`, source, meta, opts.backend);
  const end = ran.events.at(-1);
  if (end?.kind === 'run.end') {
    report.end = { reason: end.reason, exitCode: end.exitCode };
    const ending = explainEnding(ran.events, replay(ran.events, initialState()));
    if (ending) report.ending = ending.title;
  }
  if (ran.diagnostics) {
    report.problem = `it does not compile: ${diagnosticLines(ran.diagnostics).join('; ')}`;
  } else if (ran.error) {
    report.problem = `it did not run: ${ran.error}`;
  }
  report.checkpoints = report.problem
    ? uncheckedOutcomes(meta.checkpoints)
    : checkpointOutcomes(meta.checkpoints, ran.events, { source });
  report.passed = !report.problem && report.checkpoints.every((c) => c.passed || isPrediction(c));
  return report;
}

/** A notebook to check: its name in the report, and how to read its text (a file, or a request's body). */
export interface NotebookSource {
  path: string;
  read(): string;
}

export async function checkNotebooks(
  bridge: Bridge,
  paths: string[],
  opts: CheckOptions = {},
): Promise<CheckReport> {
  const sources = paths.map((path) => ({ path, read: () => readFileSync(path, 'utf8') }));
  return checkNotebookSources(bridge, sources, opts);
}

export interface CheckOptions {
  backend?: BackendChoice;
  /** Build every cell that names no Go version with this one. */
  goVersion?: string;
  onCell?: (path: string, report: CellReport) => void;
}

/** `checkNotebooks` for notebooks given as text: one that cannot be read or parsed is reported, not thrown. */
export async function checkNotebookSources(
  bridge: Bridge,
  sources: readonly NotebookSource[],
  opts: CheckOptions = {},
): Promise<CheckReport> {
  const notebooks: NotebookReport[] = [];
  for (const { path, read } of sources) {
    let cells: NotebookCell[];
    try {
      const nb = JSON.parse(read()) as { cells?: NotebookCell[] };
      if (!Array.isArray(nb.cells)) throw new Error('it has no "cells" list');
      cells = nb.cells;
    } catch (err) {
      notebooks.push({
        path,
        passed: false,
        problem: `cannot read it as a notebook: ${(err as Error).message}`,
        cells: [],
      });
      continue;
    }
    const reports: CellReport[] = [];
    for (const [i, cell] of cells.entries()) {
      if (cell.cell_type !== 'code' || !isSlowmo(cell.metadata)) continue;
      const source = Array.isArray(cell.source) ? cell.source.join('') : (cell.source ?? '');
      const report = await checkCell(bridge, i + 1, source, cell.metadata?.[METADATA_KEY], opts);
      reports.push(report);
      opts.onCell?.(path, report);
    }
    notebooks.push({ path, passed: reports.every((r) => r.passed), cells: reports });
  }
  return { passed: notebooks.every((n) => n.passed), notebooks, counts: reportCounts(notebooks) };
}

export function reportCounts(notebooks: readonly NotebookReport[]): CheckReport['counts'] {
  const all = notebooks.flatMap((n) => n.cells);
  const outcomes = all.flatMap((c) => c.checkpoints);
  const cps = outcomes.filter((c) => !isPrediction(c));
  return {
    cells: all.length,
    checkpoints: cps.length,
    passed: cps.filter((c) => c.passed).length,
    failed: cps.filter((c) => !c.passed).length,
    predictions: predictionCounts(outcomes),
  };
}

/** A prediction's lines: the question, the answer's status and why, the explanation. */
function predictionLines(cell: number, cp: CheckpointOutcome): string[] {
  const p = cp.prediction;
  if (!p) return [];
  const mark = { right: '✔', wrong: '✘', answered: '·', unanswered: '?' }[p.status];
  const lines = [`  cell ${cell}: ${mark} prediction ${cp.title}: ${p.status}: ${cp.reason}`];
  if (p.answers.length > 1) lines.push(`           answers, in order: ${p.answers.join(', ')}`);
  if (p.explanation) lines.push(`           why: ${p.explanation}`);
  return lines;
}

/** The report as a person reads it. */
export function formatReport(r: CheckReport): string {
  const lines: string[] = [];
  for (const nb of r.notebooks) {
    lines.push(`${nb.passed ? 'PASS' : 'FAIL'} ${nb.path}`);
    if (nb.problem) lines.push(`  ${nb.problem}`);
    for (const c of nb.cells) {
      if (c.problem) lines.push(`  cell ${c.cell}: ✘ ${c.problem}`);
      if (c.ending) lines.push(`  cell ${c.cell}: the program did not end well: ${c.ending}`);
      else if (c.checkpoints.length === 0)
        lines.push(`  cell ${c.cell}: ran (${c.end?.reason ?? 'no end'}), no checkpoints`);
      for (const cp of c.checkpoints) {
        if (isPrediction(cp)) {
          lines.push(...predictionLines(c.cell, cp));
          continue;
        }
        lines.push(`  cell ${c.cell}: ${cp.passed ? '✔' : '✘'} ${cp.title}: ${cp.reason}`);
        if (cp.hint) lines.push(`           hint: ${cp.hint}`);
      }
    }
  }
  const { cells, checkpoints, passed, failed, predictions: p } = r.counts;
  lines.push(
    `${r.notebooks.length} notebook(s), ${cells} Go-slowmo cell(s), ${checkpoints} checkpoint(s): ${passed} passed, ${failed} failed`,
  );
  if (p.answered + p.unanswered > 0)
    lines.push(
      `predictions: ${p.answered} answered (${p.right} right, ${p.wrong} wrong), ${p.unanswered} unanswered`,
    );
  return `${lines.join('\n')}\n`;
}
