/**
 * How a run ended, in plain words, with the lines involved: a deadlock
 * (each blocked goroutine's line and what it waits for), a panic (the
 * panicking line), a fatal error, a limit of the server (which one, its
 * value, and where each goroutine was when it was stopped), a signal, a
 * non-zero exit. Null for a clean exit 0.
 *
 * The program's own stderr is the first witness: Go prints the cause and a
 * goroutine dump when it dies, and when the bridge stops a program at a
 * limit it asks for a dump first (SIGQUIT). The state at the end is the
 * second: where waiting goroutines parked, the last line seen of running
 * ones, for when no dump was printed.
 */
import { z } from 'zod';
import type { EndReason, SlowmoEvent } from './events';
import {
  functionName,
  goroutineName,
  isRuntimeGoroutine,
  learnerFunction,
  TRACE_HELPER_FILE,
} from './goroutines';
import { parseCrash, type Crash, type DumpedGoroutine, type StackFrame } from './stacks';
import type { RunEndInfo, SchedState, SourcePos } from './state';
import { baseName, joinWords, LOSS_UNKNOWN_WORDS, plural, waitWords } from './words';

export const ENDING_KINDS = [
  'deadlock',
  'panic',
  'fatal',
  'timeout',
  'limit',
  'signal',
  'exit-code',
  'stopped',
] as const;

export const EndingLineSchema = z.object({
  /** The learner's file, as they named it (`main.go`). */
  file: z.string(),
  line: z.number().int().min(1),
  /** The goroutine that was there (the first of them, when several were). */
  goid: z.number().int().min(1),
  /** What it was doing there: "waiting to receive from a channel", "panicked here". */
  note: z.string(),
});

export const EndingSchema = z.object({
  kind: z.enum(ENDING_KINDS),
  /** One line for a banner: "Deadlock: every goroutine is blocked". */
  title: z.string(),
  /** A few sentences: what happened and why, naming goroutines and lines. */
  detail: z.string(),
  /** The lines to light, most important first. */
  lines: z.array(EndingLineSchema),
});

export type EndingKind = (typeof ENDING_KINDS)[number];
export type EndingLine = z.infer<typeof EndingLineSchema>;
export type Ending = z.infer<typeof EndingSchema>;

/** The limits in force, named as the bridge's configuration and `/api/info` name them. */
export interface EndingLimits {
  wallSeconds?: number;
  idleSeconds?: number;
  cpuSeconds?: number;
  memoryBytes?: number;
  /** Memory of the recorder of one run (the probe engine), which holds what the program makes. */
  probeMemoryBytes?: number;
  processes?: number;
  outputBytes?: number;
  events?: number;
}

/** The limit a run ended at, as the bridge's `end` message says it (memory in MiB). */
export interface HitLimit {
  /** A key of EndingLimits: `wallSeconds`, `memoryBytes`… */
  name: string;
  value: number;
  unit: string;
}

export interface EndingOptions {
  /** The limits in force (`/api/info`). */
  limits?: EndingLimits;
  /** The limit this run hit (the `end` message's `limit`): its value wins over `limits`. */
  limit?: HitLimit;
  /** The learner's file, when there is one: frames in it are theirs (else: functions of package main). */
  userFile?: string;
}

/** At most this many lines are lit: a thousand goroutines blocked on one line are one line. */
const MAX_LINES = 20;

/** A dumped path as the learner named the file: `/src/worker/pool.go` -> `worker/pool.go`. */
function learnerPath(path: string, userFile?: string): string {
  if (userFile && (path === userFile || path.endsWith(`/${userFile}`))) return userFile;
  const i = path.lastIndexOf('/src/');
  return i >= 0 ? path.slice(i + '/src/'.length) : baseName(path);
}

function isUserFrame(f: StackFrame, userFile?: string): boolean {
  if (baseName(f.file) === TRACE_HELPER_FILE) return false;
  if (userFile) return learnerPath(f.file, userFile) === userFile;
  return learnerFunction(f.fn).startsWith('main.');
}

/**
 * The goroutine's innermost frame in the learner's code. Line 1 is never
 * code (it is `package main`), yet Go reports it for some loops' back
 * edges: such a frame says only which function, so the next one is used.
 */
function userFrames(g: DumpedGoroutine, userFile?: string): StackFrame[] {
  return g.frames.filter((f) => isUserFrame(f, userFile) && f.line > 1);
}

