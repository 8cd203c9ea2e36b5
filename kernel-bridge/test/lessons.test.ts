/**
 * The lessons (lessons/*.ipynb) check themselves: every reference solution
 * passes every checkpoint, every exercise starter fails at least one, the
 * worked examples pass, and lesson and solution differ only in the exercise
 * code. Runs every Go-slowmo cell under real eBPF probes, on the oldest and
 * the newest supported Go, each exercise's reference solution five times on
 * each (a checkpoint that passes only sometimes is a flaky checkpoint): skipped
 * where eBPF cannot load, except in CI, where that is a failure. The trace
 * backend runs them once, on the newest Go.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bridge } from '../src/bridge';
import { checkCell, checkNotebooks, reportCounts, type CheckReport } from '../src/check';
import { isSlowmo, parseMetadata } from '../src/protocol';
import { ebpfDescribe } from './support/bridge';
import {
  inLessonSlots,
  lessonBridge,
  isTimingLesson,
  oldestAndNewestGo,
  EBPF_LESSONS,
} from './support/lesson-suites';

const LESSONS = join(__dirname, '..', '..', 'lessons');
const SOLUTIONS = join(LESSONS, 'solutions');

interface Cell {
  cell_type: string;
  id?: string;
  source: string | string[];
  metadata: Record<string, unknown> & { tags?: string[] };
}
interface Notebook {
  cells: Cell[];
  metadata: { kernelspec?: { name?: string } };
  nbformat: number;
  nbformat_minor: number;
}

const lessonNames = readdirSync(LESSONS)
  .filter((n) => /^\d\d-.+\.ipynb$/.test(n) && !n.startsWith('00-'))
  .sort();

function read(path: string): Notebook {
  return JSON.parse(readFileSync(path, 'utf8')) as Notebook;
}

function text(cell: Cell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

function role(cell: Cell): 'exercise' | 'example' | 'other' {
  const tags = cell.metadata.tags ?? [];
  if (tags.includes('exercise')) return 'exercise';
  return isSlowmo(cell.metadata) ? 'example' : 'other';
}

describe('lesson notebooks', () => {
  it('has at least ten lessons, each with its solution', () => {
    expect(lessonNames.length).toBeGreaterThanOrEqual(10);
    expect(readdirSync(SOLUTIONS).sort()).toEqual(lessonNames);
  });

  it.each(['00-index.ipynb', ...lessonNames])(
    '%s is valid nbformat 4.5 with a python3 kernelspec',
    (name) => {
      const paths = [join(LESSONS, name)];
      if (name !== '00-index.ipynb') paths.push(join(SOLUTIONS, name));
      for (const path of paths) {
        const nb = read(path);
        expect(nb.nbformat).toBe(4);
        expect(nb.nbformat_minor).toBeGreaterThanOrEqual(5);
        expect(nb.metadata.kernelspec?.name).toBe('python3');
        const ids = nb.cells.map((c) => c.id);
        for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9-_]{1,64}$/);
        expect(new Set(ids).size).toBe(ids.length);
        for (const cell of nb.cells) expect(['markdown', 'code']).toContain(cell.cell_type);
        for (const cell of nb.cells.filter((c) => isSlowmo(c.metadata))) {
          expect(() => parseMetadata(cell.metadata.slowmo)).not.toThrow();
        }
      }
    },
  );

  it.each(lessonNames)(
    '%s: the solution has the same cells and markdown, and only exercise code differs',
    (name) => {
      const lesson = read(join(LESSONS, name));
      const solution = read(join(SOLUTIONS, name));
      expect(solution.cells.length).toBe(lesson.cells.length);
      lesson.cells.forEach((cell, i) => {
        const other = solution.cells[i]!;
        expect(other.cell_type).toBe(cell.cell_type);
        expect(other.metadata).toEqual(cell.metadata);
      });
      // The cells whose text differs are exactly the exercises.
      const differing = lesson.cells.flatMap((cell, i) =>
        text(solution.cells[i]!) === text(cell) ? [] : [i],
      );
      const exercises = lesson.cells.flatMap((cell, i) => (role(cell) === 'exercise' ? [i] : []));
      expect(differing).toEqual(exercises);
      const roles = lesson.cells.map(role);
      expect(roles).toContain('exercise');
      expect(roles).toContain('example');
      for (const cell of lesson.cells.filter((c) => role(c) === 'exercise')) {
        const meta = parseMetadata(cell.metadata.slowmo);
        expect(meta.checkpoints.length).toBeGreaterThan(0);
        expect(meta.checkpoints.some((cp) => cp.hint)).toBe(true);
      }
    },
  );

  it('the index links every lesson, in order', () => {
    const index = read(join(LESSONS, '00-index.ipynb')).cells.map(text).join('\n');
    const positions = lessonNames.map((n) => index.indexOf(`](${n})`));
    for (const p of positions) expect(p).toBeGreaterThanOrEqual(0);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});

/** How many times each reference solution's checkpoints are checked, per Go version. */
const SOLUTION_RUNS = 5;
const [OLDEST_GO, NEWEST_GO] = oldestAndNewestGo();

