// A lesson's checkpoints.json: named sets of checkpoints, one per Go-slowmo
// cell that has any. An entry is a checkpoint in the protocol's language
// (kernel-bridge/src/protocol/checkpoints.ts), or {"like": "set/id", ...}:
// that checkpoint with the fields given here replaced, so a check shared by an
// example and its exercise is written once. Every resolved checkpoint is
// validated by the protocol's own schema, and a field the schema does not
// know is an error rather than silently dropped.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SourceError } from './source.mjs';
import { protocol } from './protocol.mjs';

/** The sets of `dir/checkpoints.json` by name, resolved and validated; {} when there is no file. */
export function readCheckpoints(root, dir) {
  const file = path.join(dir, 'checkpoints.json');
  const name = path.relative(root, file);
  if (!existsSync(file)) return {};
  let raw;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SourceError(`${name}: not valid JSON: ${err.message}`);
  }
  if (!isObject(raw)) {
    throw new SourceError(
      `${name}: must be an object of named sets: {"example": [checkpoint, ...]}`,
    );
  }
  const sets = {};
  for (const [set, entries] of Object.entries(raw)) {
    if (!Array.isArray(entries) || entries.length === 0) {
      throw new SourceError(`${name}: "${set}" must be a non-empty list of checkpoints`);
    }
    sets[set] = entries.map((entry, i) => resolve(raw, entry, `${name}: "${set}"[${i}]`));
    const ids = sets[set].map((cp) => cp.id);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice)
      throw new SourceError(`${name}: "${set}" has two checkpoints with the id "${twice}"`);
  }
  return sets;
}

function resolve(raw, entry, where) {
  if (!isObject(entry)) throw new SourceError(`${where}: a checkpoint is a JSON object`);
  let checkpoint = entry;
  if ('like' in entry) {
    const { like, ...fields } = entry;
    const [set, id, extra] = String(like).split('/');
    const found =
      extra === undefined && Array.isArray(raw[set]) && raw[set].find((c) => c?.id === id);
    if (!found) {
      throw new SourceError(
        `${where}: "like": "${like}" names no checkpoint: write "set/id" of one in this file`,
      );
    }
    if ('like' in found) {
      throw new SourceError(
        `${where}: "like": "${like}" is itself a "like": name the checkpoint it copies`,
      );
    }
    checkpoint = { ...found, ...fields };
  }
  const result = protocol.CheckpointSchema.safeParse(checkpoint);
  if (!result.success)
    throw new SourceError(
      `${where}: ${protocol.toProtocolError('checkpoint', result.error).message}`,
    );
  const unknown = unknownField(checkpoint, result.data, '');
  if (unknown) {
    throw new SourceError(
      `${where}: unknown field "${unknown}" (a typo? the checkpoint language is in kernel-bridge/src/protocol/checkpoints.ts)`,
    );
  }
  return checkpoint;
}

/**
 * A field of `input` that the parsed `output` lacks: zod drops what a schema
 * does not name, so a misspelt "wher" would otherwise match every event.
 */
function unknownField(input, output, at) {
  if (Array.isArray(input)) {
    for (let i = 0; i < input.length; i++) {
      const found = unknownField(input[i], output?.[i], `${at}[${i}]`);
      if (found) return found;
    }
  } else if (isObject(input)) {
    for (const key of Object.keys(input)) {
      const here = at ? `${at}.${key}` : key;
      if (!isObject(output) || !(key in output)) return here;
      const found = unknownField(input[key], output[key], here);
      if (found) return found;
    }
  }
  return undefined;
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