/** The learner-facing name of a dumped goroutine: from the state when it knows it, else its start function. */
function dumpedName(g: DumpedGoroutine, end: SchedState): string {
  if (g.goid === 1 || end.gs.get(g.goid)?.site) return goroutineName(end, g.goid);
  const start = [...g.frames].reverse().find((f) => !f.fn.startsWith('runtime.goexit'));
  return start ? `g${g.goid} (${functionName(start.fn)})` : `g${g.goid}`;
}

/** Lit lines, one per (file, line, note): several goroutines in one place share an entry. */
class Lines {
  private readonly byPlace = new Map<string, { entry: EndingLine; goids: number[] }>();

  add(file: string, line: number, goid: number, note: string): void {
    const key = `${file}:${line}:${note}`;
    const seen = this.byPlace.get(key);
    if (seen) seen.goids.push(goid);
    else if (this.byPlace.size < MAX_LINES) {
      this.byPlace.set(key, { entry: { file, line, goid, note }, goids: [goid] });
    }
  }

  get size(): number {
    return this.byPlace.size;
  }

  list(): EndingLine[] {
    return [...this.byPlace.values()].map(({ entry, goids }) =>
      goids.length === 1
        ? entry
        : {
            ...entry,
            note: `${entry.note} (${plural(goids.length, 'goroutine')}: ${listGoids(goids)})`,
          },
    );
  }
}

function listGoids(goids: readonly number[]): string {
  const shown = goids.slice(0, 5).map((id) => `g${id}`);
  return goids.length > 5 ? `${shown.join(', ')} and ${goids.length - 5} more` : joinWords(shown);
}

/** What a dumped goroutine was doing: "running", "waiting to receive from a channel". */
function doing(g: DumpedGoroutine): string {
  if (g.state === 'running' || g.state === 'runnable') return 'running';
  if (g.state === 'syscall') return 'in a system call';
  return waitWords(g.state);
}

/** Its note on a lit line. */
function dumpedNote(g: DumpedGoroutine, stopped: boolean): string {
  const what = doing(g);
  if (what === 'running') return stopped ? 'running here when stopped' : 'running here';
  return what === 'in a system call' ? 'in a system call here' : what;
}

/**
 * The dumped goroutines of the learner's code (a SIGQUIT dump has the
 * runtime's too): a lit line each where it was, and a sentence each.
 */
function fromDump(
  crash: Crash,
  end: SchedState,
  opts: EndingOptions,
  note: (g: DumpedGoroutine, index: number) => string,
): { lines: Lines; said: string[] } {
  const lines = new Lines();
  const said: string[] = [];
  crash.goroutines.forEach((g, i) => {
    if (!g.frames.some((f) => isUserFrame(f, opts.userFile))) return;
    const top = userFrames(g, opts.userFile)[0];
    const name = dumpedName(g, end);
    if (top === undefined) {
      const fn = g.frames.find((f) => isUserFrame(f, opts.userFile))?.fn ?? '';
      said.push(`${name} was ${doing(g)} in ${functionName(fn)}`);
      return;
    }
    const file = learnerPath(top.file, opts.userFile);
    lines.add(file, top.line, g.goid, note(g, i));
    said.push(`${name} was ${doing(g)} at ${baseName(file)}:${top.line}`);
  });
  return { lines, said };
}

/** Where the state last saw each of the learner's goroutines that had not finished. */
function fromState(end: SchedState, stopped: boolean): { lines: Lines; said: string[] } {
  const lines = new Lines();
  const said: string[] = [];
  const running: string[] = [];
  end.gs.forEach((g) => {
    if (g.status === 'dead' || isRuntimeGoroutine(g)) return;
    const name = goroutineName(end, g.goid);
    if (g.status === 'waiting' && g.wait?.file && g.wait.line) {
      const what = waitWords(g.wait.reason);
      lines.add(g.wait.file, g.wait.line, g.goid, what);
      said.push(`${name} was ${what} at ${baseName(g.wait.file)}:${g.wait.line}`);
      return;
    }
    if (g.status === 'running' || g.status === 'runnable' || g.status === 'syscall') {
      const seen: SourcePos | null = (g as { seen?: SourcePos | null }).seen ?? g.at;
      if (seen && seen.line > 0) {
        lines.add(
          seen.file,
          seen.line,
          g.goid,
          stopped ? 'last seen here (still running when stopped)' : 'last seen here',
        );
      }
      running.push(name);
    }
  });
  if (running.length > 0) {
    said.unshift(
      `${joinWords(running.slice(0, 5))}${running.length > 5 ? ` and ${running.length - 5} more` : ''} ${running.length === 1 ? 'was' : 'were'} still running`,
    );
  }
  return { lines, said };
}

