/**
 * The wire protocol v1 between a client (the notebook extension, the CLI, a
 * test) and the bridge, over the WebSocket `/api/runs`. Both sides parse what
 * they receive with these schemas; the bridge answers a message it refuses with
 * an `error` naming the bad field and keeps the connection open.
 */
import { z } from 'zod';
import { END_REASONS, EventSchema, LostSchema, SYSMON_MODES, type SlowmoEvent } from './events';
import { fastEvent, ProtocolError, toProtocolError } from './parse';
import { GodebugSchema } from './godebug';
import { PERTURB_MAX, PerturbationSchema } from './perturb';

/** A client-chosen run id: short, printable, safe in logs and file names. */
export const RunIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, ".", "_" or "-" (at most 64)');

/** `1.26`, `1.26.8`, `go1.26.8`: a Go release the bridge can build with. */
export const GoVersionSchema = z
  .string()
  .regex(/^(go)?1\.\d+(\.\d+)?$/, 'a Go version looks like "1.26" or "go1.26.8"');

/**
 * How much source one run request may carry, the same for every client (the
 * bridge, the extension and the CLI parse with these schemas): a learner's
 * program is a few files, and all of them are written, built and removed
 * while the run holds a build slot. A request over one is refused with an
 * error that names the limit.
 */
export const REQUEST_LIMITS = {
  /** Files in `files`, go.mod included. */
  files: 100,
  /** UTF-8 bytes of all the sources together (`code` or `files`). */
  sourceBytes: 2 * 1024 * 1024,
  /** Directories above a file: `worker/pool.go` is 1 deep. */
  pathDepth: 8,
} as const;

/**
 * A source file's path as the learner named it: relative, `/`-separated, no
 * `..`, a `.go` file or the module's go.mod. Diagnostics come back with this path.
 */
export const SourcePathSchema = z
  .string()
  .max(200)
  .refine(
    (p) =>
      /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/.test(p) &&
      !p.split('/').includes('..') &&
      (p.endsWith('.go') || p === 'go.mod'),
    'a relative path such as "main.go" or "worker/pool.go" (no "..", no leading "/"), naming a .go file or go.mod',
  )
  .refine((p) => p.split('/').length - 1 <= REQUEST_LIMITS.pathDepth, {
    message: `at most ${REQUEST_LIMITS.pathDepth} directories deep (request limit "pathDepth"): move the file up`,
  });

/**
 * Why a run request is over the files or sourceBytes limit, on the raw
 * message: parseClientMessage asks before zod walks every file (60,000 of
 * them take it half a second), and the schema asks again for other callers.
 */
export function requestSizeProblem(value: unknown): { field: string; message: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { type, code, files } = value as Record<string, unknown>;
  if (type !== 'run') return undefined;
  const sources: unknown[] = [];
  if (typeof files === 'object' && files !== null && !Array.isArray(files)) {
    const names = Object.keys(files);
    if (names.length > REQUEST_LIMITS.files) {
      return { field: 'files', message: tooManyFiles(names.length) };
    }
    sources.push(...Object.values(files));
  }
  if (typeof code === 'string') sources.push(code);
  const limit = REQUEST_LIMITS.sourceBytes;
  let bytes = 0;
  for (const s of sources) if (typeof s === 'string') bytes += s.length;
  // A UTF-16 unit is at least one UTF-8 byte: count exactly only when it may matter.
  if (bytes > limit / 3) {
    const utf8 = new TextEncoder();
    bytes = 0;
    for (const s of sources) if (typeof s === 'string') bytes += utf8.encode(s).byteLength;
  }
  if (bytes <= limit) return undefined;
  return {
    field: typeof code === 'string' ? 'code' : 'files',
    message: `${bytes} bytes of source; a run takes at most ${limit} (${limit / 1024 / 1024} MiB, request limit "sourceBytes"): send the program's Go files only`,
  };
}

/**
 * How many files the text of a message names in its top-level `files`,
 * counted without decoding it (the keys at depth 2 under "files"): decoding
 * 60,000 file names takes the bridge's one thread tens of milliseconds.
 */
