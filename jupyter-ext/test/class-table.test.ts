/**
 * The teacher panel's table and what it sends: a column per checkpoint and
 * prediction in the order the notebooks ask them, a learner's several
 * notebooks in one cell (the worst shown), totals, problems; and a
 * notebook's outputs left out of the request, a malformed one sent as it is.
 */
import type { ClassGrades, GradeRow } from '@go-slowmo/kernel-bridge/protocol';
import { withoutOutputs } from '../src/class/read-folder';
import { columns, learnerRows } from '../src/class/table';

const row = (learner: string, o: Partial<GradeRow>): GradeRow => ({
  learner,
  notebook: `${learner}.ipynb`,
  cell: 2,
  checkpoint: 'three',
  title: 'three goroutines',
  kind: 'checkpoint',
  status: 'passed',
  answer: '',
  reason: 'why',
  ...o,
});

const PREDICT = { checkpoint: 'how-many', title: 'how many', kind: 'prediction' } as const;

function grades(rows: GradeRow[], learners: string[]): ClassGrades {
  return {
    learners: learners.map((learner) => ({ learner, passed: false })),
    rows,
    missed: [],
    wrong: [],
    csv: { name: 'c-grades.csv', text: '' },
    junit: { name: 'c-junit.xml', text: '' },
  };
}

test('a column per checkpoint and prediction; a cell per learner with its mark, answer and totals', () => {
  const rows = [
    row('ann', {}),
    row('ann', { ...PREDICT, status: 'right', answer: '3', reason: 'so it was' }),
    row('bob', { status: 'failed', reason: 'only 2' }),
    row('bob', { notebook: 'bob/hw2.ipynb', status: 'passed' }),
    row('bob', { ...PREDICT, status: 'wrong', answer: '2' }),
    row('cat', {
      kind: 'problem',
      status: 'problem',
      checkpoint: '',
      title: '',
      cell: 0,
      reason: 'not JSON',
    }),
    row('dan', { ...PREDICT, status: 'unanswered' }),
  ];
  const cols = columns(rows);
  expect(cols.map((c) => [c.checkpoint, c.prediction])).toEqual([
    ['three', false],
    ['how-many', true],
  ]);
  const out = learnerRows(grades(rows, ['ann', 'bob', 'cat', 'dan']), cols);
  expect(out.map((r) => [r.learner, ...r.cells.map((c) => `${c.status} ${c.text}`)])).toEqual([
    ['ann', 'passed passed', 'right right: 3'],
    ['bob', 'failed failed', 'wrong wrong: 2'],
    ['cat', 'missing not graded', 'missing not graded'],
    ['dan', 'missing not graded', 'unanswered not answered'],
  ]);
  expect(out[1]).toMatchObject({
    checkpoints: { passed: 1, total: 2 },
    predictions: { right: 0, total: 1 },
  });
  expect(out[1]!.cells[0]!.reason).toBe('only 2\nwhy');
  expect(out[2]!.problems).toEqual(['cat.ipynb: not JSON']);
});

test('the request leaves outputs out, and sends a malformed notebook as it is', () => {
  const nb = {
    cells: [{ cell_type: 'code', source: 'x', outputs: [{ data: 'big' }] }],
    nbformat: 4,
  };
  expect(JSON.parse(withoutOutputs(JSON.stringify(nb)))).toEqual({
    cells: [{ cell_type: 'code', source: 'x', outputs: [] }],
    nbformat: 4,
  });
  expect(withoutOutputs('{"cells": [')).toBe('{"cells": [');
  expect(withoutOutputs('{"no": "cells"}')).toBe('{"no": "cells"}');
});
