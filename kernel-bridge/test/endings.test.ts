/**
 * Endings explained: real recordings of a deadlock, a panic and a program
 * stopped at the time limit (with the stack dump the bridge asks for), and
 * hand-made ends for what a recording cannot show cheaply: every limit,
 * signals, exit codes, a run with no dump.
 */
import {
  explainEnding,
  EndingSchema,
  parseCrash,
  parseGoroutineDump,
  parseEvent,
  type Ending,
  type SlowmoEvent,
} from '../src/protocol';
import { script } from './support/events';
import { recording, sourceOf, statesOf } from './support/recordings';

function explain(name: string, opts?: Parameters<typeof explainEnding>[2]): Ending | null {
  const events = recording(name);
  const ending = explainEnding(events, statesOf(events).at(-1)!, opts);
  if (ending) EndingSchema.parse(ending);
  return ending;
}

/** The line number of the first line of a recording's program containing `text`. */
function lineOf(name: string, text: string): number {
  return (
    sourceOf(name)
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1
  );
}

test('a deadlock: every blocked goroutine, its line and what it waits for', () => {
  const ending = explain('deadlock')!;
  expect(ending.kind).toBe('deadlock');
  expect(ending.title).toBe('Deadlock: every goroutine is blocked');
  expect(ending.lines).toEqual([
    {
      file: 'deadlock.go',
      line: lineOf('deadlock', '<-done'),
      goid: 1,
      note: 'waiting to receive from a nil channel (forever)',
    },
    {
      file: 'deadlock.go',
      line: lineOf('deadlock', 'ch <- 2'),
      goid: expect.any(Number),
      note: 'waiting to send on a channel',
    },
  ]);
  expect(ending.detail).toMatch(/all goroutines are asleep - deadlock!/);
  expect(ending.detail).toMatch(
    /g1 \(main\) was waiting to receive from a nil channel \(forever\) at deadlock\.go:13/,
  );
  expect(ending.detail).toMatch(
    /g\d+ \(main\.func1\) was waiting to send on a channel at deadlock\.go:9/,
  );
});

test('a panic: the message in the title, the panicking line lit', () => {
  const ending = explain('panic')!;
  expect(ending).toMatchObject({
    kind: 'panic',
    title: 'The program panicked: index out of range [5] with length 3',
    lines: [
      {
        file: 'panic.go',
        line: lineOf('panic', 'return xs[i]'),
        goid: 1,
        note: 'panicked here: index out of range [5] with length 3',
      },
    ],
  });
  expect(ending.detail).toBe(
    `g1 (main) panicked at panic.go:${lineOf('panic', 'return xs[i]')} (in get, called from main at panic.go:${lineOf('panic', 'get(xs, 5)')}). A panic that no deferred recover catches stops the whole program (exit code 2).`,
  );
});

test('the time limit: which limit, its value, and where each goroutine was (from the SIGQUIT dump)', () => {
  const ending = explain('stuck', { limits: { wallSeconds: 2 } })!;
  expect(ending.kind).toBe('timeout');
  expect(ending.title).toBe('Stopped after 2 s: the time limit of this server');
  const spin = lineOf('stuck', 'n.Add(1)');
  expect(ending.lines).toEqual(
    expect.arrayContaining([
      {
        file: 'stuck.go',
        line: spin,
        goid: expect.any(Number),
        note: expect.stringMatching(/^running here when stopped \(2 goroutines: g\d+ and g\d+\)$/),
      },
      {
        file: 'stuck.go',
        line: lineOf('stuck', 'wg.Wait()'),
        goid: 1,
        note: 'waiting in wg.Wait for the WaitGroup to count down to zero',
      },
    ]),
  );
  expect(ending.lines).toHaveLength(2);
  // The value comes from the end message when the bridge says which limit it was.
  expect(explain('stuck', { limit: { name: 'wallSeconds', value: 20, unit: 's' } })!.title).toBe(
    'Stopped after 20 s: the time limit of this server',
  );
});

