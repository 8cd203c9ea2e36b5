/**
 * What a row of the run's checkpoint list adds to its sentence for a
 * prediction: right or wrong in words, the explanation, and a "See the
 * moment" button that moves the picture to the event that decided it.
 */
import { eventNumber } from '@go-slowmo/kernel-bridge/protocol';
import type { CheckpointOutcome } from '../recording';

const STATUS_WORDS = {
  right: 'Your prediction was right.',
  wrong: 'Your prediction was wrong.',
  answered: 'This run did not decide your prediction.',
  unanswered: 'No prediction was made.',
} as const;

function line(cls: string, words: string): HTMLElement {
  const el = document.createElement('div');
  el.className = cls;
  el.textContent = words;
  return el;
}

/** A button that moves the picture to `seq` (the panel above the output has one too). */
export function momentButton(seq: number, move: (seq: number) => void): HTMLButtonElement {
  const go = document.createElement('button');
  go.type = 'button';
  go.className = 'jp-slowmo-predict-moment';
  go.textContent = `See the moment (event ${eventNumber(seq)})`;
  go.addEventListener('click', () => move(seq));
  return go;
}

/** Nothing for a checkpoint that is not a prediction. */
export function outcomeExtras(cp: CheckpointOutcome, move: (seq: number) => void): HTMLElement[] {
  const p = cp.prediction;
  if (!p) return [];
  const extras = [line('jp-slowmo-predict-status', STATUS_WORDS[p.status])];
  if (p.explanation) extras.push(line('jp-slowmo-predict-why', `Why: ${p.explanation}`));
  if (cp.seq !== undefined) extras.push(momentButton(cp.seq, move));
  return extras;
}
