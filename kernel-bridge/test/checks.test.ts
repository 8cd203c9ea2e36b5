/**
 * The checks of protocol/checks on hand-written runs: each passes where its
 * claim holds, fails where it does not, and says why in a learner's words.
 */
import { evaluateCheckpoint, type CheckInput } from '../src/protocol';
import { withoutComments } from '../src/protocol/checks';
import { script, type Script } from './support/events';

const check = (s: Script, spec: CheckInput, source?: string) =>
  evaluateCheckpoint(spec, s.events, source === undefined ? {} : { source });

function create(s: Script, goid: number, fn: string, parent = 1) {
  return s.add('g.create', { goid, parent, fn, file: 'main.go', line: 10 });
}

function end(s: Script, exitCode = 0, reason: 'exit' | 'timeout' = 'exit') {
  return s.add('run.end', { exitCode, signal: null, lost: 0, reason });
}

describe('goroutines of a function', () => {
  /** Two workers: g2 exits, g3 is still parked at the end. */
  function workers() {
    const s = script().start(1);
    create(s, 2, 'main.work').put(2, 'runnext', 0, 'create');
    create(s, 3, 'main.work').put(3, 'runnext', 0, 'create');
    s.run(3, 0).add('g.waiting', { goid: 3, reason: 'chan send', g: 3 });
    s.run(2, 0).add('g.exit', { goid: 2, g: 2 });
    return s;
  }

  test('finished: every goroutine of the function, named when one did not', () => {
    const s = workers();
    end(s);
    const r = check(s, { type: 'goroutines', fn: 'main.work', metric: 'finished' });
    expect(r.passed).toBe(false);
    expect(r.reason).toMatch(/^only 1 of the 2 goroutines running main.work ran to its end: g3/);
    expect(
      check(s, { type: 'goroutines', fn: 'main.work', metric: 'finished', quantifier: 'any' })
        .passed,
    ).toBe(true);
  });

  test('a goroutine that woke another and did not park again finished, if the program ended by itself', () => {
    const s = workers();
    s.run(3, 0).add('g.runnable', {
      goid: 1,
      queue: 'runnext',
      qp: 0,
      reason: 'ready',
      by: 3,
      g: 3,
    });
    end(s);
    expect(check(s, { type: 'goroutines', fn: 'main.work', metric: 'finished' }).passed).toBe(true);
    const cut = workers();
    cut
      .run(3, 0)
      .add('g.runnable', { goid: 1, queue: 'runnext', qp: 0, reason: 'ready', by: 3, g: 3 });
    end(cut, -1, 'timeout');
    expect(check(cut, { type: 'goroutines', fn: 'main.work', metric: 'finished' }).passed).toBe(
      false,
    );
  });

  test('count, parks by reason, and none created', () => {
    const s = workers();
    end(s);
    expect(
      check(s, {
        type: 'goroutines',
        fn: 'main.work',
        metric: 'runs',
        count: { op: '>=', value: 3 },
      }).reason,
    ).toBe('2 goroutines running main.work were created (needed at least 3)');
    const parks = {
      type: 'goroutines',
      fn: 'main.work',
      metric: 'parks',
      quantifier: 'any',
    } as const;
    expect(check(s, { ...parks, reasons: { in: ['chan send'] } }).passed).toBe(true);
    expect(check(s, { ...parks, reasons: { notIn: ['chan send'] } }).passed).toBe(false);
    expect(check(s, { type: 'goroutines', fn: 'main.nothing', metric: 'runs' }).reason).toBe(
      'no goroutine running main.nothing was created',
    );
  });

  test('main.main is g1, whose creation names runtime.main', () => {
    const s = script().start(1);
    s.add('g.waiting', { goid: 1, reason: 'sleep', g: 1, file: 'main.go', line: 7 });
    end(s);
    expect(
      check(s, { type: 'goroutines', fn: 'main.main', metric: 'parks', reasons: { in: ['sleep'] } })
        .passed,
    ).toBe(true);
  });

  test("g1's parks while the runtime starts up (no frame of the learner's code) are not main.main's", () => {
    const s = script().start(1);
    s.add('g.waiting', { goid: 1, reason: 'chan receive', g: 1 });
    s.add('g.runnable', { goid: 1, queue: 'runnext', qp: 0, reason: 'ready', g: 0 });
    end(s);
    const parks = { type: 'goroutines', fn: 'main.main', metric: 'parks' } as const;
    const r = check(s, parks);
    expect([r.passed, r.reason]).toEqual([false, expect.stringMatching(/parked 0 times/)]);
  });
});

