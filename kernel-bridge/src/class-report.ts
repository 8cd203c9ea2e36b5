/**
 * A graded class (class.ts) written for a teacher: one row per learner and
 * checkpoint (predictions included, and a row for each malformed notebook or
 * cell) as CSV for a spreadsheet and as JUnit XML for a CI or an LMS, and a
 * summary of the most missed checkpoints and the most common wrong
 * predictions. Every string may come from a learner's notebook or program:
 * the writers escape them, and a CSV cell never starts a formula.
 */
import type { CheckpointOutcome, GradeRow, RowStatus } from './protocol';
import type { ClassReport } from './class';

export type { GradeRow, RowStatus };

function outcomeRow(
  base: Omit<GradeRow, 'checkpoint' | 'title' | 'kind' | 'status' | 'answer' | 'reason'>,
  c: CheckpointOutcome,
): GradeRow {
  const p = c.prediction;
  return {
    ...base,
    checkpoint: c.id,
    title: c.title,
    kind: p ? 'prediction' : 'checkpoint',
    status: p ? p.status : c.passed ? 'passed' : 'failed',
    answer: p?.answer ?? '',
    reason: c.reason,
  };
}

const problemRow = (learner: string, notebook: string, cell: number, reason: string): GradeRow => ({
  learner,
  notebook,
  cell,
  checkpoint: '',
  title: '',
  kind: 'problem',
  status: 'problem',
  answer: '',
  reason,
});

/** The class as rows, learner by learner, in the order of their notebooks and cells. */
export function gradeRows(report: ClassReport): GradeRow[] {
  const rows: GradeRow[] = [];
  for (const l of report.learners) {
    if (l.problem) rows.push(problemRow(l.learner, '', 0, l.problem));
    for (const nb of l.notebooks) {
      if (nb.problem) rows.push(problemRow(l.learner, nb.path, 0, nb.problem));
      for (const c of nb.cells) {
        if (c.problem) rows.push(problemRow(l.learner, nb.path, c.cell, c.problem));
        for (const o of c.checkpoints)
          rows.push(outcomeRow({ learner: l.learner, notebook: nb.path, cell: c.cell }, o));
      }
    }
  }
  return rows;
}

const COLUMNS = [
  'learner',
  'notebook',
  'cell',
  'checkpoint',
  'title',
  'kind',
  'status',
  'answer',
  'reason',
] as const;

