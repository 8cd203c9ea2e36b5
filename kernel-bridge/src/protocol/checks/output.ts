/**
 * What the program printed on stdout, line by line:
 *
 *   {"type": "output", "lines": ["ping 1", "pong 1"]}                  stdout is exactly these lines, in order
 *   {"type": "output", "lines": ["ping 1"], "match": "start"}          stdout begins with these lines
 *   {"type": "output", "count": "a", "op": ">=", "value": 20}          how many lines are exactly "a"
 *
 * Output order is what a learner sees first of a concurrent program, so the
 * lessons about it (and a prediction "what prints first?") check it here
 * rather than through the goroutines that wrote it. Output events may join
 * several writes, or cut one, so lines are rebuilt from the whole stream;
 * trailing spaces and a carriage return do not count. The moment a check
 * points at is the output event that holds the line deciding it.
 */
import { z } from 'zod';
import type { SlowmoEvent } from '../events';
import { comparisonWords, eventNumber } from '../words';
import { compare, COMPARE_OPS, type CompareOp, type Found } from './compare';

const LINE_MAX = 500;

export const OutputCheckSchema = z
  .object({
    type: z.literal('output'),
    /** These lines, in order. */
    lines: z.array(z.string().max(LINE_MAX)).min(1).max(1000).optional(),
    /** all: stdout is exactly `lines`; start: its first lines are `lines`. */
    match: z.enum(['all', 'start']).default('all'),
    /** Or: how many lines equal this (trailing spaces aside), compared by op and value. */
    count: z.string().max(LINE_MAX).optional(),
    op: z.enum(COMPARE_OPS).optional(),
    value: z.number().int().min(0).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const say = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if ((c.lines === undefined) === (c.count === undefined))
      say('lines', 'give either "lines" or "count", not both');
    if (c.count !== undefined) {
      if (c.op === undefined) say('op', '"count" needs "op"');
      if (c.value === undefined) say('value', '"count" needs "value"');
    } else {
      if (c.op !== undefined) say('op', '"op" goes with "count"');
      if (c.value !== undefined) say('value', '"value" goes with "count"');
    }
  });
export type OutputCheck = z.infer<typeof OutputCheckSchema>;

interface Line {
  text: string;
  /** The output event holding the line's end (or its start, for a last line left unended). */
  seq: number;
}

/** stdout's lines, each with the event that completed it. */
function stdoutLines(events: readonly SlowmoEvent[]): Line[] {
  const lines: Line[] = [];
  let partial = '';
  let lastSeq = -1;
  for (const e of events) {
    if (e.kind !== 'output' || e.stream !== 'stdout') continue;
    const parts = (partial + e.data).split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) lines.push({ text: p.trimEnd(), seq: e.seq });
    lastSeq = e.seq;
  }
  if (partial !== '') lines.push({ text: partial.trimEnd(), seq: lastSeq });
  return lines;
}

const q = (s: string) => JSON.stringify(s);
const lineCount = (n: number) => `${n} line${n === 1 ? '' : 's'}`;

function evalLines(check: OutputCheck, lines: string[], got: Line[]): Found {
  const want = lines.map((l) => l.trimEnd());
  const printed = lineCount(got.length);
  for (const [i, w] of want.entries()) {
    const line = got[i];
    if (line === undefined)
      return {
        passed: false,
        reason: `stdout has ${printed}; line ${i + 1} should be ${q(w)}`,
        ...(got.length ? { seq: (got.at(-1) as Line).seq } : {}),
      };
    if (line.text !== w)
      return {
        passed: false,
        reason: `line ${i + 1} of stdout is ${q(line.text)}, not ${q(w)} (event ${eventNumber(line.seq)})`,
        seq: line.seq,
      };
  }
  const extra = got[want.length];
  if (check.match === 'all' && extra !== undefined)
    return {
      passed: false,
      reason: `stdout goes on after the ${lineCount(want.length)} expected: line ${want.length + 1} is ${q(extra.text)} (event ${eventNumber(extra.seq)})`,
      seq: extra.seq,
    };
  const last = got[want.length - 1] as Line;
  const which =
    want.length === 1
      ? `its first line is ${q(want[0] as string)}`
      : `its first ${want.length} lines are as expected, ending ${q(want.at(-1) as string)}`;
  return {
    passed: true,
    reason:
      check.match === 'all'
        ? `stdout is exactly the ${lineCount(want.length)} expected (event ${eventNumber(last.seq)})`
        : `${which} (event ${eventNumber(last.seq)})`,
    seq: last.seq,
  };
}

function evalCount(count: string, op: CompareOp, value: number, got: Line[]): Found {
  const want = count.trimEnd();
  const hits = got.filter((l) => l.text === want);
  const n = hits.length;
  const passed = compare(n, op, value);
  const at = hits.at(-1);
  return {
    passed,
    reason: `stdout has ${lineCount(n)} ${q(want)}: ${passed ? '' : 'not '}${comparisonWords(op, value)}`,
    ...(at ? { seq: at.seq } : {}),
  };
}

export function evalOutput(check: OutputCheck, events: readonly SlowmoEvent[]): Found {
  const got = stdoutLines(events);
  if (check.lines) return evalLines(check, check.lines, got);
  // The schema lets count through only with op and value.
  return evalCount(check.count ?? '', check.op ?? '>=', check.value ?? 0, got);
}