describe('goroutine metrics: yields and waits', () => {
  test('late yields count yields in the second half of the running time; yields first and a hog after have none', () => {
    const polite = script().start(1);
    create(polite, 2, 'main.spin');
    for (let i = 0; i < 4; i++) polite.run(2, 0).put(2, 'global', 0, 'yield');
    end(polite);
    const r = check(polite, {
      type: 'goroutines',
      fn: 'main.spin',
      metric: 'lateYields',
      value: 2,
    });
    expect(r.passed).toBe(true);
    const hog = script().start(1);
    create(hog, 2, 'main.spin');
    for (let i = 0; i < 4; i++) hog.run(2, 0).put(2, 'global', 0, 'yield');
    hog.run(2, 0);
    for (let i = 0; i < 20; i++) hog.add('m.state', { state: 'running', m: 1 }); // time passes while it runs
    hog.put(2, 'global', 0, 'preempt');
    end(hog);
    expect(
      check(hog, { type: 'goroutines', fn: 'main.spin', metric: 'lateYields', value: 1 }).passed,
    ).toBe(false);
    expect(
      check(hog, { type: 'goroutines', fn: 'main.spin', metric: 'yields', value: 4 }).passed,
    ).toBe(true);
  });

  test('parked share: time parked against time in system calls', () => {
    const s = script().start(1);
    create(s, 2, 'main.sleeper').run(2, 0);
    s.add('g.syscall', { goid: 2, g: 2 })
      .add('m.state', { state: 'running' })
      .add('g.syscall.exit', { goid: 2, g: 2 });
    s.add('g.waiting', { goid: 2, reason: 'sleep', g: 2 });
    for (let i = 0; i < 8; i++) s.add('m.state', { state: 'idle' });
    s.put(2, 'runnext', 0, 'ready');
    end(s);
    const r = check(s, {
      type: 'goroutines',
      fn: 'main.sleeper',
      metric: 'parkedShare',
      value: 80,
    });
    expect(r).toMatchObject({ passed: true });
    expect(
      check(s, {
        type: 'goroutines',
        fn: 'main.sleeper',
        metric: 'longestSyscallMs',
        op: '<',
        value: 0.0001,
      }).passed,
    ).toBe(false);
  });
});