function failures(report: CheckReport, label: string): string[] {
  return report.notebooks.flatMap((nb) =>
    nb.cells.flatMap((c) => [
      ...(c.problem ? [`${label} ${nb.path} cell ${c.cell}: ${c.problem}`] : []),
      ...c.checkpoints
        // A prediction never fails a cell (nobody answered it here), but the run must decide it.
        .filter((cp) => (cp.prediction ? cp.prediction.actual.length === 0 : !cp.passed))
        .map((cp) => `${label} ${nb.path} cell ${c.cell}: ${cp.id}: ${cp.reason}`),
    ]),
  );
}

/** The reference solutions' exercise cells, run again and again: a flaky checkpoint shows. */
function exerciseRuns(bridge: Bridge, go: string, times: number) {
  return lessonNames.flatMap((name) => {
    const cells = read(join(SOLUTIONS, name)).cells;
    const i = cells.findIndex((c) => role(c) === 'exercise');
    const cell = cells[i] as Cell;
    return Array.from({ length: times }, (_, run) => ({
      lesson: name,
      run: async () => {
        const meta = cell.metadata.slowmo;
        const r = await checkCell(bridge, i + 1, text(cell), meta, { goVersion: go });
        const failed = r.problem
          ? [r.problem]
          : r.checkpoints
              .filter((cp) => (cp.prediction ? cp.prediction.actual.length === 0 : !cp.passed))
              .map((cp) => `${cp.id}: ${cp.reason}`);
        return failed.map((f) => `Go ${go}, run ${run + 2}: ${name}: ${f}`);
      },
    }));
  });
}

