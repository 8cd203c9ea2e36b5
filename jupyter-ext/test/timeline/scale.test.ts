import {
  clampScale,
  fitScale,
  MIN_SPAN,
  panBy,
  tickStep,
  ticks,
  timeWords,
  tOf,
  xOf,
  zoomAt,
} from '../../src/timeline/scale';

const MS = 1e6;

describe('time <-> pixel', () => {
  const s = { from: 2 * MS, to: 6 * MS, width: 800 };

  test('the ends of the span are the ends of the lanes, and the mapping is linear', () => {
    expect(xOf(s, 2 * MS)).toBe(0);
    expect(xOf(s, 6 * MS)).toBe(800);
    expect(xOf(s, 3 * MS)).toBe(200);
    expect(xOf(s, 1 * MS)).toBe(-200);
    expect(tOf(s, 400)).toBe(4 * MS);
  });

  test('tOf undoes xOf', () => {
    for (const t of [2 * MS, 2.123 * MS, 5.999 * MS, 9 * MS])
      expect(tOf(s, xOf(s, t))).toBeCloseTo(t, 3);
  });

  test('fitScale shows the whole run from 0', () => {
    expect(fitScale(10 * MS, 500)).toEqual({ from: 0, to: 10 * MS, width: 500 });
    expect(fitScale(0, 500).to).toBe(MIN_SPAN);
  });
});

describe('zoom and pan', () => {
  const end = 10 * MS;
  const whole = fitScale(end, 1000);

  test('zooming keeps the time under the pointer under the pointer', () => {
    const at = 250;
    const before = tOf(whole, at);
    const z = zoomAt(whole, at, 0.5, end);
    expect(z.to - z.from).toBeCloseTo(5 * MS);
    expect(tOf(z, at)).toBeCloseTo(before, 3);
  });

  test('zooming out past the run shows the whole run, and in no further than MIN_SPAN', () => {
    expect(zoomAt(whole, 500, 4, end)).toEqual(whole);
    let z = whole;
    for (let i = 0; i < 100; i++) z = zoomAt(z, 500, 0.5, end);
    expect(z.to - z.from).toBe(MIN_SPAN);
    expect(z.from).toBeGreaterThanOrEqual(0);
  });

  test('a drag to the right brings earlier times in, and the view stays inside the run', () => {
    const z = zoomAt(whole, 1000, 0.1, end); // the last ms
    expect(z.to).toBeCloseTo(end);
    const p = panBy(z, 100, end);
    expect(p.to - p.from).toBeCloseTo(z.to - z.from);
    expect(p.from).toBeLessThan(z.from);
    expect(p.from).toBeCloseTo(z.from - 100 * ((z.to - z.from) / 1000));
    expect(panBy(z, -5000, end).to).toBeCloseTo(end);
    expect(panBy(z, 1e7, end).from).toBe(0);
  });

  test('clampScale keeps a span inside [0, end]', () => {
    expect(clampScale({ from: -5, to: 295, width: 10 }, 1000)).toEqual({
      from: 0,
      to: 300,
      width: 10,
    });
    expect(clampScale({ from: 950, to: 1250, width: 10 }, 1000)).toEqual({
      from: 700,
      to: 1000,
      width: 10,
    });
    // Narrower than MIN_SPAN: widened around its middle.
    expect(clampScale({ from: 500, to: 510, width: 10 }, 1000)).toEqual({
      from: 405,
      to: 605,
      width: 10,
    });
  });
});

describe('ticks and words', () => {
  test('ticks are 1, 2 or 5 times a power of ten, about 100 px apart', () => {
    const s = { from: 0, to: 10 * MS, width: 1000 };
    expect(tickStep(s)).toBe(1 * MS);
    expect(ticks(s)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((m) => m * MS));
    expect(tickStep({ from: 0, to: 3 * MS, width: 1000 })).toBe(500_000);
    expect(tickStep({ from: 0, to: 1.3 * MS, width: 1000 })).toBe(200_000);
  });

  test('times read in the unit that suits them', () => {
    expect(timeWords(850)).toBe('850 ns');
    expect(timeWords(12_500)).toBe('12.5 µs');
    expect(timeWords(3_200_000)).toBe('3.2 ms');
    expect(timeWords(1_250_000_000)).toBe('1.25 s');
    // On ticks, as many decimals as the step needs.
    expect(timeWords(1_500_000, 500_000)).toBe('1.5 ms');
    expect(timeWords(2_000_000, 1_000_000)).toBe('2 ms');
  });
});
