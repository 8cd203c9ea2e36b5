/**
 * The grades as the teacher panel lays them out: a row per learner, a column
 * per checkpoint or prediction (in the order the notebooks ask them), each
 * cell with a symbol and a word as well as its colour, and the learner's
 * totals. Built from the bridge's rows (class-report.ts's, as in the CSV).
 */
import type { ClassGrades, GradeRow, RowStatus } from '@go-slowmo/kernel-bridge/protocol';

export interface Column {
  key: string;
  checkpoint: string;
  title: string;
  prediction: boolean;
}

/** What a cell says: its symbol and word never leave it to colour alone. */
export const MARKS: Record<RowStatus | 'missing', { symbol: string; word: string }> = {
  passed: { symbol: '✔', word: 'passed' },
  failed: { symbol: '✘', word: 'failed' },
  right: { symbol: '✔', word: 'right' },
  wrong: { symbol: '✘', word: 'wrong' },
  answered: { symbol: '•', word: 'answered' },
  unanswered: { symbol: '?', word: 'not answered' },
  problem: { symbol: '⚠', word: 'not graded' },
  missing: { symbol: '–', word: 'not graded' },
};

export interface Cell {
  status: RowStatus | 'missing';
  /** The words shown: the mark's, with a prediction's answer. */
  text: string;
  /** Why, for its tooltip: the checkpoint's reason, each notebook's. */
  reason: string;
}

export interface LearnerRow {
  learner: string;
  /** The first notebook they handed in (inside the class folder), '' when none. */
  notebook: string;
  passed: boolean;
  cells: Cell[];
  /** What could not be graded: "notebook cell N: why". */
  problems: string[];
  checkpoints: { passed: number; total: number };
  predictions: { right: number; total: number };
}

const keyOf = (r: GradeRow) => `${r.kind}\u0000${r.checkpoint}\u0000${r.title}`;

export function columns(rows: readonly GradeRow[]): Column[] {
  const seen = new Map<string, Column>();
  for (const r of rows) {
    if (r.kind === 'problem' || seen.has(keyOf(r))) continue;
    seen.set(keyOf(r), {
      key: keyOf(r),
      checkpoint: r.checkpoint,
      title: r.title,
      prediction: r.kind === 'prediction',
    });
  }
  return [...seen.values()];
}

/** A learner's rows for one column as one cell (the worst first when several notebooks ask it). */
function cellOf(mine: readonly GradeRow[]): Cell {
  if (mine.length === 0) return { status: 'missing', text: MARKS.missing.word, reason: '' };
  const order: RowStatus[] = ['failed', 'wrong', 'unanswered', 'answered', 'passed', 'right'];
  const worst = [...mine].sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status))[0];
  const status = (worst as GradeRow).status;
  const answer = mine.find((r) => r.answer)?.answer;
  const word = MARKS[status].word;
  return {
    status,
    text:
      answer && (status === 'right' || status === 'wrong' || status === 'answered')
        ? `${word}: ${answer}`
        : word,
    reason: mine.map((r) => r.reason).join('\n'),
  };
}

export function problemText(r: GradeRow): string {
  const where = r.notebook || '(no notebook)';
  return `${where}${r.cell ? ` cell ${r.cell}` : ''}: ${r.reason}`;
}

export function learnerRows(grades: ClassGrades, cols: readonly Column[]): LearnerRow[] {
  return grades.learners.map(({ learner, passed }) => {
    const mine = grades.rows.filter((r) => r.learner === learner);
    const cps = mine.filter((r) => r.kind === 'checkpoint');
    const preds = mine.filter((r) => r.kind === 'prediction');
    return {
      learner,
      notebook: mine.find((r) => r.notebook)?.notebook ?? '',
      passed,
      cells: cols.map((c) => cellOf(mine.filter((r) => keyOf(r) === c.key))),
      problems: mine.filter((r) => r.kind === 'problem').map(problemText),
      checkpoints: { passed: cps.filter((r) => r.status === 'passed').length, total: cps.length },
      predictions: { right: preds.filter((r) => r.status === 'right').length, total: preds.length },
    };
  });
}
