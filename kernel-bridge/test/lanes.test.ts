import {
  apply,
  initialState,
  replay,
  LaneBuilder,
  ProtocolError,
  type LaneSlice,
  type Lanes,
  type SchedState,
  type SlowmoEvent,
} from '../src/protocol';
import { synthetic } from '../bench/synthetic';
import { recording } from './support/recordings';
import { script } from './support/events';

const RECORDINGS = ['pool', 'pool-trace', 'wake', 'deadlock', 'panic', 'stuck', 'gc'];

/** The slice of `slices` in force right after event `seq`. */
function at(slices: readonly LaneSlice[], seq: number): LaneSlice | undefined {
  let found: LaneSlice | undefined;
  for (const s of slices) {
    if (s.startSeq > seq) break;
    found = s;
  }
  return found !== undefined && (found.open || found.endSeq > seq) ? found : undefined;
}

function expectContiguous(slices: readonly LaneSlice[]): void {
  for (let i = 1; i < slices.length; i++) {
    const [a, b] = [slices[i - 1] as LaneSlice, slices[i] as LaneSlice];
    expect({ end: a.end, endSeq: a.endSeq, open: a.open }).toEqual({
      end: b.start,
      endSeq: b.startSeq,
      open: false,
    });
  }
}

describe.each(RECORDINGS)('lanes of the %s recording', (name) => {
  const events = recording(name);
  const lanes = LaneBuilder.from(events).lanes();
  const last = events[events.length - 1] as SlowmoEvent;
  // A program that ended by itself ends with its last event before run.end.
  const byItself = last.kind === 'run.end' && ['exit', 'signal'].includes(last.reason);
  const endT = (events[events.length - (byItself ? 2 : 1)] as SlowmoEvent).t;

  test('every lane runs without gaps, and what is still going ends at the last event', () => {
    expect(lanes.end).toBe(endT);
    const all = [...lanes.procs, ...lanes.ms, ...lanes.goroutines].map((l) => l.slices);
    expect(all.length).toBeGreaterThan(3);
    for (const slices of all) {
      expectContiguous(slices);
      const end = slices[slices.length - 1] as LaneSlice;
      expect(end.end).toBeLessThanOrEqual(endT);
      const reached = [end.open ? end.end : endT, end.open ? end.endSeq : last.seq];
      expect(reached).toEqual([endT, last.seq]);
    }
    expect(lanes.procs.map((p) => p.p)).toEqual(lanes.procs.map((_, i) => i));
  });

  test("each goroutine's slices add up to its lifetime", () => {
    for (const g of lanes.goroutines) {
      const sum = g.slices.reduce((n, s) => n + (s.end - s.start), 0);
      expect(Math.abs(sum - ((g.endedAt ?? endT) - g.firstAt))).toBeLessThan(1e-6);
      expect(g.slices[0]?.startSeq).toBe(g.firstSeq);
    }
  });

  test('goroutine and P lanes agree with the reducer after every event', () => {
    checkAgainstReducer(events, lanes);
  });

  test('runs, steals and wake-ups are counted from the events', () => {
    const running = events.filter((e) => e.kind === 'g.running').length;
    const exitsWithP = events.filter((e) => e.kind === 'g.syscall.exit' && e.p >= 0).length;
    expect(lanes.goroutines.reduce((n, g) => n + g.runs, 0)).toBe(running + exitsWithP);
    const steals = events.filter((e) => e.kind === 'steal');
    expect(lanes.arrows.filter((a) => a.kind === 'steal').length).toBe(steals.length);
    const wakes = events.filter((e) => e.kind === 'g.runnable' && e.by && e.by !== e.goid);
    expect(lanes.arrows.filter((a) => a.kind === 'wake').map((a) => a.seq)).toEqual(
      wakes.map((e) => e.seq),
    );
  });
});

/** The reducer's status of every goroutine, and each P's running goroutine, against the lanes. */
function checkAgainstReducer(events: readonly SlowmoEvent[], lanes: Lanes): void {
  let state: SchedState = initialState();
  let checked = 0;
  let displaced = 0;
  for (const e of events) {
    state = apply(state, e);
    for (const [goid, g] of state.gs.entries()) {
      const lane = lanes.byGoid.get(goid);
      const slice = lane && at(lane.slices, e.seq);
      const status = slice?.kind ?? (lane?.endedSeq !== null ? 'dead' : 'unseen');
      // The reducer makes up a goroutine it never saw (a runq snapshot's) as runnable.
      if (lane === undefined && g.site === null) continue;
      // Another goroutine started on its P with no event stopping it (one was lost): the
      // reducer leaves it running nowhere, the lanes make it runnable (see displace).
      if (g.status === 'running' && status === 'runnable' && slice?.reason === 'other') {
        displaced++;
        continue;
      }
      expect(`seq ${e.seq} g${goid} ${status}`).toBe(`seq ${e.seq} g${goid} ${g.status}`);
      checked++;
    }
    for (const p of state.procs) {
      const slice = at(lanes.procs[p.id]?.slices ?? [], e.seq);
      const goid = slice?.kind === 'running' ? slice.goid : 0;
      expect(`seq ${e.seq} P${p.id} runs g${goid}`).toBe(
        `seq ${e.seq} P${p.id} runs g${p.running}`,
      );
    }
  }
  expect(checked).toBeGreaterThan(events.length);
  expect(displaced).toBeLessThan(checked / 100);
}