/** One CSV field: quoted when it must be; a leading =, +, -, @ kept from a spreadsheet's formulas. */
function csvField(value: string | number): string {
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180, with a header line. */
export function gradesCsv(rows: readonly GradeRow[]): string {
  const lines = [
    COLUMNS.join(','),
    ...rows.map((r) => COLUMNS.map((k) => csvField(r[k])).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** Text as XML allows it: escaped, and without the control characters XML 1.0 forbids. */
function xml(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function testcase(r: GradeRow): string {
  const name =
    r.kind === 'problem'
      ? r.cell > 0
        ? `cell ${r.cell}`
        : 'notebook'
      : `cell ${r.cell}: ${r.kind === 'prediction' ? 'prediction ' : ''}${r.checkpoint}: ${r.title}`;
  const open = `    <testcase classname="${xml(`${r.learner}.${r.notebook || '(none)'}`)}" name="${xml(name)}"`;
  const msg = `message="${xml(r.reason)}"`;
  switch (r.status) {
    case 'passed':
    case 'right':
      return `${open}/>`;
    case 'failed':
    case 'wrong':
      return `${open}>\n      <failure type="${r.status}" ${msg}/>\n    </testcase>`;
    case 'problem':
      return `${open}>\n      <error type="malformed" ${msg}/>\n    </testcase>`;
    default:
      // A prediction nobody can call right or wrong: neither a pass nor a failure.
      return `${open}>\n      <skipped ${msg}/>\n    </testcase>`;
  }
}

/** JUnit XML: a testsuite per learner, a testcase per checkpoint, prediction or problem. */
export function gradesJunit(report: ClassReport, rows: readonly GradeRow[]): string {
  const count = (rs: readonly GradeRow[], ...s: RowStatus[]) =>
    rs.filter((r) => s.includes(r.status)).length;
  const attrs = (rs: readonly GradeRow[]) =>
    `tests="${rs.length}" failures="${count(rs, 'failed', 'wrong')}" errors="${count(rs, 'problem')}" skipped="${count(rs, 'answered', 'unanswered')}"`;
  const suites = report.learners.map((l) => {
    const mine = rows.filter((r) => r.learner === l.learner);
    const cases = mine.map(testcase).join('\n');
    return `  <testsuite name="${xml(l.learner)}" ${attrs(mine)}>\n${cases}${cases ? '\n' : ''}  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xml(report.dir)}" ${attrs(rows)}>\n${suites.join('\n')}\n</testsuites>\n`;
}

/** Counts by key, the most frequent first (ties by key). */
function tally<T>(items: readonly T[], key: (t: T) => string): [string, number][] {
  const n = new Map<string, number>();
  for (const t of items) n.set(key(t), (n.get(key(t)) ?? 0) + 1);
  return [...n].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** A checkpoint that learners failed, with how many. */
export interface Missed {
  checkpoint: string;
  title: string;
  learners: number;
}

/** A wrong answer to a prediction, with how many learners gave it. */
export interface WrongAnswer extends Missed {
  answer: string;
}

/** Rows by key, the most frequent first (ties by key), each with its first row. */
function tallyRows(rows: readonly GradeRow[], key: (r: GradeRow) => string): [GradeRow, number][] {
  const first = new Map<string, GradeRow>();
  for (const r of rows) if (!first.has(key(r))) first.set(key(r), r);
  return tally(rows, key).map(([k, n]) => [first.get(k) as GradeRow, n]);
}

/** The checkpoints most failed, the most first. */
export function mostMissed(rows: readonly GradeRow[], top = 5): Missed[] {
  const failed = rows.filter((r) => r.status === 'failed');
  return tallyRows(failed, (r) => `${r.checkpoint}: ${r.title}`)
    .slice(0, top)
    .map(([r, learners]) => ({ checkpoint: r.checkpoint, title: r.title, learners }));
}

/** The wrong answers to predictions most given, the most first. */
export function commonWrongPredictions(rows: readonly GradeRow[], top = 5): WrongAnswer[] {
  const wrong = rows.filter((r) => r.status === 'wrong');
  return tallyRows(wrong, (r) => `${r.checkpoint}: ${r.title}: answered "${r.answer}"`)
    .slice(0, top)
    .map(([r, learners]) => ({
      checkpoint: r.checkpoint,
      title: r.title,
      answer: r.answer,
      learners,
    }));
}

/** What a teacher reads first: who could not be graded, the most missed checkpoints, the most common wrong predictions. */
export function classSummary(report: ClassReport, rows: readonly GradeRow[], top = 5): string {
  const total = report.learners.length;
  const passed = report.learners.filter((l) => l.passed).length;
  const lines = [
    `${total} learner(s): ${passed} passed every checkpoint, ${total - passed} did not`,
  ];
  const problems = rows.filter((r) => r.kind === 'problem');
  if (problems.length > 0) {
    lines.push('could not be graded (in part):');
    for (const r of problems)
      lines.push(
        `  ${r.learner}: ${r.notebook || '(no notebook)'}${r.cell ? ` cell ${r.cell}` : ''}: ${r.reason}`,
      );
  }
  const missed = mostMissed(rows, top);
  if (missed.length > 0) {
    lines.push('most missed checkpoints:');
    for (const m of missed)
      lines.push(`  ${m.learners} of ${total} learners  ${m.checkpoint}: ${m.title}`);
  }
  const wrong = commonWrongPredictions(rows, top);
  if (wrong.length > 0) {
    lines.push('most common wrong predictions:');
    for (const w of wrong)
      lines.push(
        `  ${w.learners} of ${total} learners  ${w.checkpoint}: ${w.title}: answered "${w.answer}"`,
      );
  }
  return `${lines.join('\n')}\n`;
}
