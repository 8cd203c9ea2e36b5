/**
 * The timeline's rows, words and paints, and the goroutine table's order,
 * on real lanes built by the protocol from a small run.
 */
import {
  analyzeGoroutines,
  LaneBuilder,
  parseEvent,
  type GoroutineStats,
  type LaneSlice,
  type SlowmoEvent,
} from '@go-slowmo/kernel-bridge/protocol';
import { contrast, tokenPaint } from '../../src/picture/colors';
import { DARK, LIGHT } from '../../src/picture/palette';
import { COLUMNS, nextOrder, sortRows } from '../../src/timeline/columns';
import { MIXED } from '../../src/timeline/cull';
import { layoutRows, rowAt, rowsInView, ROW_H } from '../../src/timeline/layout';
import { keyOf, Paints } from '../../src/timeline/paint';
import { arrowWords, sliceWords } from '../../src/timeline/words';
import { runBeginning } from '../support/sample';

/** Two Ps: main makes a worker, P1 steals it, main parks on a channel and the worker wakes it. */
function run(): SlowmoEvent[] {
  const raw: object[] = [
    ...runBeginning('go1.26.0'),
    {
      kind: 'g.create',
      m: 0,
      p: 0,
      g: 1,
      goid: 7,
      parent: 1,
      fn: 'main.worker',
      file: 'main.go',
      line: 12,
    },
    { kind: 'g.runnable', m: 0, p: 0, g: 1, goid: 7, queue: 'runnext', qp: 0, reason: 'create' },
    { kind: 'p.state', m: 1, p: 1, g: 0, state: 'running', pm: 1 },
    { kind: 'steal', m: 1, p: 1, g: 0, thief: 1, victim: 0, goids: [7] },
    { kind: 'g.running', m: 1, p: 1, g: 0, goid: 7, inheritTime: false },
    {
      kind: 'g.waiting',
      m: 0,
      p: 0,
      g: 1,
      goid: 1,
      reason: 'chan receive',
      file: 'main.go',
      line: 20,
    },
    { kind: 'gc', m: 0, p: 0, g: 0, phase: 'mark' },
    {
      kind: 'g.runnable',
      m: 1,
      p: 1,
      g: 7,
      goid: 1,
      queue: 'runnext',
      qp: 1,
      reason: 'ready',
      by: 7,
    },
    { kind: 'gc', m: 0, p: 0, g: 0, phase: 'off' },
    { kind: 'g.exit', m: 1, p: 1, g: 7, goid: 7 },
    { kind: 'output', m: -1, p: -1, g: 0, stream: 'stdout', data: 'done\n' },
    { kind: 'g.running', m: 1, p: 1, g: 0, goid: 1, inheritTime: true },
  ];
  return raw.map((e, seq) => parseEvent({ seq, t: seq * 1000, ...e }));
}

const lanes = LaneBuilder.from(run()).lanes();

describe('rows', () => {
  test('the GC track and a lane per P; Ms and goroutines on demand, the selected goroutine first', () => {
    const plain = layoutRows(lanes, { ms: false, goroutines: false, runtime: false, selected: 0 });
    expect(plain.rows.map((r) => r.label)).toEqual(['GC', 'P0', 'P1']);
    const all = layoutRows(lanes, { ms: true, goroutines: true, runtime: true, selected: 7 });
    expect(all.rows.map((r) => r.label)).toEqual([
      'GC',
      'P0',
      'P1',
      'Threads (Ms)',
      'M0',
      'M1',
      'Goroutines',
      'g7 worker',
      'g1 main',
    ]);
    // Selected with the goroutine lanes off: its lane alone, under its own caption.
    const one = layoutRows(lanes, { ms: false, goroutines: false, runtime: false, selected: 7 });
    expect(one.rows.slice(3).map((r) => r.label)).toEqual(['Selected goroutine', 'g7 worker']);
    expect(one.height).toBe(ROW_H.gc + 2 * ROW_H.p + ROW_H.caption + ROW_H.g);
  });

  test('the row under a y, and the rows in a window, by binary search', () => {
    const { rows } = layoutRows(lanes, { ms: true, goroutines: true, runtime: true, selected: 0 });
    expect(rowAt(rows, 0)).toBe(0);
    expect(rowAt(rows, ROW_H.gc)).toBe(1);
    expect(rowAt(rows, ROW_H.gc + ROW_H.p - 1)).toBe(1);
    expect(rowAt(rows, ROW_H.gc + ROW_H.p)).toBe(2);
    expect(rowAt(rows, -1)).toBe(-1);
    expect(rowAt(rows, 10_000)).toBe(-1);
    expect(rowsInView(rows, ROW_H.gc, ROW_H.p * 2)).toEqual([1, 3]);
    expect(rowsInView(rows, 0, 10_000)).toEqual([0, rows.length]);
  });
});

