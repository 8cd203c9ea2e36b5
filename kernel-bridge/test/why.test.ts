/**
 * Why a goroutine runs now: where the model had it just before its
 * g.running, in hand-written runs that pin each case down, and on real
 * recordings where every source must agree with what the stream showed.
 */
import {
  initialState,
  replay,
  whyRunning,
  whyRunningText,
  type EventOf,
  type SlowmoEvent,
} from '../src/protocol';
import { script } from './support/events';
import { recording, statesOf } from './support/recordings';

/** The source of the last event of a script, a g.running. */
function why(events: SlowmoEvent[], lastSteal?: EventOf<'steal'>) {
  const e = events[events.length - 1] as EventOf<'g.running'>;
  const before = replay(events.slice(0, -1), initialState());
  return whyRunning(before, e, lastSteal);
}

test('runnext, the head of the local queue, the global queue', () => {
  const s = script().start(2);
  s.create(2).put(2, 'runnext', 0, 'create').run(2, 0);
  expect(why(s.events)).toEqual({ from: 'runnext', p: 0 });
  s.create(3).put(3, 'local', 0, 'create').run(3, 0);
  expect(why(s.events)).toEqual({ from: 'local', p: 0 });
  s.create(4).put(4, 'global', -1, 'create').run(4, 1, 1);
  expect(why(s.events)).toEqual({ from: 'global' });
});

test('taken from the global queue while its own queue had work: the fairness rule', () => {
  const s = script().start(1);
  s.create(2).put(2, 'global', -1, 'yield');
  s.create(3).put(3, 'local', 0, 'create');
  s.run(2, 0);
  const source = why(s.events);
  expect(source).toEqual({ from: 'global', fairness: true });
  const e = s.events.at(-1) as EventOf<'g.running'>;
  expect(whyRunningText(source, e)).toBe(
    "g2 runs on P0 (M0): it was taken from the global run queue before P0's own queue (every 61st schedule, the global queue goes first so it cannot starve)",
  );
});

test('a steal names the victim when the caller has the steal event', () => {
  const s = script().start(2);
  s.create(2).put(2, 'local', 0, 'create');
  s.add('steal', { thief: 1, victim: 0, goids: [2], p: 1, m: 1 });
  const steal = s.events.at(-1) as EventOf<'steal'>;
  s.run(2, 1, 1);
  expect(why(s.events, steal)).toEqual({ from: 'steal', p: 0 });
  expect(why(s.events)).toEqual({ from: 'steal' });
  const e = s.events.at(-1) as EventOf<'g.running'>;
  expect(whyRunningText({ from: 'steal', p: 0 }, e, 'g2 (worker)')).toBe(
    'g2 (worker) runs on P1 (M1): P1 stole it from P0',
  );
  // Queued on P0 yet run by P1 with no steal seen: a steal all the same.
  const t = script().start(2);
  t.create(2).put(2, 'runnext', 0, 'create').run(2, 1, 1);
  expect(why(t.events)).toEqual({ from: 'steal', p: 0 });
});

test('back from a system call, from the poller, or not known', () => {
  const s = script().start(1);
  s.create(2).put(2, 'runnext', 0, 'create').run(2, 0);
  s.add('g.syscall', { goid: 2, g: 2 });
  s.add('g.syscall.exit', { goid: 2, p: -1, m: 0 });
  s.run(2, 0);
  expect(why(s.events)).toEqual({ from: 'syscall' });
  const n = script().start(1);
  n.create(2).put(2, 'runnext', 0, 'create').run(2, 0);
  n.add('g.waiting', { goid: 2, reason: 'IO wait', g: 2 });
  n.run(2, 0);
  expect(why(n.events)).toEqual({ from: 'netpoll' });
  const u = script().start(1).run(9, 0);
  expect(why(u.events)).toEqual({ from: 'unknown' });
  expect(whyRunningText({ from: 'unknown' }, u.events.at(-1) as EventOf<'g.running'>)).toBe(
    'g9 runs on P0 (M0)',
  );
});

test('on real recordings runs have a known source, and stolen ones name their victim', () => {
  // Each list holds what breaks its rule; all must stay empty.
  const unknownButPlaced: unknown[] = [];
  const stealsWithoutVictim: unknown[] = [];
  const runnextNotPut: unknown[] = [];
  const counts: Record<string, { runs: number; unknown: number; steals: number; runnext: number }> =
    {};
  for (const name of ['pool', 'wake', 'deadlock', 'panic']) {
    const events = recording(name);
    const states = statesOf(events);
    const count = { runs: 0, unknown: 0, steals: 0, runnext: 0 };
    counts[name] = count;
    let lastSteal: EventOf<'steal'> | undefined;
    events.forEach((e, i) => {
      if (e.kind === 'steal') lastSteal = e;
      if (e.kind !== 'g.running') return;
      const source = whyRunning(states[i]!, e, lastSteal);
      count.runs++;
      if (source.from === 'unknown') {
        count.unknown++;
        // Only when the model had it in no place: a snapshot saw it leave a queue before it ran.
        const was = states[i]!.gs.get(e.goid);
        const where = [was?.status, was?.queue ?? null, was?.qp ?? -1];
        if (JSON.stringify(where) !== JSON.stringify(['runnable', null, -1])) {
          unknownButPlaced.push([name, e.seq, ...where]);
        }
      }
      if (source.from === 'steal') {
        count.steals++;
        if (source.p !== lastSteal?.victim || !lastSteal?.goids.includes(e.goid)) {
          stealsWithoutVictim.push([name, e.seq, source.p, lastSteal]);
        }
      }
      if (source.from === 'runnext') {
        count.runnext++;
        // It really was in that runnext slot: the last put of it said so.
        const put = events
          .slice(0, i)
          .reverse()
          .find((x) => x.kind === 'g.runnable' && x.goid === e.goid);
        if (put?.kind !== 'g.runnable' || put.queue !== 'runnext' || put.qp !== source.p) {
          runnextNotPut.push([name, e.seq, source.p, put]);
        }
      }
    });
  }
  expect({ unknownButPlaced, stealsWithoutVictim, runnextNotPut }).toEqual({
    unknownButPlaced: [],
    stealsWithoutVictim: [],
    runnextNotPut: [],
  });
  expect(counts.pool!.steals).toBeGreaterThan(0);
  expect(Object.values(counts).reduce((n, c) => n + c.runnext, 0)).toBeGreaterThan(0);
  for (const count of Object.values(counts)) {
    expect(count.unknown).toBeLessThanOrEqual(count.runs / 10);
  }
});
