/**
 * A run whose recorder was killed says that its loss is unknown (run.end
 * `lost: null`), never 0, and every place that words an ending (the text
 * narration of the CLI, the ending explained under the picture) says that
 * events may be missing. Recordings made before null existed still load.
 */
import {
  explainEnding,
  lossWords,
  LOSS_UNKNOWN_WORDS,
  narrate,
  parseEvent,
  parseServerMessage,
  replay,
  initialState,
  type SlowmoEvent,
} from '../src/protocol';
import { script } from './support/events';

function killedRun(reason: 'stopped' | 'probe-error' | 'timeout', lost: number | null) {
  const s = script().start().create(5).put(5, 'runnext', 0, 'create');
  s.add('run.end', { exitCode: -1, signal: null, lost, reason, m: -1, p: -1 });
  return s.events;
}

function ending(events: SlowmoEvent[]) {
  return explainEnding(events, replay(events, initialState()));
}

test('run.end and the end message take lost: null, and still take a count', () => {
  const end = { seq: 3, t: 9, kind: 'run.end', m: -1, p: -1, g: 0, exitCode: -1, signal: null };
  expect(parseEvent({ ...end, lost: null, reason: 'stopped' })).toMatchObject({ lost: null });
  expect(parseEvent({ ...end, lost: 12, reason: 'exit' })).toMatchObject({ lost: 12 });
  expect(() => parseEvent({ ...end, lost: -1, reason: 'exit' })).toThrow(/lost/);
  const message = { type: 'end', id: 'r1', exitCode: -1, reason: 'stopped', stats: { events: 3 } };
  expect(parseServerMessage(JSON.stringify({ ...message, lost: null }))).toMatchObject({
    lost: null,
  });
  expect(parseServerMessage(JSON.stringify({ ...message, lost: 0 }))).toMatchObject({ lost: 0 });
});

test('lossWords: unknown is never worded as none', () => {
  expect(lossWords(null)).toBe('the recorder was killed: some events may be missing');
  expect(lossWords(null)).toBe(LOSS_UNKNOWN_WORDS);
  expect(lossWords(0)).toBeNull();
  expect(lossWords(1)).toBe('1 event was lost');
  expect(lossWords(130_000)).toBe('130000 events were lost');
});

test("the CLI's narration of the end says events may be missing", () => {
  const events = killedRun('stopped', null);
  const end = events.at(-1)!;
  const text = narrate(end, replay(events.slice(0, -1), initialState()));
  expect(text).toContain('some events may be missing');
  const counted = killedRun('stopped', 0).at(-1)!;
  expect(narrate(counted, initialState())).not.toContain('missing');
});

test('the ending under the picture says the picture may be incomplete', () => {
  for (const reason of ['stopped', 'probe-error', 'timeout'] as const) {
    const unknown = ending(killedRun(reason, null))!;
    expect(unknown.detail).toMatch(
      /The recorder was killed: some events may be missing, so the picture may be incomplete\.$/,
    );
    expect(ending(killedRun(reason, 0))!.detail).not.toContain('missing');
  }
  // A clean exit never comes with an unknown loss from the bridge, but a recording may say so.
  const s = script().start();
  s.add('run.end', { exitCode: 0, signal: null, lost: null, reason: 'exit', m: -1, p: -1 });
  expect(ending(s.events)).toMatchObject({
    title: 'The recording may be incomplete',
    detail: expect.stringContaining('some events may be missing'),
  });
});

test("a recorder out of memory is named as the recorder's limit, not the program's", () => {
  const events = killedRun('stopped', null);
  const end = { ...events.at(-1)!, reason: 'memory-limit' } as SlowmoEvent;
  const all = [...events.slice(0, -1), end];
  const words = explainEnding(all, replay(all, initialState()), {
    limits: { memoryBytes: 512 * 1024 * 1024 },
    limit: { name: 'probeMemoryBytes', value: 256, unit: 'MiB' },
  })!;
  expect(words.title).toBe(
    "Stopped: recording the program took more than 256 MiB, the recorder's memory limit on this server",
  );
  expect(words.detail).toContain('some events may be missing');
});
