/**
 * parseEvent's fast path (src/protocol/fastparse.ts) is compiled from the
 * event schemas: it must say yes exactly where zod says yes, and give back
 * what zod gives back (unknown fields dropped, keys in the schema's order),
 * on every kind, on real recordings and on values made to break each field;
 * parseServerMessage takes it for events messages.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  EVENT_KINDS,
  EVENT_SCHEMAS,
  parseServerMessage,
  ProtocolError,
  ServerMessageSchema,
  type EventKind,
} from '../src/protocol';
import { VALID_EVENTS } from './support/event-examples';
import { fastParser } from '../src/protocol/fastparse';

const ctx = { seq: 4, t: 1200, m: 1, p: 0, g: 7 };

/** The fullest valid example of each kind (every optional field present). */
const FULL: Record<EventKind, Record<string, unknown>> = {
  ...VALID_EVENTS,
  'run.start': { ...VALID_EVENTS['run.start'], paced: { sysmon: 'hide-pauses' } },
  'run.end': { ...VALID_EVENTS['run.end'], throttledMs: 12 },
};

const FAST = new Map(EVENT_KINDS.map((kind) => [kind, fastParser(EVENT_SCHEMAS[kind])]));

/** Asserts that the fast path and zod agree on value, as a kind's parse. */
function expectAgreement(kind: EventKind, value: unknown): void {
  const zod = EVENT_SCHEMAS[kind].safeParse(value);
  const fast = FAST.get(kind)!(value);
  if (!zod.success) {
    expect({ value, fast }).toEqual({ value, fast: undefined });
    return;
  }
  // The same fields, in the same order, with the same values.
  expect({ value, fast: JSON.stringify(fast) }).toEqual({
    value,
    fast: JSON.stringify(zod.data),
  });
  expect(fast).toEqual(zod.data);
}

test('every kind has a fast path (a schema construct it does not know would take it away)', () => {
  expect(EVENT_KINDS.filter((kind) => FAST.get(kind) === undefined)).toEqual([]);
});

test.each(EVENT_KINDS)('%s: the full example, and each optional field left out', (kind) => {
  const full = { ...ctx, kind, ...FULL[kind] };
  expectAgreement(kind, full);
  for (const field of Object.keys(full)) {
    const less: Record<string, unknown> = { ...full };
    delete less[field];
    expectAgreement(kind, less);
  }
});

/** Values that break one rule or another: types, bounds, integers, lengths, null and the absent. */
const ODD: unknown[] = [
  undefined,
  null,
  true,
  false,
  0,
  -1,
  -2,
  1,
  1.5,
  1023,
  1024,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 53,
  -0,
  Infinity,
  NaN,
  '',
  'x',
  'runnext',
  'idle',
  'stdout',
  'exit',
  [],
  [0],
  [1, 2],
  Array(257).fill(1),
  {},
  { runq: true, runnext: true, steals: true, lines: true },
  { runq: true },
  { sysmon: 'see-pauses' },
];

test('each field of each kind given each odd value: accepted and refused alike', () => {
  for (const kind of EVENT_KINDS) {
    const full: Record<string, unknown> = { ...ctx, kind, ...FULL[kind] };
    for (const field of Object.keys(full)) {
      for (const odd of ODD) expectAgreement(kind, { ...full, [field]: odd });
    }
    expectAgreement(kind, { ...full, extra: 1, another: { nested: true } });
  }
});

test('random values in random fields agree too', () => {
  const kinds = fc.constantFrom(...EVENT_KINDS);
  const odd = fc.oneof(
    fc.constantFrom(...ODD),
    fc.jsonValue(),
    fc.integer({ min: -3, max: 2 ** 31 + 3 }),
  );
  fc.assert(
    fc.property(kinds, fc.dictionary(fc.string({ maxLength: 12 }), odd), (kind, noise) => {
      const full: Record<string, unknown> = { ...ctx, kind, ...FULL[kind] };
      const keys = Object.keys(full);
      const mixed: Record<string, unknown> = { ...full };
      // Overwrite a few real fields, and add whatever else the noise holds.
      Object.entries(noise).forEach(([key, value], i) => {
        mixed[i % 2 === 0 ? keys[key.length % keys.length]! : key] = value;
      });
      expectAgreement(kind, mixed);
    }),
    { numRuns: 3000 },
  );
});

test('every event of the recordings in test/fixtures agrees', () => {
  const dir = path.join(__dirname, 'fixtures', 'recordings');
  let n = 0;
  for (const file of ['deadlock.ndjson', 'panic.ndjson', 'pool.ndjson', 'pool-trace.ndjson']) {
    for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      if (!line) continue;
      const value = JSON.parse(line) as { kind: EventKind };
      expectAgreement(value.kind, value);
      n++;
    }
  }
  expect(n).toBeGreaterThan(100);
});

test('an events message from the bridge: the same as zod makes of it, and a bad one named by zod', () => {
  const events = EVENT_KINDS.map((kind, i) => ({ ...ctx, seq: i, kind, ...FULL[kind] }));
  const msg = { type: 'events', id: 'run-1', events, extra: true };
  expect(JSON.stringify(parseServerMessage(JSON.stringify(msg)))).toBe(
    JSON.stringify(ServerMessageSchema.parse(msg)),
  );
  const fieldOf = (bad: unknown): string | undefined => {
    try {
      parseServerMessage(bad);
    } catch (err) {
      return err instanceof ProtocolError ? err.field : 'not a ProtocolError';
    }
    return undefined;
  };
  expect(fieldOf({ ...msg, id: 'not an id!' })).toBe('id');
  expect(fieldOf({ ...msg, events: [...events.slice(0, 3), { ...events[3], goid: 0 }] })).toBe(
    'events[3].goid',
  );
  expect(fieldOf({ ...msg, events: 'none' })).toBe('events');
});
