import {
  goroutineList,
  initialState,
  narrate,
  parseEvent,
  replay,
  type SlowmoEvent,
} from '../src/protocol';
import { synthetic } from '../bench/synthetic';
import { script } from './support/events';

const ctx = { seq: 1, t: 10, m: 2, p: 1, g: 7 };
const say = (e: Record<string, unknown>) => narrate(parseEvent({ ...ctx, ...e }));

test('the sentences a learner reads', () => {
  expect(
    say({ kind: 'g.waiting', goid: 7, reason: 'chan receive', file: '/tmp/x/main.go', line: 12 }),
  ).toBe('g7 parked: chan receive at main.go:12');
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
    "New g3 goes to P0's runnext slot, kicking g2 to P0's local queue",
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
