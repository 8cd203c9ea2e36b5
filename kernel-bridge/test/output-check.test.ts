/**
 * The output check on hand-written runs: stdout's lines rebuilt across output
 * events that join or cut writes, compared exactly, as a start, or counted;
 * each verdict in a learner's words, pointing at the event that decides it;
 * a malformed one named by its field.
 */
import { evaluateCheckpoint, type CheckInput } from '../src/protocol';
import { script, type Script } from './support/events';

const check = (s: Script, spec: CheckInput) => evaluateCheckpoint(spec, s.events);

/** stdout written as these chunks (a chunk may hold several lines or half of one), stderr between. */
function printed(...chunks: string[]): Script {
  const s = script().start(2);
  for (const data of chunks) {
    s.add('output', { stream: 'stdout', data });
    s.add('output', { stream: 'stderr', data: 'noise\n' });
  }
  return s.add('run.end', { exitCode: 0, signal: null, lost: 0, reason: 'exit' });
}

describe('output', () => {
  const s = printed('ping 1\npong 1\npi', 'ng 2 \r\n', 'pong 2\n');

  test('lines: exactly these, rebuilt across events; stderr and trailing spaces do not count', () => {
    const r = check(s, { type: 'output', lines: ['ping 1', 'pong 1', 'ping 2', 'pong 2'] });
    expect(r).toEqual({
      passed: true,
      reason: 'stdout is exactly the 4 lines expected (event 6)',
      seq: 5,
    });
  });

  test('lines: the first line that differs is named, and its event', () => {
    const r = check(s, { type: 'output', lines: ['ping 1', 'ping 2', 'pong 1', 'pong 2'] });
    expect(r).toEqual({
      passed: false,
      reason: 'line 2 of stdout is "pong 1", not "ping 2" (event 2)',
      seq: 1,
    });
  });

  test('lines: too few or too many lines fail; "start" asks for the beginning only', () => {
    expect(check(s, { type: 'output', lines: ['ping 1', 'pong 1'] }).reason).toBe(
      'stdout goes on after the 2 lines expected: line 3 is "ping 2" (event 4)',
    );
    const start = check(s, { type: 'output', lines: ['ping 1'], match: 'start' });
    expect(start.passed).toBe(true);
    expect(start.reason).toBe('its first line is "ping 1" (event 2)');
    const five = ['ping 1', 'pong 1', 'ping 2', 'pong 2', 'ping 3'];
    expect(check(s, { type: 'output', lines: five, match: 'start' }).reason).toBe(
      'stdout has 4 lines; line 5 should be "ping 3"',
    );
    expect(check(printed(), { type: 'output', lines: ['x'] }).passed).toBe(false);
  });

  test('count: lines equal to one, compared', () => {
    const ab = printed('a\nb\na\n', 'a\nab\n');
    expect(check(ab, { type: 'output', count: 'a', op: '>=', value: 3 })).toEqual({
      passed: true,
      reason: 'stdout has 3 lines "a": at least 3',
      seq: 3,
    });
    expect(check(ab, { type: 'output', count: 'b', op: '>=', value: 2 }).reason).toBe(
      'stdout has 1 line "b": not at least 2',
    );
  });

  test('malformed: both forms, or count without op, named by field', () => {
    expect(() => check(s, { type: 'output', lines: ['a'], count: 'a', op: '>', value: 1 })).toThrow(
      /lines/,
    );
    expect(() => check(s, { type: 'output', count: 'a', value: 1 })).toThrow(/op/);
    expect(() => check(s, { type: 'output', lines: ['a'], value: 1 })).toThrow(/value/);
    expect(() => check(s, { type: 'output', lines: [] })).toThrow(/lines/);
  });

  test('as a prediction: what prints first?', () => {
    const r = check(s, {
      type: 'predict',
      question: 'What prints first?',
      choices: [
        {
          id: 'ping',
          label: 'ping 1',
          check: { type: 'output', lines: ['ping 1'], match: 'start' },
        },
        {
          id: 'pong',
          label: 'pong 1',
          check: { type: 'output', lines: ['pong 1'], match: 'start' },
        },
      ],
      answers: ['pong'],
    });
    expect(r.passed).toBe(false);
    expect(r.reason).toBe(
      'you predicted "pong 1", but the run shows "ping 1": its first line is "ping 1" (event 2)',
    );
    expect(r.seq).toBe(1);
  });
});
