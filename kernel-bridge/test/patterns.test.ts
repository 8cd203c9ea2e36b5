/**
 * The patterns (analysis/patterns.ts): each is found in a real Go program
 * made to show it and not in a near twin made not to, both recorded through
 * a real bridge with the eBPF backend (one replayed from its real recording:
 * RECORDED, below); the sentences and edge cases on small
 * hand-made streams; and the checkpoint language's `pattern` check.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  durationWords,
  evaluateCheckpoint,
  findPatterns,
  LaneBuilder,
  type PatternKind,
  type SlowmoEvent,
  parseEvent,
} from '../src/protocol';
import type { BridgeServer } from '../src/server/app';
import { Client, ebpfDescribe, startTestBridge, wsUrl, type RunLog } from './support/bridge';
import { script, type Script } from './support/events';

jest.setTimeout(300_000);

const PROGRAMS = path.join(__dirname, 'fixtures', 'patterns');

/** Each pattern: the program made to show it and the twin made not to, with their GOMAXPROCS. */
const CASES: readonly (readonly [PatternKind, [string, number], [string, number]])[] = [
  ['few-running', ['blocked-crowd', 4], ['busy-crowd', 4]],
  ['idle-while-runnable', ['bursts', 4], ['bursts', 1]],
  ['long-runnable', ['hogs', 1], ['turns', 1]],
  ['excessive-switching', ['pingpong', 1], ['buffered', 1]],
];

/** Events spaced `step` ns apart, so that a hand-made stream lasts long enough to matter. */
function spaced(s: Script, step: number): SlowmoEvent[] {
  return s.events.map((e) => ({ ...e, t: e.seq * step }));
}

describe('patterns in words', () => {
  test('durations read in their largest unit with at most two significant digits', () => {
    expect([812, 1_700, 40_000, 8e6, 12.5e6, 1.2e9].map(durationWords)).toEqual([
      '812 ns',
      '1.7 µs',
      '40 µs',
      '8 ms',
      '13 ms',
      '1.2 s',
    ]);
  });

  test('an idle P beside a queue says how long, how many and where', () => {
    const s = script().start(2).create(2).create(3).create(4);
    s.put(2, 'local', 0).put(3, 'local', 0).put(4, 'local', 0);
    s.add('p.state', { state: 'running', pm: 0, p: 0 }).run(1, 0);
    s.add('p.state', { state: 'idle', pm: -1, p: 1, m: 1 });
    for (let i = 0; i < 20; i++) s.add('output', { stream: 'stdout', data: '.' });
    s.run(2, 1, 1);
    const notes = findPatterns(spaced(s, 500_000)).filter((n) => n.kind === 'idle-while-runnable');
    // P1 from the first put (seq 4, 2 ms) to running g2 (seq 30, 15 ms); P0 until it ran g1.
    expect(notes.map((n) => [n.p, n.startSeq, n.endSeq, n.count, n.text])).toEqual([
      [0, 4, 7, 3, 'P0 idle for 1.5 ms while 3 goroutines were runnable on P0'],
      [1, 4, 30, 3, 'P1 idle for 13 ms while 3 goroutines were runnable on P0'],
    ]);
  });

  test('a blocked crowd that lets two through for a moment is one stretch; for longer, two', () => {
    /** 24 goroutines parked at a mutex, two of them let through for `burst` events, 100 µs apart. */
    const crowd = (burst: number) => {
      const s = script().start(2);
      for (let g = 2; g < 26; g++) {
        s.create(g).put(g, 'local', 0).run(g, 0);
        s.add('g.waiting', { goid: g, reason: 'sync.Mutex.Lock', g });
      }
      const pause = (n: number) => {
        for (let i = 0; i < n; i++) s.add('output', { stream: 'stdout', data: '.' });
      };
      pause(20);
      s.put(2, 'local', 0).put(3, 'local', 1).run(2, 0).run(3, 1);
      pause(burst);
      s.add('g.waiting', { goid: 2, reason: 'sync.Mutex.Lock', g: 2 });
      s.add('g.waiting', { goid: 3, reason: 'sync.Mutex.Lock', g: 3, p: 1, m: 1 });
      pause(20);
      return findPatterns(spaced(s, 100_000)).filter((n) => n.kind === 'few-running');
    };
    // 0.3 ms with both Ps busy: shorter than STRETCH_GAP_NS, still one crowd to a reader.
    expect(crowd(1)).toHaveLength(1);
    // 1.2 ms: two stretches.
    expect(crowd(10)).toHaveLength(2);
  });

  test('a goroutine in runnext is its own P’s next turn, not work lying idle', () => {
    const s = script().start(2).create(2).put(2, 'runnext', 0);
    s.add('p.state', { state: 'running', pm: 0, p: 0 }).run(1, 0);
    s.add('p.state', { state: 'idle', pm: -1, p: 1, m: 1 });
    for (let i = 0; i < 20; i++) s.add('output', { stream: 'stdout', data: '.' });
    const notes = findPatterns(spaced(s, 500_000));
    expect(notes.filter((n) => n.kind === 'idle-while-runnable')).toEqual([]);
    expect(notes.filter((n) => n.kind === 'long-runnable').map((n) => n.goid)).toEqual([2]);
  });

  test('a long wait in the run queue names the goroutine and says it was still waiting', () => {
    const s = script().start(1).create(2).put(2, 'local', 0).run(1, 0);
    for (let i = 0; i < 30; i++) s.add('output', { stream: 'stdout', data: '.' });
    const notes = findPatterns(spaced(s, 1_000_000)).filter((n) => n.kind === 'long-runnable');
    expect(notes.map((n) => [n.goid, n.startSeq, n.count, n.text])).toEqual([
      [2, 1, 32e6, 'g2 waited 32 ms in the run queue (and was still waiting at the end)'],
    ]);
  });

  test('the runtime starting up is not the program: nothing before main starts counts', () => {
    const run = (userFirst: boolean) => {
      const s = script().start(1);
      if (userFirst) s.create(5, { parent: 1 });
      s.add('g.create', { goid: 1, parent: 0, fn: 'runtime.main', file: '', line: 0 });
      s.put(1, 'local', 0);
      // 30 ms of the runtime's own doings, g1 queued all along beside an idle P0.
      for (let i = 0; i < 30; i++) s.add('m.state', { state: 'idle', m: 9, p: -1 });
      // g1 runs, and the learner's code shows: main begins at that run.
      s.run(1, 0);
      if (!userFirst) s.create(5, { parent: 1 });
      return LaneBuilder.from(spaced(s, 1_000_000)).lanes();
    };
    expect(run(false).main).toEqual({ seq: 33, t: 33e6 });
    expect(findPatterns(run(false))).toEqual([]);
    // The same wait once the learner's code has shown is the program's.
    expect(run(true).main).toEqual({ seq: 1, t: 1e6 });
    const notes = findPatterns(run(true)).map((n) => `${n.kind} ${n.p} g${n.goid}`);
    expect(notes).toEqual(
      expect.arrayContaining(['idle-while-runnable 0 g0', 'long-runnable -1 g1']),
    );
  });
});

