/**
 * The failure lenses on real recordings (test/fixtures/recordings): a mutex
 * ordering deadlock between two goroutines (eBPF, and on the trace backend,
 * where the runtime's detector stays silent and the run meets the time
 * limit), a channel nobody sends on, and goroutines leaked when main
 * returned. Goids and seqs differ from one recording to the next: the tests
 * find goroutines by their lines.
 */
import { analyzeFailure, explainEnding, failureLensText, type FailureLens } from '../src/protocol';
import { holds, objectOf, stillDoes, willSend } from '../src/protocol/analysis/source-scan';
import { script } from './support/events';
import { recording, sourceLookup, sourceOf, statesOf } from './support/recordings';

function lens(name: string, withSource = true): FailureLens | null {
  const events = recording(name);
  const end = statesOf(events).at(-1)!;
  return analyzeFailure(
    events,
    end,
    explainEnding(events, end),
    withSource ? sourceLookup(name) : undefined,
  );
}

/** The line of the `nth` line of a recording's program containing `text`. */
function lineOf(name: string, text: string, nth = 1): number {
  const found = sourceOf(name)
    .split('\n')
    .map((l, i) => (l.includes(text) ? i + 1 : 0))
    .filter((n) => n > 0);
  expect(found.length).toBeGreaterThanOrEqual(nth);
  return found[nth - 1]!;
}

function at(l: FailureLens, line: number) {
  const b = l.blocked.find((x) => x.line === line);
  expect(b).toBeDefined();
  return b!;
}

describe.each([
  ['deadlock-mutex', 'deadlock'],
  ['deadlock-mutex-trace', 'stuck'],
])('a mutex ordering deadlock (%s)', (name, kind) => {
  const l = lens(name)!;
  const aWait = lineOf('deadlock-mutex', 'a.Lock()', 2);
  const first = at(l, lineOf('deadlock-mutex', 'b.Lock()', 1));

  test('every blocked goroutine with what it waits on and its line', () => {
    expect(l.kind).toBe(kind);
    expect(l.blocked).toHaveLength(3);
    const second = at(l, aWait);
    expect([first.kind, first.object, second.kind, second.object]).toEqual([
      'mutex',
      'b',
      'mutex',
      'a',
    ]);
    const main = l.blocked.find((b) => b.goid === 1)!;
    expect([main.kind, main.object, main.line]).toEqual([
      'waitgroup',
      'done',
      lineOf('deadlock-mutex', 'done.Wait()'),
    ]);
    expect(main.releasers.map((r) => r.goid).sort()).toEqual(
      [first.goid, second.goid].sort((a, b) => a - b),
    );
  });

  test('the holders from the source, and the cycle between the two goroutines', () => {
    const second = at(l, aWait);
    expect(first.releasers).toEqual([
      expect.objectContaining({ goid: second.goid, basis: 'source', blocked: true }),
    ]);
    expect(first.releasers[0]!.how).toMatch(/^holds b \(locked at deadlock-mutex\.go:\d+/);
    expect(second.releasers[0]!.goid).toBe(first.goid);
    expect(l.cycle).not.toBeNull();
    expect([...l.cycle!].sort()).toEqual([first.goid, second.goid].sort((a, b) => a - b));
    expect(l.edges).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ from: first.goid, object: 'b', to: second.goid }),
        expect.objectContaining({ from: second.goid, object: 'a', to: first.goid }),
      ]),
    );
    expect(failureLensText(l)).toMatch(/cycle: g\d+ —[ab]→ g\d+ —[ab]→ g\d+/);
  });

  test('without the source, nothing is invented: no object, no holder, no cycle', () => {
    const bare = lens(name, false)!;
    expect(bare.cycle).toBeNull();
    const b = at(bare, first.line!);
    expect(b.object).toBeNull();
    expect(b.release).toMatch(/cannot be known/);
  });
});

test('the runtime called the eBPF run a deadlock; the trace run was stopped at the time limit', () => {
  const trace = recording('deadlock-mutex-trace');
  expect(trace.at(-1)).toMatchObject({ kind: 'run.end', reason: 'timeout' });
  expect(lens('deadlock-mutex-trace')!.title).toMatch(/did not call it a deadlock/);
  expect(lens('deadlock-mutex')!.title).toBe('Deadlock: 3 goroutines blocked for ever');
});

test('a channel nobody sends on: no cycle, and it says no live goroutine will send', () => {
  const l = lens('deadlock-nosend')!;
  expect(l.kind).toBe('deadlock');
  expect(l.cycle).toBeNull();
  const worker = at(l, lineOf('deadlock-nosend', 'range jobs'));
  expect([worker.kind, worker.object, worker.releasers]).toEqual(['channel', 'jobs', []]);
  expect(worker.release).toBe(
    'No goroutine still alive sends on jobs or closes it by the source: nothing will ever wake it.',
  );
  const main = at(l, lineOf('deadlock-nosend', '<-results', 2));
  expect(main.object).toBe('results');
  // The worker could send on results, but it waits on jobs: an edge that leads nowhere.
  expect(main.releasers.map((r) => r.goid)).toEqual([worker.goid]);
  expect(l.edges).toEqual([expect.objectContaining({ from: main.goid, to: worker.goid })]);
});

test('the old nil-channel deadlock: nothing can ever wake a nil channel', () => {
  const l = lens('deadlock')!;
  const main = l.blocked.find((b) => b.goid === 1)!;
  expect(main.reason).toBe('chan receive (nil chan)');
  expect(main.release).toMatch(/^A nil channel/);
});

