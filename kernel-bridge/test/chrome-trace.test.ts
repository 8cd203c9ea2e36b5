/**
 * The Chrome Trace Event export of real recordings: valid by the format's
 * schema (test/trace-event-format.schema.json) and by its nesting and flow
 * rules (support/trace-format.ts), one named track per P and per M, and
 * running slices that add up per goroutine to the analysis' running time.
 */
import {
  analyzeGoroutines,
  CHROME_GC_TIDS,
  CHROME_PIDS,
  chromeTrace,
  LaneBuilder,
  parseEvent,
  type ChromeTrace,
  type ChromeTraceEvent,
  type SlowmoEvent,
} from '../src/protocol';
import { script } from './support/events';
import { recording } from './support/recordings';
import { schemaProblems, traceProblems } from './support/trace-format';

const RECORDINGS = ['pool', 'pool-trace', 'wake', 'gc', 'deadlock', 'stuck'];

function threadNames(trace: ChromeTrace, pid: number): string[] {
  return trace.traceEvents
    .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid)
    .map((e) => String(e.args?.['name']));
}

describe.each(RECORDINGS)('the Chrome trace of the %s recording', (name) => {
  const events = recording(name);
  // Through JSON, as a file would carry it.
  const trace = JSON.parse(JSON.stringify(chromeTrace(events))) as ChromeTrace;

  test('is valid by the schema, nests on every thread, and each flow ends', () => {
    expect(trace.traceEvents.length).toBeGreaterThan(events.length / 4);
    expect(traceProblems(trace)).toEqual([]);
  });

  test('has one named track per P and per M', () => {
    const start = events[0] as SlowmoEvent;
    const gomaxprocs = start.kind === 'run.start' ? start.gomaxprocs : 0;
    expect(threadNames(trace, CHROME_PIDS.procs)).toEqual(
      Array.from({ length: gomaxprocs }, (_, p) => `P${p}`),
    );
    const ms = new Set<number>();
    for (const e of events) {
      if (e.m >= 0) ms.add(e.m);
      if (e.kind === 'p.state' && e.pm >= 0) ms.add(e.pm);
    }
    const mNames = threadNames(trace, CHROME_PIDS.ms);
    expect([...mNames].sort()).toEqual([...ms].map((m) => `M${m}`).sort());
    expect(new Set(mNames).size).toBe(mNames.length);
  });

  test("running slices add up per goroutine to the analysis' running time", () => {
    const running = new Map<number, number>();
    for (const e of trace.traceEvents) {
      if (e.pid !== CHROME_PIDS.goroutines || e.ph !== 'X' || e.cat !== 'running') continue;
      running.set(e.tid, (running.get(e.tid) ?? 0) + (e.dur ?? 0) * 1000);
    }
    const analysis = analyzeGoroutines(events);
    expect(analysis.goroutines.some((g) => g.running > 0)).toBe(true);
    for (const g of analysis.goroutines) {
      expect(Math.abs((running.get(g.goid) ?? 0) - g.running)).toBeLessThan(1);
    }
  });

  test('creations are instants, steals and wake-ups are flows', () => {
    const of = (ph: string, cat: string) =>
      trace.traceEvents.filter((e) => e.ph === ph && e.cat === cat);
    expect(of('i', 'create')).toHaveLength(events.filter((e) => e.kind === 'g.create').length);
    expect(of('s', 'steal')).toHaveLength(events.filter((e) => e.kind === 'steal').length);
    const lanes = LaneBuilder.from(events).lanes();
    const wakes = lanes.arrows.filter(
      (a) => a.kind === 'wake' && lanes.byGoid.has(a.fromG) && lanes.byGoid.has(a.toG),
    );
    expect(of('s', 'wake').map((e) => e.args?.['seq'])).toEqual(wakes.map((a) => a.seq));
  });
});

