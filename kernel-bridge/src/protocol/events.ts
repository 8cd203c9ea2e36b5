/**
 * The event model, protocol v1: one JSON object per scheduler event.
 *
 * Every event carries its place in the run (`seq`, 0, 1, 2, … without gaps;
 * `t`, ns since the run started) and the context it fired in: the M, the P that
 * M holds (-1 when none) and the goroutine running on that M (0 for the
 * scheduler's g0). For `p.state` the P whose state changed is `p`; for
 * `m.state` the M that changed is `m` (sysmon, which holds no P, retakes other
 * Ps, so the subject is not always "the P this M holds").
 *
 * Kinds may be added in later protocol versions; none is removed without a
 * version bump. Unknown fields are dropped on parse so that an older reader
 * keeps working against a newer producer; an unknown kind is an error.
 *
 * The types below are inferred from these schemas: nothing is declared twice.
 */
import { z } from 'zod';
import { gctraceFields, schedtraceFields } from './runtime-trace';
import { profileFields } from './profile';
import { leakReportFields } from './leak';
import { raceFields } from './race';

export const PROTOCOL_VERSION = 1;

const int = () => z.number().int();
/** Ids are kept below 2^31: the reducer indexes by them, and no traced run comes near. */
export const MAX_ID = 2 ** 31 - 1;
const goid = () => int().min(1).max(MAX_ID);
/** An M or P id, or -1 for "none". */
const optId = () => int().min(-1).max(MAX_ID);

/** A P id: GOMAXPROCS is at most 1024. */
const pid = () => int().min(0).max(1023);

const common = {
  seq: int().min(0),
  t: z.number().min(0),
  m: optId(),
  p: int().min(-1).max(1023),
  g: int().min(0).max(MAX_ID),
  /** Set by a backend that could not observe this event and deduced it (e.g. a likely steal). */
  inferred: z.boolean().optional(),
};

const ev = <K extends string, S extends z.ZodRawShape>(kind: K, fields: S) =>
  z.object({ ...common, kind: z.literal(kind), ...fields });

export const BACKENDS = ['ebpf', 'trace'] as const;
export const QUEUES = ['runnext', 'local', 'global'] as const;
/** Why a goroutine became runnable. `syscall`: left a syscall without a P; `netpoll`: woken by the poller. */
export const RUNNABLE_REASONS = [
  'create',
  'ready',
  'preempt',
  'yield',
  'overflow',
  'steal',
  'netpoll',
  'syscall',
  'other',
] as const;
export const P_STATES = ['idle', 'running', 'syscall', 'gcstop'] as const;
export const M_STATES = ['spinning', 'running', 'idle', 'new'] as const;
export const GC_PHASES = ['sweepterm', 'mark', 'marktermination', 'off'] as const;
/** Why a run ended; every limit the bridge enforces has its own reason. */
export const END_REASONS = [
  'exit',
  'signal',
  'stopped',
  'timeout',
  'cpu-limit',
  'memory-limit',
  'process-limit',
  'output-limit',
  'event-limit',
  /**
   * A paced run waited paused, untouched, past the idle limit, or a run's events went unread that
   * long while its recorder held it stopped (bridge only; the probe never says it).
   */
  'idle',
  'probe-error',
] as const;
/** The end reasons that mean a limit of the sandbox stopped the program (the bridge killed it). */
export const LIMIT_REASONS = [
  'timeout',
  'cpu-limit',
  'memory-limit',
  'process-limit',
  'output-limit',
  'event-limit',
] as const satisfies readonly (typeof END_REASONS)[number][];

/** What a backend can observe; the UI shows what it cannot as inferred, never as seen. */
export const FidelitySchema = z.object({
  runq: z.boolean(),
  runnext: z.boolean(),
  steals: z.boolean(),
  lines: z.boolean(),
});

