/**
 * The runtime's schedtrace and gctrace lines as events, and the GODEBUG settings a run may ask
 * for. The lines are real: test/fixtures/runtime-trace/*.txt is the stderr of
 * recordings/schedtrace.go built with Go 1.22 and 1.27 and run with GOMAXPROCS=2 and
 * GODEBUG=schedtrace=10,gctrace=1 (…-schedtrace.txt) or schedtrace=20,scheddetail=1,gctrace=1
 * (…-scheddetail.txt): the two releases print the run queues differently (`[0 1]`, and from
 * 1.26 `[ 0 1 ] schedticks=[ 5 3 ]`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  EventSchema,
  GodebugSchema,
  cellRunRequest,
  godebugProblem,
  parseMetadata,
  RunRequestSchema,
  RuntimeTraceReader,
  runtimeTracesOf,
  type EventOf,
  type SlowmoEvent,
} from '../src/protocol';
import { recording } from './support/recordings';

const FIXTURES = path.join(__dirname, 'fixtures', 'runtime-trace');
const text = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

let seq = 0;
const stderr = (data: string, t: number): SlowmoEvent => ({
  seq: seq++,
  t,
  kind: 'output',
  m: -1,
  p: -1,
  g: 0,
  stream: 'stderr',
  data,
});

/** The events the reader makes of `data` cut into output events at `cuts`, then the run's end. */
function readAll(data: string, cuts: number[]): SlowmoEvent[] {
  const reader = new RuntimeTraceReader({ schedtrace: true, gctrace: true });
  const made: SlowmoEvent[] = [];
  let from = 0;
  let t = 1000;
  for (const cut of [...cuts, data.length]) {
    if (cut <= from) continue;
    made.push(...reader.read(stderr(data.slice(from, cut), (t += 1000))));
    from = cut;
  }
  made.push(...reader.end(t + 1000));
  for (const e of made) EventSchema.parse(e);
  return made;
}

/** A seeded cut of `data` into pieces of 1 to 40 characters, as the runtime's writes come. */
function cutsOf(data: string, seed: number): number[] {
  const cuts: number[] = [];
  let x = seed;
  for (let at = 0; at < data.length;) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    at += 1 + (x % 40);
    cuts.push(at);
  }
  return cuts;
}

const lines = (s: string) => s.split('\n').filter((l) => l !== '');
const sched = (es: SlowmoEvent[]) =>
  es.filter((e): e is EventOf<'schedtrace'> => e.kind === 'schedtrace');
const gcs = (es: SlowmoEvent[]) => es.filter((e): e is EventOf<'gctrace'> => e.kind === 'gctrace');

