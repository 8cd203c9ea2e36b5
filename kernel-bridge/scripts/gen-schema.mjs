// Writes the events' JSON Schema, generated from the zod schemas, to the one
// file the Go probe's tests check events against (src/protocol/event-json-schema.ts).
// Run through `npm run gen:schema`, which builds dist first.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import schema from '../dist/src/protocol/event-json-schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const file = join(root, schema.EVENT_JSON_SCHEMA_FILE);
writeFileSync(file, schema.eventJsonSchemaText());
process.stdout.write(`wrote ${schema.EVENT_JSON_SCHEMA_FILE}\n`);
