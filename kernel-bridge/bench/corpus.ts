/**
 * The acceptance corpus (issue 15): small Go programs written for this
 * project (test/fixtures/corpus/NAME/main.go), each one a common way for a
 * program to make scheduler events, with the exit status and output it must
 * end with. The corpus test (test/corpus.test.ts) and `make bench`
 * (bench/corpus.bench.ts) both run it, and both judge a recording with
 * `checkRecording` below.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_DIR } from '../src/paths';
import { apply, initialState, type SchedState, type SlowmoEvent } from '../src/protocol';

export const CORPUS_DIR = path.join(PACKAGE_DIR, 'test', 'fixtures', 'corpus');

/** GOMAXPROCS of every corpus run, plain or recorded, so that runs compare. */
export const CORPUS_PROCS = 2;

export interface CorpusProgram {
  /** Its directory under CORPUS_DIR. */
  name: string;
  /** What it exercises. */
  covers: string;
  /** The exit status it ends with on its own. */
  exitCode: number;
  /** Everything it writes to stdout (the same in every run). */
  stdout: string;
  /**
   * It runs for a fixed wall time (the owner's clients stop at a deadline),
   * so a slower recording does less work instead of taking longer: its
   * slowdown is what is left over (start, drain, end).
   */
  fixedTime?: true;
}

/** Heaviest first: a run queue that takes them in this order ends soonest. */
export const CORPUS: readonly CorpusProgram[] = [
  {
    name: 'owner',
    covers: 'a busy owner goroutine serving 100 clients over channels for 1 s (issue 15)',
    exitCode: 0,
    stdout: 'owner: every client served: true\n',
    fixedTime: true,
  },
  {
    name: 'shortlived',
    covers: 'many short-lived goroutines (30,000 in waves of 500)',
    exitCode: 0,
    stdout: 'shortlived total 3825640\n',
  },
  {
    name: 'selectloop',
    covers: 'a select loop serving three producers and requests',
    exitCode: 0,
    stdout: 'selectloop counts 12000 12000 12000 requests answered true\n',
  },
  {
    name: 'pingpong',
    covers: 'ping-pong over unbuffered channels',
    exitCode: 0,
    stdout: 'pingpong ball 727935\n',
  },
  {
    name: 'pipeline',
    covers: 'a pipeline of stages, two branches merged by select',
    exitCode: 0,
    stdout: 'pipeline 6000 values, sum 2993424\n',
  },
  {
    name: 'cond',
    covers: 'sync.Cond: a bounded buffer, three producers and three consumers',
    exitCode: 0,
    stdout: 'cond consumed 12000 sum 6000940365\n',
  },
  {
    name: 'mutex',
    covers: 'mutex contention: eight goroutines, one sync.Mutex',
    exitCode: 0,
    stdout: 'mutex counter 480000 histogram total 480000\n',
  },
  {
    name: 'fileio',
    covers: 'system calls: files written, read back and removed by four goroutines',
    exitCode: 0,
    stdout: 'fileio checksum 2088960000\n',
  },
  {
    name: 'cancel',
    covers: 'context cancellation of a tree of workers; exits 3 on purpose',
    exitCode: 3,
    stdout: 'cancel: got 8000 results; every worker stopped: true\n',
  },
  {
    name: 'workerpool',
    covers: 'a worker pool: four workers, jobs and results channels',
    exitCode: 0,
    stdout: 'workerpool 2000 results, sum 996272\n',
  },
  {
    name: 'sleepers',
    covers: '500 goroutines sleeping different times (timers waking them)',
    exitCode: 0,
    stdout: 'sleepers woke, sum of ids 124750\n',
  },
  {
    name: 'timers',
    covers: 'timers and tickers: Ticker, Reset, Stop, time.After, AfterFunc',
    exitCode: 0,
    stdout: 'timers: ticks 20 afterfuncs 20 stopped true reset fired 1\n',
  },
  {
    name: 'gcheavy',
    covers: 'GC-heavy allocation: four goroutines building trees',
    exitCode: 0,
    stdout: 'gcheavy nodes 3276400 kept 131071\n',
  },
  {
    name: 'preempt',
    covers: 'preemption of CPU-bound loops (more goroutines than Ps), and Gosched',
    exitCode: 0,
    stdout: 'preempt total 75002121 yields 2000\n',
  },
  {
    name: 'fanout',
    covers: 'fan-out: 64 CPU-bound goroutines joined by a WaitGroup',
    exitCode: 0,
    stdout: 'fanout total 16434851245000\n',
  },
  {
    name: 'crash',
    covers: 'a goroutine panics: the runtime ends the program with status 2',
    exitCode: 2,
    stdout: 'crash: starting\n',
  },
];