function sentences(said: readonly string[]): string {
  if (said.length === 0) return '';
  const shown = said.slice(0, 6);
  const rest = said.length > shown.length ? `; and ${said.length - shown.length} more` : '';
  return ` ${shown.join('; ')}${rest}.`;
}

function mib(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  return `${+(bytes / 1024).toFixed(1)} KiB`;
}

function seconds(s: number): string {
  return `${+s.toFixed(1)} s`;
}

/** Title and first sentence for a run the bridge stopped at one of its limits. */
/** The limits with the one the run hit put in, in the units of EndingLimits. */
function limitsIn(opts: EndingOptions): EndingLimits {
  const limits: EndingLimits = { ...opts.limits };
  const hit = opts.limit;
  if (hit && hit.name in LIMIT_NAMES) {
    const value = hit.unit === 'MiB' ? hit.value * 1024 * 1024 : hit.value;
    limits[hit.name as keyof EndingLimits] = value;
  }
  return limits;
}

const LIMIT_NAMES: Record<keyof EndingLimits, true> = {
  wallSeconds: true,
  idleSeconds: true,
  cpuSeconds: true,
  memoryBytes: true,
  probeMemoryBytes: true,
  processes: true,
  outputBytes: true,
  events: true,
};

type LimitWords = { kind: EndingKind; title: string; why: string };

/**
 * A limit the server stopped the program at: the title with the limit's value
 * (when the server said it) or without, and why.
 */
interface LimitEnding {
  readonly limit: keyof EndingLimits;
  readonly title: (value: number) => string;
  readonly titleWithout: string;
  readonly why: (value: number | undefined) => string;
}

/** The recorder's memory, which a run ends at with reason memory-limit and limit probeMemoryBytes. */
const RECORDER_MEMORY: LimitEnding = {
  limit: 'probeMemoryBytes',
  title: (v) =>
    `Stopped: recording the program took more than ${mib(v)}, the recorder's memory limit on this server`,
  titleWithout: "Stopped: the recorder's memory limit on this server",
  why: () =>
    'The program made events or output faster than the recorder could pass them on, so the recorder ran out of its memory and the run was stopped.',
};

const LIMIT_ENDINGS: Partial<Record<EndReason, LimitEnding>> = {
  'cpu-limit': {
    limit: 'cpuSeconds',
    title: (v) => `Stopped after ${seconds(v)} of CPU time: the CPU limit of this server`,
    titleWithout: 'Stopped: the CPU time limit of this server',
    why: (v) =>
      `The program used ${v !== undefined ? `more than ${seconds(v)} of` : 'too much'} processor time (all its threads together), so it was stopped.`,
  },
  'memory-limit': {
    limit: 'memoryBytes',
    title: (v) => `Stopped: the program used more than ${mib(v)}, the memory limit of this server`,
    titleWithout: 'Stopped: the memory limit of this server',
    why: () => 'The program kept allocating memory beyond the limit, so it was stopped.',
  },
  'process-limit': {
    limit: 'processes',
    title: (v) => `Stopped: the program started more than ${v} threads, the limit of this server`,
    titleWithout: 'Stopped: the thread limit of this server',
    why: () =>
      'The program needed more OS threads than allowed (goroutines blocked in system calls each hold one), so it was stopped.',
  },
  'output-limit': {
    limit: 'outputBytes',
    title: (v) => `Stopped: the program wrote more than ${mib(v)}, the output limit of this server`,
    titleWithout: 'Stopped: the output limit of this server',
    why: () => 'The program printed more than allowed, so it was stopped.',
  },
  'event-limit': {
    limit: 'events',
    title: (v) =>
      `Stopped after ${v.toLocaleString('en-US')} scheduler events, the event limit of this server`,
    titleWithout: 'Stopped: the event limit of this server',
    why: () =>
      'The program made more scheduler events than one recording may hold, so it was stopped.',
  },
};

