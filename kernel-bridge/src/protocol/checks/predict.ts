/**
 * Predict, then reveal: a multiple-choice question asked before the run
 * ("which goroutine runs first?"), each choice a check of the checkpoint
 * language, the learner's answers kept beside it in the cell's metadata:
 *
 *   {"type": "predict", "question": "Which worker prints first?",
 *    "choices": [{"id": "a", "label": "worker a", "check": {"type": "order", "first": "main.a", "then": "main.b"}},
 *                {"id": "b", "label": "worker b", "check": {"type": "order", "first": "main.b", "then": "main.a"}}],
 *    "answers": ["b"], "explanation": "The last goroutine created waits in runnext, so it runs first."}
 *
 * The first answer is the prediction and is the one graded; later ones (a
 * learner trying again after the reveal) are kept, not graded. The recording
 * decides which choices held; the moment that decides it is the seq of the
 * check that decided it. The schema lives in checkpoints.ts, since a choice
 * holds any check; this module judges the answer once the choices are checked.
 */
import { z } from 'zod';
import type { Found } from './compare';

/** right/wrong: graded; answered: given, but the run did not decide (it did not run, or no choice held). */
export const PREDICTION_STATUSES = ['right', 'wrong', 'answered', 'unanswered'] as const;
export type PredictionStatus = (typeof PREDICTION_STATUSES)[number];

/** The most answers a cell keeps, and the most choices a question offers. */
export const PREDICT_ANSWERS_MAX = 50;
export const PREDICT_CHOICES_MAX = 12;

/** What a prediction checkpoint's outcome carries besides passed and reason. */
export interface Prediction {
  question: string;
  status: PredictionStatus;
  /** The prediction: the first answer, a choice id. */
  answer?: string;
  /** Every answer given, in order. */
  answers: string[];
  /** The choices the recording bore out (empty when it did not run or none held). */
  actual: string[];
  explanation?: string;
}

/** The question as predict.ts reads it (the schema in checkpoints.ts makes it). */
export interface PredictQuestion {
  question: string;
  choices: readonly { id: string; label: string }[];
  answers: readonly string[];
  explanation?: string;
}

/** Choice ids unique, answers among them: said on the field at fault. */
export function refinePredict(
  q: PredictQuestion,
  at: readonly PropertyKey[],
  ctx: z.RefinementCtx,
): void {
  const ids = new Set<string>();
  q.choices.forEach((c, i) => {
    if (ids.has(c.id))
      ctx.addIssue({
        code: 'custom',
        message: `two choices have id "${c.id}"`,
        path: [...at, 'choices', i, 'id'],
      });
    ids.add(c.id);
  });
  q.answers.forEach((a, i) => {
    if (!ids.has(a))
      ctx.addIssue({
        code: 'custom',
        message: `"${a}" is not one of the choices (${[...ids].join(', ')})`,
        path: [...at, 'answers', i],
      });
  });
}

function prediction(q: PredictQuestion, status: PredictionStatus, actual: string[]): Prediction {
  return {
    question: q.question,
    status,
    ...(q.answers[0] !== undefined ? { answer: q.answers[0] } : {}),
    answers: [...q.answers],
    actual,
    ...(q.explanation ? { explanation: q.explanation } : {}),
  };
}

const quoted = (q: PredictQuestion, id: string | undefined): string =>
  JSON.stringify(q.choices.find((c) => c.id === id)?.label ?? id);

/** A prediction whose cell did not run: answered or not, nothing decided it. */
export function uncheckedPrediction(q: PredictQuestion): Prediction {
  return prediction(q, q.answers.length > 0 ? 'answered' : 'unanswered', []);
}

/** Judges the prediction from each choice's result on the recording, in the choices' order. */
export function evalPredict(
  q: PredictQuestion,
  results: readonly Found[],
): Found & { prediction: Prediction } {
  const held = q.choices.filter((_, i) => results[i]?.passed);
  const actual = held.map((c) => c.id);
  const answer = q.answers[0];
  const mine = q.choices.findIndex((c) => c.id === answer);
  const first = held[0];
  const firstResult = results[q.choices.findIndex((c) => c === first)];
  const at = (r: Found | undefined) => (r?.seq !== undefined ? { seq: r.seq } : {});
  if (first === undefined) {
    const why = [...new Set(results.map((r) => r.reason))].join('; ');
    const status = answer === undefined ? 'unanswered' : 'answered';
    return {
      passed: false,
      reason: `none of the choices held in this run: ${why}`,
      prediction: prediction(q, status, actual),
    };
  }
  const shows = `the run shows ${quoted(q, first.id)}: ${firstResult?.reason ?? ''}`;
  if (answer === undefined)
    return {
      passed: false,
      reason: `no prediction was made; ${shows}`,
      ...at(firstResult),
      prediction: prediction(q, 'unanswered', actual),
    };
  const own = results[mine];
  if (own?.passed)
    return {
      passed: true,
      reason: `you predicted ${quoted(q, answer)}, and so it was: ${own.reason}`,
      ...at(own),
      prediction: prediction(q, 'right', actual),
    };
  return {
    passed: false,
    reason: `you predicted ${quoted(q, answer)}, but ${shows}`,
    ...at(firstResult),
    prediction: prediction(q, 'wrong', actual),
  };
}