describe('lanes of a real run, in detail', () => {
  test('wake.go: main wakes the receiver at its send, and the receiver wakes main twice', () => {
    const lanes = LaneBuilder.from(recording('wake')).lanes();
    const receiver = lanes.goroutines.find((g) => g.fn === 'main.receiver');
    expect(receiver).toBeDefined();
    const rid = receiver?.goid ?? -1;
    const wakes = lanes.arrows.filter((a) => a.kind === 'wake');
    expect(wakes.filter((a) => a.fromG === 1 && a.toG === rid)).toHaveLength(1);
    expect(wakes.filter((a) => a.fromG === rid && a.toG === 1)).toHaveLength(2);
    // It waited on the channel from its first park until main's send.
    const recv = receiver?.slices.find((s) => s.kind === 'waiting' && s.reason === 'chan receive');
    const send = wakes.find((a) => a.fromG === 1 && a.toG === rid);
    expect(recv?.endSeq).toBe(send?.seq);
  });

  test('pool.go: a steal moves the stolen goroutine onto the thief, and its P lane shows it running', () => {
    const events = recording('pool');
    const lanes = LaneBuilder.from(events).lanes();
    const steal = lanes.arrows.find((a) => a.kind === 'steal');
    expect(steal).toBeDefined();
    if (steal?.kind !== 'steal') return;
    const goid = steal.goids[steal.goids.length - 1] as number;
    const g = lanes.byGoid.get(goid);
    expect(g?.stolen).toBeGreaterThan(0);
    const next = g?.slices.find((s) => s.startSeq > steal.seq && s.kind === 'running');
    expect(next?.p).toBe(steal.toP);
    const onP = lanes.procs[steal.toP]?.slices.find((s) => s.startSeq === next?.startSeq);
    expect([onP?.kind, onP?.goid]).toEqual(['running', goid]);
  });

  test('M lanes show the syscalls and the P each M held while running Go code', () => {
    const events = recording('pool');
    const lanes = LaneBuilder.from(events).lanes();
    const sys = events.filter((e) => e.kind === 'g.syscall');
    expect(sys.length).toBeGreaterThan(0);
    for (const e of sys) {
      const m = lanes.ms.find((l) => l.m === e.m);
      expect([at(m?.slices ?? [], e.seq)?.kind, at(m?.slices ?? [], e.seq)?.goid]).toEqual([
        'syscall',
        e.g,
      ]);
    }
    const running = lanes.ms.flatMap((m) => m.slices.filter((s) => s.kind === 'running'));
    expect(running.some((s) => s.goid > 0 && s.p >= 0)).toBe(true);
  });
});

describe('lanes: edge cases', () => {
  test('a GC cycle and a stop-the-world make their own tracks, closed when they end', () => {
    const s = script().start(1);
    s.add('stw', { begin: true, reason: 'GC sweep termination' });
    s.add('gc', { phase: 'sweepterm' }).add('stw', { begin: false, reason: '' });
    s.add('gc', { phase: 'mark' }).add('gc', { phase: 'marktermination' });
    s.add('gc', { phase: 'off' }).add('gc', { phase: 'mark' });
    const lanes = LaneBuilder.from(s.events).lanes();
    expect(lanes.stw.map((x) => [x.startSeq, x.endSeq, x.reason, x.open])).toEqual([
      [1, 3, 'GC sweep termination', false],
    ]);
    expect(lanes.gc.map((x) => [x.kind, x.startSeq, x.endSeq, x.open])).toEqual([
      ['sweepterm', 2, 4, false],
      ['mark', 4, 5, false],
      ['marktermination', 5, 6, false],
      ['mark', 7, 7, true],
    ]);
  });

  test('a goroutine that starts where another ran without an event saying so displaces it', () => {
    const s = script().start(1).create(5).create(6).run(5, 0).run(6, 0);
    const lanes = LaneBuilder.from(s.events).lanes();
    const g5 = lanes.byGoid.get(5)?.slices.map((x) => [x.kind, x.startSeq]);
    expect(g5).toEqual([
      ['runnable', 1],
      ['running', 3],
      ['runnable', 4],
    ]);
    expect(lanes.procs[0]?.slices.map((x) => [x.kind, x.goid])).toEqual([
      ['idle', 0],
      ['running', 5],
      ['running', 6],
    ]);
  });

  test('a syscall without a P state change (Go 1.26+) shows on the P, the M and the goroutine', () => {
    const s = script().start(1).create(5).run(5, 0);
    s.add('g.syscall', { goid: 5, g: 5 }).add('g.syscall.exit', { goid: 5, g: 5 });
    const lanes = LaneBuilder.from(s.events).lanes();
    const kinds = (slices: readonly LaneSlice[]) => slices.map((x) => `${x.kind}:${x.goid}`);
    expect(kinds(lanes.procs[0]?.slices ?? [])).toEqual([
      'idle:0',
      'running:5',
      'syscall:5',
      'running:5',
    ]);
    expect(kinds(lanes.ms[0]?.slices ?? [])).toEqual([
      'running:0',
      'running:5',
      'syscall:5',
      'running:5',
    ]);
    expect(kinds(lanes.byGoid.get(5)?.slices ?? [])).toEqual([
      'runnable:5',
      'running:5',
      'syscall:5',
      'running:5',
    ]);
    expect(lanes.byGoid.get(5)?.runs).toBe(2);
  });
});