ebpfDescribe()('lesson checkpoints under eBPF, on the oldest and the newest Go', () => {
  let bridge: Bridge;
  const solutions = new Map<string, CheckReport>();
  let lessons: CheckReport;
  let repeated: string[] = [];

  beforeAll(async () => {
    bridge = await lessonBridge();
    const started = Date.now();
    // Each notebook's cells run in order; the two versions side by side, except in the lessons
    // that depend on timing, which get the machine to themselves.
    const paths = (timing: boolean) =>
      lessonNames.filter((n) => isTimingLesson(n) === timing).map((n) => join(SOLUTIONS, n));
    const reports = await Promise.all(
      [OLDEST_GO, NEWEST_GO].map((go) => checkNotebooks(bridge, paths(false), { goVersion: go })),
    );
    for (const [k, go] of [OLDEST_GO, NEWEST_GO].entries()) {
      const alone = await checkNotebooks(bridge, paths(true), { goVersion: go });
      const shared = reports[k] as CheckReport;
      const notebooks = [...shared.notebooks, ...alone.notebooks];
      solutions.set(go, {
        passed: shared.passed && alone.passed,
        notebooks,
        counts: reportCounts(notebooks),
      });
    }
    lessons = await checkNotebooks(
      bridge,
      lessonNames.map((n) => join(LESSONS, n)),
    );
    const again = [OLDEST_GO, NEWEST_GO].flatMap((go) =>
      exerciseRuns(bridge, go, SOLUTION_RUNS - 1),
    );
    repeated = (await inLessonSlots(again)).flat();
    console.log(`lesson notebooks under eBPF: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }, 900_000);
  afterAll(() => bridge?.close());

  it.each([OLDEST_GO, NEWEST_GO])(
    'on Go %s every reference solution passes every checkpoint',
    (go) => {
      const report = solutions.get(go) as CheckReport;
      expect(failures(report, `Go ${go}:`)).toEqual([]);
      expect(report.counts.checkpoints).toBeGreaterThan(0);
    },
  );

  it(`every exercise's reference solution passes its checkpoints ${SOLUTION_RUNS} times on each Go`, () => {
    expect(repeated).toEqual([]);
  });

  it('in every lesson, the examples pass and every exercise starter fails a checkpoint', () => {
    const wrong: string[] = [];
    for (const nb of lessons.notebooks) {
      const cells = read(nb.path).cells;
      for (const c of nb.cells) {
        const cell = cells[c.cell - 1]!;
        if (c.problem) wrong.push(`${nb.path} cell ${c.cell}: ${c.problem}`);
        else if (role(cell) === 'exercise' && c.checkpoints.every((cp) => cp.passed))
          wrong.push(`${nb.path} cell ${c.cell}: the starter passes all its checkpoints`);
        else if (role(cell) === 'example' && !c.passed)
          wrong.push(
            `${nb.path} cell ${c.cell}: the worked example fails: ${c.checkpoints
              .filter((cp) => !cp.passed)
              .map((cp) => `${cp.id}: ${cp.reason}`)
              .join('; ')}`,
          );
      }
    }
    expect(wrong).toEqual([]);
  });
});

/**
 * The trace backend cannot see run queue contents or runnext, so the
 * lessons built on them (creation and runnext, the local queue, the global
 * queue) need eBPF and say so in their text, as does the GC lens's lesson
 * (the tracer cannot see marking); every other lesson must work without
 * privilege too, as on Binder.
 */
const traceLessons = lessonNames.filter((n) => !EBPF_LESSONS.some((p) => n.startsWith(p)));

describe('lesson checkpoints under the trace backend', () => {
  let bridge: Bridge;
  let solutions: CheckReport;
  let lessons: CheckReport;

  beforeAll(async () => {
    bridge = await lessonBridge();
    solutions = await checkNotebooks(
      bridge,
      traceLessons.map((n) => join(SOLUTIONS, n)),
      { backend: 'trace' },
    );
    lessons = await checkNotebooks(
      bridge,
      traceLessons.map((n) => join(LESSONS, n)),
      { backend: 'trace' },
    );
  }, 240_000);

  it('the lessons that need eBPF say the trace backend cannot show what they teach', () => {
    for (const n of lessonNames.filter((l) => EBPF_LESSONS.some((p) => l.startsWith(p)))) {
      const prose = read(join(LESSONS, n))
        .cells.filter((c) => c.cell_type === 'markdown')
        .map(text)
        .join('\n');
      expect([n, /trace backend/i.test(prose)]).toEqual([n, true]);
    }
  });

  it('every other reference solution passes every checkpoint, and every starter still fails', () => {
    const wrong: string[] = [];
    for (const nb of solutions.notebooks) {
      for (const c of nb.cells) {
        if (!c.passed)
          wrong.push(
            `${nb.path} cell ${c.cell}: ${
              c.problem ??
              c.checkpoints
                .filter((cp) => !cp.passed)
                .map((cp) => `${cp.id}: ${cp.reason}`)
                .join('; ')
            }`,
          );
      }
    }
    for (const nb of lessons.notebooks) {
      const cells = read(nb.path).cells;
      for (const c of nb.cells) {
        if (role(cells[c.cell - 1]!) === 'exercise' && c.passed)
          wrong.push(`${nb.path} cell ${c.cell}: the starter passes`);
      }
    }
    expect(wrong).toEqual([]);
    expect(solutions.notebooks.length).toBe(traceLessons.length);
  });
});
