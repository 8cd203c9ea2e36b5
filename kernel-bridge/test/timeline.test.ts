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

test('an event out of order or back in time is refused, naming the field', () => {
  const events = synthetic(10, { seed: 1 });
  const t = new Timeline();
  t.append(events[0] as SlowmoEvent);
  expect(() => t.append(events[2] as SlowmoEvent)).toThrow(ProtocolError);
  try {
    t.append(events[2] as SlowmoEvent);
  } catch (err) {
    expect((err as ProtocolError).field).toBe('seq');
    expect((err as Error).message).toMatch(/expected 1/);
  }
  const back = { ...(events[1] as SlowmoEvent), t: 0 };
  t.append({ ...(events[1] as SlowmoEvent) });
  expect(() => t.append({ ...(events[2] as SlowmoEvent), t: 1 })).toThrow(/time went backwards/);
  expect(back.seq).toBe(1);
});

test('stateAt outside the recording is a clear RangeError', () => {
  const t = Timeline.from(synthetic(10, { seed: 1 }));
  expect(() => t.stateAt(t.length)).toThrow(/outside the recording/);
  expect(t.stateAt(-1)).toBe(initialState());
});