/**
 * Paced mode stops the program at each event. `hide-pauses` (the default) resets sysmon's
 * per-P records before each continue, so the pauses count as none of the program's time and
 * invent no preemption; `see-pauses` leaves them, so sysmon preempts and retakes as it would in
 * a program really that slow (bpf/internal/sysmon/sysmon.go).
 */
export const SYSMON_MODES = ['hide-pauses', 'see-pauses'] as const;

/** How a paced run is paced, so the picture can say what the pauses do to it. */
export const PacedSchema = z.object({
  sysmon: z.enum(SYSMON_MODES),
});

/**
 * Where the GC lens's heap comes from: `probes` (eBPF: every allocation, colour change and free
 * as it happens) or `dumps` (the trace backend: heap dumps, runtime/debug.WriteHeapDump, taken at
 * moments the program can see (`heap.dump` says which); objects and pointers are reconstructed
 * from them, the marking itself is not seen: no `gc.color` or `gc.span`).
 */
export const GC_LENS_SOURCES = ['probes', 'dumps'] as const;

/**
 * The GC lens was on (a run request's `gc: true`, slowmo-probe --gc): the run holds the heap.*
 * and gc.* events below.
 */
export const GcLensSchema = z.object({
  /**
   * Go 1.26's default collector (Green Tea) marks small objects per span: an object is shaded
   * grey alone, but scanned black with the others of its span (a `gc.span` event, then their
   * `gc.color` events). False for the per-object collector (Go 1.25 and older, and a build with
   * GOEXPERIMENT=nogreenteagc).
   */
  perSpan: z.boolean(),
  /** The lens follows at most this many allocations; past them `heap.limit` says it stopped. */
  maxObjects: int().min(1),
  /** The GOEXPERIMENT the program was built with, when one was asked for (e.g. "nogreenteagc"). */
  experiment: z.string().max(64).optional(),
  /** Absent in recordings made before dumps existed: `probes`. */
  source: z.enum(GC_LENS_SOURCES).optional(),
});

export const RunStartSchema = ev('run.start', {
  goVersion: z.string().min(1),
  gomaxprocs: int().min(1).max(1024),
  backend: z.enum(BACKENDS),
  fidelity: FidelitySchema,
  /** Present on paced runs only. */
  paced: PacedSchema.optional(),
  /** Present when the GC lens was on. */
  gcLens: GcLensSchema.optional(),
});
export const GCreateSchema = ev('g.create', {
  goid: goid(),
  parent: int().min(0).max(MAX_ID),
  fn: z.string(),
  file: z.string(),
  line: int().min(0),
});
export const GRunnableSchema = ev('g.runnable', {
  goid: goid(),
  queue: z.enum(QUEUES),
  /** The P whose runnext or local queue it went to; -1 for the global queue. */
  qp: int().min(-1).max(1023),
  reason: z.enum(RUNNABLE_REASONS),
  /**
   * Who woke it (mostly with reason `ready`: a channel send, an unlock, a Done…), so the UI can say
   * "g1 sent at main.go:24 and woke g7": the waker's goid, and where in user code it was (its
   * innermost user frame, as for `g.waiting`). Each is absent when the backend could not tell
   * (woken by the runtime itself, from g0, or a recording older than these fields).
   */
  by: goid().optional(),
  file: z.string().optional(),
  line: int().min(0).optional(),
});
export const GRunningSchema = ev('g.running', { goid: goid(), inheritTime: z.boolean() });
export const GWaitingSchema = ev('g.waiting', {
  goid: goid(),
  reason: z.string(),
  file: z.string().optional(),
  line: int().min(0).optional(),
});
export const GSyscallSchema = ev('g.syscall', { goid: goid() });
export const GSyscallExitSchema = ev('g.syscall.exit', { goid: goid() });
export const GExitSchema = ev('g.exit', { goid: goid() });
export const StealSchema = ev('steal', {
  thief: pid(),
  victim: pid(),
  goids: z.array(goid()).min(1),
});
export const PStateSchema = ev('p.state', { state: z.enum(P_STATES), pm: optId() });
export const MStateSchema = ev('m.state', { state: z.enum(M_STATES) });
/**
 * A P's local queue as the runtime held it. The eBPF probe sends one when the
 * events before it do not already imply it (so the reducer must model the
 * queues from the other events), plus samples; `--all-snapshots` sends all.
 */
