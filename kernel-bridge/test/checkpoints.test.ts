import { evaluateCheckpoint, ProtocolError, type CheckInput } from '../src/protocol';
import { script } from './support/events';

/** Two workers created at line 12; g3 runs on P0, is preempted, and is stolen by P1. */
function stealingRun() {
  const s = script().start(2);
  s.create(2, { line: 12 }).put(2, 'runnext', 0, 'create');
  s.create(3, { line: 12 }).put(3, 'runnext', 0, 'create'); // kicks g2 to P0's local queue
  s.create(4, { line: 20 }).put(4, 'local', 0, 'create');
  s.run(3, 0);
  s.put(3, 'local', 0, 'preempt');
  s.add('steal', { thief: 1, victim: 0, goids: [2, 4], p: 1, m: 1 });
  s.run(4, 1, 1);
  s.add('g.waiting', { goid: 4, reason: 'chan receive', file: 'main.go', line: 22, p: 1, m: 1 });
  s.add('steal', { thief: 1, victim: 0, goids: [3], p: 1, m: 1 });
  s.run(3, 1, 1);
  s.add('g.exit', { goid: 3, p: 1, m: 1 });
  s.add('run.end', { exitCode: 0, signal: null, lost: 0, reason: 'exit' });
  return s.events;
}

const events = stealingRun();
const check = (spec: CheckInput) => evaluateCheckpoint(spec, events);

describe('event checks', () => {
  test('at least one event of a kind matching fields', () => {
    expect(check({ type: 'event', kind: 'steal', where: { thief: 1 } })).toMatchObject({
      passed: true,
      seq: 9,
    });
    const miss = check({ type: 'event', kind: 'steal', where: { thief: 0 } });
    expect(miss.passed).toBe(false);
    expect(miss.reason).toMatch(/no event "steal"/);
  });

  test('counts, comparisons, sets, list contents and file suffixes', () => {
    expect(check({ type: 'event', kind: 'g.create', min: 3 }).passed).toBe(true);
    expect(check({ type: 'event', kind: 'g.create', min: 4 }).passed).toBe(false);
    expect(check({ type: 'event', kind: 'steal', max: 1 }).passed).toBe(false);
    expect(
      check({ type: 'event', kind: 'g.create', where: { line: { op: '>', value: 15 } } }).passed,
    ).toBe(true);
    expect(
      check({ type: 'event', kind: 'g.runnable', where: { reason: { in: ['preempt', 'yield'] } } })
        .passed,
    ).toBe(true);
    expect(check({ type: 'event', kind: 'steal', where: { goids: { contains: 4 } } }).passed).toBe(
      true,
    );
    expect(
      check({ type: 'event', kind: 'steal', where: { goids: { length: { op: '>=', value: 3 } } } })
        .passed,
    ).toBe(false);
    expect(check({ type: 'event', kind: 'g.create', where: { file: 'main.go' } }).passed).toBe(
      true,
    );
    expect(check({ type: 'event', kind: 'g.create', where: { file: 'ain.go' } }).passed).toBe(
      false,
    );
  });
});