describe.each(['1.22', '1.27'])('the runtime lines of Go %s', (go) => {
  test('every schedtrace line is an event with the numbers it prints', () => {
    const data = text(`go${go}-schedtrace.txt`);
    const headers = lines(data).filter((l) => l.startsWith('SCHED '));
    const events = sched(readAll(data, cutsOf(data, 7)));
    expect(events).toHaveLength(headers.length);
    expect(headers.length).toBeGreaterThan(10);
    events.forEach((e, i) => {
      const line = headers[i] as string;
      expect(line).toContain(`SCHED ${e.uptimeMs}ms: gomaxprocs=2 idleprocs=${e.idleprocs} `);
      expect(line).toContain(` spinningthreads=${e.spinningthreads} `);
      expect(line).toContain(` runqueue=${e.runqueue} `);
      expect(e.runqs).toHaveLength(2);
      // 1.22 prints [a b], 1.26 on [ a b ] and each P's ticks.
      const runqs = go === '1.22' ? `[${e.runqs.join(' ')}]` : `[ ${e.runqs.join(' ')} ]`;
      expect(line).toContain(runqs);
      expect(e.schedticks === undefined).toBe(go === '1.22');
      expect(e.detail).toBeUndefined();
    });
    // The workers keep the local queues busy: some line saw a queue.
    expect(events.some((e) => e.runqs.some((n) => n > 0))).toBe(true);
  });

  test('every gctrace line is an event, the forced cycle said so', () => {
    const data = text(`go${go}-schedtrace.txt`);
    const gcLines = lines(data).filter((l) => l.startsWith('gc '));
    const events = gcs(readAll(data, cutsOf(data, 11)));
    expect(events.map((e) => e.cycle)).toEqual(gcLines.map((_, i) => i + 1));
    for (const [i, e] of events.entries()) {
      const line = gcLines[i] as string;
      expect(line).toContain(
        `${e.heapMB.start}->${e.heapMB.end}->${e.heapMB.live} MB, ${e.goalMB} MB goal`,
      );
      expect(Number(/: ([\d.]+)\+/.exec(line)?.[1])).toBe(e.clockMs.sweepTerm);
      expect(e.procs).toBe(2);
    }
    expect(events.map((e) => e.forced)).toEqual(gcLines.map((l) => l.endsWith('(forced)')));
    expect(events.at(-1)?.forced).toBe(true);
  });

  test('scheddetail blocks: each P, M and G line of a block in one event', () => {
    const data = text(`go${go}-scheddetail.txt`);
    const all = lines(data);
    const events = sched(readAll(data, cutsOf(data, 3)));
    const headers = all.filter((l) => l.startsWith('SCHED '));
    expect(events).toHaveLength(headers.length);
    let k = 0;
    for (const e of events) {
      // The block's lines: the header's, up to the next line that is not a detail line.
      const start = all.indexOf(headers[k++] as string);
      let end = start + 1;
      while (end < all.length && /^ {2}[PMG]\d+: /.test(all[end] as string)) end++;
      const block = all.slice(start + 1, end);
      const d = e.detail;
      expect(d).toBeDefined();
      expect(d?.procs.map((p) => p.id)).toEqual([0, 1]);
      expect(d?.threads).toHaveLength(block.filter((l) => l.startsWith('  M')).length);
      expect(d?.goroutines).toHaveLength(block.filter((l) => l.startsWith('  G')).length);
      expect(e.runqs).toEqual(d?.procs.map((p) => p.runqsize));
      for (const g of d?.goroutines ?? []) {
        expect(block).toContainEqual(
          expect.stringMatching(new RegExp(`^ {2}G${g.goid}: status=${g.status}\\(`)),
        );
      }
    }
    // main waits for its workers: a goroutine line names a wait reason.
    expect(events.some((e) => e.detail?.goroutines.some((g) => g.reason === 'semacquire'))).toBe(
      true,
    );
  });

  test('a line cut anywhere between output events reads the same', () => {
    const data = text(`go${go}-schedtrace.txt`);
    // Times differ with the cut; what the lines say does not.
    const timeless = (e: SlowmoEvent) => {
      const { t: _t, seq: _s, ...rest } = e as SlowmoEvent & { at?: number };
      delete rest.at;
      return rest;
    };
    const whole = readAll(data, []).map(timeless);
    for (const seed of [1, 2, 3]) {
      const cut = readAll(data, cutsOf(data, seed)).map(timeless);
      expect(cut).toEqual(whole);
    }
  });
});

describe('the reader', () => {
  test('at is when the line began, t when it ended; the program’s own lines make nothing', () => {
    const reader = new RuntimeTraceReader({ schedtrace: true, gctrace: false });
    expect(reader.read(stderr('SCHED 5ms: gomaxprocs=1 idleprocs=0 ', 100))).toEqual([]);
    const [e] = reader.read(
      stderr('threads=3 spinningthreads=0 needspinning=0 idlethreads=1 runqueue=2 [4]\n', 250),
    );
    expect(e).toMatchObject({ kind: 'schedtrace', at: 100, t: 250, runqs: [4], runqueue: 2 });
    // Not asked for: gctrace lines stay output only. A learner's look-alike makes nothing.
    expect(
      reader.read(
        stderr(
          'gc 1 @0.001s 1%: 0+0+0 ms clock, 0+0/0/0+0 ms cpu, 1->1->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 1 P\n',
          300,
        ),
      ),
    ).toEqual([]);
    expect(reader.read(stderr('SCHED 5ms: gomaxprocs=2 idleprocs=0 [lies]\n', 400))).toEqual([]);
  });

  test('a block from the first moments, with nmidlelocked below zero, is still an event', () => {
    // Go 1.27's first block of a run (main still locked to M0 while the runtime starts it).
    const block = [
      'SCHED 0ms: gomaxprocs=2 idleprocs=1 threads=4 spinningthreads=0 needspinning=0 idlethreads=2 runqueue=0 gcwaiting=false nmidlelocked=-1 stopwait=0 sysmonwait=false',
      '  P0: status=0 schedtick=0 syscalltick=0 m=nil runqsize=0 gfreecnt=0 timerslen=0',
      '  P1: status=0 schedtick=2 syscalltick=0 m=nil runqsize=0 gfreecnt=0 timerslen=0',
      '  M0: p=nil curg=nil mallocing=0 throwing=0 preemptoff= locks=16 dying=0 spinning=false blocked=false lockedg=1',
      '  G1: status=1(chan receive) m=nil lockedm=0',
      '',
    ].join('\n');
    const [e, ...more] = sched(readAll(block, []));
    expect(more).toEqual([]);
    expect(e?.detail).toMatchObject({ nmidlelocked: -1, procs: [{ id: 0 }, { id: 1 }] });
  });

  test('runtimeTracesOf: which traces a GODEBUG turns on', () => {
    expect(runtimeTracesOf('schedtrace=100,scheddetail=1')).toEqual({
      schedtrace: true,
      gctrace: false,
    });
    expect(runtimeTracesOf('gctrace=1')).toEqual({ schedtrace: false, gctrace: true });
    expect(runtimeTracesOf(undefined)).toEqual({ schedtrace: false, gctrace: false });
  });

  test.each(['1.22', '1.27'])(
    'the bridge made the events of recording schedtrace-go%s from its output',
    (go) => {
      const events = recording(`schedtrace-go${go}`);
      const start = events[0];
      expect(start).toMatchObject({
        kind: 'run.start',
        gomaxprocs: 2,
        backend: 'ebpf',
        goVersion: expect.stringContaining(`go${go}`),
      });
      const reader = new RuntimeTraceReader({ schedtrace: true, gctrace: true });
      const again: SlowmoEvent[] = [];
      for (const e of events)
        again.push(...(e.kind === 'run.end' ? reader.end(e.t) : reader.read(e)));
      const strip = (es: SlowmoEvent[]) => es.map(({ seq: _s, ...rest }) => rest);
      const made = events.filter((e) => e.kind === 'schedtrace' || e.kind === 'gctrace');
      expect(made.length).toBeGreaterThan(20);
      expect(strip(again)).toEqual(strip(made));
      // Each comes just before the output that ends its line, and the lines stay in the output.
      for (const e of made) {
        const next = events[e.seq + 1];
        expect(
          next?.kind === 'output' ||
            next?.kind === e.kind ||
            next?.kind === 'gctrace' ||
            next?.kind === 'schedtrace',
        ).toBe(true);
      }
      const out = events.map((e) => (e.kind === 'output' ? e.data : '')).join('');
      expect(out.match(/^SCHED /gm)).toHaveLength(sched(events).length);
    },
  );
});