export const RunqSchema = ev('runq', {
  qp: pid(),
  /** 0 when runnext is empty. */
  runnext: int().min(0).max(MAX_ID),
  goids: z.array(goid()).max(256),
});
export const GlobalqSchema = ev('globalq', {
  goids: z.array(goid()),
  /** How many more goroutines are queued beyond `goids` when the snapshot was truncated. */
  more: int().min(0).optional(),
});
export const GcSchema = ev('gc', { phase: z.enum(GC_PHASES) });
export const StwSchema = ev('stw', { begin: z.boolean(), reason: z.string() });
export const LineSchema = ev('line', { goid: goid(), file: z.string(), line: int().min(1) });
export const OutputSchema = ev('output', {
  stream: z.enum(['stdout', 'stderr']),
  data: z.string(),
});
/**
 * The learner's own annotations, from runtime/trace's API (NewTask, WithRegion and StartRegion,
 * Log): both backends see them, the trace backend in the tracer's events and the eBPF one by
 * probing the calls themselves with the tracer off. A task id is the program's own
 * (runtime/trace numbers tasks from 1); task 0 is the background task, which a region or a log
 * outside every task belongs to. The goroutine that made the call is the event's `g`.
 *
 * A program chooses these strings, so they are bounded: a producer cuts a longer one to at most
 * the limit's bytes of UTF-8 at a character boundary (a name: USER_NAME_MAX; a message:
 * USER_MESSAGE_MAX), which is never more than as many UTF-16 units.
 */
export const USER_NAME_MAX = 128;
export const USER_MESSAGE_MAX = 512;
/** Like every id, below 2^31 (the reducer indexes tasks by it); a producer drops a larger one. */
const taskId = () => int().min(0).max(MAX_ID);
const userName = () => z.string().max(USER_NAME_MAX);

/**
 * A task begins (trace.NewTask) or ends (Task.End). Tasks are not tied to a goroutine: one may
 * begin on g1 and end on another. An end carries the name and parent of its begin when the
 * producer saw that begin, and "" and 0 when it did not.
 */
export const UserTaskSchema = ev('user.task', {
  begin: z.boolean(),
  task: taskId().min(1),
  /** 0 when the task has no parent (it was made from a context without one). */
  parent: taskId(),
  name: userName(),
});
/**
 * A region of one goroutine's work begins or ends (trace.WithRegion, trace.StartRegion and
 * Region.End). Regions nest on their goroutine, last begun first ended: `depth` is how many
 * of its regions were open when this one began (0 for the outermost), the same at its end.
 * Producers follow USER_DEPTH_MAX regions deep on a goroutine; one begun deeper, and its end,
 * are left out (a program that begins regions and never ends them cannot grow a stack without
 * bound).
 */
export const USER_DEPTH_MAX = 64;
export const UserRegionSchema = ev('user.region', {
  begin: z.boolean(),
  task: taskId(),
  name: userName(),
  depth: int()
    .min(0)
    .max(USER_DEPTH_MAX - 1),
});
/** A message logged in a task (trace.Log), with its category ("" when none). */
export const UserLogSchema = ev('user.log', {
  task: taskId(),
  category: userName(),
  message: z.string().max(USER_MESSAGE_MAX),
});