test('a clean exit has no ending; a run that has not ended neither', () => {
  expect(explain('pool')).toBeNull();
  expect(explain('wake')).toBeNull();
  const events = recording('pool').slice(0, 50);
  expect(explainEnding(events, statesOf(events).at(-1)!)).toBeNull();
});

/** A run of g1 and a worker that ends as told, with `stderr` written before the end. */
function ended(end: Partial<SlowmoEvent> & { reason: string }, stderr = ''): Ending | null {
  const s = script().start(1);
  s.create(1, { parent: 0 }).put(1, 'runnext', 0, 'create').run(1, 0);
  s.create(7, { line: 8 }).put(7, 'runnext', 0, 'create');
  s.add('g.waiting', { goid: 1, reason: 'chan receive', file: 'main.go', line: 14, g: 1 });
  s.run(7, 0);
  s.add('line', { goid: 7, file: 'main.go', line: 10, g: 7 });
  if (stderr) s.add('output', { stream: 'stderr', data: stderr, m: -1, p: -1 });
  s.add('run.end', { exitCode: -1, signal: 'SIGKILL', lost: 0, ...end } as never);
  const events = s.events;
  const ending = explainEnding(events, statesOf(events).at(-1)!, {
    limits: {
      wallSeconds: 20,
      cpuSeconds: 10,
      memoryBytes: 512 * 1024 * 1024,
      processes: 128,
      outputBytes: 1024 * 1024,
      events: 2_000_000,
    },
  });
  if (ending) EndingSchema.parse(ending);
  return ending;
}

test('every limit by name and value; without a dump the state says where goroutines were', () => {
  expect(ended({ reason: 'cpu-limit' })!.title).toBe(
    'Stopped after 10 s of CPU time: the CPU limit of this server',
  );
  expect(ended({ reason: 'memory-limit' })!.title).toBe(
    'Stopped: the program used more than 512 MiB, the memory limit of this server',
  );
  expect(ended({ reason: 'process-limit' })!.title).toBe(
    'Stopped: the program started more than 128 threads, the limit of this server',
  );
  expect(ended({ reason: 'output-limit' })!.title).toBe(
    'Stopped: the program wrote more than 1 MiB, the output limit of this server',
  );
  expect(ended({ reason: 'event-limit' })!.title).toBe(
    'Stopped after 2,000,000 scheduler events, the event limit of this server',
  );
  const timeout = ended({ reason: 'timeout' })!;
  expect(timeout).toMatchObject({
    kind: 'timeout',
    title: 'Stopped after 20 s: the time limit of this server',
    lines: [
      { file: 'main.go', line: 14, goid: 1, note: 'waiting to receive from a channel' },
      { file: 'main.go', line: 10, goid: 7, note: 'last seen here (still running when stopped)' },
    ],
  });
  expect(timeout.detail).toMatch(/g7 \(worker\) was still running/);
  expect(ended({ reason: 'stopped' })).toMatchObject({
    kind: 'stopped',
    title: 'Stopped before the program finished',
  });
});

test('exit codes, signals and fatal errors', () => {
  expect(ended({ reason: 'exit', exitCode: 0, signal: null })).toBeNull();
  expect(ended({ reason: 'exit', exitCode: 3, signal: null }, 'could not open the file\n')).toEqual(
    {
      kind: 'exit-code',
      title: 'The program exited with code 3',
      detail:
        'It ended itself with a non-zero exit code, as os.Exit(3) does (log.Fatal exits with 1). Its last words on stderr: "could not open the file".',
      lines: [],
    },
  );
  expect(ended({ reason: 'signal', exitCode: -1, signal: 'SIGKILL' })!.title).toBe(
    'The program was killed by SIGKILL',
  );
  const fatal = ended(
    { reason: 'exit', exitCode: 2, signal: null },
    'fatal error: concurrent map writes\n\ngoroutine 7 [running]:\nmain.worker(0xc000010000)\n\t/src/main.go:10 +0x45\ncreated by main.main in goroutine 1\n\t/src/main.go:8 +0x25\n\ngoroutine 1 [chan receive]:\nmain.main()\n\t/src/main.go:14 +0x99\n',
  )!;
  expect(fatal).toMatchObject({
    kind: 'fatal',
    title: 'Fatal error: concurrent map writes',
    lines: [
      { file: 'main.go', line: 10, goid: 7, note: 'failed here: concurrent map writes' },
      { file: 'main.go', line: 14, goid: 1, note: 'waiting to receive from a channel' },
    ],
  });
});

