/**
 * The lessons (lessons/*.ipynb) check themselves: every reference solution
 * passes every checkpoint, every exercise starter fails at least one, the
 * worked examples pass, and lesson and solution differ only in the exercise
 * code. Runs every Go-slowmo cell under real eBPF probes: skipped where eBPF
 * cannot load, except in CI, where that is a failure.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bridge } from '../src/bridge';
import { checkNotebooks, type CheckReport } from '../src/check';
import { makeConfig } from '../src/config';
import { isSlowmo, parseMetadata } from '../src/protocol';
import { ebpfDescribe, TEST_WORK_DIR } from './support/bridge';

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

ebpfDescribe()('lesson checkpoints under eBPF', () => {
  let bridge: Bridge;
  let solutions: CheckReport;
  let lessons: CheckReport;

  beforeAll(async () => {
    bridge = await Bridge.create(
      makeConfig({ logLevel: 'silent', parallel: 2, workDir: TEST_WORK_DIR }),
    );
    // One after the other: each notebook's cells run in order anyway.
    solutions = await checkNotebooks(
      bridge,
      lessonNames.map((n) => join(SOLUTIONS, n)),
    );
    lessons = await checkNotebooks(
      bridge,
      lessonNames.map((n) => join(LESSONS, n)),
    );
  }, 240_000);
  afterAll(() => bridge?.close());

  it('every reference solution passes every checkpoint', () => {
    const failed = solutions.notebooks.flatMap((nb) =>
      nb.cells.flatMap((c) => [
        ...(c.problem ? [`${nb.path} cell ${c.cell}: ${c.problem}`] : []),
        ...c.checkpoints
          .filter((cp) => !cp.passed)
          .map((cp) => `${nb.path} cell ${c.cell}: ${cp.id}: ${cp.reason}`),
      ]),
    );
    expect(failed).toEqual([]);
    expect(solutions.counts.checkpoints).toBeGreaterThan(0);
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
 * queue) need eBPF and say so in their text; every other lesson must work
 * without privilege too, as on Binder.
 */
const QUEUE_LESSONS = ['02-', '03-', '04-'];
const traceLessons = lessonNames.filter((n) => !QUEUE_LESSONS.some((p) => n.startsWith(p)));

describe('lesson checkpoints under the trace backend', () => {
  let bridge: Bridge;
  let solutions: CheckReport;
  let lessons: CheckReport;

  beforeAll(async () => {
    bridge = await Bridge.create(
      makeConfig({ logLevel: 'silent', parallel: 2, workDir: TEST_WORK_DIR }),
    );
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

  it('the lessons that need run queue contents say the trace backend cannot show them', () => {
    for (const n of lessonNames.filter((l) => QUEUE_LESSONS.some((p) => l.startsWith(p)))) {
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