describe('the Chrome trace, in detail', () => {
  test('the GC phases and stop-the-world pauses of gc.go are on their own tracks', () => {
    const events = recording('gc');
    const trace = chromeTrace(events);
    const on = (tid: number) =>
      trace.traceEvents.filter((e) => e.pid === CHROME_PIDS.gc && e.tid === tid && e.ph === 'X');
    const stws = events.filter((e) => e.kind === 'stw' && e.begin);
    expect(stws.length).toBeGreaterThan(1);
    expect(on(CHROME_GC_TIDS.stw).map((e) => e.ts)).toEqual(stws.map((e) => e.t / 1000));
    const phases = on(CHROME_GC_TIDS.phases).map((e) => e.name);
    expect(phases).toEqual(expect.arrayContaining(['GC mark', 'GC marktermination']));
    expect(threadNames(trace, CHROME_PIDS.gc)).toEqual(['GC phases', 'stop-the-world']);
  });

  test('a counter follows the run queues as the reducer models them', () => {
    const s = script().start(2).create(5).put(5, 'local', 0).create(6).put(6, 'local', 0);
    s.create(7).put(7, 'global', -1).run(5, 0);
    const counters = chromeTrace(s.events).traceEvents.filter((e) => e.ph === 'C');
    expect(counters.map((e) => e.args)).toEqual([
      { P0: 0, P1: 0, global: 0 },
      { P0: 1, P1: 0, global: 0 },
      { P0: 2, P1: 0, global: 0 },
      { P0: 2, P1: 0, global: 1 },
      { P0: 1, P1: 0, global: 1 },
    ]);
  });

  test("the program's own tasks, regions and logs (user.* kinds) get tracks of their own", () => {
    const s = script().start(1).create(5).run(5, 0);
    const base = s.events[2] as SlowmoEvent;
    let seq = s.events.length;
    const user = (kind: string, fields: object) =>
      parseEvent({ seq: seq++, t: seq * 100, m: base.m, p: base.p, g: 5, kind, ...fields });
    const events = [
      ...s.events,
      user('user.task', { begin: true, task: 1, parent: 0, name: 'job' }),
      user('user.region', { begin: true, task: 1, name: 'outer', depth: 0 }),
      user('user.region', { begin: true, task: 1, name: 'inner', depth: 1 }),
      user('user.log', { task: 1, category: 'stage', message: 'two' }),
      user('user.region', { begin: false, task: 1, name: 'inner', depth: 1 }),
      user('user.task', { begin: false, task: 1, parent: 0, name: 'job' }),
    ];
    const trace = chromeTrace(events);
    expect(traceProblems(trace)).toEqual([]);
    const on = trace.traceEvents.filter((e) => e.pid === CHROME_PIDS.regions && e.ph !== 'M');
    // "outer" was never ended: it is closed where the recording ends.
    expect(on.map((e) => `${e.ph} ${e.name}`)).toEqual([
      'b job',
      'B outer',
      'B inner',
      'E inner',
      'e job',
      'E outer',
    ]);
    expect(threadNames(trace, CHROME_PIDS.regions)).toEqual(['g5 main.worker regions']);
    const log = trace.traceEvents.find((e) => e.cat === 'user');
    expect(log).toMatchObject({
      name: 'log stage',
      ph: 'i',
      tid: 5,
      pid: CHROME_PIDS.goroutines,
    });
    expect(log?.args).toMatchObject({ message: 'two', task: 1 });
  });
});

describe('the trace format checks', () => {
  test('find what is wrong with a broken trace', () => {
    const ok: ChromeTraceEvent = { name: 'a', ph: 'X', ts: 0, dur: 10, pid: 1, tid: 1 };
    const broken = (...traceEvents: object[]) => traceProblems({ traceEvents } as ChromeTrace);
    expect(broken(ok)).toEqual([]);
    expect(schemaProblems({ traceEvents: [{ ...ok, dur: undefined }] }).join()).toMatch(/dur/);
    expect(
      schemaProblems({
        traceEvents: [{ name: 'c', ph: 'C', ts: 0, pid: 1, tid: 1, args: { n: 'x' } }],
      }),
    ).not.toEqual([]);
    expect(
      schemaProblems({ traceEvents: [{ name: 's', ph: 's', ts: 0, pid: 1, tid: 1, cat: 'x' }] }),
    ).not.toEqual([]);
    expect(
      schemaProblems({ traceEvents: [{ name: 'thread_name', ph: 'M', pid: 1, tid: 1, args: {} }] }),
    ).not.toEqual([]);
    expect(broken(ok, { ...ok, name: 'b', ts: 5, dur: 10 })).toEqual([
      '1/1: "b" [5, 15] overlaps "a" ending 10',
    ]);
    expect(broken({ name: 'a', ph: 'B', ts: 0, pid: 1, tid: 1 })).toEqual([
      '1/1: B "a" at 0 never ends',
    ]);
    const b = (n: string, ts: number) => ({ name: n, ph: 'B', ts, pid: 1, tid: 2 });
    expect(broken(b('a', 0), b('b', 1), { name: 'a', ph: 'E', ts: 2, pid: 1, tid: 2 })).toEqual([
      '1/2: E "a" at 2 ends "b"',
    ]);
    const flow = { name: 'w', cat: 'wake', ph: 's', id: 1, ts: 3, pid: 1, tid: 1 };
    expect(broken(ok, flow)).toEqual(['flow wake/1 never ends']);
    expect(broken(ok, flow, { ...flow, ph: 'f', ts: 2, bp: 'e' })).toEqual([
      'flow wake/1 ends before it starts',
    ]);
  });
});
