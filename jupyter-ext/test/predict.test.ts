/**
 * Predict, then reveal in the notebook, its pure part: the questions read
 * from a cell's metadata, answers recorded (replaced until revealed, appended
 * after), the run waiting for an unanswered one, and each answer judged by
 * what the run bore out, the first the one graded.
 */
import { parseMetadata } from '@go-slowmo/kernel-bridge/protocol';
import {
  isRevealed,
  judge,
  linePicks,
  questionsOf,
  unanswered,
  withAnswer,
} from '../src/predict/questions';
import { outcomeExtras } from '../src/predict/checkpoint-row';
import { pack, unpack, type SavedOutcome } from '../src/recording';

const choice = (id: string, fn: string, other: string) => ({
  id,
  label: `${id} first`,
  check: { type: 'order', first: fn, then: other },
});

function meta(answers: string[] = []) {
  return {
    backend: 'ebpf',
    checkpoints: [
      { id: 'plain', title: 'main waits', check: { type: 'event', kind: 'g.exit' } },
      {
        id: 'first',
        title: 'who runs first',
        check: {
          type: 'predict',
          question: 'Which runs first?',
          choices: [choice('a', 'main.a', 'main.b'), choice('b', 'main.b', 'main.a')],
          answers,
          explanation: 'runnext',
        },
      },
    ],
  };
}

function outcome(answers: string[], actual: string[]): SavedOutcome {
  return {
    id: 'first',
    title: 'who runs first',
    passed: actual.includes(answers[0]!),
    reason: 'the run shows',
    seq: 4,
    prediction: {
      question: 'Which runs first?',
      status: actual.includes(answers[0]!) ? 'right' : 'wrong',
      ...(answers[0] ? { answer: answers[0] } : {}),
      answers,
      actual,
    },
  };
}

describe('predict questions in the notebook', () => {
  test('the questions of a cell: only predictions, with their choices and answers', () => {
    expect(questionsOf(meta(['b']))).toEqual([
      {
        id: 'first',
        title: 'who runs first',
        question: 'Which runs first?',
        choices: [
          { id: 'a', label: 'a first' },
          { id: 'b', label: 'b first' },
        ],
        answers: ['b'],
        explanation: 'runnext',
      },
    ]);
    expect(questionsOf({ backend: 'ebpf' })).toEqual([]);
    expect(questionsOf(undefined)).toEqual([]);
    expect(unanswered(meta()).map((q) => q.id)).toEqual(['first']);
    expect(unanswered(meta(['a']))).toEqual([]);
  });

  test('before the reveal an answer replaces the prediction; after it, answers are appended', () => {
    const first = withAnswer(meta(), 'first', 'a', false)!;
    expect(questionsOf(first)[0]!.answers).toEqual(['a']);
    expect(questionsOf(withAnswer(first, 'first', 'b', false))[0]!.answers).toEqual(['b']);
    const again = withAnswer(first, 'first', 'b', true)!;
    expect(questionsOf(again)[0]!.answers).toEqual(['a', 'b']);
    // The metadata stays valid for the protocol (and slowmo check), the other checkpoint untouched.
    expect(parseMetadata(again).checkpoints).toHaveLength(2);
    expect((again.checkpoints as unknown[])[0]).toEqual(meta().checkpoints[0]);
    expect(withAnswer(again, 'first', 'b', true)).toBeNull();
    expect(withAnswer(again, 'first', 'z', true)).toBeNull();
    expect(withAnswer(again, 'nope', 'a', true)).toBeNull();
  });

  test('judged by what the run bore out: the first graded, undecided when nothing held', () => {
    const q = questionsOf(meta(['a', 'b']))[0]!;
    expect(judge(q, undefined)).toEqual([]);
    expect(isRevealed(outcome(['a'], ['b']))).toBe(true);
    expect(judge(q, outcome(['a'], ['b']))).toEqual([
      { choice: 'a', label: 'a first', verdict: 'wrong', graded: true },
      { choice: 'b', label: 'b first', verdict: 'right', graded: false },
    ]);
    expect(judge(q, outcome(['a'], [])).map((j) => j.verdict)).toEqual(['undecided', 'undecided']);
    const unrevealed = { ...outcome([], ['b']) };
    expect(isRevealed(unrevealed)).toBe(false);
    expect(judge(q, unrevealed)).toEqual([]);
  });

  test("a saved recording keeps the outcome's deciding moment and prediction", () => {
    const o = outcome(['a', 'b'], ['b']);
    const rec = {
      source: '',
      options: { backend: 'ebpf', mode: 'record' },
      events: [],
      checkpoints: [o],
    };
    const back = unpack(JSON.parse(JSON.stringify(pack(rec))));
    expect(back.checkpoints).toEqual([o]);
    const bad = {
      ...pack(rec),
      checkpoints: [{ ...o, prediction: { ...o.prediction, status: 'maybe' } }],
    };
    expect(() => unpack(bad)).toThrow(/checkpoints\[0\]\.prediction\.status/);
  });

  test("the checkpoint list's words for a prediction, and its button to the deciding moment", () => {
    const moves: number[] = [];
    const o = {
      ...outcome(['a'], ['b']),
      prediction: { ...outcome(['a'], ['b']).prediction!, explanation: 'runnext' },
    };
    const extras = outcomeExtras(o, (seq) => moves.push(seq));
    expect(extras.map((e) => e.textContent)).toEqual([
      'Your prediction was wrong.',
      'Why: runnext',
      'See the moment (event 5)',
    ]);
    extras[2]!.click();
    expect(moves).toEqual([4]);
    const { prediction: _p, ...plain } = o;
    void _p;
    expect(outcomeExtras(plain, () => {})).toEqual([]);
  });
});

describe('choices that are lines of the code', () => {
  const withLines = (answers: string[], lineB: unknown = 13) => {
    const m = meta(answers);
    const q = m.checkpoints[1]!.check as { choices: Record<string, unknown>[] };
    q.choices[0]!.line = 12;
    q.choices[1]!.line = lineB;
    return m;
  };

  test('are valid metadata, and each is offered on its line, the latest answer chosen', () => {
    expect(() => parseMetadata(withLines(['a']))).not.toThrow();
    expect(linePicks(questionsOf(withLines(['a', 'b'])))).toEqual([
      { question: 'first', choice: 'a', line: 12, label: 'a first', chosen: false },
      { question: 'first', choice: 'b', line: 13, label: 'b first', chosen: true },
    ]);
    expect(linePicks(questionsOf(meta(['a'])))).toEqual([]);
    // Once a run has revealed it, each says whether the run bore it out.
    const revealed = linePicks(questionsOf(withLines(['a'])), [outcome(['a'], ['b'])]);
    expect(revealed.map((p) => [p.choice, p.chosen, p.shown])).toEqual([
      ['a', true, false],
      ['b', false, true],
    ]);
    // A run that decided nothing says nothing of them.
    const undecided = linePicks(questionsOf(withLines(['a'])), [outcome(['a'], [])]);
    expect(undecided.map((p) => p.shown)).toEqual([undefined, undefined]);
  });

  test('a line that is not a line number is refused by the metadata, naming the field', () => {
    expect(() => parseMetadata(withLines([], 0))).toThrow(
      'field "checkpoints[1].check.choices[1].line": Too small: expected number to be >=1',
    );
    // Not offered in the code either, whatever the run says of it.
    expect(linePicks(questionsOf(withLines([], 'x'))).map((p) => p.choice)).toEqual(['a']);
  });
});
