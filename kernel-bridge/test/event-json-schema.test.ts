/**
 * The events' JSON Schema that the Go probe's tests check events against is
 * generated from the zod schemas into one checked-in file: it must be what
 * the zod schemas generate now (after a change to events.ts, run
 * `npm run gen:schema` in kernel-bridge and commit the file).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_KINDS } from '../src/protocol';
import {
  EVENT_JSON_SCHEMA_FILE,
  eventJsonSchema,
  eventJsonSchemaText,
} from '../src/protocol/event-json-schema';

type Json = Record<string, unknown>;

const checkedIn = readFileSync(join(__dirname, '..', '..', EVENT_JSON_SCHEMA_FILE), 'utf8');

/** Every object schema in s, nested ones included. */
function objects(s: unknown, out: Json[] = []): Json[] {
  if (Array.isArray(s)) s.forEach((x) => objects(x, out));
  else if (s !== null && typeof s === 'object') {
    const o = s as Json;
    if (o.type === 'object') out.push(o);
    Object.values(o).forEach((x) => objects(x, out));
  }
  return out;
}

describe('the events JSON Schema file', () => {
  it('is what the zod schemas generate (else: npm run gen:schema in kernel-bridge)', () => {
    expect(checkedIn).toBe(eventJsonSchemaText());
  });

  it('has one branch per event kind, told apart by its kind', () => {
    const branches = (JSON.parse(checkedIn) as { oneOf: Json[] }).oneOf;
    const kinds = branches.map((b) => ((b.properties as Json).kind as Json).const);
    expect(kinds.sort()).toEqual([...EVENT_KINDS].sort());
  });

  it('is a producer’s schema: no object may have a field the protocol does not', () => {
    const all = objects(eventJsonSchema());
    // The kinds, run.start's fidelity, its paced and its gcLens, a profile's frame and sample,
    // schedtrace's detail with its P, M and G, gctrace's clock and cpu times and heap sizes,
    // a leak report's goroutine and its frame, a race's access and the site that made its goroutine.
    expect(all.length).toBe(EVENT_KINDS.length + 16);
    for (const o of all) expect(o.additionalProperties).toBe(false);
  });
});
