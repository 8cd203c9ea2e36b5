import fc from 'fast-check';
import {
  EVENT_KINDS,
  EVENT_SCHEMAS,
  parseEvent,
  ProtocolError,
  type EventKind,
} from '../src/protocol';
import { VALID_EVENTS } from './support/event-examples';

const ctx = { seq: 4, t: 1200, m: 1, p: 0, g: 7 };

/** One valid example of every kind: the table the bad-input tests mutate. */
const VALID = VALID_EVENTS;

const OPTIONAL = new Set([
  'inferred',
  'g.runnable.by',
  'g.runnable.file',
  'g.runnable.line',
  'g.waiting.file',
  'g.waiting.line',
  'globalq.more',
  'heap.alloc.file',
  'heap.alloc.line',
  'heap.alloc.fn',
  'gc.color.from',
  'heap.edge.root',
  'heap.edge.rootG',
]);

const example = (kind: EventKind) => ({ ...ctx, kind, ...VALID[kind] });

function rejection(value: unknown): ProtocolError {
  try {
    parseEvent(value);
  } catch (err) {
    if (err instanceof ProtocolError) return err;
    throw err;
  }
  throw new Error(`accepted: ${JSON.stringify(value)}`);
}

/** What parseEvent makes of a value: accepted, or refused naming a field. */
function verdict(value: unknown): { accepted: true } | { accepted: false; field: string } {
  try {
    parseEvent(value);
    return { accepted: true };
  } catch (err) {
    if (err instanceof ProtocolError) return { accepted: false, field: err.field };
    throw err;
  }
}

test('the table covers every kind, and each schema carries its own kind', () => {
  expect(Object.keys(VALID).sort()).toEqual([...EVENT_KINDS].sort());
  for (const kind of EVENT_KINDS) {
    expect(EVENT_SCHEMAS[kind].shape.kind.value).toBe(kind);
  }
});

test.each(EVENT_KINDS)('a valid %s event parses, from an object and from a JSON line', (kind) => {
  expect(parseEvent(example(kind))).toEqual(example(kind));
  expect(parseEvent(JSON.stringify(example(kind)))).toEqual(example(kind));
});

test('unknown fields are dropped, so a newer producer does not break an older reader', () => {
  expect(parseEvent({ ...example('g.exit'), futureField: 1 })).toEqual(example('g.exit'));
});

describe('every required field of every kind, when missing, is named', () => {
  const cases = EVENT_KINDS.flatMap((kind) =>
    Object.keys(example(kind))
      .filter((f) => !OPTIONAL.has(`${kind}.${f}`))
      .map((field) => [kind, field] as const),
  );
  test.each(cases)('%s without %s', (kind, field) => {
    const event: Record<string, unknown> = example(kind);
    delete event[field];
    const err = rejection(event);
    expect(err.field).toBe(field);
    expect(err.message).toContain(`"${field}"`);
  });
});

describe('every field of every kind, given the wrong type, is named', () => {
  const cases = EVENT_KINDS.flatMap((kind) =>
    Object.entries(example(kind))
      .filter(([f]) => f !== 'kind')
      .map(([field, value]) => [kind, field, value] as const),
  );
  test.each(cases)('%s with a wrong %s', (kind, field, value) => {
    // Swap the type: numbers and booleans become strings, strings and objects become numbers.
    const wrong = typeof value === 'number' || typeof value === 'boolean' ? 'x' : 42;
    const err = rejection({ ...example(kind), [field]: wrong });
    expect(err.field.startsWith(field)).toBe(true);
  });
});

test('an unknown kind is rejected and the known kinds are listed', () => {
  const err = rejection({ ...ctx, kind: 'g.teleport', goid: 1 });
  expect(err.field).toBe('kind');
  expect(err.message).toContain('g.teleport');
  expect(err.message).toContain('g.create');
  expect(rejection({ ...ctx }).field).toBe('kind');
});

test('a negative seq, a fractional line, a goid of 0 and an unknown enum value are named', () => {
  expect(rejection({ ...example('g.exit'), seq: -1 }).field).toBe('seq');
  expect(rejection({ ...example('line'), line: 1.5 }).field).toBe('line');
  expect(rejection({ ...example('g.exit'), goid: 0 }).field).toBe('goid');
  expect(rejection({ ...example('gc'), phase: 'sweep' }).field).toBe('phase');
  expect(rejection({ ...example('steal'), goids: [8, -2] }).field).toBe('goids[1]');
  expect(rejection({ ...example('p.state'), p: -2 }).field).toBe('p');
});

test('a paced run.start says how sysmon sees the pauses; a record run.start says nothing', () => {
  for (const sysmon of ['hide-pauses', 'see-pauses']) {
    const paced = { ...example('run.start'), backend: 'ebpf', paced: { sysmon } };
    expect(parseEvent(paced)).toEqual(paced);
  }
  expect(parseEvent(example('run.start'))).not.toHaveProperty('paced');
  const bad = { ...example('run.start'), paced: { sysmon: 'sometimes' } };
  expect(rejection(bad).field).toBe('paced.sysmon');
});

test('who woke a goroutine is optional, and never g0', () => {
  const {
    by: _by,
    file: _file,
    line: _line,
    ...older
  } = example('g.runnable') as Record<string, unknown>;
  expect(parseEvent(older)).toEqual(older);
  expect(parseEvent({ ...older, by: 1 })).toEqual({ ...older, by: 1 });
  expect(rejection({ ...example('g.runnable'), by: 0 }).field).toBe('by');
  expect(rejection({ ...example('g.runnable'), line: -1 }).field).toBe('line');
});

test('not an object, or not JSON, is rejected with a clear message', () => {
  expect(rejection('{"seq": 1,').message).toMatch(/not valid JSON/);
  expect(rejection([1, 2]).message).toMatch(/an array/);
  expect(rejection(null).message).toMatch(/JSON object/);
});

test('property: any corruption of one field of a valid event is rejected naming that field', () => {
  const kindArb = fc.constantFrom(...EVENT_KINDS);
  const junk = fc.oneof(
    fc.string(),
    fc.double({ noInteger: true }),
    fc.integer({ max: -2 }),
    fc.constant(null),
    fc.array(fc.string(), { minLength: 1 }),
    fc.dictionary(fc.string(), fc.integer()),
  );
  fc.assert(
    fc.property(kindArb, fc.nat(), junk, (kind, pick, value) => {
      const event: Record<string, unknown> = example(kind);
      const fields = Object.keys(event).filter((f) => f !== 'kind');
      const field = fields[pick % fields.length] as string;
      const original = event[field];
      event[field] = value;
      const outcome = verdict(event);
      // Refused: the error names the field that was changed. Accepted: only a value of the
      // field's own type may get through (a string for `reason`, a string for `signal`, null
      // where the schema says the field may be null).
      const shape: Record<string, { safeParse(v: unknown): { success: boolean } }> =
        EVENT_SCHEMAS[kind].shape;
      const nullable = value === null && shape[field]?.safeParse(null).success === true;
      const signal = field === 'signal' && typeof value === 'string';
      const ownType = nullable || signal || typeof value === typeof original;
      expect(outcome.accepted ? ownType : outcome.field.startsWith(field)).toBe(true);
    }),
    { numRuns: 2000 },
  );
});
