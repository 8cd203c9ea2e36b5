import {
  apply,
  initialState,
  ProtocolError,
  summarize,
  Timeline,
  type SchedState,
  type SlowmoEvent,
} from '../src/protocol';
import { rng, synthetic } from '../bench/synthetic';
import { recording } from './support/recordings';

/** Everything a state holds, as plain JSON, so two states can be compared field by field. */
function full(state: SchedState) {
  return {
    ...summarize(state),
    seq: state.seq,
    t: state.t,
    run: state.run,
    gc: state.gc,
    stw: state.stw,
    end: state.end,
    globalqMore: state.globalqMore,
    procStates: state.procs.map((p) => p.state),
    gs: state.gs.entries(),
    ms: state.ms.entries(),
  };
}

describe('keyframe seek', () => {
  const events = synthetic(100_000, { seed: 2026, procs: 4, population: 300 });
  const timeline = Timeline.from(events, 1000);

  test('the recording is long and varied enough to mean something', () => {
    expect(timeline.length).toBeGreaterThanOrEqual(100_000);
    const kinds = new Set(events.map((e) => e.kind));
    for (const k of ['steal', 'runq', 'globalq', 'g.syscall.exit', 'gc', 'stw', 'g.exit']) {
      expect(kinds).toContain(k);
    }
    // Creation bursts overflowed a full local queue into the global one (129 at once).
    let overflows = 0;
    let state = initialState();
    for (const e of events) {
      const next = apply(state, e);
      if (next.globalq.length - state.globalq.length === 129) overflows++;
      state = next;
    }
    expect(overflows).toBeGreaterThan(0);
  });

  test('the state found by seek equals the state found by replaying from the start', () => {
    const pick = rng(99);
    const targets = new Set<number>([-1, 0, 998, 999, 1000, 1001, events.length - 1]);
    while (targets.size < 60) targets.add(Math.floor(pick() * events.length));
    const sorted = [...targets].sort((a, b) => a - b);
    // One forward replay serves every target in order.
    let state = initialState();
    let at = -1;
    for (const seq of sorted) {
      while (at < seq) {
        at++;
        state = apply(state, events[at] as SlowmoEvent);
      }
      expect(full(timeline.stateAt(seq))).toEqual(full(state));
    }
  });

  test('seeking backwards and forwards in any order gives the same states', () => {
    const a = full(timeline.stateAt(54_321));
    timeline.stateAt(3);
    timeline.stateAt(99_000);
    expect(full(timeline.stateAt(54_321))).toEqual(a);
  });

  test('seqAtTime finds the last event at or before a time', () => {
    const e = events[4242] as SlowmoEvent;
    expect(timeline.seqAtTime(e.t)).toBe(4242);
    expect(timeline.seqAtTime(e.t - 1)).toBeLessThan(4242);
    expect(timeline.seqAtTime(-1)).toBe(-1);
  });

  test('next and previous event of a kind', () => {
    const next = timeline.nextOfKind(0, ['steal']);
    expect(events[next]?.kind).toBe('steal');
    expect(events.slice(1, next).some((e) => e.kind === 'steal')).toBe(false);
    expect(timeline.prevOfKind(next, ['steal'])).toBeLessThan(next);
  });
});

/** The error `fn` throws; fails the test if it throws none. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error, none was thrown');
}

const REAL = ['pool', 'wake', 'deadlock', 'panic', 'stuck', 'pool-trace'];

/** The last index whose element passes `ok`, or -1 (Array.findLastIndex is ES2023). */
function lastIndex<T>(xs: readonly T[], ok: (x: T, i: number) => boolean): number {
  for (let i = xs.length - 1; i >= 0; i--) if (ok(xs[i] as T, i)) return i;
  return -1;
}

describe.each(REAL)('on the real recording %s', (name) => {
  const events = recording(name);

  test('the state at every seq, found through keyframes, is the state replayed from the start', () => {
    // A small interval, so these short recordings cross many keyframes.
    const timeline = Timeline.from(events, 16);
    expect(timeline.length).toBe(events.length);
    let state = initialState();
    expect(full(timeline.stateAt(-1))).toEqual(full(state));
    const differ: number[] = [];
    events.forEach((e, seq) => {
      state = apply(state, e);
      if (JSON.stringify(full(timeline.stateAt(seq))) !== JSON.stringify(full(state))) {
        differ.push(seq);
      }
    });
    expect(differ).toEqual([]);
    expect(full(timeline.state)).toEqual(full(state));
    expect(timeline.state.end).not.toBeNull();
  });

  test('seqAtTime finds the last of the events sharing a time', () => {
    const timeline = Timeline.from(events);
    // Real clocks put several events at one nanosecond: the scrubber must land after all of them.
    const shared = events.filter((e, i) => i > 0 && events[i - 1]!.t === e.t);
    expect(shared.length).toBeGreaterThan(0);
    const lastAtOrBefore = (t: number) => lastIndex(events, (e) => e.t <= t);
    const wrong = events.flatMap((e) =>
      [e.t, e.t - 1, e.t + 1]
        .map((t) => ({ t, found: timeline.seqAtTime(t), want: lastAtOrBefore(t) }))
        .filter((r) => r.found !== r.want),
    );
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  test('next and previous event of a kind agree with a walk through the recording', () => {
    const timeline = Timeline.from(events);
    const kinds = [['steal'], ['g.running', 'g.exit'], ['output'], ['run.end']] as const;
    const wrong: unknown[] = [];
    for (const k of kinds) {
      for (let seq = -1; seq <= events.length; seq++) {
        const next = events.findIndex((e, i) => i > seq && k.includes(e.kind as never));
        const prev = lastIndex(events, (e, i) => i < seq && k.includes(e.kind as never));
        const found = [timeline.nextOfKind(seq, k), timeline.prevOfKind(seq, k)];
        if (found[0] !== next || found[1] !== prev)
          wrong.push({ k, seq, found, want: [next, prev] });
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});

test('an event out of order or back in time is refused, naming the field, and changes nothing', () => {
  const events = recording('pool');
  const t = new Timeline(4);
  for (const e of events.slice(0, 10)) t.append(e);
  const before = full(t.state);

  // A gap: seq 11 where 10 is due.
  const gap = thrown(() => t.append(events[11]!));
  expect(gap).toBeInstanceOf(ProtocolError);
  expect(gap).toMatchObject({
    field: 'seq',
    message: expect.stringMatching(/"seq" is 11, expected 10/),
  });
  // Back in time: the next seq, but earlier than the event before it.
  const earlier = { ...events[10]!, t: events[9]!.t - 1 };
  const back = thrown(() => t.append(earlier));
  expect(back).toBeInstanceOf(ProtocolError);
  expect(back).toMatchObject({
    field: 't',
    message: expect.stringMatching(/time went backwards/),
  });
  // Neither was kept: the recording and its state are as they were, and the right event follows.
  expect(t.length).toBe(10);
  expect(full(t.state)).toEqual(before);
  expect(t.event(10)).toBeUndefined();
  t.append(events[10]!);
  expect(t.length).toBe(11);
  expect(full(t.stateAt(9))).toEqual(before);
});

test('stateAt outside the recording is a clear RangeError', () => {
  const t = Timeline.from(synthetic(10, { seed: 1 }));
  expect(() => t.stateAt(t.length)).toThrow(/outside the recording/);
  expect(t.stateAt(-1)).toBe(initialState());
});