test('the trace backend’s renamed main and its helper file are the learner’s main', () => {
  const panic = ended(
    { reason: 'exit', exitCode: 2, signal: null },
    'panic: boom\n\ngoroutine 1 [running]:\nmain.slowmoUserMain()\n\t/work/builds/b1/src/main.go:12 +0x54\nmain.main()\n\t/work/builds/b1/src/0000_slowmo_trace.go:40 +0x18\n',
  )!;
  expect(panic.lines).toEqual([
    { file: 'main.go', line: 12, goid: 1, note: 'panicked here: boom' },
  ]);
  expect(panic.detail).toMatch(/^g1 \(main\) panicked at main\.go:12 \(in main\)\./);
});

describe('reading what Go prints', () => {
  test('dump headers of every Go version, inlined frames, created-by sites, the trace backend’s main', () => {
    const dump = [
      'goroutine 1 gp=0xc000002380 m=0 mp=0x5256a0 [chan receive, 2 minutes]:',
      'main.get(...)',
      '\t/src/main.go:6',
      'main.slowmoUserMain()',
      '\t/tmp/build/src/main.go:12 +0x54 fp=0x1 sp=0x2 pc=0x3',
      'main.main()',
      '\t/tmp/build/src/0000_slowmo_trace.go:40 +0x18',
      '',
      'goroutine 9 [select (no cases), locked to thread]:',
      'main.(*Pool).run(0xc000010000, {0x4b1234, 0x5})',
      '\t/src/worker/pool.go:30 +0x1d',
      'created by main.main in goroutine 1',
      '\t/src/main.go:20 +0x76',
    ].join('\n');
    const gs = parseGoroutineDump(dump);
    expect(gs).toEqual([
      {
        goid: 1,
        state: 'chan receive',
        frames: [
          { fn: 'main.get', file: '/src/main.go', line: 6 },
          { fn: 'main.slowmoUserMain', file: '/tmp/build/src/main.go', line: 12 },
          { fn: 'main.main', file: '/tmp/build/src/0000_slowmo_trace.go', line: 40 },
        ],
      },
      {
        goid: 9,
        state: 'select (no cases)',
        frames: [{ fn: 'main.(*Pool).run', file: '/src/worker/pool.go', line: 30 }],
        createdBy: { fn: 'main.main', goid: 1, file: '/src/main.go', line: 20 },
      },
    ]);
  });

  test('the crash line: panic, fatal error or signal, with what follows it', () => {
    const nil = parseCrash(
      'hello\npanic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x47a7e7]\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:7 +0x1d\n',
    )!;
    expect(nil).toMatchObject({
      kind: 'panic',
      message: 'runtime error: invalid memory address or nil pointer dereference',
      more: ['[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x47a7e7]'],
    });
    expect(nil.goroutines).toHaveLength(1);
    expect(parseCrash('SIGQUIT: quit\nPC=0x47a7e7 m=0 sigcode=0\n')).toMatchObject({
      kind: 'signal',
      message: 'SIGQUIT: quit',
    });
    expect(parseCrash('just some output\n')).toBeNull();
  });

  test('a program’s own output split into many writes reads the same', () => {
    const text =
      'fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\nmain.main()\n\t/src/main.go:8 +0x25\n';
    const s = script().start(1);
    s.create(1, { parent: 0 });
    for (const chunk of text.match(/.{1,3}/gs)!) s.add('output', { stream: 'stderr', data: chunk });
    s.add('run.end', { exitCode: 2, signal: null, lost: 0, reason: 'exit' });
    const ending = explainEnding(s.events, statesOf(s.events).at(-1)!)!;
    expect(ending.lines).toEqual([
      { file: 'main.go', line: 8, goid: 1, note: 'waiting to receive from a channel' },
    ]);
    expect(parseEvent(s.events.at(-1)!).kind).toBe('run.end');
  });
});
