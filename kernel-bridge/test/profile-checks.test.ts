/**
 * Profile checkpoints on hand-made runs: a program whose main.spin burns the CPU at lines 9-10
 * and whose main.wait blocks at line 15 (under runtime frames, as pprof records them); what
 * leads, what each says when it passes and when it fails, a run without profiles, and a
 * malformed check named by its field.
 */
import { evaluateCheckpoint, ProtocolError, type CheckInput } from '../src/protocol';
import { profileLeaders } from '../src/protocol/checks/profile';
import { script, type Script } from './support/events';

const FRAMES = [
  { fn: 'main.spin', file: 'main.go', line: 9 },
  { fn: 'main.spin', file: 'main.go', line: 10 },
  { fn: 'main.main', file: 'main.go', line: 20 },
  { fn: 'runtime.chanrecv1', file: '/usr/local/go/src/runtime/chan.go', line: 489 },
  { fn: 'main.wait', file: 'main.go', line: 15 },
  { fn: 'main.main', file: 'main.go', line: 21 },
  { fn: 'runtime.gcBgMarkWorker', file: '/usr/local/go/src/runtime/mgc.go', line: 1412 },
  { fn: 'main.wait', file: 'main.go', line: 14 },
];

const ctx = { m: -1, p: -1, g: 0 };

function run(opts: { profiles?: boolean } = {}): Script {
  const s = script().start();
  if (opts.profiles !== false) {
    s.add('profile', {
      ...ctx,
      profile: 'cpu',
      unit: 'nanoseconds',
      frames: FRAMES,
      samples: [
        { stack: [0, 2], value: 60e6 },
        { stack: [1, 2], value: 30e6 },
        { stack: [6], value: 25e6 },
        { stack: [7, 5], value: 5e6 },
      ],
      truncated: false,
    });
    s.add('profile', {
      ...ctx,
      profile: 'block',
      unit: 'nanoseconds',
      frames: FRAMES,
      samples: [
        { stack: [3, 4, 5], value: 800e6 },
        { stack: [3, 7, 5], value: 100e6 },
      ],
      truncated: false,
    });
  }
  return s.add('run.end', { exitCode: 0, signal: null, lost: 0, reason: 'exit' });
}

const check = (spec: object, s = run()) => evaluateCheckpoint(spec as CheckInput, s.events);