function filesInText(text: string): number {
  let depth = 0;
  let inFiles = false;
  let lastKey = '';
  let files = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // To the closing quote: the next one not escaped by an odd run of backslashes.
      let end = i;
      for (;;) {
        end = text.indexOf('"', end + 1);
        if (end < 0) return files; // Not JSON: decoding will say so.
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
        if (slashes % 2 === 0) break;
      }
      if (depth === 1) lastKey = text.slice(i + 1, end);
      i = end;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth === 2) inFiles = c === 0x7b && lastKey === 'files';
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x3a && depth === 2 && inFiles) {
      files++;
    }
  }
  return files;
}

function tooManyFiles(n: number): string {
  return `${n} files; a run takes at most ${REQUEST_LIMITS.files} (request limit "files"): send the files of one program`;
}

export const BACKEND_CHOICES = ['auto', 'ebpf', 'trace'] as const;
export const RUN_MODES = ['record', 'paced'] as const;
/**
 * `step`: one event. `stepline`: events until a goroutine reaches a user line other than the
 * one it was last seen on (its next `line` event that differs), then paused again; it gives up
 * after 2000 events, pausing there (the last event is then no new line). Only paced runs on the
 * eBPF backend have line events: elsewhere it is refused with `bad_control`, as it is after
 * `resume` (which removes the line probes); `run.start.fidelity.lines` says beforehand.
 */
export const CONTROL_ACTIONS = ['pause', 'resume', 'step', 'stepline', 'stop', 'speed'] as const;
export const RUN_PHASES = ['queued', 'compiling', 'running', 'done'] as const;
/**
 * GOEXPERIMENTs a run may be built with. `nogreenteagc`: Go 1.26 and later mark small objects
 * per span by default (the "Green Tea" collector); this builds with the per-object collector of
 * Go 1.25 and before, whose marking the GC lens shows object by object. Go 1.25 knows it as its
 * default already; older releases, which have only the per-object collector, build without it.
 */
export const GC_EXPERIMENTS = ['nogreenteagc'] as const;

export const RunRequestSchema = z
  .object({
    type: z.literal('run'),
    id: RunIdSchema,
    /** One `main.go` source. */
    code: z.string().max(1_000_000).optional(),
    /** Several files, by path. Exactly one of `code` and `files`. */
    files: z.record(SourcePathSchema, z.string().max(1_000_000)).optional(),
    goVersion: GoVersionSchema.optional(),
    gomaxprocs: z.number().int().min(1).max(64).optional(),
    backend: z.enum(BACKEND_CHOICES).default('auto'),
    mode: z.enum(RUN_MODES).default('record'),
    /** Paced mode: events per second; without it a paced run starts paused (step, resume, speed). */
    pace: z.number().positive().max(1_000_000).optional(),
    /**
     * Paced mode: whether sysmon counts the pauses as the program's time (`see-pauses`) or not
     * (`hide-pauses`, the default); `run.start.paced.sysmon` says which a run got. Ignored in
     * record mode, which does not pause.
     */
    sysmon: z.enum(SYSMON_MODES).optional(),
    /**
     * The GC lens: record the heap's objects and the collector's marking and sweeping (heap.*,
     * gc.color, gc.span events; run.start.gcLens). Only the eBPF backend sees marking: a request
     * the bridge would run on the trace backend is refused (`backend_unavailable`, field `gc`).
     */
    gc: z.boolean().optional(),
    /** Build with this GOEXPERIMENT (GC_EXPERIMENTS); run.start.gcLens.experiment says it. */
    gcExperiment: z.enum(GC_EXPERIMENTS).optional(),
    /**
     * Collect the runtime's own profiles of the program (cpu, block, mutex, goroutine and a
     * wall-clock one; protocol/profile.ts): the build adds a helper file, and the profiles come as
     * `profile` events before run.end, once the program's main returns. Both backends.
     */
    profile: z.boolean().optional(),
    /**
     * The runtime's own goroutine leak detector beside the recording's leak lens (leak.ts): as
     * main returns, a `leak.report` event lists the goroutines the runtime found leaked. Go 1.26
     * is built with GOEXPERIMENT=goroutineleakprofile for it, 1.27 has it always; on older
     * releases the report says `available: false`. Both backends; it costs one GC cycle at the
     * end (and, the first time on Go 1.26, the standard library built once for the experiment).
     */
    leakProfile: z.boolean().optional(),
    /**
     * Build with the race detector (`go build -race`): each data race it finds comes as a `race`
     * event (protocol/race.ts) beside the report in the program's stderr. Both backends; where
     * the bridge cannot build so, `/api/info`'s `race.why` says why and the request is refused
     * (`race_unavailable`, field `race`).
     */
    race: z.boolean().optional(),
    /**
     * GODEBUG settings for the program, from an allow-list (godebug.ts), e.g.
     * "schedtrace=100,scheddetail=1,gctrace=1": the runtime's lines stay in the program's
     * stderr, and schedtrace and gctrace lines also come as `schedtrace` and `gctrace` events.
     */
    godebug: GodebugSchema.optional(),
    /**
     * Schedule perturbation (perturb.ts): at the start of the statement on each line the program
     * yields or pauses, through a call the build inserts on that line (no line moves). A line
     * that starts no statement inside a function body is refused as a compile error saying why.
     */
    perturb: z.array(PerturbationSchema).min(1).max(PERTURB_MAX).optional(),
  })
  .superRefine((msg, ctx) => {
    const has = (msg.code !== undefined ? 1 : 0) + (msg.files !== undefined ? 1 : 0);
    if (has !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['code'],
        message: 'give exactly one of "code" (one main.go) or "files" ({path: source})',
      });
    }
    if (msg.files !== undefined && Object.keys(msg.files).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['files'], message: 'must hold at least one file' });
    }
    const over = requestSizeProblem(msg);
    if (over) ctx.addIssue({ code: 'custom', path: [over.field], message: over.message });
  });

