/**
 * Each exercise attacked and defended (issue 21): its wrong programs, each a
 * plausible misconception, must fail the checkpoints they name with a hint
 * that names the misconception, and its right programs, each different from
 * the reference solution, must pass every checkpoint. They run through the
 * real bridge and `slowmo check`'s cell path, on the oldest and the newest
 * supported Go under eBPF, and under the trace backend where the lesson allows
 * it, two at a time (the lessons that depend on timing, one at a time). Each
 * program runs RUNS times on each: a checkpoint that a right program passes
 * only sometimes, or a wrong one fails only sometimes, is a flaky checkpoint.
 */
import { Bridge } from '../src/bridge';
import { checkCell, type CellReport } from '../src/check';
import type { BackendChoice } from '../src/protocol';
import { ebpfDescribe } from './support/bridge';
import {
  exercise,
  inLessonSlots,
  lessonBridge,
  lessonNames,
  oldestAndNewestGo,
  EBPF_LESSONS,
  suite,
  type SuiteProgram,
} from './support/lesson-suites';

const lessons = lessonNames();
const [OLDEST, NEWEST] = oldestAndNewestGo();
/** How many times each program is checked, per Go version and backend. */
const RUNS = 5;
const squeeze = (s: string) => s.replace(/\/\/.*$/gm, '').replace(/\s+/g, '');

describe("the lessons' suites of wrong and right programs", () => {
  it.each(lessons)(
    '%s: at least three wrong and two right programs, each saying what it is',
    (lesson) => {
      const programs = suite(lesson);
      const ex = exercise(lesson);
      const hints = new Map(ex.meta.checkpoints.map((cp) => [cp.id, cp.hint ?? '']));
      const wrong = programs.filter((p) => p.kind === 'wrong');
      const right = programs.filter((p) => p.kind === 'right');
      expect([lesson, wrong.length >= 3, right.length >= 2]).toEqual([lesson, true, true]);
      const problems: string[] = [];
      for (const p of wrong) {
        const unknown = p.fails.filter((id) => !hints.has(id));
        const named = p.fails.some((id) =>
          (hints.get(id) ?? '').toLowerCase().includes(p.hintNames.toLowerCase()),
        );
        if (!p.about || p.fails.length === 0 || unknown.length)
          problems.push(
            `${p.name}: say the misconception and the checkpoints it fails (unknown: ${unknown.join(', ')})`,
          );
        if (!p.hintNames || !named)
          problems.push(`${p.name}: no hint of ${p.fails.join(', ')} names "${p.hintNames}"`);
      }
      for (const p of right) {
        if (!p.about) problems.push(`${p.name}: say how it differs from the reference`);
        if ([ex.solution, ex.starter].map(squeeze).includes(squeeze(p.source)))
          problems.push(`${p.name}: is the reference solution or the starter`);
      }
      expect(problems).toEqual([]);
    },
  );
});

interface Tried {
  program: SuiteProgram;
  /** Which of the RUNS runs (1-based). */
  run: number;
  go: string;
  backend: BackendChoice;
  report: CellReport;
}

/** What is wrong with one program's outcome, or null. */
function verdict({ program: p, run, go, backend, report }: Tried): string | null {
  const ended = report.end ? `, ended ${report.end.reason} ${report.end.exitCode}` : '';
  const at = `${p.lesson}/${p.name} on Go ${go}, run ${run} of ${RUNS} (${backend}${ended})`;
  if (report.problem) return `${at}: ${report.problem}`;
  const failed = report.checkpoints.filter((cp) => !cp.passed);
  if (p.kind === 'right') {
    return failed.length === 0
      ? null
      : `${at} should pass: ${failed.map((cp) => `${cp.id}: ${cp.reason}`).join('; ')}`;
  }
  const expected = failed.filter((cp) => p.fails.includes(cp.id));
  if (expected.length === 0) {
    const all = report.checkpoints.map((cp) => `${cp.id} ${cp.passed ? '✔' : '✘'} ${cp.reason}`);
    return `${at} should fail ${p.fails.join(' or ')}: ${all.join('; ')}`;
  }
  const named = expected.some((cp) =>
    (cp.hint ?? '').toLowerCase().includes(p.hintNames.toLowerCase()),
  );
  return named
    ? null
    : `${at}: the hint of ${expected.map((cp) => cp.id).join(', ')} does not name "${p.hintNames}"`;
}

function jobs(
  bridge: Bridge,
  go: string,
  backend: BackendChoice,
  allowed: (p: SuiteProgram) => boolean,
) {
  return lessons.flatMap((lesson) => {
    const ex = exercise(lesson);
    return suite(lesson)
      .filter(allowed)
      .flatMap((program) =>
        Array.from({ length: RUNS }, (_, i) => ({
          lesson,
          run: async (): Promise<Tried> => ({
            program,
            run: i + 1,
            go,
            backend,
            report: await checkCell(bridge, 0, program.source, ex.metadata, {
              backend,
              goVersion: go,
            }),
          }),
        })),
      );
  });
}

const onBackend = (backend: string) => (p: SuiteProgram) =>
  p.backends === null
    ? backend === 'ebpf' || !EBPF_LESSONS.some((q) => p.lesson.startsWith(q))
    : p.backends.includes(backend);

ebpfDescribe()(`the suites under eBPF, ${RUNS} runs each on the oldest and the newest Go`, () => {
  let bridge: Bridge;
  const tried: Tried[] = [];

  beforeAll(async () => {
    bridge = await lessonBridge();
    const started = Date.now();
    for (const go of [OLDEST, NEWEST]) {
      tried.push(...(await inLessonSlots(jobs(bridge, go, 'ebpf', onBackend('ebpf')))));
    }
    console.log(
      `lesson suites under eBPF: ${tried.length} runs in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  }, RUNS * 300_000);
  afterAll(() => bridge?.close());

  it.each([OLDEST, NEWEST])(
    'on Go %s every wrong program fails as it says and every right one passes',
    (go) => {
      const mine = tried.filter((t) => t.go === go);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.map(verdict).filter(Boolean)).toEqual([]);
    },
  );
});

describe(`the suites under the trace backend, where the lesson allows it, ${RUNS} runs each on the newest Go`, () => {
  let bridge: Bridge;
  let tried: Tried[] = [];

  beforeAll(async () => {
    bridge = await lessonBridge();
    const started = Date.now();
    tried = await inLessonSlots(jobs(bridge, NEWEST, 'trace', onBackend('trace')));
    console.log(
      `lesson suites under the trace backend: ${tried.length} runs in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  }, RUNS * 300_000);
  afterAll(() => bridge?.close());

  it('every wrong program fails as it says and every right one passes', () => {
    expect(tried.length).toBeGreaterThan(0);
    expect(tried.map(verdict).filter(Boolean)).toEqual([]);
  });
});