/** The recordings of the programs of CASES, by `name-procs`, as they come in. */
const runs = new Map<string, Promise<RunLog>>();

/**
 * Programs whose pattern needs a busy machine, replayed from a real recording
 * (fixtures/patterns/NAME-PROCS.ndjson.gz, made with `npx slowmo run
 * FILE.go --procs N`) instead of run live. bursts on 4 Ps: Go wakes an idle
 * P's M within microseconds, so a P sits idle beside a queue for a
 * millisecond only when the OS is slow to run the woken thread (3-26 ms on
 * this 2-core machine at load 12; a quiet machine may show none).
 */
const RECORDED = new Set(['bursts-4']);

function recorded(id: string): RunLog {
  const file = path.join(PROGRAMS, `${id}.ndjson.gz`);
  const events = gunzipSync(readFileSync(file))
    .toString('utf8')
    .trim()
    .split('\n')
    .map((line) => parseEvent(line));
  const last = events[events.length - 1];
  // The bridge's end message says what run.end says; notesOf reads those two.
  const end =
    last?.kind === 'run.end' ? { type: 'end', reason: last.reason, lost: last.lost } : undefined;
  return { messages: [], statuses: [], events, end } as unknown as RunLog;
}

/** Submits every program of CASES at once; the bridge runs them one after the other. */
function submitAll(client: Client): void {
  for (const [, ...programs] of CASES) {
    for (const [name, procs] of programs) {
      const id = `${name}-${procs}`;
      const code = readFileSync(path.join(PROGRAMS, `${name}.go`), 'utf8');
      if (runs.has(id)) continue;
      if (RECORDED.has(id)) runs.set(id, Promise.resolve(recorded(id)));
      else runs.set(id, client.run(id, code, { backend: 'ebpf', gomaxprocs: procs }));
    }
  }
}