export const ControlRequestSchema = z
  .object({
    type: z.literal('control'),
    id: RunIdSchema,
    action: z.enum(CONTROL_ACTIONS),
    /** For `speed`: events per second. Other actions take none. */
    value: z.number().positive().optional(),
  })
  .refine((msg) => msg.action !== 'speed' || msg.value !== undefined, {
    path: ['value'],
    message: '"speed" needs a value: events per second, greater than 0',
  });

export const ClientMessageSchema = z.discriminatedUnion('type', [
  RunRequestSchema,
  ControlRequestSchema,
]);

export const StatusMessageSchema = z.object({
  type: z.literal('status'),
  id: RunIdSchema,
  phase: z.enum(RUN_PHASES),
  /** 1-based place in the queue while `queued`. */
  position: z.number().int().min(1).optional(),
});

export const DiagnosticSchema = z.object({
  file: z.string(),
  line: z.number().int().min(0),
  column: z.number().int().min(0),
  message: z.string(),
});

export const CompileErrorMessageSchema = z.object({
  type: z.literal('compile_error'),
  id: RunIdSchema,
  diagnostics: z.array(DiagnosticSchema),
});

export const EventsMessageSchema = z.object({
  type: z.literal('events'),
  id: RunIdSchema,
  events: z.array(EventSchema),
});

export const RunStatsSchema = z.object({
  events: z.number().int().min(0),
  compileMs: z.number().min(0).optional(),
  runMs: z.number().min(0).optional(),
  /** Whether the build came from the cache. */
  cached: z.boolean().optional(),
  /** Events the bridge could not deliver to this client (slow consumer), counted not hidden. */
  undelivered: z.number().int().min(0).optional(),
  /** As run.end's `throttledMs`: how long the program was stopped so that no event was lost. */
  throttledMs: z.number().int().min(0).optional(),
});

export const LIMIT_UNITS = ['s', 'MiB', 'bytes', 'events', 'processes'] as const;

/**
 * The limit a run ended at, so the UI can say "the time limit of this server, 20 s". `name` is the
 * limit's key in the bridge's configuration (`wallSeconds`, `idleSeconds`, `cpuSeconds`,
 * `memoryBytes`, `processes`, `outputBytes`, `events`): a string, not an enum, so that a client that does not
 * know a newer limit still takes the message. `value` is in `unit` (memory in MiB, not bytes).
 */
export const RunLimitSchema = z.object({
  name: z.string().min(1),
  value: z.number().min(0),
  unit: z.enum(LIMIT_UNITS),
});

