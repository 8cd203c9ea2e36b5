import {
  goroutineList,
  initialState,
  isFolded,
  narrate,
  narrationContext,
  parseEvent,
  replay,
  type SlowmoEvent,
  type SourceLookup,
} from '../src/protocol';
import { synthetic } from '../bench/synthetic';
import { script } from './support/events';
import { recording, sourceLookup, statesOf } from './support/recordings';

const ctx = { seq: 1, t: 10, m: 2, p: 1, g: 7 };
const say = (e: Record<string, unknown>) => narrate(parseEvent({ ...ctx, ...e }));

test('the sentences a learner reads', () => {
  expect(
    say({ kind: 'g.waiting', goid: 7, reason: 'chan receive', file: '/tmp/x/main.go', line: 12 }),
  ).toBe('g7 parked at main.go:12: waiting to receive from a channel');
  expect(say({ kind: 'steal', thief: 1, victim: 0, goids: [17, 18] })).toBe(
    'P1 stole g17 and g18 from P0',
  );
  expect(
    say({ kind: 'g.create', goid: 8, parent: 7, fn: 'main.worker', file: 'main.go', line: 9 }),
  ).toBe('g7 created g8 to run main.worker (main.go:9)');
  expect(say({ kind: 'g.running', goid: 8, inheritTime: false })).toBe('P1 runs g8 on M2');
  expect(say({ kind: 'g.runnable', goid: 8, queue: 'global', qp: -1, reason: 'yield' })).toBe(
    'g8 yields (Gosched) and goes to the global run queue',
  );
  expect(say({ kind: 'globalq', goids: [1, 2, 3, 4, 5, 6], more: 10 })).toBe(
    'Global run queue: g1, g2, g3, g4, g5 and 11 more',
  );
  expect(
    say({ kind: 'run.end', exitCode: -1, signal: 'SIGKILL', lost: 2, reason: 'timeout' }),
  ).toBe('The program was stopped: time limit reached (SIGKILL); 2 events were lost');
  expect(
    say({
      kind: 'run.start',
      goVersion: 'go1.26.8',
      gomaxprocs: 2,
      backend: 'trace',
      fidelity: { runq: false, runnext: false, steals: false, lines: true },
    }),
  ).toBe(
    'Run started: go1.26.8, GOMAXPROCS=2, watched by the execution tracer (it cannot see run queue contents, runnext, steals; those are inferred)',
  );
});

test('with the state before it, a runnext put says whom it kicked out', () => {
  const s = script().start(1).create(2).put(2, 'runnext', 0, 'create').create(3);
  const before = replay(s.events, initialState());
  s.put(3, 'runnext', 0, 'create');
  expect(narrate(s.events[s.events.length - 1] as SlowmoEvent, before)).toBe(
    "New g3 (worker) goes to P0's runnext slot, kicking g2 (worker) to P0's local queue",
  );
});

