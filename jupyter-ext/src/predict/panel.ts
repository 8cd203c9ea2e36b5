/**
 * The questions of a Go-slowmo cell, drawn between its code and its output:
 * before the run, each question with its choices as radio buttons; after it,
 * each answer judged (the first is the one graded), what the run showed, the
 * explanation, and "See the moment" to move the picture where it was decided.
 *
 * The panel reads the cell's metadata (the answers) and its saved recording
 * (the outcomes) and writes only the answers; it redraws when either changes.
 */
import { Widget } from '@lumino/widgets';
import type { SavedOutcome } from '../recording';
import { momentButton } from './checkpoint-row';
import { isRevealed, judge, type JudgedAnswer, type Question } from './questions';
import { el } from '../dom';

export interface PanelSource {
  questions(): Question[];
  outcomes(): SavedOutcome[];
  answer(id: string, choice: string, revealed: boolean): void;
  /** Moves the cell's picture to this event. */
  seek(seq: number): void;
}

const VERDICT_WORDS: Record<JudgedAnswer['verdict'], string> = {
  right: '✔ right',
  wrong: '✘ wrong',
  undecided: '? this run did not decide it',
};

function judgedRow(a: JudgedAnswer): HTMLElement {
  const row = el('div', 'jp-slowmo-predict-answer');
  row.dataset.verdict = a.verdict;
  row.dataset.graded = String(a.graded);
  const who = a.graded ? 'Your prediction' : 'Answered after the reveal';
  row.append(
    el('span', 'jp-slowmo-predict-who', `${who}: `),
    el('strong', '', a.label),
    el('span', 'jp-slowmo-predict-verdict', ` — ${VERDICT_WORDS[a.verdict]}`),
    el('span', 'jp-slowmo-predict-note', a.graded ? ' (graded)' : ' (kept, not graded)'),
  );
  return row;
}

/** Numbers the panels: a radio group is the page's, so each cell's groups need their own names. */
let panels = 0;

export class PredictPanel extends Widget {
  private readonly group = `slowmo-predict-${++panels}`;
  /** A sentence asking for an answer, after a run was refused without one. */
  private asking = false;

  constructor(private readonly from: PanelSource) {
    super();
    this.addClass('jp-slowmo-predict');
    this.render();
  }

  /** Asks for the answers the run waits for (the run was refused). */
  askFirst(): void {
    this.asking = true;
    this.render();
    this.node.scrollIntoView({ block: 'nearest' });
  }

  render(): void {
    const questions = this.from.questions();
    this.setHidden(questions.length === 0);
    const outcomes = this.from.outcomes();
    this.node.replaceChildren(
      ...questions.map((q) =>
        this.questionNode(
          q,
          outcomes.find((o) => o.id === q.id),
        ),
      ),
    );
  }

  private questionNode(q: Question, outcome: SavedOutcome | undefined): HTMLElement {
    const box = el('fieldset', 'jp-slowmo-predict-question');
    box.dataset.checkpoint = q.id;
    const revealed = isRevealed(outcome);
    box.dataset.revealed = String(revealed);
    // The legend short, the question under it: a long legend wraps across the box's border.
    box.append(el('legend', '', 'Predict, then run'));
    box.append(el('div', 'jp-slowmo-predict-text', q.question));
    box.append(this.choicesNode(q, revealed));
    if (q.answers.length === 0 && this.asking)
      box.append(el('div', 'jp-slowmo-predict-ask', 'Choose your answer, then run the cell.'));
    else if (!revealed && q.answers.length > 0)
      box.append(
        el(
          'div',
          'jp-slowmo-predict-hint',
          'Run the cell to see if you were right. Your first answer is the one graded.',
        ),
      );
    if (revealed && outcome) box.append(this.revealNode(q, outcome));
    return box;
  }

  private choicesNode(q: Question, revealed: boolean): HTMLElement {
    const list = el('div', 'jp-slowmo-predict-choices');
    const last = q.answers[q.answers.length - 1];
    for (const c of q.choices) {
      const label = el('label', 'jp-slowmo-predict-choice');
      const radio = el('input', '');
      radio.type = 'radio';
      radio.name = `${this.group}-${q.id}`;
      radio.value = c.id;
      radio.checked = c.id === last;
      radio.addEventListener('change', () => {
        this.asking = false;
        this.from.answer(q.id, c.id, revealed);
      });
      label.append(radio, document.createTextNode(` ${c.label}`));
      list.append(label);
    }
    if (q.choices.some((c) => c.line !== undefined))
      list.append(
        el(
          'div',
          'jp-slowmo-predict-pick-hint',
          'Or pick the line in the code: press the ○ button at the end of the line you choose.',
        ),
      );
    return list;
  }

  private revealNode(q: Question, outcome: SavedOutcome): HTMLElement {
    const box = el('div', 'jp-slowmo-predict-reveal');
    for (const a of judge(q, outcome)) box.append(judgedRow(a));
    if (q.answers.length > 1)
      box.append(
        el(
          'div',
          'jp-slowmo-predict-note',
          'Your first answer is the one graded; later answers are kept beside it.',
        ),
      );
    box.append(el('div', 'jp-slowmo-predict-shows', `The run: ${outcome.reason}`));
    if (outcome.prediction?.explanation)
      box.append(el('div', 'jp-slowmo-predict-why', `Why: ${outcome.prediction.explanation}`));
    if (outcome.seq !== undefined) box.append(momentButton(outcome.seq, this.from.seek));
    return box;
  }
}