export const EndMessageSchema = z.object({
  type: z.literal('end'),
  id: RunIdSchema,
  exitCode: z.number().int(),
  reason: z.enum(END_REASONS),
  /** As run.end's `lost`: null when the recorder was killed and the loss is unknown. */
  lost: LostSchema,
  stats: RunStatsSchema,
  /** When `reason` is a limit (`timeout`, `cpu-limit`, `memory-limit`…): which one, and its value. */
  limit: RunLimitSchema.optional(),
});

export const ErrorMessageSchema = z.object({
  type: z.literal('error'),
  id: z.string().optional(),
  code: z.string(),
  message: z.string(),
  /** The dotted path of the offending field, when a field is to blame. */
  field: z.string().optional(),
});

export const ServerMessageSchema = z.discriminatedUnion('type', [
  StatusMessageSchema,
  CompileErrorMessageSchema,
  EventsMessageSchema,
  EndMessageSchema,
  ErrorMessageSchema,
]);

export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export type RunMode = (typeof RUN_MODES)[number];
export type ControlAction = (typeof CONTROL_ACTIONS)[number];
export type RunPhase = (typeof RUN_PHASES)[number];
export type RunRequest = z.infer<typeof RunRequestSchema>;
export type RunRequestInput = z.input<typeof RunRequestSchema>;
export type ControlRequest = z.infer<typeof ControlRequestSchema>;
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
export type StatusMessage = z.infer<typeof StatusMessageSchema>;
export type Diagnostic = z.infer<typeof DiagnosticSchema>;
export type CompileErrorMessage = z.infer<typeof CompileErrorMessageSchema>;
export type EventsMessage = z.infer<typeof EventsMessageSchema>;
export type RunStats = z.infer<typeof RunStatsSchema>;
export type LimitUnit = (typeof LIMIT_UNITS)[number];
export type RunLimit = z.infer<typeof RunLimitSchema>;
export type EndMessage = z.infer<typeof EndMessageSchema>;
export type ErrorMessage = z.infer<typeof ErrorMessageSchema>;
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

function decode(json: unknown, what: string): unknown {
  if (typeof json !== 'string') return json;
  try {
    return JSON.parse(json);
  } catch (err) {
    throw new ProtocolError(`invalid ${what}: not valid JSON: ${(err as Error).message}`, '(root)');
  }
}

/** Parses what a client sent (JSON text or value); throws a ProtocolError naming the field. */
export function parseClientMessage(json: unknown): ClientMessage {
  if (typeof json === 'string' && json.length > 64 * 1024) {
    const files = filesInText(json);
    if (files > REQUEST_LIMITS.files) {
      throw new ProtocolError(
        `invalid client message: field "files": ${tooManyFiles(files)}`,
        'files',
      );
    }
  }
  const value = decode(json, 'client message');
  const over = requestSizeProblem(value);
  if (over) {
    throw new ProtocolError(
      `invalid client message: field "${over.field}": ${over.message}`,
      over.field,
    );
  }
  const result = ClientMessageSchema.safeParse(value);
  if (!result.success) throw toProtocolError('client message', result.error);
  return result.data;
}

/**
 * An `events` message through parseEvent's fast path (fastparse.ts): a busy
 * run sends hundreds of thousands of events a second. Undefined when any part
 * is not plainly valid: zod then decides and names what is wrong.
 */
function fastEventsMessage(value: unknown): ServerMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { type, id, events } = value as Record<string, unknown>;
  if (type !== 'events' || !Array.isArray(events)) return undefined;
  const runId = RunIdSchema.safeParse(id);
  if (!runId.success) return undefined;
  const out: SlowmoEvent[] = new Array<SlowmoEvent>(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = fastEvent(events[i]);
    if (e === undefined) return undefined;
    out[i] = e;
  }
  return { type: 'events', id: runId.data, events: out };
}

/** Parses what the bridge sent (JSON text or value); throws a ProtocolError naming the field. */
export function parseServerMessage(json: unknown): ServerMessage {
  const value = decode(json, 'bridge message');
  const fast = fastEventsMessage(value);
  if (fast) return fast;
  const result = ServerMessageSchema.safeParse(value);
  if (!result.success) throw toProtocolError('bridge message', result.error);
  return result.data;
}