test('every event of a long run gets a non-empty sentence without placeholders', () => {
  let state = initialState();
  for (const e of synthetic(20_000, { seed: 5 })) {
    const text = narrate(e, state);
    expect(text.length).toBeGreaterThan(5);
    expect(text).not.toMatch(/undefined|NaN|\[object/);
    state = replay([e], state);
  }
});

test('goroutine lists read naturally', () => {
  expect(goroutineList([])).toBe('nothing');
  expect(goroutineList([4])).toBe('g4');
  expect(goroutineList([4, 5, 6])).toBe('g4, g5 and g6');
  expect(goroutineList([], 3)).toBe('3 goroutines');
});

describe('who woke whom (recorded: wake.go, GOMAXPROCS=1)', () => {
  const events = recording('wake');
  const states = statesOf(events);
  const said = (source?: SourceLookup) =>
    events.map((e, i) => narrate(e, states[i], narrationContext(events, i, source)));

  test('a send names the waker, its line and the woken goroutine', () => {
    const withSource = said(sourceLookup('wake'));
    expect(withSource).toContainEqual(
      expect.stringMatching(
        /^g1 \(main\) sent on the channel at wake\.go:24 and woke g\d+ \(receiver\); it goes to P0's runnext slot$/,
      ),
    );
    expect(withSource).toContainEqual(
      expect.stringMatching(
        /^g\d+ \(receiver\) sent on the channel at wake\.go:13 and woke g1 \(main\); it goes to P0's runnext slot$/,
      ),
    );
    // Without the source a send and a close look alike: it says so.
    expect(said()).toContainEqual(
      expect.stringMatching(
        /^g1 \(main\) sent on \(or closed\) the channel at wake\.go:24 and woke g\d+ \(receiver\)/,
      ),
    );
  });

  test('a Done wakes the waiter in wg.Wait; a sleep ends by itself', () => {
    const text = said();
    expect(text).toContainEqual(
      expect.stringMatching(/^g\d+ \(receiver\) called wg\.Done and woke g1 \(main\)/),
    );
    expect(text).toContainEqual(
      "g1 (main)'s sleep (wake.go:23) is over; it goes to P0's runnext slot",
    );
    expect(text).toContainEqual(
      'g1 (main) parked at wake.go:26: waiting in wg.Wait for the WaitGroup to count down to zero',
    );
  });
});

describe('wake-ups written by hand', () => {
  const waiting = (reason: string) => {
    const s = script().start(1);
    s.create(7).put(7, 'runnext', 0, 'create').run(7, 0);
    s.add('g.waiting', { goid: 7, reason, file: 'main.go', line: 5, g: 7 });
    return s;
  };
  const woken = (reason: string, line: string) => {
    const s = waiting(reason);
    const before = replay(s.events, initialState());
    s.add('g.runnable', {
      goid: 7,
      queue: 'runnext',
      qp: 0,
      reason: 'ready',
      by: 1,
      file: 'main.go',
      line: 9,
    });
    return narrate(s.events.at(-1)!, before, { source: () => line });
  };

  test('close, unlock, Done, signal: read from the waker’s line', () => {
    expect(woken('chan receive', '\tclose(jobs)')).toBe(
      "g1 (main) closed the channel at main.go:9 and woke g7 (worker); it goes to P0's runnext slot",
    );
    expect(woken('sync.Mutex.Lock', '\tmu.Unlock()')).toMatch(
      /^g1 \(main\) unlocked the mutex at main\.go:9 and woke g7/,
    );
    expect(woken('semacquire', '\twg.Done() // the last one')).toMatch(
      /^g1 \(main\) called wg\.Done at main\.go:9/,
    );
    expect(woken('chan send', '\tv := <-ch')).toMatch(
      /^g1 \(main\) received from the channel at main\.go:9/,
    );
    expect(woken('select', '\tch <- v')).toMatch(/^g1 \(main\) sent on the channel/);
  });

  test('runtime words get a gloss; generated code is placed by the last line seen', () => {
    const s = script().start(1);
    s.create(7).put(7, 'runnext', 0, 'create').run(7, 0);
    s.add('line', { goid: 7, file: 'main.go', line: 12, g: 7 });
    const before = replay(s.events, initialState());
    const park = (file: string, line: number, reason: string) =>
      narrate(parseEvent({ ...ctx, kind: 'g.waiting', goid: 7, reason, file, line }), before);
    expect(park('<autogenerated>', 1, 'semacquire')).toBe(
      'g7 (worker) parked in generated code, last seen at main.go:12: waiting for a semaphore (sync.WaitGroup / Mutex)',
    );
    expect(park('/goroot/src/fmt/print.go', 307, 'semacquire')).toBe(
      'g7 (worker) parked in the standard library (fmt/print.go:307), last seen at main.go:12: waiting for a semaphore (sync.WaitGroup / Mutex)',
    );
    expect(park('main.go', 20, 'GC assist wait')).toBe(
      'g7 (worker) parked at main.go:20: waiting to help the garbage collector (GC assist)',
    );
  });
});

describe('an overflow is said once', () => {
  /** 256 goroutines fill P0's local queue; the 257th overflows, and the probe lists the moved ones. */
  function overflowing() {
    const s = script().start(1);
    for (let goid = 2; goid <= 257; goid++) s.create(goid).put(goid, 'local', 0, 'create');
    s.create(258).put(258, 'local', 0, 'create');
    const moved = [...Array.from({ length: 128 }, (_, i) => i + 2), 258];
    for (const goid of moved) s.put(goid, 'global', -1, 'overflow');
    return s.events;
  }

  test('the put that overflows says it; the moved goroutines are folded', () => {
    const events = overflowing();
    const states = statesOf(events);
    const lines = events.map((e, i) => {
      const ctx2 = narrationContext(events, i);
      return { text: narrate(e, states[i], ctx2), folded: isFolded(e, states[i], ctx2.previous) };
    });
    const full = lines.filter((l) => l.text.includes('local queue is full'));
    expect(full.map((l) => l.text)).toEqual([
      "New g258 (worker) goes to the tail of P0's local run queue, but P0's local queue is full: half of it (128 goroutines) and g258 (worker) move to the global run queue",
    ]);
    const overflowEvents = lines.slice(-129);
    expect(overflowEvents.every((l) => l.folded && l.text.startsWith('…'))).toBe(true);
    expect(lines.filter((l) => !l.folded)).toHaveLength(events.length - 129);
  });

  test('when the put was not seen, the first moved goroutine says it, with its P', () => {
    const s = script().start(1);
    for (let goid = 2; goid <= 9; goid++) s.create(goid).put(goid, 'local', 0, 'create');
    const before = replay(s.events, initialState());
    s.put(2, 'global', -1, 'overflow');
    expect(narrate(s.events.at(-1)!, before)).toBe(
      "P0's local queue is full: half of it (4 goroutines) moves to the global run queue",
    );
  });
});

test('never "P-1" or "M-1", on recordings and on a long synthetic run', () => {
  for (const name of ['pool', 'wake', 'deadlock', 'panic', 'stuck', 'pool-trace']) {
    const events = recording(name);
    const states = statesOf(events);
    events.forEach((e, i) => {
      const text = narrate(e, states[i], narrationContext(events, i));
      expect(text).not.toMatch(/[PM]-1|undefined|NaN|\[object/);
    });
  }
  let state = initialState();
  for (const e of synthetic(5_000, { seed: 9 })) {
    expect(narrate(e, state)).not.toMatch(/[PM]-1/);
    state = replay([e], state);
  }
  expect(say({ kind: 'g.running', goid: 3, inheritTime: false, p: -1 })).toBe(
    'g3 runs on M2 without a P',
  );
  expect(say({ kind: 'g.syscall', goid: 3, m: -1 })).toBe('g3 entered a system call');
  expect(say({ kind: 'p.state', state: 'running', pm: -1 })).toBe('P1 is running');
});

test('a run says why it runs now, with the steal it came from', () => {
  const events = recording('pool');
  const states = statesOf(events);
  const text = events.map((e, i) => narrate(e, states[i], narrationContext(events, i)));
  expect(text).toContainEqual(
    expect.stringMatching(/^g\d+ \(worker\) runs on P1 \(M\d+\): P1 stole it from P0$/),
  );
  expect(text).toContainEqual(
    expect.stringMatching(
      /^g\d+ \(worker\) runs on P\d \(M\d+\): it was next in P\d's runnext slot/,
    ),
  );
});
