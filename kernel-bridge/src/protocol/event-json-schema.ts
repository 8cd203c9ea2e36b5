/**
 * The events' JSON Schema, generated from their zod schemas (events.ts), for
 * producers that are not TypeScript: the Go probe checks every event its
 * tests make against it. It is written to one checked-in file
 * (EVENT_JSON_SCHEMA_FILE, relative to the repository's root) by
 * `npm run gen:schema`, and test/event-json-schema.test.ts fails when that
 * file is out of date.
 *
 * It is the schema of what a producer writes: zod's output side, where an
 * object has no fields but its own (additionalProperties: false). A reader
 * drops unknown fields (events.ts); a producer that writes one has a typo,
 * or a field the protocol does not have yet.
 */
import { z } from 'zod';
import { EventSchema } from './events';

/** Where the generated file lives, relative to the repository's root. */
export const EVENT_JSON_SCHEMA_FILE = 'bpf/internal/stream/schema/events.schema.json';

/** The events' JSON Schema (draft-07), as the file holds it. */
export function eventJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(EventSchema, { target: 'draft-7', io: 'output' });
  return {
    $comment:
      'Generated from kernel-bridge/src/protocol/events.ts by `npm run gen:schema` in kernel-bridge: do not edit.',
    ...schema,
  };
}

/** The file's text: the schema as indented JSON, ending in a newline. */
export function eventJsonSchemaText(): string {
  return JSON.stringify(eventJsonSchema(), null, 2) + '\n';
}