export function corpusSource(name: string): string {
  return readFileSync(path.join(CORPUS_DIR, name, 'main.go'), 'utf8');
}

/** Directories in CORPUS_DIR that CORPUS does not list, and listed names without one. */
export function corpusMismatch(): { unlisted: string[]; missing: string[] } {
  const dirs = readdirSync(CORPUS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const listed = new Set(CORPUS.map((p) => p.name));
  return {
    unlisted: dirs.filter((d) => !listed.has(d)),
    missing: [...listed].filter((n) => !dirs.includes(n)),
  };
}

type RunEndEvent = Extract<SlowmoEvent, { kind: 'run.end' }>;

/** What one recording shows, judged against the reducer. */
export interface RecordingCheck {
  events: number;
  /** `runq` snapshots, and `globalq` ones. */
  runq: number;
  globalq: number;
  /** Snapshots whose contents the reducer's model did not already hold just before them. */
  disagreements: number;
  /** Of those, `runq` ones (the rest are `globalq`). */
  runqDisagreements: number;
  /** The first two of each kind, each "seq K ...: modelled X, runtime Y". */
  firstDisagreements: string[];
  /** Where seq broke its 0, 1, 2 … order, if it did. */
  seqProblem: string | null;
  end: RunEndEvent | null;
  /** Time the probe held the program stopped to record everything (run.end's `throttledMs`); null when it does not say. */
  throttledMs: number | null;
  /** The program's wall time as recorded: run.start to run.end. */
  wallMs: number | null;
  /** The reducer's state after the last event. */
  final: SchedState;
}

const same = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((goid, i) => goid === b[i]);
/**
 * Two queues in a message: whole when short; else their lengths and the
 * stretch from their first difference, which is what a reader needs.
 */
function compared(modelled: readonly number[], runtime: readonly number[]): string {
  if (modelled.length <= 16 && runtime.length <= 16)
    return `modelled ${JSON.stringify(modelled)}, runtime ${JSON.stringify(runtime)}`;
  let k = 0;
  while (k < modelled.length && modelled[k] === runtime[k]) k++;
  const from = (q: readonly number[]) =>
    `${q.length} long, [${k}..]: ${JSON.stringify(q.slice(k, k + 8))}${q.length > k + 8 ? '…' : ''}`;
  return `modelled ${from(modelled)}, runtime ${from(runtime)}`;
}

/**
 * Replays a recording through the reducer and compares, before each `runq`
 * and `globalq` snapshot is applied, what the reducer modelled from the
 * events so far with what the runtime's queue held. A truncated `globalq`
 * (with `more`) is compared on the goroutines it lists. `inspect`, if
 * given, sees the state after each event (one replay serves both).
 */
export function checkRecording(
  events: readonly SlowmoEvent[],
  inspect?: (state: SchedState, index: number) => void,
): RecordingCheck {
  let state = initialState();
  let runq = 0;
  let globalq = 0;
  let disagreements = 0;
  let runqDisagreements = 0;
  const firstDisagreements: string[] = [];
  let seqProblem: string | null = null;
  let end: RunEndEvent | null = null;
  const shownOf = { runq: 0, globalq: 0 };
  const disagree = (kind: 'runq' | 'globalq', what: string) => {
    disagreements++;
    if (kind === 'runq') runqDisagreements++;
    if (shownOf[kind]++ < 2) firstDisagreements.push(what);
  };
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (seqProblem === null && e.seq !== i) seqProblem = `event ${i} has seq ${e.seq}`;
    if (e.kind === 'runq') {
      runq++;
      const p = state.procs[e.qp];
      const runnext = p?.runnext ?? 0;
      const goids = p?.runq ?? [];
      if (runnext !== e.runnext || !same(goids, e.goids))
        disagree(
          'runq',
          `seq ${e.seq} P${e.qp}: runnext modelled ${runnext}, runtime ${e.runnext}; queue ${compared(goids, e.goids)}`,
        );
    } else if (e.kind === 'globalq') {
      globalq++;
      const modelled = e.more ? state.globalq.slice(0, e.goids.length) : state.globalq;
      if (!same(modelled, e.goids))
        disagree(
          'globalq',
          `seq ${e.seq} globalq: ${compared(state.globalq, e.goids)}${e.more ? ` and ${e.more} more` : ''}`,
        );
    } else if (e.kind === 'run.end') {
      end = e;
    }
    state = apply(state, e);
    inspect?.(state, i);
  }
  return {
    events: events.length,
    runq,
    globalq,
    disagreements,
    runqDisagreements,
    firstDisagreements,
    seqProblem,
    end,
    throttledMs: end?.throttledMs ?? null,
    wallMs: end ? end.t / 1e6 : null,
    final: state,
  };
}