describe('GODEBUG for a run', () => {
  test('the allowed settings pass, tidied', () => {
    expect(GodebugSchema.parse('schedtrace=100, scheddetail=1,gctrace=1')).toBe(
      'schedtrace=100,scheddetail=1,gctrace=1',
    );
    for (const ok of [
      'asyncpreemptoff=1',
      'gcstoptheworld=2',
      'inittrace=1',
      'tracebackancestors=5',
      'schedtrace=1',
      'schedtrace=60000',
    ]) {
      expect(godebugProblem(ok)).toBeUndefined();
    }
  });

  test('anything else is refused, naming the setting and the allowed ones', () => {
    const cgo = godebugProblem('schedtrace=100,cgocheck=0');
    expect(cgo).toContain('"cgocheck" is not allowed');
    expect(cgo).toContain(
      'schedtrace=N (ms, 1-60000), scheddetail=1, gctrace=1, asyncpreemptoff=1',
    );
    expect(godebugProblem('traceadvanceperiod=1')).toContain('"traceadvanceperiod" is not allowed');
    expect(godebugProblem('schedtrace=0')).toContain('schedtrace takes a period in ms, 1 to 60000');
    expect(godebugProblem('schedtrace=10ms')).toContain('schedtrace takes');
    expect(godebugProblem('gctrace=2')).toContain('gctrace takes 1');
    expect(godebugProblem('scheddetail=1')).toContain('give schedtrace=N too');
    expect(godebugProblem('gctrace=1,gctrace=1')).toContain('given twice');
    expect(godebugProblem('gctrace')).toContain('not a setting');
    expect(godebugProblem('toString=1')).toContain('"toString" is not allowed');
  });

  test('a run request carries it, and refuses a bad one at field godebug', () => {
    const base = { type: 'run', id: 'r', code: 'package main\nfunc main() {}\n' };
    expect(RunRequestSchema.parse({ ...base, godebug: 'gctrace=1' }).godebug).toBe('gctrace=1');
    const bad = RunRequestSchema.safeParse({ ...base, godebug: 'madvdontneed=1' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['godebug']);
  });

  test('a cell asks for it in its metadata', () => {
    const meta = parseMetadata({ godebug: 'schedtrace=10,gctrace=1' });
    expect(cellRunRequest('c', 'package main', meta).godebug).toBe('schedtrace=10,gctrace=1');
    expect(cellRunRequest('c', 'package main', parseMetadata({})).godebug).toBeUndefined();
    expect(() => parseMetadata({ godebug: 'http2debug=1' })).toThrow(/godebug.*"http2debug"/);
  });
});