/**
 * The GC lens: the heap's objects and the collector's tri-colour marking as the runtime does it
 * (eBPF, at greyobject, scanobject, gcmarknewobject, wbBufFlush1, tryDeferToSpanScan, scanSpan,
 * the allocator's returns and the sweeper). An object is named by its address (`addr`, a number:
 * heap addresses stay below 2^53); an address freed and allocated again is a new object, said
 * by a new `heap.alloc`.
 *
 * Colours are per GC cycle: when a cycle's `gc` `mark` phase begins, every live object is white
 * (no event says so), and each change of colour in that cycle is one `gc.color`, in the order it
 * happened: grey (shaded: marked, waiting to be scanned), black (scanned, or shaded with nothing
 * to scan: an object without pointers), by the collector's marking (`mark`), by the write
 * barrier (`barrier`: a pointer the program moved during marking), or born black (`alloc`: an
 * object allocated during marking). An object still white when its span is swept is freed
 * (`heap.free`). The object graph is what the marking walked: the edge on a `gc.color` (its
 * `from` object or its `root`) and `heap.edge` for a pointer to an object already shaded.
 * An event's `g` is the goroutine that did it: the allocating one for `heap.alloc`; for the
 * marking a mark worker (the runtime's gcBgMarkWorker) or a goroutine assisting the collector
 * while it allocates (0 when the collector works on no goroutine, e.g. with the world stopped).
 */
export const GC_COLORS = ['white', 'grey', 'black'] as const;
export const SHADERS = ['mark', 'barrier', 'alloc'] as const;
/**
 * Where the collector found a pointer that is no heap object's: a package variable (the data
 * and bss segments), a goroutine's stack (`rootG` names the goroutine), or another root (a
 * finalizer's record, the runtime's own).
 */
export const GC_ROOTS = ['globals', 'stack', 'other'] as const;
/** A heap address. */
const addr = () => int().min(1).max(Number.MAX_SAFE_INTEGER);
/**
 * On a lens reconstructed from heap dumps (gcLens.source `dumps`): the `heap.dump` this was seen
 * in. The event's time is that dump's, not the moment it happened: an object is said allocated
 * at the first dump that holds it, freed at the first that no longer does, a pointer found when a
 * dump holds it.
 */
const dumpField = { dump: int().min(1).optional() };
/** Where the pointer to an object was found, when the probes know it. */
const edgeFields = {
  /** The object holding the pointer. */
  from: addr().optional(),
  root: z.enum(GC_ROOTS).optional(),
  /** With root "stack": whose stack. */
  rootG: goid().optional(),
};

/**
 * An object was allocated (mallocgc, or Go 1.27's size-specialised allocators), where in the
 * learner's code when the allocation's callers reach it (`file`, `line`, `fn`: the innermost
 * frame of the program's own packages). Objects of the tiny allocator (under 16 bytes, no
 * pointers) share a 16-byte block that the collector marks and frees as one.
 */
export const HeapAllocSchema = ev('heap.alloc', {
  addr: addr(),
  /** Bytes asked for (the size class may round it up). */
  size: int().min(1),
  /** Holds no pointers: never scanned, shaded straight to black. */
  noscan: z.boolean(),
  file: z.string().optional(),
  line: int().min(1).optional(),
  fn: z.string().optional(),
  ...dumpField,
});
/** An object changed colour in the current GC cycle (see above). */
export const GcColorSchema = ev('gc.color', {
  addr: addr(),
  color: z.enum(GC_COLORS),
  by: z.enum(SHADERS),
  ...edgeFields,
  /** Black with its span (Green Tea): the `gc.span` just before named it. */
  span: addr().optional(),
});
/** The collector found a pointer to an object it had shaded already: an edge of the graph. */
export const HeapEdgeSchema = ev('heap.edge', {
  to: addr(),
  ...edgeFields,
  ...dumpField,
});
/**
 * Green Tea scans a span (one 8 KiB page of small objects of one size): the objects of it the
 * lens follows that were marked and not yet scanned, which turn black next, each by a `gc.color`.
 */
export const GcSpanSchema = ev('gc.span', {
  base: addr(),
  /** Its objects' size (the size class). */
  size: int().min(1),
  objects: z.array(addr()).max(1024),
});
/** The sweeper freed an object that stayed white (unreached) through the last marking. */
export const HeapFreeSchema = ev('heap.free', {
  addr: addr(),
  size: int().min(1),
  ...dumpField,
});
/**
 * The lens stopped following the heap: the program made more than `objects` allocations. No
 * heap.* or gc.color event follows; the heap model holds what it had.
 */
