import {
  cullLane,
  firstEndingFrom,
  firstStartingAfter,
  MIXED,
  visibleRange,
} from '../../src/timeline/cull';
import { nearestSegment, sliceAt } from '../../src/timeline/hit';

interface S {
  start: number;
  end: number;
  key: string;
}

/** Back-to-back slices of the given durations and keys. */
function lane(parts: [number, string][]): S[] {
  let t = 0;
  return parts.map(([d, key]) => {
    const s = { start: t, end: t + d, key };
    t += d;
    return s;
  });
}

const key = (s: S) => s.key;

describe('culling', () => {
  const slices = lane([
    [100, 'a'],
    [100, 'b'],
    [100, 'idle'],
    [100, 'c'],
  ]);

  test('binary searches find the first slice in view and the first past it', () => {
    expect(firstEndingFrom(slices, 0)).toBe(0);
    expect(firstEndingFrom(slices, 150)).toBe(1);
    expect(firstEndingFrom(slices, 200)).toBe(1); // ends exactly there: still in view
    expect(firstEndingFrom(slices, 401)).toBe(4);
    expect(firstStartingAfter(slices, 250)).toBe(3);
    expect(visibleRange(slices, 150, 250)).toEqual([1, 3]);
  });

  test('only slices in view are drawn, clipped to the lanes, and null keys are left out', () => {
    const runs = cullLane(slices, { from: 150, to: 350, width: 200 }, (s) =>
      s.key === 'idle' ? null : s.key,
    );
    expect(runs.map((r) => r.key)).toEqual(['b', 'c']);
    expect(runs[0]).toMatchObject({ x0: -1, x1: 50, first: 1, last: 1 });
    expect(runs[1]).toMatchObject({ x0: 150, x1: 201, first: 3, last: 3 });
  });

  test('wide slices side by side stay apart, even with the same key', () => {
    const same = lane([
      [100, 'a'],
      [100, 'a'],
    ]);
    expect(cullLane(same, { from: 0, to: 200, width: 200 }, key)).toHaveLength(2);
  });

  test('slices narrower than a pixel or two merge into one run per pixel column, MIXED when keys differ', () => {
    // 10,000 slices of 1 ns over 100 px: 100 ns per px.
    const many = lane(
      Array.from({ length: 10_000 }, (_, i) => [1, i % 2 ? 'x' : 'y'] as [number, string]),
    );
    const runs = cullLane(many, { from: 0, to: 10_000, width: 100 }, key);
    expect(runs.length).toBeLessThanOrEqual(100);
    expect(runs.every((r) => r.key === MIXED)).toBe(true);
    // Together they cover the lane, and every slice is in one run.
    expect(runs[0]!.x0).toBe(0);
    expect(runs[runs.length - 1]!.x1).toBeGreaterThanOrEqual(99);
    expect(runs.reduce((n, r) => n + r.last - r.first + 1, 0)).toBe(10_000);
  });

  test('narrow slices of one key merge and keep their key', () => {
    const many = lane(Array.from({ length: 1000 }, () => [1, 'x'] as [number, string]));
    const runs = cullLane(many, { from: 0, to: 1000, width: 10 }, key);
    expect(runs.length).toBeLessThanOrEqual(10);
    expect(new Set(runs.map((r) => r.key))).toEqual(new Set(['x']));
  });

  test('a narrow slice is still drawn a pixel wide, and a wide one after it starts its own run', () => {
    const mixed = lane([
      [1, 'n'],
      [500, 'w'],
    ]);
    const runs = cullLane(mixed, { from: 0, to: 501, width: 501 }, key);
    expect(runs.map((r) => [r.key, r.x1 - r.x0 >= 1])).toEqual([
      ['n', true],
      ['w', true],
    ]);
  });

  test('a lane of 100,000 slices culls a narrow view in well under a millisecond per call', () => {
    const big = lane(
      Array.from({ length: 100_000 }, (_, i) => [10 + (i % 7), `g${i % 50}`] as [number, string]),
    );
    const end = big[big.length - 1]!.end;
    const view = { from: end / 2, to: end / 2 + 2000, width: 1000 };
    const t0 = performance.now();
    let n = 0;
    for (let i = 0; i < 1000; i++) n += cullLane(big, view, key).length;
    const per = (performance.now() - t0) / 1000;
    expect(n / 1000).toBeGreaterThan(100);
    expect(per).toBeLessThan(1);
  });
});

describe('hit testing', () => {
  const slices = lane([
    [100, 'a'],
    [100, 'b'],
  ]).concat([{ start: 300, end: 301, key: 'tiny' }]);

  test('the slice containing a time', () => {
    expect(sliceAt(slices, 0)).toBe(0);
    expect(sliceAt(slices, 150)).toBe(1);
    expect(sliceAt(slices, 300.5)).toBe(2);
  });

  test('between slices: the nearest within the tolerance, else none', () => {
    expect(sliceAt(slices, 250)).toBe(-1);
    expect(sliceAt(slices, 290, 20)).toBe(2);
    expect(sliceAt(slices, 210, 20)).toBe(1);
    expect(sliceAt(slices, 320, 5)).toBe(-1);
    expect(sliceAt([], 5, 100)).toBe(-1);
  });

  test('the arrow nearest the pointer, within a few pixels', () => {
    const segs = [
      { x0: 10, y0: 0, x1: 10, y1: 100 },
      { x0: 50, y0: 0, x1: 56, y1: 100 },
    ];
    expect(nearestSegment(segs, 12, 50)).toBe(0);
    expect(nearestSegment(segs, 53, 50)).toBe(1);
    expect(nearestSegment(segs, 30, 50)).toBe(-1);
    expect(nearestSegment(segs, 10, 104)).toBe(0);
    expect(nearestSegment(segs, 10, 110)).toBe(-1);
  });
});
