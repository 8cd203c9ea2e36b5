import {
  apply,
  initialState,
  replay,
  summarize,
  type SchedState,
  type SlowmoEvent,
} from '../src/protocol';
import { synthetic } from '../bench/synthetic';
import { deepFreeze, script, type Script } from './support/events';

const final = (s: Script): SchedState => replay(s.events, initialState());
const sum = (s: Script) => summarize(final(s));

describe('queue rules', () => {
  test('a new runnext kicks the old one to the tail of the local queue', () => {
    const s = script()
      .start(1)
      .create(2)
      .put(2, 'runnext', 0, 'create')
      .create(3)
      .put(3, 'local', 0);
    expect(sum(s).procs[0]).toMatchObject({ runnext: 2, runq: [3] });
    s.create(4).put(4, 'runnext', 0, 'create');
    expect(sum(s).procs[0]).toMatchObject({ runnext: 4, runq: [3, 2] });
  });

  test('putting the runnext goroutine in runnext again changes nothing', () => {
    const s = script().start(1).create(2).put(2, 'runnext', 0).put(2, 'runnext', 0);
    expect(sum(s).procs[0]).toMatchObject({ runnext: 2, runq: [] });
  });

  test('a put to a full local queue moves the older half and the new one to the global queue', () => {
    const s = script().start(1);
    for (let g = 2; g < 2 + 256; g++) s.create(g).put(g, 'local', 0);
    expect(sum(s).procs[0]?.runq).toHaveLength(256);
    s.create(300).put(300, 'local', 0);
    const out = sum(s);
    const first = Array.from({ length: 128 }, (_, i) => 2 + i);
    const rest = Array.from({ length: 128 }, (_, i) => 130 + i);
    expect(out.procs[0]?.runq).toEqual(rest);
    expect(out.globalq).toEqual([...first, 300]);
    expect(final(s).gs.get(2)).toMatchObject({ queue: 'global', qp: -1 });
  });

  test('a kicked-out runnext that lands on a full queue overflows too', () => {
    const s = script().start(1).create(2).put(2, 'runnext', 0);
    for (let g = 3; g < 3 + 256; g++) s.create(g).put(g, 'local', 0);
    s.create(400).put(400, 'runnext', 0, 'create');
    const out = sum(s);
    expect(out.procs[0]?.runnext).toBe(400);
    expect(out.procs[0]?.runq).toHaveLength(128);
    expect(out.globalq).toHaveLength(129);
    expect(out.globalq[128]).toBe(2);
  });

  test('a steal takes from the head of the victim; the thief runs the last one and queues the rest', () => {
    const s = script().start(2);
    for (const g of [2, 3, 4, 5]) s.create(g).put(g, 'local', 0);
    s.add('steal', { thief: 1, victim: 0, goids: [2, 3], p: 1, m: 1 });
    let out = sum(s);
    expect(out.procs[0]?.runq).toEqual([4, 5]);
    expect(out.procs[1]?.runq).toEqual([2]);
    expect(final(s).gs.get(3)).toMatchObject({ status: 'runnable', queue: null, qp: 1 });
    s.run(3, 1);
    out = sum(s);
    expect(out.procs[1]).toMatchObject({ running: 3, runq: [2] });
    expect(out.goroutines['3']).toBe('running');
  });

  test('a steal can take the runnext slot', () => {
    const s = script().start(2).create(2).put(2, 'runnext', 0);
    s.add('steal', { thief: 1, victim: 0, goids: [2], p: 1, m: 1 }).run(2, 1);
    expect(sum(s).procs).toEqual([
      { id: 0, m: -1, running: null, runnext: null, runq: [] },
      { id: 1, m: 1, running: 2, runnext: null, runq: [] },
    ]);
  });

  test('execute takes a goroutine out of whichever queue holds it', () => {
    const s = script().start(2).create(2).put(2, 'runnext', 0).create(3).put(3, 'local', 0);
    s.create(4).put(4, 'global', -1, 'yield');
    s.run(4, 1).run(3, 0);
    const out = sum(s);
    expect(out.globalq).toEqual([]);
    expect(out.procs[0]).toMatchObject({ running: 3, runnext: 2, runq: [] });
    expect(out.procs[1]).toMatchObject({ running: 4 });
  });

  test('a runq snapshot is authoritative and overrides the model', () => {
    const s = script().start(2).create(2).put(2, 'local', 0).create(3).put(3, 'local', 0);
    s.create(5).put(5, 'local', 1);
    // The probe saw the queue really holds 5 (moved from P1) and 3; 2 is gone.
    s.add('runq', { qp: 0, runnext: 0, goids: [5, 3] });
    const state = final(s);
    const out = summarize(state);
    expect(out.procs[0]?.runq).toEqual([5, 3]);
    expect(out.procs[1]?.runq).toEqual([]);
    expect(state.gs.get(2)).toMatchObject({ status: 'runnable', queue: null });
    expect(state.gs.get(5)).toMatchObject({ queue: 'local', qp: 0 });
  });

  test('a globalq snapshot is authoritative, with a count of what it truncated', () => {
    const s = script().start(1).create(2).put(2, 'global', -1).create(3).put(3, 'local', 0);
    s.add('globalq', { goids: [3], more: 40 });
    const state = final(s);
    expect(state.globalq).toEqual([3]);
    expect(state.globalqMore).toBe(40);
    expect(summarize(state).procs[0]?.runq).toEqual([]);
    expect(state.gs.get(2)?.queue).toBeNull();
  });
});