describe('state checks', () => {
  test('at some point P0 held three goroutines in its run queue', () => {
    const r = check({ type: 'state', metric: { name: 'runqLength', p: 0 }, op: '>=', value: 3 });
    expect(r).toMatchObject({ passed: true, seq: 6 });
    expect(r.reason).toMatch(/P0's run queue length >= 3 at seq 6/);
    const never = check({
      type: 'state',
      metric: { name: 'runqLength', p: 1 },
      op: '>=',
      value: 2,
    });
    expect(never.passed).toBe(false);
    expect(never.reason).toMatch(/never held \(it ranged from 0 to 1\)/);
  });

  test('always and at the end', () => {
    expect(
      check({ type: 'state', when: 'always', metric: { name: 'runningPs' }, op: '<=', value: 2 })
        .passed,
    ).toBe(true);
    expect(
      check({ type: 'state', when: 'always', metric: { name: 'runningPs' }, op: '==', value: 0 })
        .passed,
    ).toBe(false);
    expect(
      check({
        type: 'state',
        when: 'end',
        metric: { name: 'goroutines', status: 'dead' },
        op: '==',
        value: 1,
      }).passed,
    ).toBe(true);
    expect(
      check({
        type: 'state',
        when: 'end',
        metric: { name: 'waiting', reason: 'chan receive' },
        op: '==',
        value: 1,
      }).passed,
    ).toBe(true);
    expect(
      check({ type: 'state', metric: { name: 'globalqLength' }, op: '>', value: 0 }).passed,
    ).toBe(false);
  });
});

describe('goroutine checks', () => {
  test('a goroutine created at line 12 ran on more than one P', () => {
    const r = check({
      type: 'goroutine',
      createdAt: { line: 12 },
      metric: 'distinctPs',
      op: '>',
      value: 1,
    });
    expect(r.passed).toBe(true);
    expect(r.reason).toMatch(/g3, created at line 12/);
  });

  test('all of them, other metrics, and a line where nothing was created', () => {
    expect(
      check({
        type: 'goroutine',
        createdAt: { line: 12 },
        quantifier: 'all',
        metric: 'distinctPs',
        op: '>',
        value: 1,
      }).passed,
    ).toBe(false);
    expect(
      check({
        type: 'goroutine',
        createdAt: { line: 12, file: 'main.go' },
        metric: 'steals',
        op: '>=',
        value: 1,
      }).passed,
    ).toBe(true);
    expect(
      check({
        type: 'goroutine',
        createdAt: { line: 12 },
        metric: 'preemptions',
        op: '==',
        value: 1,
      }).passed,
    ).toBe(true);
    expect(
      check({ type: 'goroutine', createdAt: { line: 20 }, metric: 'parks', op: '==', value: 1 })
        .passed,
    ).toBe(true);
    const none = check({
      type: 'goroutine',
      createdAt: { line: 99 },
      metric: 'runs',
      op: '>',
      value: 0,
    });
    expect(none).toEqual({ passed: false, reason: 'no goroutine was created at line 99' });
  });
});

describe('sequences', () => {
  test('in order: A then B', () => {
    const r = check({
      type: 'sequence',
      steps: [{ kind: 'g.runnable', where: { reason: 'preempt' } }, { kind: 'steal' }],
    });
    expect(r).toMatchObject({ passed: true, seq: 9 });
    expect(check({ type: 'sequence', steps: [{ kind: 'g.exit' }, { kind: 'steal' }] }).passed).toBe(
      false,
    );
  });

  test('a variable ties the steps to the same goroutine, with backtracking', () => {
    // The first g.create (g2) is stolen but never preempted; only g3 fits, so the search must backtrack.
    const r = check({
      type: 'sequence',
      steps: [
        { kind: 'g.create', where: { goid: { var: 'g' } } },
        { kind: 'g.runnable', where: { goid: { var: 'g' }, reason: 'preempt' } },
        { kind: 'steal', where: { goids: { contains: { var: 'g' } } } },
      ],
    });
    expect(r.passed).toBe(true);
    expect(r.reason).toMatch(/at seq 3, 8, 12/);
    const miss = check({
      type: 'sequence',
      steps: [
        { kind: 'g.waiting', where: { goid: { var: 'g' } } },
        { kind: 'g.running', where: { goid: { var: 'g' } } },
      ],
    });
    expect(miss.passed).toBe(false);
    expect(miss.reason).toMatch(/steps 1 to 1 happened in order, but then no event "g.running"/);
  });
});

test('all, any and not combine checks', () => {
  const steal = { type: 'event', kind: 'steal' } as const;
  const gc = { type: 'event', kind: 'gc' } as const;
  expect(check({ type: 'all', of: [steal, gc] }).passed).toBe(false);
  expect(check({ type: 'any', of: [gc, steal] }).passed).toBe(true);
  expect(check({ type: 'not', check: gc }).passed).toBe(true);
  expect(check({ type: 'not', check: steal }).reason).toMatch(/should not have happened/);
});

test('a whole checkpoint, as a lesson carries it', () => {
  const r = evaluateCheckpoint(
    { id: 'steal-1', title: 'See a steal', check: { type: 'event', kind: 'steal' } },
    events,
  );
  expect(r.passed).toBe(true);
});

test('a malformed checkpoint is the author’s error, named by field, not a learner’s failure', () => {
  const bad: unknown[] = [
    [{ type: 'event', kind: 'g.teleport' }, 'kind'],
    [{ type: 'state', metric: { name: 'runqLength' }, op: '=>', value: 1 }, 'op'],
    [{ type: 'goroutine', createdAt: {}, metric: 'runs', op: '>', value: 0 }, 'createdAt.line'],
    [{ type: 'all', of: [{ type: 'event', kind: 'steal', min: -1 }] }, 'of[0].min'],
    [{ type: 'sequence', steps: [] }, 'steps'],
    [{ type: 'event', kind: 'steal', where: { goids: { has: 3 } } }, 'where.goids'],
  ];
  for (const [spec, field] of bad as [CheckInput, string][]) {
    let err: unknown;
    try {
      evaluateCheckpoint(spec, events);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).field).toBe(field);
  }
  expect(() =>
    evaluateCheckpoint({ id: 'x', title: '', check: { type: 'event', kind: 'gc' } }, events),
  ).toThrow(/title/);
});