/** The notes of one kind in a program's recording, which must be whole. */
async function notesOf(name: string, procs: number, kind: PatternKind) {
  const log = await (runs.get(`${name}-${procs}`) as Promise<RunLog>);
  expect([log.end?.reason, log.end?.lost, log.error?.message]).toEqual(['exit', 0, undefined]);
  const notes = findPatterns(log.events).filter((n) => n.kind === kind);
  return { log, notes, texts: notes.map((n) => n.text) };
}

ebpfDescribe()('patterns in real programs, recorded through the bridge', () => {
  let server: BridgeServer;
  let client: Client;

  beforeAll(async () => {
    // One program at a time: a wait in a run queue must be the program's, not the CPUs'
    // shared with another program (the 1-P twin once waited 12 ms beside a 4-P crowd).
    server = await startTestBridge({
      perConnection: 8,
      parallel: 1,
      limits: { wallSeconds: 60 },
    });
    client = await Client.connect(wsUrl(server));
    submitAll(client);
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  test.each(CASES)(
    '%s: found where the program makes it, not in its twin',
    async (kind, show, not) => {
      const shown = await notesOf(show[0], show[1], kind);
      expect(shown.notes.length).toBeGreaterThan(0);
      for (const n of shown.notes) {
        expect(n.end).toBeGreaterThanOrEqual(n.start);
        expect(n.endSeq).toBeGreaterThanOrEqual(n.startSeq);
        expect(n.text.length).toBeGreaterThan(10);
      }
      expect((await notesOf(not[0], not[1], kind)).texts).toEqual([]);
    },
  );

  test('the sentences say what the programs do', async () => {
    const few = await notesOf('blocked-crowd', 4, 'few-running');
    expect(Math.max(...few.notes.map((n) => n.count))).toBeGreaterThanOrEqual(30);
    expect(few.texts[0]).toMatch(
      /^\d+ goroutines alive but (at most [0-3]|none) running on 4 Ps for [\d.]+ ms \(they were mostly waiting to lock a mutex someone else holds\)$/,
    );
    const idle = await notesOf('bursts', 4, 'idle-while-runnable');
    expect(
      idle.texts.some((t) =>
        /^P[0-3] idle for [\d.]+ ms while \d+ goroutines were runnable on P[0-3]$/.test(t),
      ),
    ).toBe(true);
    const hogs = await notesOf('hogs', 1, 'long-runnable');
    // Each of the three waits at least one 10 ms time slice of another.
    expect(new Set(hogs.notes.map((n) => n.goid)).size).toBe(3);
    expect(hogs.texts[0]).toMatch(/^g\d+ waited [\d.]+ ms in the run queue$/);
    const ping = await notesOf('pingpong', 1, 'excessive-switching');
    expect(ping.notes.reduce((n, x) => n + x.count, 0)).toBeGreaterThan(1000);
    expect(ping.texts[0]).toMatch(
      /^[\d,]+ goroutine switches in [\d.]+ (ms|µs) \(one every [\d.]+ µs\)$/,
    );
  });

  test('a checkpoint can ask for a pattern, or for its absence', async () => {
    const ping = (await runs.get('pingpong-1')) as RunLog;
    const calm = (await runs.get('buffered-1')) as RunLog;
    const check = { type: 'pattern', pattern: 'excessive-switching' } as const;
    const found = evaluateCheckpoint(check, ping.events);
    expect(found).toMatchObject({ passed: true });
    expect(found.reason).toMatch(
      /^the run showed excessive goroutine switching (once|\d+ times), the first at event \d+: [\d,]+ goroutine switches in .* \(needed at least 1\)$/,
    );
    // The moment of the first excessive switching (other patterns may come before it).
    const first = findPatterns(ping.events).find((n) => n.kind === 'excessive-switching');
    expect(found.seq).toBe(first?.startSeq);
    expect(evaluateCheckpoint(check, calm.events)).toEqual({
      passed: false,
      reason: 'the run never showed excessive goroutine switching (needed at least 1)',
    });
    expect(evaluateCheckpoint({ type: 'not', check }, calm.events).passed).toBe(true);
    const most = { ...check, min: 0, max: 0 };
    expect(evaluateCheckpoint(most, ping.events).passed).toBe(false);
  });
});

test('a malformed pattern check is refused naming its field', () => {
  expect(() => evaluateCheckpoint({ type: 'pattern', pattern: 'slow' } as never, [])).toThrow(
    /pattern/,
  );
});