describe("lanes: the run's end, and events out of order", () => {
  test("a program's own exit ends the lanes at its last event; a limit's kill at the run's end", () => {
    const base = () => script().start(1).create(5).run(5, 0);
    const end = (reason: 'exit' | 'timeout') =>
      base().add('run.end', { exitCode: 0, signal: null, lost: 0, reason }).events;
    const exited = end('exit');
    exited[exited.length - 1] = { ...(exited[exited.length - 1] as SlowmoEvent), t: 1e9 };
    const timedOut = end('timeout');
    timedOut[timedOut.length - 1] = { ...(timedOut[timedOut.length - 1] as SlowmoEvent), t: 1e9 };
    const open = (events: SlowmoEvent[]) =>
      LaneBuilder.from(events).lanes().byGoid.get(5)?.slices[1];
    expect([open(exited)?.kind, open(exited)?.end, open(exited)?.endSeq]).toEqual([
      'running',
      200,
      3,
    ]);
    expect([open(timedOut)?.end, open(timedOut)?.endSeq]).toEqual([1e9, 3]);
  });

  test('events out of seq order or going back in time are refused, naming the field', () => {
    const events = script().start(1).create(5).events;
    const b = LaneBuilder.from(events);
    expect(() => b.append(events[1] as SlowmoEvent)).toThrow(ProtocolError);
    const back = { ...(events[1] as SlowmoEvent), seq: 2, t: -1 } as SlowmoEvent;
    expect(() => b.append(back)).toThrow(/field "t" of seq 2/);
  });
});

describe('lanes: live and large', () => {
  const events = synthetic(100_000, { seed: 17, procs: 4, population: 1000 });

  test('appending in batches, reading the lanes between them, gives the lanes of the whole', () => {
    const live = new LaneBuilder();
    for (let i = 0; i < events.length; i += 997) {
      for (const e of events.slice(i, i + 997)) live.append(e);
      live.lanes();
    }
    const whole = LaneBuilder.from(events).lanes();
    // As JSON: a deep toEqual of some 200,000 slices takes jest many seconds.
    const shape = (l: Lanes) =>
      JSON.stringify([
        l.procs.map((p) => p.slices),
        l.ms.map((m) => m.slices),
        l.goroutines,
        l.arrows,
      ]);
    expect(shape(live.lanes()).length).toBeGreaterThan(1_000_000);
    expect(shape(live.lanes()) === shape(whole)).toBe(true);
  });

  test('100,000 events of 1,000 goroutines cost no more than the reducer replaying them', () => {
    expect(new Set(events.map((e) => ('goid' in e ? e.goid : 0))).size).toBeGreaterThan(1000);
    // Warm both up, then take the best of three of each: a shared machine's noise only adds time.
    const best = (f: () => unknown) => {
      f();
      return Math.min(
        ...[0, 1, 2].map(() => {
          const t0 = performance.now();
          f();
          return performance.now() - t0;
        }),
      );
    };
    const reducer = best(() => replay(events, initialState()));
    const lanesMs = best(() => LaneBuilder.from(events).lanes());
    // Measured about twice the reducer's time (its states die young; slices are kept, so the
    // garbage collector moves them): linear, as the reducer is. A cost per event that grew with
    // the goroutines or the slices so far would be many times it.
    expect(lanesMs).toBeLessThan(reducer * 3);
    const lanes = LaneBuilder.from(events).lanes();
    const slices = [...lanes.procs, ...lanes.ms, ...lanes.goroutines].reduce(
      (n, l) => n + l.slices.length,
      0,
    );
    // At most a few slices per event: a slice is made only where a lane changes.
    expect(slices).toBeLessThan(events.length * 3);
  });
});
