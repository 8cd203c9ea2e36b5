/**
 * Parsing at the boundary: everything that crosses a process or socket goes
 * through here, and a rejection always names the field that is wrong, so the
 * producer's author can fix it without reading this code.
 */
import type { z } from 'zod';
import { EVENT_KINDS, EVENT_SCHEMAS, type EventKind, type SlowmoEvent } from './events';
import { fastParser, type FastParse } from './fastparse';

/** A message or event that does not follow the protocol. `field` is the dotted path of the culprit. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** `goids[2]`, `files.main.go`, or `(root)`: a zod path as a person reads it. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** The first issue of a zod error as a ProtocolError; `what` says what was being parsed. */
export function toProtocolError(what: string, error: z.ZodError): ProtocolError {
  const issue = error.issues[0];
  if (!issue) return new ProtocolError(`invalid ${what}`, '(root)');
  const field = formatPath(issue.path);
  // A record key's own complaint says more than zod's "Invalid key in record".
  const message = (issue.code === 'invalid_key' && issue.issues[0]?.message) || issue.message;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problems)` : '';
  return new ProtocolError(`invalid ${what}: field "${field}": ${message}${more}`, field);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const KNOWN_KINDS = new Set<string>(EVENT_KINDS);

/** Each kind's schema compiled to a plain check (fastparse.ts); zod names what is wrong. */
const FAST_PARSE = new Map<string, FastParse | undefined>(
  EVENT_KINDS.map((kind) => [kind, fastParser(EVENT_SCHEMAS[kind])]),
);

/** An event as parseEvent returns it, when its fast path can tell; undefined: only zod can. */
export function fastEvent(value: unknown): SlowmoEvent | undefined {
  if (!isRecord(value) || typeof value.kind !== 'string') return undefined;
  return FAST_PARSE.get(value.kind)?.(value) as SlowmoEvent | undefined;
}

/**
 * Parses one event from a JSON text (one NDJSON line) or an already decoded
 * value. Throws a ProtocolError naming the bad field.
 */
export function parseEvent(json: unknown): SlowmoEvent {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (err) {
      throw new ProtocolError(`event is not valid JSON: ${(err as Error).message}`, '(root)');
    }
  }
  if (!isRecord(value)) {
    throw new ProtocolError(
      `event must be a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`,
      '(root)',
    );
  }
  const kind = value.kind;
  if (typeof kind !== 'string' || !KNOWN_KINDS.has(kind)) {
    const got = kind === undefined ? 'it is missing' : `got ${JSON.stringify(kind)}`;
    throw new ProtocolError(
      `invalid event: field "kind": must be one of ${EVENT_KINDS.join(', ')}; ${got}`,
      'kind',
    );
  }
  const fast = fastEvent(value);
  if (fast !== undefined) return fast;
  const schema = EVENT_SCHEMAS[kind as EventKind];
  const result = schema.safeParse(value);
  if (!result.success) {
    const at = typeof value.seq === 'number' ? ` at seq ${value.seq}` : '';
    throw toProtocolError(`${kind} event${at}`, result.error);
  }
  return result.data as SlowmoEvent;
}
