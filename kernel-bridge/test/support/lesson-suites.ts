/**
 * The lessons' suites of wrong and right programs (lessons/src/NN-name/wrong
 * and right), and what running them needs: each exercise's cell options and
 * checkpoints as the generated notebook carries them, its reference
 * solution, and the oldest and newest supported Go versions.
 *
 * A wrong program says in its first comment lines what it gets wrong, which
 * checkpoints it must fail and words the failing checkpoint's hint must
 * contain, so that the hint a learner with that misconception reads names it:
 *
 *     // Misconception: one wg.Add(1) is enough for all five workers.
 *     // Fails: clean-exit, workers-finished
 *     // Hint names: wg.Add(1) before each go
 *
 * A right program says how it differs from the reference (`// Right: ...`).
 * Either may name the backends it is tried on (`// Backends: ebpf`) when what
 * it shows needs one; otherwise it is tried on every backend its lesson allows.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bridge } from '../../src/bridge';
import { makeConfig } from '../../src/config';
import { isSlowmo, parseMetadata, type SlowmoMetadata } from '../../src/protocol';
import { TEST_WORK_DIR } from './bridge';

export const LESSONS = join(__dirname, '..', '..', '..', 'lessons');
const SRC = join(LESSONS, 'src');
const GO_VERSIONS = join(__dirname, '..', '..', '..', 'bpf', 'go-versions.txt');

/**
 * The bridge the lessons' checks run on: two runs at a time, and a wall limit of 5 s instead of
 * the server's 20. Every lesson program ends by itself within about a second, but for the stuck
 * ones: deadlocks the runtime's detector does not report (on the trace backend, every deadlock:
 * the tracer's own timer keeps the detector quiet, as lesson 15 says), which the wall limit
 * ends. Their checkpoints judge what was left blocked and that the limit ended the run, not when
 * it came; with the server's 20 s they spent about three minutes of make test waiting for it.
 */
export function lessonBridge(): Promise<Bridge> {
  return Bridge.create(
    makeConfig({
      logLevel: 'silent',
      parallel: 2,
      workDir: TEST_WORK_DIR,
      limits: { wallSeconds: 5 },
    }),
  );
}

/** Lessons whose checkpoints need run-queue contents: eBPF only (the lessons say so). */
export const QUEUE_LESSONS = ['02-', '03-', '04-'];

/**
 * Lessons whose cells turn the GC lens on: marking is seen under eBPF only, and the trace backend
 * refuses the lens (the lesson says so).
 */
export const GC_LENS_LESSONS = ['13-'];

/** Lessons the trace backend cannot run as they are written: eBPF only, and they say so. */
export const EBPF_LESSONS = [...QUEUE_LESSONS, ...GC_LENS_LESSONS];

/**
 * Lessons whose runs get the machine to themselves. 03 and 04: their programs must create some
 * 300 goroutines within sysmon's 10 ms (or main is preempted before the local queue fills, and
 * nothing overflows; the lessons say so). 07: its second P must steal while the first still has
 * work, some 80 ms; beside another run, a right program once saw no steal at all (1 run in
 * about 120). 13: a right program's goroutine allocates while main's runtime.GC() marks; beside
 * another run (on a fresh machine, one compiling), it once made the lens's 20,000 allocations
 * before any mark phase ended. (12 ran alone too until its checkpoint asked for a tenth of the
 * time as well as 2 ms: beside another run, a wrong program whose goroutines take turns holding
 * a mutex once seemed to run two at once for 5.4 ms, under 2 % of its time.)
 */
export const TIMING_LESSONS = ['03-', '04-', '07-', '13-'];

