/**
 * A run as the cell output keeps it: MIME `application/vnd.go-slowmo.run.v1+json`,
 * saved in the .ipynb, so a reopened notebook replays the same picture.
 *
 * The events are packed column-wise per kind: each event is one array
 * [kind, t, m, p, g, ...its own fields in the kind's schema order], its seq
 * being its index. That is about a third of the JSON of the events as
 * objects, which matters for recordings of 100,000 events. Unpacking checks
 * everything with the protocol's schemas: notebooks are untrusted input.
 */
import {
  EVENT_KINDS,
  EVENT_SCHEMAS,
  DiagnosticSchema,
  END_REASONS,
  LostSchema,
  lossWords,
  throttleWords,
  parseEvent,
  PREDICTION_STATUSES,
  ProtocolError,
  RunComparisonSchema,
  RunLimitSchema,
  RunStatsSchema,
  toProtocolError,
  type CheckpointOutcome,
  type EndMessage,
  type SlowmoMetadata,
  type RunLimit,
  type Diagnostic,
  type EventKind,
  type RunStats,
  type SlowmoEvent,
} from '@go-slowmo/kernel-bridge/protocol';
import { z } from 'zod';
import { fastCheck } from './fast-check';

export const RUN_MIME = 'application/vnd.go-slowmo.run.v1+json';

const COMMON = ['seq', 't', 'kind', 'm', 'p', 'g'];

/** Each kind's own fields in schema order, and which of them may be absent. */
const FIELDS = new Map<
  string,
  { keys: string[]; optional: Set<string>; valid: ((e: unknown) => boolean) | null }
>(
  EVENT_KINDS.map((kind) => {
    const shape = (EVENT_SCHEMAS[kind] as unknown as { shape: Record<string, z.ZodType> }).shape;
    const keys = Object.keys(shape).filter((k) => !COMMON.includes(k));
    return [
      kind,
      {
        keys,
        optional: new Set(keys.filter((k) => shape[k]!.safeParse(undefined).success)),
        valid: fastCheck(EVENT_SCHEMAS[kind] as unknown as z.ZodType),
      },
    ];
  }),
);

export type { CheckpointOutcome };

/** A finished (or failed to build) run, unpacked. */
export interface Recording {
  /** The cell's code when it ran: the source pane shows this, not today's edits. */
  source: string;
  options: { goVersion?: string; gomaxprocs?: number; backend: string; mode: string };
  events: SlowmoEvent[];
  end?: {
    exitCode: number;
    reason: (typeof END_REASONS)[number];
    /** Null: the recorder was killed, so events may be missing (older recordings: a number). */
    lost: number | null;
    stats: RunStats;
    /** The server's limit that ended it, with its value. */
    limit?: RunLimit;
  };
  diagnostics?: Diagnostic[];
  checkpoints?: CheckpointOutcome[];
  /** Why the run did not happen (no backend, bridge unreachable...). */
  error?: string;
  /** Which backend watched it and, for the tracer, why not eBPF. */
  notice?: string;
  /** What changed since the cell's run before (compare/compare-run.ts). */
  compare?: SavedComparison;
}

/**
 * A comparison with the run before as the recording keeps it; `session` finds that run in this
 * page's memory (compare/before-runs.ts), not in the notebook.
 */
const SavedComparisonSchema = RunComparisonSchema.extend({
  session: z.string().max(64).optional(),
});
export type SavedComparison = z.infer<typeof SavedComparisonSchema>;

/** How a cell's run was made, as its recording keeps it. */
export function runOptions(meta: SlowmoMetadata, mode: string): Recording['options'] {
  return {
    backend: meta.backend,
    mode,
    ...(meta.goVersion ? { goVersion: meta.goVersion } : {}),
    ...(meta.gomaxprocs ? { gomaxprocs: meta.gomaxprocs } : {}),
  };
}

/** How a run ended, as its recording keeps it, from the bridge's end message. */
export function recordedEnd(end: EndMessage): NonNullable<Recording['end']> {
  return {
    exitCode: end.exitCode,
    reason: end.reason,
    lost: end.lost,
    stats: end.stats,
    ...(end.limit ? { limit: end.limit } : {}),
  };
}

/** A prediction's outcome as saved: the answers given, and the choices the run bore out. */
const PredictionSchema = z.object({
  question: z.string(),
  status: z.enum(PREDICTION_STATUSES),
  answer: z.string().optional(),
  answers: z.array(z.string()),
  actual: z.array(z.string()),
  explanation: z.string().optional(),
});

/** A checkpoint's outcome as saved; seq is the moment that decided it (the reveal jumps there). */
export const OutcomeSchema = z.object({
  id: z.string(),
  title: z.string(),
  passed: z.boolean(),
  reason: z.string(),
  hint: z.string().optional(),
  seq: z.number().int().min(0).optional(),
  prediction: PredictionSchema.optional(),
});

