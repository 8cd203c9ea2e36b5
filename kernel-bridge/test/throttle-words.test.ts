/**
 * run.end's throttledMs (back-pressure: the recorder held the program stopped
 * so as to lose no event) in the protocol and in words: optional, so older
 * recordings stay valid; said where a loss would be said, and never for 0.
 */
import {
  apply,
  initialState,
  narrate,
  parseEvent,
  parseServerMessage,
  throttleWords,
} from '../src/protocol';

const END = { seq: 9, t: 1, kind: 'run.end', m: -1, p: -1, g: 0, exitCode: 0, signal: null };

test('throttleWords: milliseconds below a second, tenths of seconds above; nothing for none', () => {
  expect(throttleWords(undefined)).toBeNull();
  expect(throttleWords(0)).toBeNull();
  expect(throttleWords(120)).toBe('slowed 120 ms to record everything');
  expect(throttleWords(2345)).toBe('slowed 2.3 s to record everything');
});

test('run.end takes throttledMs, a whole number of ms, and stays valid without it', () => {
  expect(parseEvent({ ...END, lost: 0, reason: 'exit' })).not.toHaveProperty('throttledMs');
  expect(parseEvent({ ...END, lost: 0, reason: 'exit', throttledMs: 2300 })).toMatchObject({
    throttledMs: 2300,
  });
  expect(() => parseEvent({ ...END, lost: 0, reason: 'exit', throttledMs: -1 })).toThrow(
    /throttledMs/,
  );
  expect(() => parseEvent({ ...END, lost: 0, reason: 'exit', throttledMs: 1.5 })).toThrow(
    /throttledMs/,
  );
  const end = parseServerMessage(
    JSON.stringify({
      type: 'end',
      id: 'r',
      exitCode: 0,
      reason: 'exit',
      lost: 0,
      stats: { events: 10, throttledMs: 2300 },
    }),
  );
  expect(end).toMatchObject({ stats: { throttledMs: 2300 } });
});

test('the reducer keeps it in the end, and the narration says it after the exit', () => {
  const e = parseEvent({ ...END, lost: 0, reason: 'exit', throttledMs: 2300 });
  const state = apply(initialState(), e);
  expect(state.end).toMatchObject({ lost: 0, throttledMs: 2300 });
  expect(narrate(e, initialState())).toBe(
    'The program exited with code 0; slowed 2.3 s to record everything',
  );
  const unthrottled = parseEvent({ ...END, lost: 0, reason: 'exit', throttledMs: 0 });
  expect(narrate(unthrottled, initialState())).toBe('The program exited with code 0');
});