describe('words', () => {
  const { rows } = layoutRows(lanes, { ms: true, goroutines: true, runtime: true, selected: 0 });
  const row = (label: string) => rows.find((r) => r.label === label)!;
  const at = (label: string, kind: string, queued = false): LaneSlice =>
    row(label).slices.find((s) => s.kind === kind && (!queued || s.queue !== null))!;

  test('a slice says who did what, for how long, and from which event', () => {
    expect(sliceWords(row('P1'), at('P1', 'running'), lanes)).toBe(
      'P1 ran g7 worker on M1 for 5 µs, from 8 µs (event 9 to 14)',
    );
    expect(sliceWords(row('g1 main'), at('g1 main', 'waiting'), lanes)).toMatch(
      /^g1 main was waiting to receive from a channel for 2 µs, from 9 µs/,
    );
    expect(sliceWords(row('g7 worker'), at('g7 worker', 'runnable', true), lanes)).toMatch(
      /^g7 worker was runnable in P0's runnext slot .*\(just created\), waiting for a P to run it/,
    );
    expect(sliceWords(row('GC'), lanes.gc[0]!, lanes)).toMatch(/^GC: marking/);
  });

  test('arrows: who stole whom from where, who woke whom', () => {
    const [steal, wake] = lanes.arrows;
    expect(arrowWords(steal!, lanes)).toBe(
      "P1 stole g7 worker from P0's run queue at 7 µs (event 8)",
    );
    expect(arrowWords(wake!, lanes)).toMatch(/^g7 worker woke g1 main, who went to P1's queue/);
  });
});

describe('paints', () => {
  test('a running slice has its goroutine’s colour from the picture; idle is not drawn', () => {
    const paints = new Paints(LIGHT, () => false);
    const running = lanes.procs[1]!.slices.find((s) => s.kind === 'running')!;
    expect(keyOf('p', running)).toBe('g7');
    expect(paints.of('g7').fill).toBe(tokenPaint(7, false).fill);
    expect(keyOf('p', lanes.procs[0]!.slices.find((s) => s.kind === 'idle') ?? running)).not.toBe(
      'sched',
    );
    expect(keyOf('p', { ...running, kind: 'idle' })).toBeNull();
    expect(paints.of(MIXED).fill).toBe(LIGHT.timeline.mixed.fill);
  });

  test.each([
    ['light', LIGHT],
    ['dark', DARK],
  ])('%s: words on every lane colour read at 4.5:1, the cursor stands out at 3:1', (_, palette) => {
    const t = palette.timeline;
    for (const paint of [t.sched, t.syscall, t.spinning, t.waiting, t.mixed, t.gc, t.stw]) {
      expect(contrast(paint.ink, paint.fill)).toBeGreaterThanOrEqual(4.5);
    }
    expect(contrast(t.cursor, palette.background)).toBeGreaterThanOrEqual(3);
    expect(contrast(t.cursor, palette.lane.fill)).toBeGreaterThanOrEqual(3);
    expect(contrast(t.selected, palette.lane.fill)).toBeGreaterThanOrEqual(3);
    // A runnable goroutine is its colour, faint, under the theme's ink.
    const paints = new Paints(palette, () => false);
    for (let goid = 1; goid < 200; goid++) {
      const p = paints.of(`r${goid}`);
      expect(contrast(p.ink, blend(p.fill, palette.lane.fill, p.alpha))).toBeGreaterThanOrEqual(
        4.5,
      );
    }
  });
});

/** `fg` at opacity `a` over `bg`. */
function blend(fg: string, bg: string, a: number): string {
  const c = (hex: string, i: number) => parseInt(hex.slice(i, i + 2), 16);
  return `#${[1, 3, 5]
    .map((i) =>
      Math.round(c(fg, i) * a + c(bg, i) * (1 - a))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

describe('the goroutine table', () => {
  const stats = analyzeGoroutines(lanes).goroutines;
  const goids = (rows: readonly GoroutineStats[]) => rows.map((g) => g.goid);

  test('sorts by any column, ties by id, missing values last', () => {
    expect(goids(sortRows(stats, { column: 'goid', descending: false }))).toEqual([1, 7]);
    expect(goids(sortRows(stats, { column: 'goid', descending: true }))).toEqual([7, 1]);
    // g1 was runnable 5 µs (at its start, then after the wake-up), g7 4 µs (created, then stolen).
    expect(goids(sortRows(stats, { column: 'runnable', descending: true }))).toEqual([1, 7]);
    expect(goids(sortRows(stats, { column: 'runnable', descending: false }))).toEqual([7, 1]);
    // Only g7 ended: the one still alive sorts last both ways.
    expect(goids(sortRows(stats, { column: 'ended', descending: false }))).toEqual([7, 1]);
    expect(goids(sortRows(stats, { column: 'ended', descending: true }))).toEqual([7, 1]);
  });

  test('a new column sorts largest first (names A first), the same one flips', () => {
    expect(nextOrder({ column: 'goid', descending: false }, 'runnable')).toEqual({
      column: 'runnable',
      descending: true,
    });
    expect(nextOrder({ column: 'runnable', descending: true }, 'runnable').descending).toBe(false);
    expect(nextOrder({ column: 'runnable', descending: true }, 'fn').descending).toBe(false);
  });

  test('every column has words for every goroutine', () => {
    const g7 = stats.find((g) => g.goid === 7)!;
    const text = Object.fromEntries(COLUMNS.map((c) => [c.id, c.text(g7)]));
    expect(text).toMatchObject({
      goid: 'g7',
      fn: 'worker',
      site: 'main.go:12',
      created: '4 µs',
      ended: '13 µs',
      runs: '1',
      ps: 'P1',
      stolen: '1',
      preempted: '0',
    });
  });
});