describe('parallel', () => {
  /** g2 and g3 of main.count on P0 and P1 at once from seq 4; g4 of main.other alone. */
  function twoAtOnce() {
    const s = script().start(2);
    create(s, 2, 'main.count');
    create(s, 3, 'main.count');
    s.run(2, 0).run(3, 1, 1);
    for (let i = 0; i < 5; i++) s.add('m.state', { state: 'running' });
    s.add('g.exit', { goid: 3, p: 1, m: 1, g: 3 });
    end(s);
    return s;
  }

  test('Ps running goroutines of the function at the same time, for a margin in all', () => {
    const s = twoAtOnce();
    expect(check(s, { type: 'parallel', fn: 'main.count', value: 2 })).toMatchObject({
      passed: true,
      seq: 4,
    });
    // From seq 4 to seq 10 at 100 ns an event: 600 ns.
    expect(check(s, { type: 'parallel', fn: 'main.count', value: 2, forMs: 0.0006 }).passed).toBe(
      true,
    );
    const r = check(s, { type: 'parallel', fn: 'main.count', value: 2, forMs: 0.001 });
    expect(r.passed).toBe(false);
    expect(r.reason).toMatch(/for 1 µs in all.*a timing margin/);
  });

  test("another function's goroutines on the other P do not count", () => {
    const s = script().start(2);
    create(s, 2, 'main.count');
    create(s, 3, 'runtime.bgsweep');
    s.run(2, 0).run(3, 1, 1);
    end(s);
    const r = check(s, { type: 'parallel', fn: 'main.count', value: 2 });
    expect(r.passed).toBe(false);
    expect(r.reason).toBe(
      'at most 1 P ran goroutines of main.count at the same time (needed at least 2)',
    );
  });

  test('a goroutine that woke another of its kind (an Unlock) is on its way out: no overlap with the one it woke', () => {
    const s = script().start(2);
    create(s, 2, 'main.count');
    create(s, 3, 'main.count');
    s.run(2, 0)
      .run(3, 1, 1)
      .add('g.waiting', { goid: 3, reason: 'sync.Mutex.Lock', p: 1, m: 1, g: 3 });
    s.add('g.runnable', { goid: 3, queue: 'runnext', qp: 0, reason: 'ready', by: 2, g: 2 });
    s.run(3, 1, 1);
    for (let i = 0; i < 5; i++) s.add('m.state', { state: 'running' }); // g2's thread waits for a CPU
    s.add('g.exit', { goid: 2, g: 2 });
    end(s);
    const r = check(s, { type: 'parallel', fn: 'main.count', value: 2, forMs: 0.0005 });
    expect(r.passed).toBe(false);
    expect(r.reason).toMatch(
      /^at least 2 Ps ran goroutines of main.count at the same time for 0 µs in all/,
    );
  });

  test('parked at the same time', () => {
    const s = script().start(1);
    for (const g of [2, 3, 4])
      create(s, g, 'main.nap').run(g, 0).add('g.waiting', { goid: g, reason: 'sleep', g });
    end(s);
    expect(check(s, { type: 'parallel', fn: 'main.nap', state: 'parked', value: 3 }).passed).toBe(
      true,
    );
    expect(
      check(s, { type: 'parallel', fn: 'main.nap', state: 'parked', value: 4 }).reason,
    ).toMatch(/^at most 3 goroutines of main.nap were parked at the same time/);
  });
});

describe('call, order, exit, source, go version', () => {
  test('a call to runtime.GC is its caller parked waiting for the cycle; any other function, a go statement', () => {
    const s = script().start(1);
    create(s, 2, 'main.work');
    s.add('g.waiting', { goid: 1, reason: 'wait for GC cycle', file: 'main.go', line: 13, g: 1 });
    end(s);
    const gc = check(s, { type: 'call', fn: 'runtime.GC' });
    expect(gc.passed).toBe(true);
    expect(gc.reason).toMatch(
      /^a call to runtime.GC happened: g1 \(main\) waited .* at main.go:13/,
    );
    expect(check(s, { type: 'not', check: { type: 'call', fn: 'runtime.GC' } }).passed).toBe(false);
    expect(check(s, { type: 'call', fn: 'main.work', by: 'main.main' }).passed).toBe(true);
    expect(check(s, { type: 'call', fn: 'main.work', by: 'main.other' }).passed).toBe(false);
    expect(check(s, { type: 'call', fn: 'time.Sleep' }).passed).toBe(false);
  });

  test('order: first runs only', () => {
    const s = script().start(1);
    create(s, 2, 'main.first');
    create(s, 3, 'main.second');
    s.run(3, 0).add('g.waiting', { goid: 3, reason: 'chan receive', g: 3 }).run(2, 0).run(3, 0);
    end(s);
    const r = check(s, { type: 'order', first: 'main.first', then: 'main.second' });
    expect(r.passed).toBe(false);
    expect(r.reason).toBe(
      'g3 (main.second) first ran at event 4, before g2 (main.first) first ran at event 6',
    );
  });

  test("order of first parks in the learner's code: g1's start-up parks are not main's", () => {
    const s = script().start(1);
    s.add('g.waiting', { goid: 1, reason: 'chan receive', g: 1 }); // runtime.main, starting up
    create(s, 2, 'main.ponger');
    s.add('g.waiting', { goid: 1, reason: 'chan send', file: 'main.go', line: 16, g: 1 });
    s.run(2, 0).add('g.waiting', { goid: 2, reason: 'chan send', file: 'main.go', line: 7, g: 2 });
    end(s);
    const r = check(s, { type: 'order', first: 'main.main', then: 'main.ponger', event: 'park' });
    expect(r.reason).toBe(
      'g1 (main.main) first parked at event 4 (chan send), before g2 (main.ponger) first parked at event 6 (chan send)',
    );
    expect(
      check(s, { type: 'order', first: 'main.ponger', then: 'main.main', event: 'park' }).passed,
    ).toBe(false);
  });

  test('exit: the program ended by itself with exit code 0', () => {
    const ok = end(script().start(1));
    expect(check(ok, { type: 'exit' }).passed).toBe(true);
    const killed = end(script().start(1), -1, 'timeout');
    expect(check(killed, { type: 'exit' }).reason).toMatch(
      /^the program did not end by itself with exit code 0/,
    );
  });

  test('source: comments do not count, spaces do not matter, no source is not a pass', () => {
    const spec: CheckInput = { type: 'source', contains: ['mu.Lock()', 'mu.Unlock()'] };
    const s = end(script().start(1));
    expect(check(s, spec, 'func f() {\n\tmu.Lock()\n\tmu . Unlock( )\n}').passed).toBe(true);
    const r = check(s, spec, 'func f() {\n\t// mu.Lock()\n\tx := "mu.Unlock()" /* mu.Lock() */\n}');
    expect(r.passed).toBe(false);
    expect(r.reason).toBe("source check: the program's code (comments left out) lacks mu.Lock()");
    expect(check(s, spec).passed).toBe(false);
    expect(withoutComments('a // b\nc /* d */ e "//f" `/*g*/`')).toBe('a  \nc   e "//f" `/*g*/`');
  });

  test('go version: by minor release', () => {
    const s = end(script().start(1));
    expect(check(s, { type: 'goVersion', op: '>=', value: '1.26' }).passed).toBe(true);
    expect(check(s, { type: 'goVersion', op: '<', value: '1.26' }).reason).toBe(
      "the run's Go (go1.26.8) is not older than Go 1.26",
    );
  });
});