describe.each(['leak', 'leak-trace'])('goroutines leaked when main returned (%s)', (name) => {
  const l = lens(name)!;
  test('grouped by line, biggest first, with the never woken', () => {
    expect(l.kind).toBe('leak');
    expect(l.cycle).toBeNull();
    const send = lineOf('leak', 'answers <-');
    const quit = lineOf('leak', '<-quit');
    expect(l.groups.map((g) => [g.line, g.reason, g.goids.length])).toEqual([
      [send, 'chan send', 3],
      [quit, 'chan receive', 1],
    ]);
    // Each parked once, at its only blocking line, and nothing woke it.
    for (const g of l.groups) expect(g.neverWoken).toEqual(g.goids);
    expect(l.title).toBe('Leak: 4 goroutines still blocked when main returned');
    expect(failureLensText(l)).toContain(`leak.go:${send}  3 × waiting to send on a channel`);
  });
});

test('a goroutine woken and parked again is blocked but not "never woken"', () => {
  // In deadlock-nosend the worker received 3 once (woken by main's send or found it ready),
  // then parked again at range; main parked at the first receive, was woken, and parked again.
  const l = lens('deadlock-nosend')!;
  const main = l.blocked.find((b) => b.goid === 1)!;
  expect(main.parks).toBeGreaterThan(1);
  expect(main.neverWoken).toBe(false);
});

test('stopped while main waits for ever and another goroutine waits on the network: stuck, and why', () => {
  const l = lens('stuck-net')!;
  expect(l.kind).toBe('stuck');
  const io = at(l, lineOf('stuck-net', 'ln.Accept()'));
  expect([io.kind, io.release]).toEqual([
    'io',
    'The network poller wakes it when its I/O is ready: something outside the program.',
  ]);
  expect(l.detail).toMatch(
    new RegExp(
      `here something could: g${io.goid} \\(main\\.func1\\) waiting for the network \\(the poller\\)\\. So its detector stayed silent\\.`,
    ),
  );
  const main = l.blocked.find((b) => b.goid === 1)!;
  expect(main.release).toMatch(/^No goroutine still alive sends on results/);
});

test('the last party that woke a goroutine from the same line, from the recording', () => {
  // g7 waits at line 5, g1 sends at line 9 and wakes it; g7 comes back to line 5 and waits again.
  const s = script().start(1);
  s.create(1, { parent: 0 }).put(1, 'runnext', 0, 'create').run(1, 0);
  s.create(7, { line: 3 }).put(7, 'runnext', 0, 'create').run(7, 0);
  s.add('g.waiting', { goid: 7, reason: 'chan receive', file: 'main.go', line: 5, g: 7 });
  s.run(1, 0);
  s.add('g.runnable', {
    goid: 7,
    queue: 'runnext',
    qp: 0,
    reason: 'ready',
    by: 1,
    file: 'main.go',
    line: 9,
    g: 1,
  });
  s.add('g.waiting', { goid: 1, reason: 'sleep', file: 'main.go', line: 10, g: 1 });
  s.run(7, 0);
  s.add('g.waiting', { goid: 7, reason: 'chan receive', file: 'main.go', line: 5, g: 7 });
  s.add('run.end', { exitCode: 0, signal: null, lost: 0, reason: 'exit' });
  const end = statesOf(s.events).at(-1)!;
  const l = analyzeFailure(s.events, end, explainEnding(s.events, end))!;
  expect(l.kind).toBe('leak');
  // main asleep on a timer is no leak: only g7 is shown.
  expect(l.blocked.map((b) => b.goid)).toEqual([7]);
  const g7 = l.blocked[0]!;
  expect([g7.parks, g7.neverWoken, g7.object]).toEqual([2, false, null]);
  expect(g7.lastParty).toEqual(
    expect.objectContaining({ goid: 1, name: 'g1 (main)', file: 'main.go', line: 9 }),
  );
  expect(failureLensText({ ...l, kind: 'deadlock' })).toContain(
    'Last woken here by g1 (main) at main.go:9 (the recording).',
  );
  expect(l.groups).toEqual([expect.objectContaining({ line: 5, goids: [7], neverWoken: [] })]);
});

test('runs that end well, or end in a panic, have no lens', () => {
  expect(lens('pool')).toBeNull();
  expect(lens('panic')).toBeNull();
});

describe('reading the source', () => {
  const src = [
    'package main',
    'func worker(mu *sync.Mutex, ch chan int) {',
    '\tmu.Lock()',
    '\tdefer mu.Unlock()',
    '\tfor {',
    '\t\tv := <-ch // not "x <- y"',
    '\t\tout <- v',
    '\t}',
    '}',
    'func other(mu *sync.Mutex) {',
    '\tmu.Lock()',
    '\tmu.Unlock()',
    '\tmu.Lock()',
    '}',
  ];
  const source = (_f: string, n: number) => src[n - 1];
  test('objects, loops, deferred unlocks and what a line still does', () => {
    expect(objectOf('\t\tv := <-ch // not "x <- y"', 'receive')).toBe('ch');
    expect(objectOf('\tout <- v', 'send')).toBe('out');
    expect(objectOf('\ts.mu.Lock()', 'lock')).toBe('s.mu');
    expect(objectOf('\tfor j := range jobs {', 'receive')).toBe('jobs');
    expect(holds(source, 'm.go', 6, 'mu')).toEqual({ line: 3 });
    expect(holds(source, 'm.go', 13, 'mu')).toBeNull();
    // In the loop: the send on line 7 is still to come for a goroutine at line 6, and again after.
    expect(stillDoes(source, 'm.go', 7, willSend('out'))).toEqual({ line: 7 });
    expect(stillDoes(source, 'm.go', 12, willSend('out'))).toBeNull();
  });
});
