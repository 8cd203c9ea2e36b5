/**
 * The interleaving explorer's two ways of grouping runs of one program: by
 * what it printed and how it exited (its outcome), and by a schedule
 * signature, the order of the key events of the learner's own goroutines.
 *
 * A signature must be the same for two runs that interleaved the same way,
 * so it names no goid (the runtime's goroutines take goids in an order that
 * varies) and no time: each goroutine is named by its function and its rank
 * among that function's goroutines (`worker#2`, the second worker created),
 * and only the events that order the program's own work count: a creation,
 * a first run, a park (with its reason), a wake and an exit. Preemptions,
 * system calls, P and M changes and the runtime's own goroutines are noise
 * the learner does not order; GC waits too. Main's events count from the
 * first sign of the learner's code (before it g1 runs the runtime's start-up,
 * whose parks vary with the timing of the runtime's own goroutines).
 */
import type { SlowmoEvent } from '../events';
import type { Perturbation } from '../perturb';
import { functionName, isRuntimeFunction, isUserCodeEvent } from '../goroutines';

/** What a run printed and how it ended: the explorer's outcome. */
export interface RunOutcome {
  stdout: string;
  exitCode: number;
}

/** The program's standard output and exit code (-1 when the run did not end). */
export function runOutcome(events: readonly SlowmoEvent[]): RunOutcome {
  let stdout = '';
  let exitCode = -1;
  for (const e of events) {
    if (e.kind === 'output' && e.stream === 'stdout') stdout += e.data;
    else if (e.kind === 'run.end') exitCode = e.exitCode;
  }
  return { stdout, exitCode };
}

/** Waits that belong to the collector, not to the program's order. */
const GC_WAIT = /^(GC|garbage collection)/;

/** The learner's goroutines by goid, named `fn#k`; g1 is `main`. */
class Names {
  private readonly names = new Map<number, string>([[1, 'main']]);
  private readonly perFunction = new Map<string, number>();

  created(goid: number, fn: string): string | undefined {
    if (goid === 1 || isRuntimeFunction(fn)) return undefined;
    const short = functionName(fn);
    const k = (this.perFunction.get(short) ?? 0) + 1;
    this.perFunction.set(short, k);
    const name = `${short}#${k}`;
    this.names.set(goid, name);
    return name;
  }

  of(goid: number): string | undefined {
    return this.names.get(goid);
  }
}

/** The key step an event is for a learner's goroutine, if it is one. */
function step(e: SlowmoEvent, names: Names, ran: Set<number>): string | undefined {
  switch (e.kind) {
    case 'g.create': {
      const name = names.created(e.goid, e.fn);
      const parent = names.of(e.parent);
      return name && `${parent ?? 'runtime'} created ${name}`;
    }
    case 'g.running': {
      // A first run orders the work; later turns follow from parks and preemptions.
      if (e.goid === 1 || ran.has(e.goid)) return undefined;
      ran.add(e.goid);
      const name = names.of(e.goid);
      return name && `${name} ran`;
    }
    case 'g.waiting': {
      const name = names.of(e.goid);
      return name && !GC_WAIT.test(e.reason) ? `${name} parked (${e.reason})` : undefined;
    }
    case 'g.runnable': {
      const name = names.of(e.goid);
      return name && e.reason === 'ready' ? `${name} woke` : undefined;
    }
    case 'g.exit': {
      const name = names.of(e.goid);
      return name && `${name} exited`;
    }
    default:
      return undefined;
  }
}

/** The key steps of the learner's goroutines, in order: `main created worker#1`, `worker#1 ran`, … */
export function scheduleSteps(events: readonly SlowmoEvent[]): string[] {
  // Not an output: the program's writes can reach the stream before the events that led to them.
  const first = events.find((e) => e.kind !== 'output' && isUserCodeEvent(e));
  const from = first?.seq ?? Infinity;
  const names = new Names();
  const ran = new Set<number>();
  const steps: string[] = [];
  for (const e of events) {
    // Before the learner's code shows, only creations are read (g1 runs the runtime's start-up).
    if (e.seq < from && e.kind !== 'g.create') continue;
    const s = step(e, names, ran);
    if (s !== undefined) steps.push(s);
  }
  return steps;
}

/** The schedule signature: the key steps joined, readable as they are. */
export function scheduleSignature(events: readonly SlowmoEvent[]): string {
  return scheduleSteps(events).join(', ');
}

/** The most runs one exploration makes per GOMAXPROCS value and Go version (CLI and notebook). */
export const EXPLORE_RUNS_MAX = 50;

