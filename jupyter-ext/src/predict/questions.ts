/**
 * Predict, then reveal, as the notebook keeps it: the questions of a cell's
 * `metadata.slowmo.checkpoints` (a checkpoint whose check is `predict`), the
 * learner's answers recorded there, and each answer judged against the run's
 * outcome. Pure: the panel (panel.ts) draws what these return.
 *
 * The first answer is the prediction and the one graded (checks/predict.ts).
 * Until a run has revealed it, picking another choice replaces it: the
 * learner is still predicting. Once revealed, every new answer is appended,
 * kept and judged, never graded.
 */
import type { SavedOutcome } from '../recording';

/** The protocol's PREDICT_ANSWERS_MAX (not exported): more would make the cell's metadata invalid. */
const ANSWERS_MAX = 50;

export interface Question {
  /** The checkpoint's id: where the answers go. */
  id: string;
  title: string;
  question: string;
  /** `line`: the choice is that line of the cell's code, and can be picked there. */
  choices: { id: string; label: string; line?: number }[];
  answers: string[];
  explanation?: string;
}

export type Verdict = 'right' | 'wrong' | 'undecided';

export interface JudgedAnswer {
  choice: string;
  label: string;
  verdict: Verdict;
  /** The first answer: the prediction, the one graded. */
  graded: boolean;
}

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One checkpoint as a question, or null when it is not a well-formed top-level prediction. */
function asQuestion(cp: unknown): Question | null {
  if (!isObject(cp) || !isObject(cp.check) || cp.check.type !== 'predict') return null;
  const { question, choices, answers, explanation } = cp.check;
  if (typeof cp.id !== 'string' || typeof question !== 'string' || !Array.isArray(choices))
    return null;
  const options = choices.filter(
    (c): c is { id: string; label: string; line?: unknown } =>
      isObject(c) && typeof c.id === 'string' && typeof c.label === 'string',
  );
  if (options.length !== choices.length) return null;
  return {
    id: cp.id,
    title: typeof cp.title === 'string' ? cp.title : cp.id,
    question,
    choices: options.map(({ id, label, line }) => ({
      id,
      label,
      ...(Number.isInteger(line) && (line as number) >= 1 ? { line: line as number } : {}),
    })),
    answers: Array.isArray(answers)
      ? answers.filter((a): a is string => typeof a === 'string')
      : [],
    ...(typeof explanation === 'string' ? { explanation } : {}),
  };
}

/** The predictions a cell's `metadata.slowmo` asks (malformed ones are left to the run's error). */
export function questionsOf(slowmo: unknown): Question[] {
  if (!isObject(slowmo) || !Array.isArray(slowmo.checkpoints)) return [];
  return slowmo.checkpoints.map(asQuestion).filter((q): q is Question => q !== null);
}

/** The questions not answered yet: the run waits for them. */
export function unanswered(slowmo: unknown): Question[] {
  return questionsOf(slowmo).filter((q) => q.answers.length === 0);
}

/**
 * The cell's `metadata.slowmo` with `choice` answered to checkpoint `id`:
 * replacing the prediction while unrevealed, appended once revealed (a
 * repeat of the last answer changes nothing). Null when nothing changes.
 */
export function withAnswer(
  slowmo: unknown,
  id: string,
  choice: string,
  revealed: boolean,
): Raw | null {
  if (!isObject(slowmo) || !Array.isArray(slowmo.checkpoints)) return null;
  const q = questionsOf(slowmo).find((x) => x.id === id);
  if (!q || !q.choices.some((c) => c.id === choice)) return null;
  let answers: string[];
  if (!revealed || q.answers.length === 0) answers = [choice];
  else if (q.answers[q.answers.length - 1] === choice) answers = q.answers;
  else answers = [...q.answers, choice].slice(0, ANSWERS_MAX);
  if (answers.length === q.answers.length && answers.every((a, i) => a === q.answers[i]))
    return null;
  const checkpoints = slowmo.checkpoints.map((cp) =>
    isObject(cp) && cp.id === id && isObject(cp.check)
      ? { ...cp, check: { ...cp.check, answers } }
      : cp,
  );
  return { ...slowmo, checkpoints };
}

/** Whether a run has revealed the prediction: its outcome carries an answer. */
export function isRevealed(outcome: SavedOutcome | undefined): boolean {
  return outcome?.prediction?.answer !== undefined;
}

/**
 * Each answer judged by what the run showed (the choices it bore out): the
 * first graded, the rest kept. Empty before a run has revealed the question.
 */
export function judge(q: Question, outcome: SavedOutcome | undefined): JudgedAnswer[] {
  const p = outcome?.prediction;
  if (!p || p.answer === undefined) return [];
  const label = (id: string) => q.choices.find((c) => c.id === id)?.label ?? id;
  return q.answers.map((choice, i) => ({
    choice,
    label: label(choice),
    verdict: p.actual.length === 0 ? 'undecided' : p.actual.includes(choice) ? 'right' : 'wrong',
    graded: i === 0,
  }));
}

/** A choice that is a line of the cell's code, to be picked beside it. */
export interface LinePick {
  question: string;
  choice: string;
  line: number;
  label: string;
  /** It is the learner's latest answer to its question. */
  chosen: boolean;
  /** Once a run has revealed the question: whether the run bore this choice out. */
  shown?: boolean;
}

/**
 * The choices of the cell's questions that name lines, in the order of the
 * questions; once revealed, each says whether the run bore it out, so the
 * code shows the answer where the learner picked theirs.
 */
export function linePicks(
  questions: readonly Question[],
  outcomes: readonly SavedOutcome[] = [],
): LinePick[] {
  return questions.flatMap((q) => {
    const last = q.answers[q.answers.length - 1];
    const outcome = outcomes.find((o) => o.id === q.id);
    const actual = isRevealed(outcome) ? outcome?.prediction?.actual : undefined;
    return q.choices.flatMap((c) =>
      c.line === undefined
        ? []
        : [
            {
              question: q.id,
              choice: c.id,
              line: c.line,
              label: c.label,
              chosen: c.id === last,
              ...(actual && actual.length > 0 ? { shown: actual.includes(c.id) } : {}),
            },
          ],
    );
  });
}