export const HeapLimitSchema = ev('heap.limit', { objects: int().min(1) });

/**
 * When the trace backend's lens took a heap dump (it stops the world): as `main` began (`start`);
 * as the program called runtime.GC(), before the collection (`before-gc`, at `file`:`line`);
 * as runtime.GC() returned, cycle `cycle` marked and swept (`after-gc`); soon after a cycle the
 * runtime began by itself ended, noticed by a finalizer, the program having run on meanwhile
 * (`cycle`); as `main` returned (`end`).
 */
export const DUMP_MOMENTS = ['start', 'before-gc', 'after-gc', 'cycle', 'end'] as const;
/**
 * A heap dump was taken (gcLens.source `dumps`); the heap.alloc, heap.free and heap.edge events
 * with `dump: n` that follow say how it differs from the one before.
 */
export const HeapDumpSchema = ev('heap.dump', {
  n: int().min(1),
  moment: z.enum(DUMP_MOMENTS),
  /** GC cycles the runtime had completed when the dump was taken. */
  cycle: int().min(0),
  file: z.string().optional(),
  line: int().min(1).optional(),
  /** The heap's objects in the dump (the runtime's own too), and their bytes (size classes). */
  objects: int().min(0),
  bytes: int().min(0),
});
/**
 * The heap's size as the execution tracer samples it (trace backend): bytes of live and not yet
 * swept objects (`live`, the tracer's HeapAlloc), and the heap goal, at which the next GC cycle
 * is due (`goal`; 0 before the first goal is known).
 */
export const HeapSizeSchema = ev('heap.size', { live: int().min(0), goal: int().min(0) });

/**
 * One of the runtime's own profiles of the run (cpu, block, mutex, goroutine or wall; profile.ts
 * says what each measures), sent after the program exits and before `run.end`, once per
 * profile collected; `t` is when it was taken. Context fields: m -1, p -1, g 0.
 */
export const ProfileSchema = ev('profile', profileFields);

/**
 * The runtime's own goroutine leak detector's report as main returned (a run's `leakProfile`;
 * leak.ts says what it finds and what it cannot), after the program exits and before the
 * profiles and `run.end`. Context fields: m -1, p -1, g 0.
 */
export const LeakReportSchema = ev('leak.report', leakReportFields);

/**
 * One of the runtime's `GODEBUG=schedtrace=N` lines (with scheddetail=1, its block of lines), read
 * from the program's stderr by the bridge: the scheduler as the runtime itself sampled it.
 * Context fields: m -1, p -1, g 0. runtime-trace.ts says each field.
 */
export const SchedtraceSchema = ev('schedtrace', schedtraceFields);
/** One of the runtime's `GODEBUG=gctrace=1` lines: a GC cycle that ended (runtime-trace.ts). */
export const GctraceSchema = ev('gctrace', gctraceFields);

/**
 * One data race the race detector reported (a run built with `-race`), read from the program's
 * stderr by the bridge: the address, the racing access and the earlier one it raced with, each
 * with its goroutine and the learner's line (race.ts says each field). Context: m -1, p -1, g 0.
 */
export const RaceSchema = ev('race', raceFields);

/**
 * Events the recorder dropped: an exact count from the recorder itself (the
 * eBPF ring buffer's counter; the tracer drops none), or null when nobody
 * can count them: the recorder was killed (it did not end within its grace
 * period, or ran out of its memory) or died before it ended the run, so
 * events of any kind may be missing from the end of the recording. Null is
 * never written as 0. Recordings made before null existed carry a number.
 */
export const LostSchema = int().min(0).nullable();