const PackedSchema = z.object({
  v: z.literal(1),
  source: z.string(),
  options: z.object({
    goVersion: z.string().optional(),
    gomaxprocs: z.number().int().optional(),
    backend: z.string(),
    mode: z.string(),
  }),
  kinds: z.array(z.enum(EVENT_KINDS as [EventKind, ...EventKind[]])),
  /**
   * The events' rows as one JSON text: JupyterLab copies output data through
   * its shared document model, where one string costs almost nothing and
   * 100,000 small arrays cost seconds.
   */
  rows: z.string(),
  end: z
    .object({
      exitCode: z.number().int(),
      reason: z.enum(END_REASONS),
      lost: LostSchema,
      stats: RunStatsSchema,
      limit: RunLimitSchema.optional(),
    })
    .optional(),
  diagnostics: z.array(DiagnosticSchema).optional(),
  checkpoints: z.array(OutcomeSchema).optional(),
  error: z.string().optional(),
  notice: z.string().optional(),
  compare: SavedComparisonSchema.optional(),
});
export type Packed = z.infer<typeof PackedSchema>;
export type SavedOutcome = z.infer<typeof OutcomeSchema>;

export function pack(rec: Recording): Packed {
  const kinds: EventKind[] = [];
  const index = new Map<string, number>();
  const rows = rec.events.map((e) => {
    let k = index.get(e.kind);
    if (k === undefined) {
      k = kinds.length;
      kinds.push(e.kind);
      index.set(e.kind, k);
    }
    const own = e as unknown as Record<string, unknown>;
    const row: unknown[] = [k, e.t, e.m, e.p, e.g];
    for (const key of FIELDS.get(e.kind)!.keys) row.push(own[key] === undefined ? null : own[key]);
    // Absent optional fields at the end (a wake-up's waker, mostly) cost nothing.
    while (row.length > 5 && row[row.length - 1] === null) row.pop();
    return row;
  });
  const { events: _events, ...rest } = rec;
  void _events;
  return { v: 1, ...rest, kinds, rows: JSON.stringify(rows) };
}

/** Unpacks and validates a recording; throws a ProtocolError naming what is wrong. */
export function unpack(data: unknown): Recording {
  const parsed = PackedSchema.safeParse(data);
  if (!parsed.success) throw toProtocolError('go-slowmo recording', parsed.error);
  const { kinds, rows: text, v: _v, ...rest } = parsed.data;
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch {
    throw new ProtocolError('invalid go-slowmo recording: field "rows" is not JSON', 'rows');
  }
  if (!Array.isArray(rows) || !rows.every((r) => Array.isArray(r))) {
    throw new ProtocolError(
      'invalid go-slowmo recording: field "rows" must be a list of events',
      'rows',
    );
  }
  void _v;
  const events = (rows as unknown[][]).map((row, seq) => {
    const kind = kinds[row[0] as number];
    if (kind === undefined)
      throw new ProtocolError(
        `invalid go-slowmo recording: event ${seq} has an unknown kind`,
        `rows[${seq}]`,
      );
    const { keys, optional } = FIELDS.get(kind)!;
    const e: Record<string, unknown> = { seq, t: row[1], kind, m: row[2], p: row[3], g: row[4] };
    keys.forEach((key, i) => {
      const value = row[5 + i];
      if (!((value === null || value === undefined) && optional.has(key))) e[key] = value;
    });
    // The fast check says yes for almost every event; zod explains the rest.
    const { valid } = FIELDS.get(kind)!;
    if (valid?.(e)) return e as unknown as SlowmoEvent;
    try {
      return parseEvent(e);
    } catch (err) {
      throw new ProtocolError(
        `invalid go-slowmo recording: event ${seq}: ${(err as Error).message}`,
        `rows[${seq}]`,
      );
    }
  });
  return { ...rest, events };
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;
}

/** The text/plain beside the recording: what a reader without the extension sees. */
export function summaryText(rec: Recording): string {
  if (rec.error) return `Go-slowmo run failed: ${rec.error}`;
  if (rec.diagnostics?.length) {
    return [
      'Go-slowmo: the program did not compile:',
      ...rec.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`),
    ].join('\n');
  }
  const start = rec.events.find((e) => e.kind === 'run.start');
  const goroutines = rec.events.filter((e) => e.kind === 'g.create').length;
  const lines = [
    `Go-slowmo run: ${start && start.kind === 'run.start' ? `${start.goVersion}, GOMAXPROCS=${start.gomaxprocs}, ${start.backend}` : 'no events'}`,
    `${plural(rec.events.length, 'event')}, ${plural(goroutines, 'goroutine')} created` +
      (rec.end
        ? `, ended: ${rec.end.reason} (exit code ${rec.end.exitCode})${lossText(rec.end.lost, rec.end.stats.throttledMs)}`
        : ''),
  ];
  for (const c of rec.checkpoints ?? [])
    lines.push(`${c.passed ? 'PASS' : 'FAIL'} ${c.title}: ${c.reason}`);
  return lines.join('\n');
}

function lossText(lost: number | null, throttledMs?: number): string {
  return [lossWords(lost), throttleWords(throttledMs)]
    .filter((w) => w !== null)
    .map((w) => `, ${w}`)
    .join('');
}