function limitWords(
  reason: EndReason,
  limits: EndingLimits,
  elapsedNs: number,
  hit?: string,
  /** The recorder had stopped the program for back-pressure (run.end's throttledMs). */
  throttled = false,
): LimitWords | null {
  if (reason === 'timeout') {
    const s = limits.wallSeconds ?? Math.round(elapsedNs / 1e9);
    return {
      kind: 'timeout',
      title: `Stopped after ${seconds(s)}: the time limit of this server`,
      why: `The program was still running after ${seconds(s)}, so it was stopped: a program that never ends (an endless loop, a goroutine waiting for ever) meets this limit.`,
    };
  }
  if (reason === 'idle') return idleWords(limits.idleSeconds, throttled);
  const ending =
    reason === 'memory-limit' && hit === 'probeMemoryBytes'
      ? RECORDER_MEMORY
      : LIMIT_ENDINGS[reason];
  if (!ending) return null;
  const v = limits[ending.limit];
  return {
    kind: 'limit',
    title: v !== undefined ? ending.title(v) : ending.titleWithout,
    why: ending.why(v),
  };
}

/** Not the program's doing: nobody was stepping it, or reading its events, any more. */
function idleWords(idleSeconds: number | undefined, throttled: boolean): LimitWords {
  const v = idleSeconds;
  const waited =
    v === undefined ? 'a long time' : v >= 120 ? `${+(v / 60).toFixed(1)} min` : seconds(v);
  if (throttled) {
    return {
      kind: 'stopped',
      title: `Stopped: its events went unread for ${waited}`,
      why: `The recorder holds a program still rather than lose its events while nobody reads them, and nobody read this one's for ${waited}, so the server stopped it to give its place to other runs. Run the cell again to start over.`,
    };
  }
  return {
    kind: 'stopped',
    title: `Stopped: paused for ${waited} with nobody stepping it`,
    why: `This slow-motion run waited paused for ${waited} without a step, resume or pause, so the server stopped it to give its place to other runs. Run the cell again to start over.`,
  };
}

function stderrOf(events: readonly SlowmoEvent[]): string {
  let text = '';
  for (const e of events) if (e.kind === 'output' && e.stream === 'stderr') text += e.data;
  return text;
}

function runEnd(events: readonly SlowmoEvent[], end: SchedState): RunEndInfo | null {
  if (end.end) return end.end;
  const last = events[events.length - 1];
  return last?.kind === 'run.end' ? last : null;
}

function deadlock(crash: Crash, end: SchedState, opts: EndingOptions): Ending {
  const goexit = /Goexit/.test(crash.message);
  const dumped = fromDump(crash, end, opts, (g) => dumpedNote(g, false));
  const { lines, said } = dumped.lines.size > 0 ? dumped : fromState(end, false);
  return {
    kind: 'deadlock',
    title: goexit
      ? 'Deadlock: main called runtime.Goexit and no goroutine is left to run'
      : 'Deadlock: every goroutine is blocked',
    detail: `Go stopped the program ("fatal error: ${crash.message}"): no goroutine can run, so none can ever wake the others.${sentences(said)}`,
    lines: lines.list(),
  };
}

function panicked(crash: Crash, end: SchedState, opts: EndingOptions, code: number): Ending {
  const message = crash.message.replace(/^runtime error: /, '');
  const g = crash.goroutines[0];
  const lines = new Lines();
  let where = '';
  if (g) {
    const frames = userFrames(g, opts.userFile);
    const top = frames[0];
    if (top) {
      const file = learnerPath(top.file, opts.userFile);
      lines.add(file, top.line, g.goid, `panicked here: ${message}`);
      const caller = frames[1];
      const from = caller
        ? `, called from ${functionName(caller.fn)} at ${baseName(learnerPath(caller.file, opts.userFile))}:${caller.line}`
        : '';
      where = ` ${dumpedName(g, end)} panicked at ${baseName(file)}:${top.line} (in ${functionName(top.fn)}${from}).`;
    } else {
      where = ` ${dumpedName(g, end)} panicked.`;
    }
  }
  const signal = crash.more.find((l) => l.startsWith('[signal'));
  return {
    kind: 'panic',
    title: `The program panicked: ${message}`,
    detail:
      `${where.trim()}${signal ? ` ${signal}` : ''} A panic that no deferred recover catches stops the whole program (exit code ${code}).`.trim(),
    lines: lines.list(),
  };
}

function fatal(crash: Crash, end: SchedState, opts: EndingOptions): Ending {
  const { lines, said } = fromDump(crash, end, opts, (g, i) =>
    i === 0 ? `failed here: ${crash.message}` : dumpedNote(g, false),
  );
  return {
    kind: 'fatal',
    title: `Fatal error: ${crash.message}`,
    detail: `The Go runtime stopped the program: this error cannot be recovered.${sentences(said)}`,
    lines: lines.list(),
  };
}

