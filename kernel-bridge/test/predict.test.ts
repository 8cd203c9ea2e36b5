/**
 * Predict, then reveal: a question asked before the run, each choice a
 * check, the learner's answers in the cell metadata; judged on hand-made
 * streams, malformed ones named by field, and reported by `slowmo check`
 * on real runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CheckReport } from '../src/check';
import {
  checkpointOutcomes,
  parseCheckpoint,
  parseMetadata,
  uncheckedOutcomes,
  type CheckpointInput,
} from '../src/protocol';
import { ebpfDescribe } from './support/bridge';
import { script } from './support/events';

jest.setTimeout(120_000);

/** Which of two goroutines runs first: a by main.a, b by main.b. */
function question(answers: string[] = []): CheckpointInput {
  return {
    id: 'first',
    title: 'who runs first',
    hint: 'look at runnext',
    check: {
      type: 'predict',
      question: 'Which goroutine runs first?',
      choices: [
        {
          id: 'a',
          label: 'a, created first',
          check: { type: 'order', first: 'main.a', then: 'main.b' },
        },
        {
          id: 'b',
          label: 'b, created last',
          check: { type: 'order', first: 'main.b', then: 'main.a' },
        },
      ],
      answers,
      explanation: 'The goroutine created last waits in runnext, so it runs next.',
    },
  };
}

/** main creates a (g5) and b (g6); b runs first (seq 5), then a. */
function bFirst() {
  const s = script().start(1);
  s.add('g.create', { goid: 5, parent: 1, fn: 'main.a', file: 'main.go', line: 8, g: 1 });
  s.add('g.create', { goid: 6, parent: 1, fn: 'main.b', file: 'main.go', line: 9, g: 1 });
  s.add('g.waiting', { goid: 1, reason: 'sync.WaitGroup.Wait', file: 'main.go', line: 10 });
  s.run(6, 0).add('g.exit', { goid: 6, g: 6 });
  s.run(5, 0);
  return s.events;
}

const judge = (answers: string[], events = bFirst()) =>
  checkpointOutcomes([parseCheckpoint(question(answers))], events)[0]!;

describe('predict checkpoints', () => {
  test('a right prediction passes, names the deciding event and carries the explanation', () => {
    const o = judge(['b']);
    expect(o).toMatchObject({ passed: true, seq: 4 });
    expect(o.reason).toBe(
      'you predicted "b, created last", and so it was: g6 (main.b) first ran at event 5, before g5 (main.a) first ran at event 7',
    );
    expect(o.prediction).toEqual({
      question: 'Which goroutine runs first?',
      status: 'right',
      answer: 'b',
      answers: ['b'],
      actual: ['b'],
      explanation: 'The goroutine created last waits in runnext, so it runs next.',
    });
    expect(o.hint).toBeUndefined();
  });

  test('a wrong prediction fails with what the run showed; the first answer is the one graded', () => {
    const o = judge(['a', 'b']);
    expect(o).toMatchObject({ passed: false, seq: 4, hint: 'look at runnext' });
    expect(o.reason).toMatch(
      /^you predicted "a, created first", but the run shows "b, created last": g6/,
    );
    expect(o.prediction).toMatchObject({
      status: 'wrong',
      answer: 'a',
      answers: ['a', 'b'],
      actual: ['b'],
    });
  });

  test('unanswered, undecided by the run, and not run at all', () => {
    expect(judge([]).prediction).toMatchObject({ status: 'unanswered', actual: ['b'] });
    expect(judge([]).reason).toMatch(/^no prediction was made; the run shows "b, created last"/);
    const none = judge(['a'], script().start().events);
    expect(none).toMatchObject({ passed: false, prediction: { status: 'answered', actual: [] } });
    expect(none.reason).toMatch(
      /^none of the choices held in this run: no goroutine running main\.a ran/,
    );
    const [unrun] = uncheckedOutcomes([parseCheckpoint(question(['a']))]);
    expect(unrun!.prediction).toMatchObject({ status: 'answered', answer: 'a' });
  });

  test('malformed: the error names the field', () => {
    const bad = (edit: (c: Record<string, unknown>) => void) => {
      const cp = question(['a']) as { check: Record<string, unknown> };
      edit(cp.check);
      return () => parseCheckpoint(cp);
    };
    expect(bad((c) => (c.answers = ['z']))).toThrow(
      /field "check\.answers\[0\]": "z" is not one of the choices \(a, b\)/,
    );
    expect(bad((c) => (c.choices = (c.choices as unknown[]).slice(0, 1)))).toThrow(
      /field "check\.choices"/,
    );
    expect(bad((c) => delete (c.choices as { check?: unknown }[])[1]!.check)).toThrow(
      /field "check\.choices\[1\]\.check"/,
    );
    expect(bad((c) => ((c.choices as { id: string }[])[1]!.id = 'a'))).toThrow(
      /field "check\.choices\[1\]\.id": two choices have id "a"/,
    );
    expect(bad((c) => delete c.question)).toThrow(/field "check\.question"/);
    // In a cell's metadata, and nested in another check.
    expect(() => parseMetadata({ checkpoints: [{ ...question(['x']) }] })).toThrow(
      /field "checkpoints\[0\]\.check\.answers\[0\]"/,
    );
    const nested = { id: 'n', title: 'n', check: { type: 'not', check: question(['x']).check } };
    expect(() => parseCheckpoint(nested)).toThrow(/field "check\.check\.answers\[0\]"/);
  });
});