export const isTimingLesson = (lesson: string) =>
  TIMING_LESSONS.some((p) => lesson.replace(/^.*\//, '').startsWith(p));

export interface SuiteProgram {
  lesson: string;
  kind: 'wrong' | 'right';
  /** `wrong/one-add.go` */
  name: string;
  source: string;
  /** What it gets wrong (wrong) or how it differs (right). */
  about: string;
  /** Wrong: the checkpoints of which at least one must fail. */
  fails: string[];
  /** Wrong: words the hint of a failing one of them contains. */
  hintNames: string;
  /** The backends it is tried on, when it names them (`// Backends: ebpf`); else the lesson's. */
  backends: string[] | null;
}

export interface Exercise {
  lesson: string;
  metadata: Record<string, unknown>;
  meta: SlowmoMetadata;
  /** The exercise cell's code in the lesson and in its solution. */
  starter: string;
  solution: string;
}

interface Cell {
  cell_type: string;
  source: string | string[];
  metadata: Record<string, unknown> & { tags?: string[] };
}

const text = (cell: Cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

function header(source: string, key: string): string {
  const m = new RegExp(`^// ${key}: (.*)$`, 'm').exec(source);
  return m?.[1]?.trim() ?? '';
}

/** `ebpf, trace (why)` -> ['ebpf', 'trace']; null when not given. */
function backends(value: string): string[] | null {
  if (!value) return null;
  return value
    .replace(/\(.*\)/, '')
    .split(/[,\s]+/)
    .filter(Boolean);
}

function programs(lesson: string, kind: 'wrong' | 'right'): SuiteProgram[] {
  const dir = join(SRC, lesson, kind);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.go'))
    .sort()
    .map((n) => {
      const source = readFileSync(join(dir, n), 'utf8');
      return {
        lesson,
        kind,
        name: `${kind}/${n}`,
        source,
        about: header(source, kind === 'wrong' ? 'Misconception' : 'Right'),
        fails: header(source, 'Fails')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        hintNames: header(source, 'Hint names'),
        backends: backends(header(source, 'Backends')),
      };
    });
}

/**
 * The lessons with an exercise: every numbered folder but the index; with
 * SLOWMO_LESSONS=17,18 (numbers or name prefixes) only those, so that an
 * author can run the suites of the lessons being written without the rest.
 */
export function lessonNames(): string[] {
  const only = (process.env.SLOWMO_LESSONS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return readdirSync(SRC)
    .filter((n) => /^\d\d-/.test(n) && !n.startsWith('00-'))
    .filter((n) => only.length === 0 || only.some((p) => n.startsWith(p)))
    .sort();
}

export function suite(lesson: string): SuiteProgram[] {
  return [...programs(lesson, 'wrong'), ...programs(lesson, 'right')];
}

/** The lesson's exercise cell, from the generated notebook and its solution. */
export function exercise(lesson: string): Exercise {
  const read = (path: string) =>
    (JSON.parse(readFileSync(path, 'utf8')) as { cells: Cell[] }).cells.filter(
      (c) => isSlowmo(c.metadata) && (c.metadata.tags ?? []).includes('exercise'),
    );
  const [cell] = read(join(LESSONS, `${lesson}.ipynb`));
  const [solved] = read(join(LESSONS, 'solutions', `${lesson}.ipynb`));
  if (!cell || !solved) throw new Error(`${lesson}: no exercise cell`);
  const metadata = cell.metadata.slowmo as Record<string, unknown>;
  return {
    lesson,
    metadata,
    meta: parseMetadata(metadata),
    starter: text(cell),
    solution: text(solved),
  };
}

/** The oldest and the newest supported Go, as `1.22` and `1.27`. */
export function oldestAndNewestGo(): [string, string] {
  const versions = readFileSync(GO_VERSIONS, 'utf8')
    .split('\n')
    .map((l) => /^go(1\.\d+)/.exec(l.trim())?.[1])
    .filter((v): v is string => v !== undefined)
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
  const first = versions[0];
  const last = versions[versions.length - 1];
  if (!first || !last) throw new Error(`${GO_VERSIONS} lists no Go version`);
  return [first, last];
}

/** Runs the jobs of most lessons two at a time, then those of the timing lessons one at a time. */
export async function inLessonSlots<T>(
  jobs: { lesson: string; run: () => Promise<T> }[],
): Promise<T[]> {
  const shared = jobs.filter((j) => !isTimingLesson(j.lesson)).map((j) => j.run);
  const alone = jobs.filter((j) => isTimingLesson(j.lesson)).map((j) => j.run);
  return [...(await inSlots(2, shared)), ...(await inSlots(1, alone))];
}

/** Runs `jobs` with at most `slots` at once, in order of start; resolves with their results in order. */
export async function inSlots<T>(slots: number, jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await (jobs[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(slots, jobs.length) }, worker));
  return results;
}