describe('each event kind', () => {
  test('run.start sets up GOMAXPROCS idle Ps and the run info', () => {
    const state = final(script().start(3));
    expect(state.procs.map((p) => p.state)).toEqual(['idle', 'idle', 'idle']);
    expect(state.run).toMatchObject({ goVersion: 'go1.26.8', gomaxprocs: 3, backend: 'ebpf' });
    expect(state.seq).toBe(0);
  });

  test('g.create records the creation site and parent', () => {
    const state = final(script().start(1).create(7, { parent: 1, line: 33 }));
    expect(state.gs.get(7)).toMatchObject({
      status: 'runnable',
      queue: null,
      site: { parent: 1, fn: 'main.worker', file: '/tmp/build/main.go', line: 33, seq: 1 },
    });
  });

  test('g.running puts it on the P and binds the M', () => {
    const state = final(script().start(2).create(2).put(2, 'runnext', 1).run(2, 1, 5));
    expect(state.procs[1]).toMatchObject({ running: 2, m: 5, state: 'running', runnext: 0 });
    expect(state.ms.get(5)).toMatchObject({ p: 1 });
    expect(state.gs.get(2)).toMatchObject({ status: 'running', m: 5, p: 1 });
  });

  test('g.waiting parks with the wait reason and where, and frees the P', () => {
    const s = script().start(1).create(2).put(2, 'runnext', 0).run(2, 0);
    s.add('g.waiting', { goid: 2, reason: 'chan receive', file: 'main.go', line: 12, g: 2 });
    const state = final(s);
    expect(state.gs.get(2)).toMatchObject({
      status: 'waiting',
      wait: { reason: 'chan receive', file: 'main.go', line: 12, since: 4 },
    });
    expect(state.procs[0]?.running).toBe(0);
    s.put(2, 'runnext', 0, 'ready');
    expect(final(s).gs.get(2)).toMatchObject({ status: 'runnable', wait: null, queue: 'runnext' });
  });

  test('g.syscall and g.syscall.exit, with and without a P to return to', () => {
    const s = script().start(2).create(2).put(2, 'runnext', 0).run(2, 0);
    s.add('g.syscall', { goid: 2, g: 2 });
    expect(final(s).gs.get(2)).toMatchObject({ status: 'syscall', p: 0 });
    expect(final(s).procs[0]?.running).toBe(0);
    s.add('g.syscall.exit', { goid: 2, g: 2, p: 0 });
    expect(sum(s).procs[0]?.running).toBe(2);
    s.add('g.syscall', { goid: 2, g: 2 }).add('g.syscall.exit', { goid: 2, g: 2, p: -1, m: 3 });
    expect(final(s).gs.get(2)).toMatchObject({ status: 'runnable', queue: null, m: 3 });
  });

  test('g.exit marks it dead and frees the P', () => {
    const s = script().start(1).create(2).put(2, 'runnext', 0).run(2, 0).add('g.exit', { goid: 2 });
    expect(sum(s).goroutines['2']).toBe('dead');
    expect(sum(s).procs[0]?.running).toBeNull();
  });

  test('g.runnable after preemption takes it off its P', () => {
    const s = script()
      .start(1)
      .create(2)
      .put(2, 'runnext', 0)
      .run(2, 0)
      .put(2, 'local', 0, 'preempt');
    expect(sum(s).procs[0]).toMatchObject({ running: null, runq: [2] });
  });

  test('p.state changes state and M; an idle P runs nothing', () => {
    const s = script().start(2).create(2).put(2, 'runnext', 1).run(2, 1, 4);
    s.add('p.state', { state: 'syscall', pm: 4, p: 1 });
    expect(final(s).procs[1]).toMatchObject({ state: 'syscall', m: 4, running: 0 });
    s.add('p.state', { state: 'idle', pm: -1, p: 1 });
    const state = final(s);
    expect(state.procs[1]).toMatchObject({ state: 'idle', m: -1 });
    expect(state.ms.get(4)?.p).toBe(-1);
  });

  test('m.state records spinning and idle Ms', () => {
    const s = script().start(2).add('m.state', { state: 'spinning', m: 3, p: 1 });
    expect(final(s).ms.get(3)).toMatchObject({ state: 'spinning', p: 1 });
    s.add('m.state', { state: 'idle', m: 3, p: -1 });
    expect(final(s).ms.get(3)).toMatchObject({ state: 'idle', p: -1 });
  });

  test('gc, stw, line, output and run.end', () => {
    const s = script().start(1).create(2).add('gc', { phase: 'mark' });
    s.add('stw', { begin: true, reason: 'GC mark termination' });
    expect(final(s)).toMatchObject({ gc: 'mark', stw: 'GC mark termination' });
    s.add('stw', { begin: false, reason: '' }).add('gc', { phase: 'off' });
    s.add('line', { goid: 2, file: 'main.go', line: 9 });
    s.add('output', { stream: 'stdout', data: 'hi\n' });
    s.add('run.end', { exitCode: 3, signal: null, lost: 0, reason: 'exit' });
    const state = final(s);
    expect(state).toMatchObject({ gc: 'off', stw: null, end: { exitCode: 3, reason: 'exit' } });
    expect(state.gs.get(2)?.at).toEqual({ file: 'main.go', line: 9 });
  });

  test('events about a goroutine whose creation was not seen still place it', () => {
    const state = final(script().start(1).put(1, 'runnext', 0));
    expect(state.gs.get(1)).toMatchObject({ site: null, status: 'runnable', queue: 'runnext' });
  });

  test('a P beyond GOMAXPROCS (no run.start yet) is created on demand', () => {
    const state = final(script().create(2).put(2, 'local', 3));
    expect(state.procs).toHaveLength(4);
    expect(state.procs[3]?.runq).toEqual([2]);
  });
});

describe('purity', () => {
  test('apply never mutates its input, on a long random stream', () => {
    const events = synthetic(20_000, { seed: 7, population: 300 });
    let state = initialState();
    for (const e of events) {
      // Frozen input: any write by apply throws in strict mode.
      state = apply(deepFreeze(state), deepFreeze(e));
    }
    expect(state.seq).toBe(events.length - 1);
  });

  test('an earlier state reads the same after later events', () => {
    const events = synthetic(5_000, { seed: 8 });
    const mid = replay(events.slice(0, 2_500), initialState());
    const before = JSON.stringify(summarize(mid));
    replay(events.slice(2_500), mid);
    expect(JSON.stringify(summarize(mid))).toBe(before);
  });

  test('untouched parts are shared, not copied', () => {
    const s = script().start(2).create(2).put(2, 'local', 0);
    const before = final(s);
    const after = apply(before, {
      seq: 3,
      t: 300,
      m: 0,
      p: 0,
      g: 0,
      kind: 'gc',
      phase: 'mark',
    } as SlowmoEvent);
    expect(after.procs).toBe(before.procs);
    expect(after.gs).toBe(before.gs);
  });
});
