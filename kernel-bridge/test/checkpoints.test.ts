import {
  checkpointOutcomes,
  evaluateCheckpoint,
  ProtocolError,
  uncheckedOutcomes,
  type CheckInput,
  type Checkpoint,
} from '../src/protocol';
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
    expect(miss.reason).toBe('no steal by P0 happened (needed at least 1)');
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
    // Events are numbered as the timeline shows them: seq 6 is event 7.
    expect(r.reason).toBe("P0's run queue length was at least 3 at event 7 (it was 3)");
    const never = check({
      type: 'state',
      metric: { name: 'runqLength', p: 1 },
      op: '>=',
      value: 2,
    });
    expect(never.passed).toBe(false);
    expect(never.reason).toBe("P1's run queue length was never at least 2 (it ranged from 0 to 1)");
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
    expect(r.reason).toBe(
      'in order: g3 was created (event 4), then g3 was preempted (event 9), then a steal taking g3 happened (event 13)',
    );
    const miss = check({
      type: 'sequence',
      steps: [
        { kind: 'g.waiting', where: { goid: { var: 'g' } } },
        { kind: 'g.running', where: { goid: { var: 'g' } } },
      ],
    });
    expect(miss.passed).toBe(false);
    expect(miss.reason).toBe(
      'a goroutine (call it g) parked, but then the same goroutine (g) never started running',
    );
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

describe('results read as sentences', () => {
  const reasons = (spec: CheckInput) => check(spec).reason;

  test('counted events: goroutines by function, steals, parks; never JSON', () => {
    expect(reasons({ type: 'event', kind: 'g.create', where: { fn: 'main.worker' }, min: 3 })).toBe(
      '3 goroutines running main.worker were created, the first at event 2 (needed at least 3)',
    );
    expect(reasons({ type: 'event', kind: 'g.create', where: { fn: 'main.hello' }, min: 3 })).toBe(
      'no goroutine running main.hello was created (needed at least 3)',
    );
    expect(reasons({ type: 'event', kind: 'steal', where: { thief: 1 }, max: 1 })).toBe(
      '2 steals by P1 happened, the first at event 10 (needed exactly 1)',
    );
    expect(
      reasons({
        type: 'event',
        kind: 'g.waiting',
        where: { reason: { in: ['chan receive', 'chan send'] }, file: 'main.go' },
      }),
    ).toBe(
      'a goroutine parked once in main.go, waiting to receive from a channel or waiting to send on a channel, the first at event 12 (needed at least 1)',
    );
    expect(
      reasons({ type: 'event', kind: 'g.runnable', where: { reason: 'preempt', goid: 3 } }),
    ).toBe('g3 was preempted once, the first at event 9 (needed at least 1)');
  });

  test('goroutine metrics and state metrics in words', () => {
    expect(
      reasons({
        type: 'goroutine',
        createdAt: { line: 12 },
        metric: 'distinctPs',
        op: '>',
        value: 1,
      }),
    ).toBe('g3, created at line 12, ran on 2 different Ps (needed more than 1)');
    expect(
      reasons({
        type: 'goroutine',
        createdAt: { line: 12 },
        quantifier: 'all',
        metric: 'distinctPs',
        op: '>',
        value: 1,
      }),
    ).toBe(
      'only 1 of the 2 goroutines created at line 12 ran on more than 1 different P (g2: 0, g3: 2)',
    );
    expect(
      reasons({ type: 'state', when: 'always', metric: { name: 'runningPs' }, op: '==', value: 0 }),
    ).toBe('the number of Ps running at once was not exactly 0 at event 8 (it was 1)');
  });

  test('no reason shows a seq, JSON, or a kind name', () => {
    const specs: CheckInput[] = [
      { type: 'event', kind: 'runq', where: { qp: 0, goids: { length: { op: '>=', value: 2 } } } },
      { type: 'event', kind: 'globalq', where: { goids: { contains: 4 } } },
      { type: 'event', kind: 'p.state', where: { state: 'syscall' } },
      { type: 'event', kind: 'stw', where: { begin: true, reason: 'GC sweep termination' } },
      { type: 'event', kind: 'run.end', where: { exitCode: 0 } },
      { type: 'sequence', steps: [{ kind: 'g.exit' }, { kind: 'steal' }] },
      {
        type: 'any',
        of: [
          { type: 'event', kind: 'gc' },
          { type: 'event', kind: 'output' },
        ],
      },
    ];
    for (const spec of specs) {
      const r = reasons(spec);
      expect([r, /seq|[{}"]|g\.(create|runnable|running|waiting|exit)|\brunq\b/.test(r)]).toEqual([
        r,
        false,
      ]);
    }
  });
});

test('outcomes: one wording for the notebook and slowmo check, the hint only when not passed', () => {
  const cps = [
    {
      id: 'a',
      title: 'See a steal',
      hint: 'more goroutines',
      check: { type: 'event', kind: 'steal' },
    },
    { id: 'b', title: 'See a GC', hint: 'allocate', check: { type: 'event', kind: 'gc' } },
    { id: 'c', title: 'Broken', check: { type: 'event', kind: 'g.teleport' } },
  ] as unknown as Checkpoint[];
  const got = checkpointOutcomes(cps, events);
  expect(got.map((o) => [o.id, o.passed, o.hint])).toEqual([
    ['a', true, undefined],
    ['b', false, 'allocate'],
    ['c', false, undefined],
  ]);
  expect(got[2]!.reason).toMatch(
    /^this checkpoint is malformed \(the lesson's fault, not yours\): .*kind/,
  );
  expect(uncheckedOutcomes(cps).map((o) => [o.passed, o.reason])).toEqual(
    cps.map(() => [false, 'not checked: the cell did not run']),
  );
});