/** Where the goroutines were when the program was stopped: the dump if it printed one, else the state. */
function whereStopped(crash: Crash | null, end: SchedState, opts: EndingOptions) {
  const dumped = crash ? fromDump(crash, end, opts, (g) => dumpedNote(g, true)) : null;
  return dumped && dumped.lines.size > 0 ? dumped : fromState(end, true);
}

/**
 * Explains how a run ended: `events` is the recording (the program's
 * stderr is read from its output events), `end` the state after it.
 * Null for a clean exit 0, and for a run that has not ended.
 */
export function explainEnding(
  events: readonly SlowmoEvent[],
  end: SchedState,
  opts: EndingOptions = {},
): Ending | null {
  const info = runEnd(events, end);
  if (info === null) return null;
  const ending = explainRunEnd(info, events, end, opts);
  if (info.lost !== null) return ending;
  // The recorder was killed: whatever the ending, the picture may lack its last events.
  const incomplete = `${LOSS_UNKNOWN_WORDS.charAt(0).toUpperCase()}${LOSS_UNKNOWN_WORDS.slice(1)}, so the picture may be incomplete.`;
  if (ending === null) {
    return {
      kind: 'stopped',
      title: 'The recording may be incomplete',
      detail: incomplete,
      lines: [],
    };
  }
  return { ...ending, detail: `${ending.detail} ${incomplete}` };
}

function explainRunEnd(
  info: RunEndInfo,
  events: readonly SlowmoEvent[],
  end: SchedState,
  opts: EndingOptions,
): Ending | null {
  const crash = parseCrash(stderrOf(events));
  const elapsed = events.length > 0 ? (events[events.length - 1] as SlowmoEvent).t : end.t;

  const limit = limitWords(
    info.reason,
    limitsIn(opts),
    elapsed,
    opts.limit?.name,
    (info.throttledMs ?? 0) > 0,
  );
  if (limit) {
    const { lines, said } = whereStopped(crash, end, opts);
    return {
      kind: limit.kind,
      title: limit.title,
      detail: `${limit.why}${sentences(said)}`,
      lines: lines.list(),
    };
  }
  if (info.reason === 'stopped' || info.reason === 'probe-error') {
    const { lines, said } = whereStopped(crash, end, opts);
    return {
      kind: 'stopped',
      title:
        info.reason === 'stopped'
          ? 'Stopped before the program finished'
          : 'Stopped: the probe watching the program failed',
      detail: `${info.reason === 'stopped' ? 'The run was stopped on request.' : 'The recording could not go on, so the program was stopped.'}${sentences(said)}`,
      lines: lines.list(),
    };
  }
  if (crash?.kind === 'fatal' && /deadlock/.test(crash.message)) return deadlock(crash, end, opts);
  if (crash?.kind === 'panic') return panicked(crash, end, opts, info.exitCode);
  if (crash?.kind === 'fatal') return fatal(crash, end, opts);
  if (info.reason === 'signal' || crash?.kind === 'signal') {
    const signal = info.signal ?? crash?.message.split(':')[0] ?? 'a signal';
    const { lines, said } = whereStopped(crash, end, opts);
    return {
      kind: 'signal',
      title: `The program was killed by ${signal}`,
      detail: `The operating system ended the program with ${signal}.${sentences(said)}`,
      lines: lines.list(),
    };
  }
  if (info.exitCode === 0) return null;
  // A -race build exits with 66 once its main returns when the detector found a race.
  const races = info.exitCode === 66 ? events.filter((e) => e.kind === 'race').length : 0;
  if (races > 0) {
    return {
      kind: 'exit-code',
      title: `The race detector found ${races === 1 ? 'a data race' : `${races} data races`}`,
      detail: `The program ran to its end; built with -race, it then exited with code 66, as the race detector makes it when it found a race. ${races === 1 ? 'The race is' : 'Each race is'} listed under the picture with its two accesses and their lines.`,
      lines: [],
    };
  }
  const last = stderrOf(events).trim().split('\n').pop()?.trim();
  return {
    kind: 'exit-code',
    title: `The program exited with code ${info.exitCode}`,
    detail: `It ended itself with a non-zero exit code, as os.Exit(${info.exitCode}) does (log.Fatal exits with 1).${last ? ` Its last words on stderr: "${last.length > 120 ? `${last.slice(0, 120)}…` : last}".` : ''}`,
    lines: [],
  };
}
