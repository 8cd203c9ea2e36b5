/**
 * The runtime's own text traces as events: `GODEBUG=schedtrace=N` (with `scheddetail=1`) and
 * `GODEBUG=gctrace=1` print lines on the program's stderr, which the bridge reads into
 * `schedtrace` and `gctrace` events (runtime-trace-read.ts) beside the `output` that carries the
 * lines themselves. The fields are the lines' own, named as the runtime names them; what the
 * runtime prints differs between releases, and a field a release does not print is absent.
 *
 * Both are sampled by the runtime, not observed by the recorder: `at` is when the recorder read
 * the line's first byte, `t` (never earlier) when it read the whole line, or for a scheddetail
 * block the line after it.
 */
import { z } from 'zod';

const int = () => z.number().int();
const count = () => int().min(0);
/** An M or P id as scheddetail prints it, -1 for its "nil". */
const ref = () => int().min(-1);

/** A P's status number in scheddetail (runtime/runtime2.go: _Pidle …). */
export const P_STATUS_NAMES = ['idle', 'running', 'syscall', 'gcstop', 'dead'] as const;
/** A G's status number in scheddetail (runtime/runtime2.go: _Gidle …; 5 is unused). */
export const G_STATUS_NAMES = [
  'idle',
  'runnable',
  'running',
  'syscall',
  'waiting',
  'moribund',
  'dead',
  'enqueue',
  'copystack',
  'preempted',
] as const;

/** scheddetail's line for a P. */
export const SchedPSchema = z.object({
  id: int().min(0).max(1023),
  /** The runtime's status number: P_STATUS_NAMES. */
  status: count(),
  schedtick: count(),
  syscalltick: count(),
  /** The M holding it, -1 for none. */
  m: ref(),
  /** Its local run queue's length (runnext not counted). */
  runqsize: count(),
  gfreecnt: count(),
  timerslen: count(),
});

/** scheddetail's line for an M. */
export const SchedMSchema = z.object({
  id: int().min(0),
  /** The P it holds, -1 for none. */
  p: ref(),
  /** The goroutine it runs, 0 for none. */
  curg: count(),
  spinning: z.boolean(),
  blocked: z.boolean(),
  /** The goroutine locked to it (LockOSThread), 0 for none. */
  lockedg: count(),
});

/** scheddetail's line for a G. */
export const SchedGSchema = z.object({
  goid: int().min(1),
  /** The runtime's status number (G_STATUS_NAMES; the scan bit 0x1000 may be set). */
  status: count(),
  /** Its wait reason as the runtime says it, "" when none. */
  reason: z.string().max(64),
  /** The M running it, -1 for none. */
  m: ref(),
});

/** Goroutine lines kept of one scheddetail block; `moreGoroutines` counts the rest. */
export const SCHEDTRACE_GOROUTINES_MAX = 1000;

export const schedtraceFields = {
  /** When the recorder read the line's first byte, ns since the run started (≤ t). */
  at: z.number().min(0),
  /** The runtime's own clock: ms since its first schedtrace line (truncated). */
  uptimeMs: count(),
  gomaxprocs: int().min(1).max(1024),
  /** Ps with no M and nothing to run (sched.npidle). */
  idleprocs: count(),
  /** Ms made so far, idle ones included (mcount). */
  threads: count(),
  /** Ms spinning: looking for work to steal (sched.nmspinning). */
  spinningthreads: count(),
  /** A spinning M is wanted but none could start (sched.needspinning). */
  needspinning: count().optional(),
  /** Ms parked with nothing to do (sched.nmidle). */
  idlethreads: count(),
  /** The global run queue's length. */
  runqueue: count(),
  /** Each P's local run queue length, by P id, read without the P's lock (runnext not counted). */
  runqs: z.array(count()).max(1024),
  /** Each P's scheduler ticks (Go 1.26 and later, without scheddetail). */
  schedticks: z.array(count()).max(1024).optional(),
  /** With scheddetail=1: the runtime's lines for every P, M and G. */
  detail: z
    .object({
      gcwaiting: z.boolean(),
      // The runtime's int32 can be below zero: `nmidlelocked=-1` was read in a run's first
      // line, at 0 ms (Go 1.27, scheddetail=1); rejecting it lost that line's event.
      nmidlelocked: int().min(-1),
      stopwait: count(),
      sysmonwait: z.boolean(),
      procs: z.array(SchedPSchema).max(1024),
      threads: z.array(SchedMSchema).max(10_000),
      goroutines: z.array(SchedGSchema).max(SCHEDTRACE_GOROUTINES_MAX),
      moreGoroutines: count(),
    })
    .optional(),
};

/** Milliseconds as gctrace prints them (fmtNSAsMS: 3 significant digits at most). */
const ms = () => z.number().min(0);

export const gctraceFields = {
  /** When the recorder read the line's first byte, ns since the run started (≤ t). */
  at: z.number().min(0),
  /** The GC cycle's number, 1 for the first. */
  cycle: int().min(1),
  /** When the cycle began, in seconds since the program started (the runtime's clock). */
  startS: z.number().min(0),
  /** Percent of the CPU the collector has used since the program started. */
  cpuPercent: count(),
  /** Wall-clock ms of the phases: sweep termination (stopped), concurrent mark, mark termination (stopped). */
  clockMs: z.object({ sweepTerm: ms(), mark: ms(), markTerm: ms() }),
  /** CPU ms: sweep termination, mark by assists / by dedicated and fractional workers / by idle Ps, mark termination. */
  cpuMs: z.object({
    sweepTerm: ms(),
    assist: ms(),
    background: ms(),
    idle: ms(),
    markTerm: ms(),
  }),
  /** The heap in MB when the cycle began, when marking ended, and what marking found live. */
  heapMB: z.object({ start: count(), end: count(), live: count() }),
  /** The heap goal of this cycle, MB. */
  goalMB: count(),
  /** Stacks and globals scanned, MB (the inputs of the next goal). */
  stacksMB: count(),
  globalsMB: count(),
  /** Ps used (GOMAXPROCS). */
  procs: int().min(1),
  /** Started by runtime.GC() (or debug.FreeOSMemory), not by the heap's growth. */
  forced: z.boolean(),
  /** Go 1.26+: the cycle also looked for leaked goroutines (goroutineleakprofile). */
  leakCheck: z.boolean().optional(),
};

type Shape<S extends z.ZodRawShape> = z.infer<z.ZodObject<S>>;
export type SchedtraceFields = Shape<typeof schedtraceFields>;
export type GctraceFields = Shape<typeof gctraceFields>;
export type SchedP = z.infer<typeof SchedPSchema>;
export type SchedM = z.infer<typeof SchedMSchema>;
export type SchedG = z.infer<typeof SchedGSchema>;
