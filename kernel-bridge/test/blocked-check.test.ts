/**
 * The `blocked` checkpoint on real recordings: a deadlock (eBPF, where the
 * runtime's detector fires, and the trace backend, where the run is stopped
 * at the time limit instead; both count), a leak at a line, none left blocked;
 * each passing and failing in words; a malformed one named by its field.
 */
import { evaluateCheckpoint, ProtocolError, type CheckInput } from '../src/protocol';
import { recording, sourceOf } from './support/recordings';

function check(name: string, spec: object) {
  const r = evaluateCheckpoint({ type: 'blocked', ...spec } as CheckInput, recording(name), {
    source: sourceOf(name),
  });
  return r;
}

describe.each(['deadlock-mutex', 'deadlock-mutex-trace'])('on %s', (name) => {
  test('a deadlock, at a line, in a cycle', () => {
    const r = check(name, { lens: 'deadlock', cycle: true, line: 18 });
    expect(r.passed).toBe(true);
    expect(r.reason).toMatch(/: 3 goroutines(?: blocked)? \(at line 18, 28, 33\)/);
    expect(r.reason).toMatch(/waiting in a cycle \(g\d+ → g\d+\)$/);
    expect(check(name, { lens: 'deadlock', min: 3 }).passed).toBe(true);
  });

  test('not a leak, and goroutines were left blocked', () => {
    const leak = check(name, { lens: 'leak' });
    expect(leak.passed).toBe(false);
    expect(leak.reason).toMatch(/^expected main returned with goroutines still blocked, but /);
    const none = check(name, { lens: 'none' });
    expect(none.passed).toBe(false);
    expect(none.reason).toMatch(/^3 goroutines of the program were left blocked when it ended: /);
    expect(check(name, { lens: 'deadlock', min: 4 }).passed).toBe(false);
  });
});

test('a channel nobody sends on deadlocks without a cycle', () => {
  const r = check('deadlock-nosend', { lens: 'deadlock', cycle: true });
  expect(r.passed).toBe(false);
  expect(r.reason).toMatch(/^expected goroutines waiting for each other in a cycle, but none/);
  expect(check('deadlock-nosend', { lens: 'deadlock' }).passed).toBe(true);
});

describe.each(['leak', 'leak-trace'])('on %s', (name) => {
  test('a leak at the send line, three of them', () => {
    const r = check(name, { lens: 'leak', line: 13, min: 3 });
    expect(r.passed).toBe(true);
    expect(r.reason).toBe('main returned with 4 goroutines blocked (at line 13, 22)');
    const more = check(name, { lens: 'leak', line: 13, min: 4 });
    expect(more.passed).toBe(false);
    expect(more.reason).toMatch(/^expected at least 4 goroutines blocked at line 13, but /);
    expect(check(name, { lens: 'deadlock' }).passed).toBe(false);
  });

  test('none blocked: fails, naming them; passes at a line none waits at', () => {
    const r = check(name, { lens: 'none' });
    expect(r.passed).toBe(false);
    expect(r.reason).toMatch(
      /^4 goroutines of the program were left blocked when it ended: g\d+ \(waiting/,
    );
    expect(check(name, { lens: 'none', line: 26 }).passed).toBe(true);
    expect(check(name, { lens: 'none', line: 13 }).passed).toBe(false);
  });
});

test('a run that ended well: none blocked, and no deadlock nor leak', () => {
  const none = check('pool', { lens: 'none' });
  expect(none).toMatchObject({
    passed: true,
    reason: 'no goroutine of the program was left blocked when it ended',
  });
  expect(check('pool', { lens: 'leak' }).reason).toBe(
    'expected main returned with goroutines still blocked, but no goroutine of the program was left blocked',
  );
});

test('a watchdog still asleep when main returned is not left blocked', () => {
  // watchdog.go: a goroutine sleeps 1 s to end a stuck program; the program ends first.
  expect(check('watchdog', { lens: 'none' })).toMatchObject({ passed: true });
  expect(check('watchdog', { lens: 'leak' }).reason).toBe(
    'expected main returned with goroutines still blocked, but no goroutine of the program was left blocked',
  );
});

test('stopped with a goroutine in the network poller and main blocked: a deadlock the runtime could not see', () => {
  const r = check('stuck-net', { lens: 'deadlock' });
  expect(r.passed).toBe(true);
  expect(r.reason).toBe(
    'it was stopped with every goroutine blocked: 2 goroutines (at line 14, 18)',
  );
});

test('a malformed blocked check names its field', () => {
  const bad: [object, string][] = [
    [{ lens: 'deadlok' }, 'lens'],
    [{}, 'lens'],
    [{ lens: 'leak', line: 0 }, 'line'],
    [{ lens: 'leak', min: 0 }, 'min'],
    [{ lens: 'deadlock', cycle: 'yes' }, 'cycle'],
    [{ lens: 'deadlock', cylce: true }, 'cylce'],
  ];
  for (const [spec, field] of bad) {
    let err: unknown;
    try {
      check('pool', spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toContain(field);
  }
});
