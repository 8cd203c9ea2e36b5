import {
  analyzeGoroutines,
  apply,
  initialState,
  LaneBuilder,
  summarize,
  type GoroutineStats,
  type SchedState,
  type SlowmoEvent,
} from '../src/protocol';
import { synthetic } from '../bench/synthetic';
import { recording } from './support/recordings';

const RECORDINGS = ['pool', 'pool-trace', 'wake', 'deadlock', 'panic', 'stuck', 'gc'];
/** The acceptance's tolerance: the parts of a life add up to it within 1 µs. */
const ONE_US = 1000;

function count(events: readonly SlowmoEvent[], goid: number, test: (e: SlowmoEvent) => boolean) {
  return events.filter((e) => 'goid' in e && e.goid === goid && test(e)).length;
}

describe.each(RECORDINGS)('goroutine analysis of the %s recording', (name) => {
  const events = recording(name);
  const analysis = analyzeGoroutines(events);
  const last = events[events.length - 1] as SlowmoEvent;

  test('the times of each goroutine add up to its lifetime, and scheduler latency is its runnable time', () => {
    expect(analysis.goroutines.length).toBeGreaterThan(2);
    for (const g of analysis.goroutines) {
      const parts = g.running + g.runnable + g.waiting + g.syscall;
      expect(Math.abs(parts - g.lifetime)).toBeLessThan(ONE_US);
      expect(g.lifetime).toBeCloseTo((g.endedAt ?? analysis.end) - g.firstAt, 6);
      expect(analysis.end).toBeLessThanOrEqual(last.t);
      expect(g.schedLatency).toBe(g.runnable);
      const byReason = Object.values(g.waitingBy).reduce((a, b) => a + b, 0);
      expect(Math.abs(byReason - g.waiting)).toBeLessThan(ONE_US);
      expect(g.maxRunnable).toBeLessThanOrEqual(g.runnable);
    }
  });

  test('creation, end, runs, Ps, steals and preemptions match the events', () => {
    for (const g of analysis.goroutines) {
      const created = events.find((e) => e.kind === 'g.create' && e.goid === g.goid);
      const ended = events.find((e) => e.kind === 'g.exit' && e.goid === g.goid);
      expect([g.createdAt, g.endedAt]).toEqual([created?.t ?? null, ended?.t ?? null]);
      const runs = count(events, g.goid, (e) => e.kind === 'g.running');
      const back = count(events, g.goid, (e) => e.kind === 'g.syscall.exit' && e.p >= 0);
      expect(g.runs).toBe(runs + back);
      const ps = new Set(
        events
          .filter((e) => e.kind === 'g.running' && e.goid === g.goid && e.p >= 0)
          .map((e) => e.p),
      );
      expect(g.ps).toEqual([...ps].sort((a, b) => a - b));
      const steals = events.filter((e) => e.kind === 'steal' && e.goids.includes(g.goid));
      expect(g.stolen).toBe(steals.length);
    }
    checkPreemptions(events, analysis.goroutines);
  });

  test('the counts by state match the reducer at the end of every bucket', () => {
    checkCounts(events, analysis);
  });
});

/** A preemption is a `g.runnable` with reason preempt of a goroutine the reducer had running. */
function checkPreemptions(events: readonly SlowmoEvent[], gs: readonly GoroutineStats[]): void {
  const want = new Map<number, number>();
  let state: SchedState = initialState();
  for (const e of events) {
    const running = e.kind === 'g.runnable' && state.gs.get(e.goid)?.status === 'running';
    if (running && e.reason === 'preempt') want.set(e.goid, (want.get(e.goid) ?? 0) + 1);
    state = apply(state, e);
  }
  expect(new Map(gs.filter((g) => g.preempted > 0).map((g) => [g.goid, g.preempted]))).toEqual(
    want,
  );
}

function checkCounts(
  events: readonly SlowmoEvent[],
  analysis: ReturnType<typeof analyzeGoroutines>,
) {
  const known = new Set(analysis.goroutines.map((g) => g.goid));
  let state: SchedState = initialState();
  let i = 0;
  expect(analysis.counts.buckets.length).toBeGreaterThan(1);
  for (const bucket of analysis.counts.buckets) {
    while (i < events.length && (events[i] as SlowmoEvent).t <= bucket.t) {
      state = apply(state, events[i] as SlowmoEvent);
      i++;
    }
    const want = { running: 0, runnable: 0, waiting: 0, syscall: 0, dead: 0 };
    for (const [goid, status] of Object.entries(summarize(state).goroutines)) {
      if (!known.has(Number(goid))) continue;
      // Running where another now runs (an event that stopped it was lost): runnable in the lanes.
      const g = state.gs.get(Number(goid));
      const shown = g !== undefined && (g.p < 0 || state.procs[g.p]?.running === g.goid);
      want[status === 'running' && !shown ? 'runnable' : status]++;
    }
    expect(bucket).toEqual({ t: bucket.t, ...want });
  }
}

describe('goroutine analysis, in detail', () => {
  test('wake.go: the receiver waits about 10 ms on the channel, then sleeps 10 ms', () => {
    const { goroutines } = analyzeGoroutines(recording('wake'));
    const receiver = goroutines.find((g) => g.fn === 'main.receiver');
    expect(receiver?.file).toMatch(/wake\.go$|main\.go$/);
    expect(receiver?.parent).toBe(1);
    expect(receiver?.waitingBy['chan receive']).toBeGreaterThan(8e6);
    expect(receiver?.waitingBy['sleep']).toBeGreaterThan(9e6);
    expect(receiver?.runtime).toBe(false);
    expect(goroutines.find((g) => g.goid === 1)?.runtime).toBe(false);
  });

  test('counts by state on a long synthetic run agree with the reducer too', () => {
    const events = synthetic(20_000, { seed: 5, procs: 4, population: 200 });
    const analysis = analyzeGoroutines(LaneBuilder.from(events).lanes(), 25);
    expect(analysis.counts.buckets).toHaveLength(25);
    expect(analysis.counts.buckets[24]?.t).toBe(analysis.end);
    checkCounts(events, analysis);
  });
});
