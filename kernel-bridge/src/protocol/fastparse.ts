/**
 * A fast path for parseEvent, compiled from the event schemas themselves, so
 * that nothing is declared twice. zod checks an event in 10-60 µs, which
 * made the bridge's validation the slowest stage of a recording (a busy
 * program makes 500,000 events a second; the probe maps one in under 1 µs).
 * The compiled check says only "valid, and here is what zod would return"
 * (the same object: unknown fields dropped, keys in the schema's order,
 * arrays and nested objects copied) or "ask zod": a failure, or any schema
 * construct it does not know, goes to zod, which names the bad field.
 */
import type { z } from 'zod';

/** Returns what the schema's parse returns, or undefined: zod must decide. */
export type FastParse = (value: unknown) => unknown;

const FAIL = Symbol('fail');
type Compiled = (value: unknown) => unknown; // FAIL when invalid

interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  shape?: Record<string, z.ZodType>;
  catchall?: unknown;
  innerType?: z.ZodType;
  element?: z.ZodType;
  entries?: Record<string, unknown>;
  values?: unknown[];
}

interface CheckDef {
  check: string;
  format?: string;
  value?: unknown;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** The checks of a number, string or array as one predicate; undefined for one not known here. */
function compileChecks(
  checks: Def['checks'],
  measure: (v: never) => number,
): ((v: never) => boolean) | undefined {
  const preds: ((v: never) => boolean)[] = [];
  for (const c of checks ?? []) {
    const d = c._zod.def;
    if (d.check === 'number_format' && d.format === 'safeint') {
      preds.push((v: number) => Number.isSafeInteger(v));
    } else if (d.check === 'greater_than' && typeof d.value === 'number') {
      const min = d.value;
      preds.push(d.inclusive ? (v: number) => v >= min : (v: number) => v > min);
    } else if (d.check === 'less_than' && typeof d.value === 'number') {
      const max = d.value;
      preds.push(d.inclusive ? (v: number) => v <= max : (v: number) => v < max);
    } else if (d.check === 'min_length' && typeof d.minimum === 'number') {
      const min = d.minimum;
      preds.push((v: never) => measure(v) >= min);
    } else if (d.check === 'max_length' && typeof d.maximum === 'number') {
      const max = d.maximum;
      preds.push((v: never) => measure(v) <= max);
    } else {
      return undefined;
    }
  }
  return (v: never) => {
    for (const p of preds) if (!p(v)) return false;
    return true;
  };
}

const length = (v: { length: number }): number => v.length;

function compile(schema: z.ZodType): Compiled | undefined {
  const def = defOf(schema);
  switch (def.type) {
    case 'number': {
      const ok = compileChecks(def.checks, length as never);
      if (!ok) return undefined;
      return (v) => (typeof v === 'number' && Number.isFinite(v) && ok(v as never) ? v : FAIL);
    }
    case 'string': {
      const ok = compileChecks(def.checks, length as never);
      if (!ok) return undefined;
      return (v) => (typeof v === 'string' && ok(v as never) ? v : FAIL);
    }
    case 'boolean':
      if (def.checks?.length) return undefined;
      return (v) => (typeof v === 'boolean' ? v : FAIL);
    case 'enum': {
      if (def.checks?.length || !def.entries) return undefined;
      const allowed = new Set(Object.values(def.entries));
      return (v) => (allowed.has(v) ? v : FAIL);
    }
    case 'literal': {
      if (def.checks?.length || !def.values) return undefined;
      const allowed = new Set(def.values);
      return (v) => (allowed.has(v) ? v : FAIL);
    }
    case 'nullable': {
      const inner = def.innerType && !def.checks?.length ? compile(def.innerType) : undefined;
      if (!inner) return undefined;
      return (v) => (v === null ? null : inner(v));
    }
    case 'array': {
      const element = def.element ? compile(def.element) : undefined;
      const ok = compileChecks(def.checks, length as never);
      if (!element || !ok) return undefined;
      return (v) => {
        if (!Array.isArray(v) || !ok(v as never)) return FAIL;
        const out = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) {
          const x = element(v[i]);
          if (x === FAIL) return FAIL;
          out[i] = x;
        }
        return out;
      };
    }
    case 'object':
      return compileObject(def);
    default:
      return undefined;
  }
}

function compileObject(def: Def): Compiled | undefined {
  // Only the default: unknown keys dropped (no catchall, no strict).
  if (def.checks?.length || !def.shape || def.catchall !== undefined) return undefined;
  const fields: { key: string; optional: boolean; parse: Compiled }[] = [];
  for (const [key, field] of Object.entries(def.shape)) {
    const fdef = defOf(field);
    const optional = fdef.type === 'optional';
    if (optional && fdef.checks?.length) return undefined;
    const inner = optional ? fdef.innerType : field;
    const parse = inner ? compile(inner) : undefined;
    if (!parse) return undefined;
    fields.push({ key, optional, parse });
  }
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return FAIL;
    const input = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const { key, optional, parse } of fields) {
      const x = input[key];
      if (x === undefined) {
        if (!optional) return FAIL;
        // zod keeps a key that is there with undefined in it (never so from JSON).
        if (key in input) out[key] = undefined;
        continue;
      }
      const y = parse(x);
      if (y === FAIL) return FAIL;
      out[key] = y;
    }
    return out;
  };
}

/**
 * The fast path of an object schema, or undefined when it uses something
 * this compiler does not know (zod then checks every value).
 */
export function fastParser(schema: z.ZodType): FastParse | undefined {
  const compiled = defOf(schema).type === 'object' ? compile(schema) : undefined;
  if (!compiled) return undefined;
  return (value) => {
    const out = compiled(value);
    return out === FAIL ? undefined : out;
  };
}