describe('the queues: overflow, fairness, batch', () => {
  /** P0's local queue full of g10…g265 (256), g266 in runnext; g267 arrives and overflows it. */
  function overflowing(newFirst: boolean) {
    const s = script().start(1);
    const local = Array.from({ length: 256 }, (_, i) => 10 + i);
    s.add('runq', { qp: 0, runnext: 266, goids: local });
    create(s, 267, 'main.work');
    const moved = [...local.slice(0, 128), 266];
    if (newFirst) s.put(267, 'runnext', 0, 'create');
    for (const g of moved) s.put(g, 'global', 0, 'overflow');
    if (!newFirst) s.put(267, 'runnext', 0, 'create');
    return s;
  }

  test.each([true, false])(
    'the overflow names the G kicked out of runnext (new G reported first: %s)',
    (newFirst) => {
      const r = check(overflowing(newFirst), { type: 'overflow', min: 129 });
      expect(r.passed).toBe(true);
      expect(r.reason).toContain(
        "128 goroutines from the head of P0's local queue (g10 … g137) and g266, which the new g267 had just kicked out of runnext; g267 stayed in runnext",
      );
    },
  );

  test('fairness: a G from the global queue while local ones wait; a batch does not count', () => {
    const s = overflowing(true);
    s.add('g.running', { goid: 138, inheritTime: false, g: 0 });
    s.add('g.exit', { goid: 138, g: 138 });
    s.add('g.running', { goid: 10, inheritTime: false, g: 0 });
    const r = check(s, { type: 'fairness', via: 'overflow' });
    expect(r.passed).toBe(true);
    expect(r.reason).toMatch(
      /^g10 was taken from the global queue .* still held 128 goroutines: P0 had scheduled 1 goroutine in/,
    );
    const batch = script().start(1);
    for (const g of [2, 3, 4]) batch.put(g, 'global', 0, 'overflow');
    batch.put(3, 'local', 0, 'other').put(4, 'local', 0, 'other');
    batch.add('g.running', { goid: 2, inheritTime: false, g: 0 });
    expect(check(batch, { type: 'fairness' }).passed).toBe(false);
    expect(check(batch, { type: 'batch', min: 3 }).reason).toBe(
      'P0 took 3 goroutines from the global queue at once at event 5: it moved 2 to its local queue and ran g2 at once (needed at least 3)',
    );
  });
});
