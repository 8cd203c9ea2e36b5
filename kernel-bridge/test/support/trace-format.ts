/**
 * The Trace Event Format's rules that a JSON Schema cannot state, checked
 * in code: per thread, B/E events nest (each E ends the latest open B, in
 * time order, and none is left open) and complete events (X) nest or follow
 * one another without overlapping; every flow start (s) has its end (f) with
 * the same id, at or after it. Returns the problems found, empty when none.
 * The schema itself is test/trace-event-format.schema.json.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';

interface TraceEvent {
  name?: string;
  ph: string;
  ts?: number;
  dur?: number;
  pid?: number | string;
  tid?: number | string;
  id?: number | string;
  cat?: string;
}

/** Float slack for ends that meet (µs computed from ns on both sides). */
const SLACK = 1e-6;

const schema = JSON.parse(
  readFileSync(path.join(__dirname, '..', 'trace-event-format.schema.json'), 'utf8'),
) as object;

/** Problems the schema finds, as "path: message". */
export function schemaProblems(trace: unknown): string[] {
  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile(schema);
  if (validate(trace)) return [];
  return (validate.errors ?? []).map((e) => `${e.dataPath || '(root)'}: ${e.message ?? ''}`);
}

function byThread(events: readonly TraceEvent[]): Map<string, TraceEvent[]> {
  const threads = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (e.ph !== 'B' && e.ph !== 'E' && e.ph !== 'X') continue;
    const key = `${e.pid}/${e.tid}`;
    const list = threads.get(key) ?? [];
    list.push(e);
    threads.set(key, list);
  }
  return threads;
}

/** B/E nesting, in the order the events are given (the format's order for equal times). */
function durationProblems(thread: string, events: readonly TraceEvent[]): string[] {
  const open: TraceEvent[] = [];
  let last = -Infinity;
  for (const e of events) {
    if (e.ph === 'X') continue;
    if ((e.ts ?? 0) < last) return [`${thread}: ${e.ph} "${e.name}" at ${e.ts} goes back in time`];
    last = e.ts ?? 0;
    if (e.ph === 'B') {
      open.push(e);
      continue;
    }
    const begun = open.pop();
    if (begun === undefined) return [`${thread}: E at ${e.ts} ends nothing`];
    if (e.name !== undefined && e.name !== begun.name) {
      return [`${thread}: E "${e.name}" at ${e.ts} ends "${begun.name}"`];
    }
  }
  return open.map((b) => `${thread}: B "${b.name}" at ${b.ts} never ends`);
}

/** Complete events on one thread nest or follow each other: none overlaps another partly. */
function completeProblems(thread: string, events: readonly TraceEvent[]): string[] {
  const xs = events
    .filter((e) => e.ph === 'X')
    .map((e) => ({ name: e.name, start: e.ts ?? 0, end: (e.ts ?? 0) + (e.dur ?? 0) }))
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const enclosing: { name?: string; end: number }[] = [];
  for (const x of xs) {
    while (enclosing.length > 0 && (enclosing[enclosing.length - 1]?.end ?? 0) <= x.start + SLACK) {
      enclosing.pop();
    }
    const outer = enclosing[enclosing.length - 1];
    if (outer !== undefined && x.end > outer.end + SLACK) {
      return [
        `${thread}: "${x.name}" [${x.start}, ${x.end}] overlaps "${outer.name}" ending ${outer.end}`,
      ];
    }
    enclosing.push(x);
  }
  return [];
}

function flowProblems(events: readonly TraceEvent[]): string[] {
  const starts = new Map<string, TraceEvent>();
  const problems: string[] = [];
  for (const e of events) {
    if (e.ph === 's') starts.set(`${e.cat}/${e.id}`, e);
  }
  const ended = new Set<string>();
  for (const e of events) {
    if (e.ph !== 'f') continue;
    const key = `${e.cat}/${e.id}`;
    const start = starts.get(key);
    if (start === undefined) problems.push(`flow end ${key} has no start`);
    else if ((e.ts ?? 0) < (start.ts ?? 0)) problems.push(`flow ${key} ends before it starts`);
    ended.add(key);
  }
  for (const key of starts.keys()) if (!ended.has(key)) problems.push(`flow ${key} never ends`);
  return problems;
}

/** Everything wrong with a trace: the schema's findings, then nesting and flows. */
export function traceProblems(trace: { traceEvents: readonly TraceEvent[] }): string[] {
  const problems = schemaProblems(trace);
  for (const [thread, events] of byThread(trace.traceEvents)) {
    problems.push(...durationProblems(thread, events), ...completeProblems(thread, events));
  }
  return [...problems, ...flowProblems(trace.traceEvents)];
}