describe('profile checkpoints', () => {
  test('each sample counts for the innermost of the learner frames', () => {
    const cpu = run().events.find((e) => e.kind === 'profile' && e.profile === 'cpu');
    if (cpu?.kind !== 'profile') throw new Error('no cpu profile');
    const byFn = profileLeaders(cpu, 'fn');
    expect(byFn.total).toBe(120e6);
    expect(byFn.leaders.map((l) => [l.name, l.value])).toEqual([
      ['main.spin', 90e6],
      ['main.wait', 5e6],
    ]);
    expect(profileLeaders(cpu, 'line').leaders.map((l) => l.name)).toEqual([
      'main.go:9',
      'main.go:10',
      'main.go:14',
    ]);
  });

  test('a function that leads passes, with its share and the next one in words', () => {
    const r = check({ type: 'profile', profile: 'cpu', lead: { fn: 'main.spin' }, minShare: 0.7 });
    expect(r).toMatchObject({ passed: true, seq: 1 });
    expect(r.reason).toBe(
      'main.spin leads the CPU profile: main.spin with 90 ms, 75% of 120 ms; next main.wait with 5 ms, 4% of 120 ms (event 2)',
    );
  });

  test('the line with the most blocked time passes; another line fails, naming the leader', () => {
    expect(check({ type: 'profile', profile: 'block', lead: { line: 15 } })).toMatchObject({
      passed: true,
      seq: 2,
    });
    const r = check({ type: 'profile', profile: 'block', lead: { line: 14, file: 'main.go' } });
    expect(r.passed).toBe(false);
    expect(r.reason).toBe(
      'main.go:15 leads the block profile, not main.go:14: main.go:15 with 800 ms, 89% of 900 ms; main.go:14 with 100 ms, 11% of 900 ms (event 3)',
    );
    const none = check({ type: 'profile', profile: 'block', lead: { fn: 'main.spin' } });
    expect(none.reason).toMatch(
      /^main\.wait leads the block profile, not main\.spin: .*; main\.spin holds none of it/,
    );
  });

  test('a leader below its share fails, saying its share', () => {
    const r = check({ type: 'profile', profile: 'cpu', lead: { fn: 'main.spin' }, minShare: 0.9 });
    expect(r.passed).toBe(false);
    expect(r.reason).toMatch(
      /^main\.spin leads the CPU profile but with less than 90% of its on-CPU time: main\.spin with 90 ms, 75%/,
    );
  });

  test('a run without profiles, or without the one asked for, says what it needs', () => {
    expect(
      check(
        { type: 'profile', profile: 'cpu', lead: { fn: 'main.spin' } },
        run({ profiles: false }),
      ),
    ).toEqual({
      passed: false,
      reason: 'the run holds no profiles: the cell needs profile: true',
    });
    const crashed = script()
      .start()
      .add('run.end', { exitCode: 2, signal: null, lost: 0, reason: 'exit' });
    expect(
      check({ type: 'profile', profile: 'cpu', lead: { fn: 'main.spin' } }, crashed).reason,
    ).toBe(
      'the run holds no profiles: they are handed over when main returns, and this program ended otherwise (exit code 2)',
    );
    expect(check({ type: 'profile', profile: 'mutex', lead: { fn: 'main.spin' } }).reason).toBe(
      'the run holds no mutex profile: the backend did not collect it',
    );
  });

  test('a profile with nothing in it, or nothing of the learner’s, says which', () => {
    const s = script().start();
    s.add('profile', {
      ...ctx,
      profile: 'cpu',
      unit: 'nanoseconds',
      frames: FRAMES,
      samples: [],
      truncated: false,
    });
    s.add('profile', {
      ...ctx,
      profile: 'block',
      unit: 'nanoseconds',
      frames: FRAMES,
      samples: [{ stack: [6], value: 5e6 }],
      truncated: false,
    });
    s.add('run.end', { exitCode: 0, signal: null, lost: 0, reason: 'exit' });
    expect(check({ type: 'profile', profile: 'cpu', lead: { fn: 'main.spin' } }, s).reason).toBe(
      'the CPU profile recorded no on-CPU time at all (it samples the program 100 times a second of CPU it uses: a program that only waits or sleeps leaves none) (event 2)',
    );
    expect(check({ type: 'profile', profile: 'block', lead: { line: 15 } }, s).reason).toBe(
      "the block profile holds none of your code's blocked time (5 ms in all, none of it in your functions) (event 3)",
    );
  });

  test('a malformed profile check names its field', () => {
    const bad: [unknown, string][] = [
      [{ type: 'profile', profile: 'heap', lead: { fn: 'main.spin' } }, 'profile'],
      [{ type: 'profile', profile: 'cpu' }, 'lead'],
      [{ type: 'profile', profile: 'cpu', lead: { line: 0 } }, 'lead.line'],
      [{ type: 'profile', profile: 'cpu', lead: { fn: 'main.spin', line: 3 } }, 'lead'],
      [{ type: 'profile', profile: 'cpu', lead: { fn: 'main.spin' }, minShare: 1.5 }, 'minShare'],
      [{ type: 'not', check: { type: 'profile', profile: 'block', lead: {} } }, 'check.lead'],
    ];
    for (const [spec, field] of bad) {
      let err: unknown;
      try {
        check(spec as object);
      } catch (e) {
        err = e;
      }
      expect([spec, err instanceof ProtocolError && err.field]).toEqual([spec, field]);
    }
  });
});