/** One run of an exploration. */
export interface ExploredRun {
  id: string;
  procs: number;
  go: string;
  outcome: RunOutcome;
  signature: string;
  /** Present when the exploration perturbed its schedule (perturb.ts): whether this run was. */
  perturbed?: boolean;
  /** What was done in this run, when it was perturbed. */
  perturb?: Perturbation[];
}

/**
 * One run of an exploration, read from its recording (the CLI's and the
 * notebook's explorers): its settings as run.start says them (`asked` where
 * the run never started), its outcome and signature, and whether the
 * exploration perturbed it (`perturbed` undefined: it perturbed none).
 */
export function exploredRun(
  id: string,
  events: readonly SlowmoEvent[],
  asked: { gomaxprocs?: number; goVersion?: string; perturb?: readonly Perturbation[] },
  perturbed?: boolean,
): ExploredRun {
  const start = events.find((e) => e.kind === 'run.start');
  return {
    id,
    procs: start?.kind === 'run.start' ? start.gomaxprocs : (asked.gomaxprocs ?? 0),
    go: start?.kind === 'run.start' ? start.goVersion : (asked.goVersion ?? ''),
    outcome: runOutcome(events),
    signature: scheduleSignature(events),
    ...(perturbed !== undefined ? { perturbed } : {}),
    ...(asked.perturb ? { perturb: [...asked.perturb] } : {}),
  };
}

export interface OutcomeGroup extends RunOutcome {
  count: number;
  runs: string[];
  /** Present when the exploration perturbed: which of the group's runs were perturbed. */
  perturbedRuns?: string[];
}

export interface ScheduleGroup {
  signature: string;
  count: number;
  runs: string[];
  /** As OutcomeGroup's. */
  perturbedRuns?: string[];
}

/** What `slowmo explore --format json` writes. */
export interface Exploration {
  runs: ExploredRun[];
  outcomes: OutcomeGroup[];
  schedules: ScheduleGroup[];
  /** Present when some runs were perturbed: what was asked, and the share of runs it was done in. */
  perturb?: { at: Perturbation[]; share: number };
}

/** Groups by a key: the most frequent first, ties in the order first seen. */
function groupBy<T>(
  runs: readonly ExploredRun[],
  key: (r: ExploredRun) => string,
  make: (r: ExploredRun) => T,
) {
  const groups = new Map<string, { head: T; runs: string[] }>();
  for (const r of runs) {
    const k = key(r);
    const g = groups.get(k) ?? { head: make(r), runs: [] };
    g.runs.push(r.id);
    groups.set(k, g);
  }
  return [...groups.values()]
    .map((g, order) => ({ ...g, order }))
    .sort((a, b) => b.runs.length - a.runs.length || a.order - b.order)
    .map((g) => ({ ...g.head, count: g.runs.length, runs: g.runs }));
}

/** The runs grouped by outcome (stdout and exit code alone) and by schedule signature. */
export function groupRuns(
  runs: readonly ExploredRun[],
  perturb?: Exploration['perturb'],
): Exploration {
  const x: Exploration = {
    runs: [...runs],
    outcomes: groupBy(
      runs,
      (r) => JSON.stringify([r.outcome.stdout, r.outcome.exitCode]),
      (r) => ({ stdout: r.outcome.stdout, exitCode: r.outcome.exitCode }),
    ),
    schedules: groupBy(
      runs,
      (r) => r.signature,
      (r) => ({ signature: r.signature }),
    ),
  };
  if (!perturb) return x;
  const perturbed = new Set(runs.filter((r) => r.perturbed).map((r) => r.id));
  const mark = <G extends { runs: string[] }>(g: G) => ({
    ...g,
    perturbedRuns: g.runs.filter((id) => perturbed.has(id)),
  });
  return {
    ...x,
    outcomes: x.outcomes.map(mark),
    schedules: x.schedules.map(mark),
    perturb,
  };
}

/**
 * How many of a group's runs were perturbed, in words: `all perturbed`, `none perturbed`,
 * `3 perturbed (r2 r4 r6)`; undefined when the exploration perturbed nothing.
 */
export function perturbedWords(g: {
  runs: string[];
  perturbedRuns?: string[];
}): string | undefined {
  const p = g.perturbedRuns;
  if (p === undefined) return undefined;
  if (p.length === 0) return 'none perturbed';
  if (p.length === g.runs.length) return g.runs.length === 1 ? 'perturbed' : 'all perturbed';
  const ids = p.length > 12 ? `${p.slice(0, 12).join(' ')} …` : p.join(' ');
  return `${p.length} perturbed (${ids})`;
}