export const RunEndSchema = ev('run.end', {
  /** -1 when the program was killed by a signal. */
  exitCode: int(),
  signal: z.string().nullable(),
  lost: LostSchema,
  reason: z.enum(END_REASONS),
  /**
   * Milliseconds the recorder kept the program stopped so as to lose no
   * event (back-pressure): its reader, or a client behind the bridge, was
   * slower than the program made events. Time the program did not run, and
   * not counted against the wall limit. Both backends stop it so (the trace
   * backend while its probe is behind the program's trace); absent in
   * recordings made before it existed.
   */
  throttledMs: int().min(0).optional(),
});

/** Every event kind, keyed by its `kind`. */
export const EVENT_SCHEMAS = {
  'run.start': RunStartSchema,
  'g.create': GCreateSchema,
  'g.runnable': GRunnableSchema,
  'g.running': GRunningSchema,
  'g.waiting': GWaitingSchema,
  'g.syscall': GSyscallSchema,
  'g.syscall.exit': GSyscallExitSchema,
  'g.exit': GExitSchema,
  steal: StealSchema,
  'p.state': PStateSchema,
  'm.state': MStateSchema,
  runq: RunqSchema,
  globalq: GlobalqSchema,
  gc: GcSchema,
  stw: StwSchema,
  line: LineSchema,
  output: OutputSchema,
  'user.task': UserTaskSchema,
  'user.region': UserRegionSchema,
  'user.log': UserLogSchema,
  'heap.alloc': HeapAllocSchema,
  'gc.color': GcColorSchema,
  'heap.edge': HeapEdgeSchema,
  'gc.span': GcSpanSchema,
  'heap.free': HeapFreeSchema,
  'heap.limit': HeapLimitSchema,
  schedtrace: SchedtraceSchema,
  gctrace: GctraceSchema,
  race: RaceSchema,
  'heap.dump': HeapDumpSchema,
  'heap.size': HeapSizeSchema,
  profile: ProfileSchema,
  'leak.report': LeakReportSchema,
  'run.end': RunEndSchema,
} as const;

export type EventKind = keyof typeof EVENT_SCHEMAS;
export const EVENT_KINDS = Object.keys(EVENT_SCHEMAS) as EventKind[];

export const EventSchema = z.discriminatedUnion('kind', [
  RunStartSchema,
  GCreateSchema,
  GRunnableSchema,
  GRunningSchema,
  GWaitingSchema,
  GSyscallSchema,
  GSyscallExitSchema,
  GExitSchema,
  StealSchema,
  PStateSchema,
  MStateSchema,
  RunqSchema,
  GlobalqSchema,
  GcSchema,
  StwSchema,
  LineSchema,
  OutputSchema,
  UserTaskSchema,
  UserRegionSchema,
  UserLogSchema,
  HeapAllocSchema,
  GcColorSchema,
  HeapEdgeSchema,
  GcSpanSchema,
  HeapFreeSchema,
  HeapLimitSchema,
  SchedtraceSchema,
  GctraceSchema,
  RaceSchema,
  HeapDumpSchema,
  HeapSizeSchema,
  ProfileSchema,
  LeakReportSchema,
  RunEndSchema,
]);

export type SlowmoEvent = z.infer<typeof EventSchema>;
export type EventOf<K extends EventKind> = z.infer<(typeof EVENT_SCHEMAS)[K]>;
export type Fidelity = z.infer<typeof FidelitySchema>;
export type SysmonMode = (typeof SYSMON_MODES)[number];
export type QueueName = (typeof QUEUES)[number];
export type PStateName = (typeof P_STATES)[number];
export type MStateName = (typeof M_STATES)[number];
export type GcPhase = (typeof GC_PHASES)[number];
export type GcColor = (typeof GC_COLORS)[number];
export type Shader = (typeof SHADERS)[number];
export type GcRoot = (typeof GC_ROOTS)[number];
export type GcLens = z.infer<typeof GcLensSchema>;
export type GcLensSource = (typeof GC_LENS_SOURCES)[number];
export type DumpMoment = (typeof DUMP_MOMENTS)[number];
export type EndReason = (typeof END_REASONS)[number];
export type RunnableReason = (typeof RUNNABLE_REASONS)[number];
