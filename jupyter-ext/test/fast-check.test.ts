/**
 * The fast event check must say exactly what zod says, for every kind of
 * event: right ones pass, and any one field changed to a wrong value (or
 * removed, or an unknown one added) fails in both. Random values, many runs.
 */
import { EVENT_SCHEMAS, type SlowmoEvent } from '@go-slowmo/kernel-bridge/protocol';
import fc from 'fast-check';
import type { z } from 'zod';
import { fastCheck } from '../src/fast-check';
import { sampleEvents } from './support/sample';

const EXTRA_EVENTS: object[] = [
  { seq: 1, t: 5, kind: 'steal', m: 1, p: 1, g: 0, thief: 1, victim: 0, goids: [3, 4] },
  { seq: 2, t: 6, kind: 'runq', m: 1, p: 1, g: 0, qp: 0, runnext: 0, goids: [5] },
  { seq: 3, t: 7, kind: 'stw', m: 1, p: 1, g: 0, begin: true, reason: 'GC' },
  { seq: 4, t: 8, kind: 'gc', m: 1, p: 1, g: 0, phase: 'mark', inferred: true },
];

const VALUES = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 31, -1, 0, 1, 1023, 1024, 0.5, Number.NaN),
  fc.string({ maxLength: 4 }),
  fc.constantFrom('', 'exit', 'runnext', 'chan receive', null, true, false, undefined),
  fc.array(fc.integer({ min: -2, max: 3 }), { maxLength: 3 }),
  fc.constant({}),
);

describe('the fast event check', () => {
  const examples = [...sampleEvents(2), ...EXTRA_EVENTS] as Record<string, unknown>[];

  test('exists for every kind of event', () => {
    for (const [kind, schema] of Object.entries(EVENT_SCHEMAS)) {
      expect([kind, fastCheck(schema as unknown as z.ZodType) !== null]).toEqual([kind, true]);
    }
  });

  test('agrees with zod on right events and on any one field made wrong', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...examples),
        fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
        VALUES,
        (example, key, value) => {
          const schema = EVENT_SCHEMAS[example.kind as SlowmoEvent['kind']] as unknown as z.ZodType;
          const check = fastCheck(schema)!;
          const keys = Object.keys(example);
          const field = key === undefined ? undefined : (keys[key.length % keys.length] ?? key);
          const v: Record<string, unknown> = { ...example };
          if (field !== undefined) {
            if (key!.length % 5 === 4)
              v[`x${key}`] = value; // an unknown field
            else v[field] = value;
          }
          for (const k of Object.keys(v)) if (v[k] === undefined) delete v[k];
          expect(check(v)).toBe(schema.safeParse(v).success);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