const SLOWMO = path.join(__dirname, '..', 'bin', 'slowmo.js');

/** With one P, b (created last, in runnext) runs before a once main waits. */
const RUNNEXT = `package main

import "sync"

var wg sync.WaitGroup

func a() { wg.Done() }
func b() { wg.Done() }

func main() {
	wg.Add(2)
	go a()
	go b()
	wg.Wait()
}
`;

ebpfDescribe()('slowmo check reports predictions', () => {
  test('right, wrong and unanswered, counted apart from the checkpoints, and never failing the notebook', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'slowmo-predict-'));
    const cell = (answers: string[]) => ({
      cell_type: 'code',
      source: RUNNEXT,
      metadata: { slowmo: { gomaxprocs: 1, backend: 'ebpf', checkpoints: [question(answers)] } },
      outputs: [],
      execution_count: null,
    });
    const nb = path.join(dir, 'predict.ipynb');
    writeFileSync(
      nb,
      JSON.stringify({
        cells: [cell(['b']), cell(['a', 'b']), cell([])],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      }),
    );
    const text = spawnSync(process.execPath, [SLOWMO, 'check', nb], { encoding: 'utf8' });
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(
      'cell 1: ✔ prediction who runs first: right: you predicted "b, created last", and so it was',
    );
    expect(text.stdout).toContain(
      'cell 2: ✘ prediction who runs first: wrong: you predicted "a, created first", but the run shows',
    );
    expect(text.stdout).toContain('           answers, in order: a, b\n');
    expect(text.stdout).toContain(
      'cell 3: ? prediction who runs first: unanswered: no prediction was made',
    );
    expect(text.stdout).toContain(
      '           why: The goroutine created last waits in runnext, so it runs next.\n',
    );
    expect(text.stdout).toContain('predictions: 2 answered (1 right, 1 wrong), 1 unanswered\n');
    const json = spawnSync(process.execPath, [SLOWMO, 'check', '--json', nb], { encoding: 'utf8' });
    const report = JSON.parse(json.stdout) as CheckReport;
    expect(report.counts).toEqual({
      cells: 3,
      checkpoints: 0,
      passed: 0,
      failed: 0,
      predictions: { answered: 2, right: 1, wrong: 1, unanswered: 1 },
    });
    const outcome = report.notebooks[0]!.cells[0]!.checkpoints[0]!;
    expect(outcome.seq).toEqual(expect.any(Number));
    expect(outcome.prediction).toMatchObject({ status: 'right', actual: ['b'] });
  });
});
