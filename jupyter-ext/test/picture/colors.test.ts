import {
  contrast,
  goroutineColor,
  runtimeGoroutineColor,
  textColorOn,
  tokenPaint,
} from '../../src/picture/colors';
import { DARK, LIGHT } from '../../src/picture/palette';

function rgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

/** CIELAB (D65) of '#rrggbb': a space where distance follows how different colours look. */
function lab(hex: string): [number, number, number] {
  const [r, g, b] = rgb(hex).map((c) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

/**
 * Colour difference ΔE*ab (CIE76): about 2.3 is the smallest difference people
 * notice side by side; above 10 two tokens read as different colours at a glance.
 */
function deltaE(a: string, b: string): number {
  const [l1, a1, b1] = lab(a);
  const [l2, a2, b2] = lab(b);
  return Math.hypot(l1 - l2, a1 - a2, b1 - b2);
}

/** Colourfulness (CIELAB chroma). */
function chroma(hex: string): number {
  const [, a, b] = lab(hex);
  return Math.hypot(a, b);
}

describe('goroutine colours', () => {
  test("a goid's colour is a #rrggbb fixed by the goid alone (pinned: a change of scheme is a decision)", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(goroutineColor)).toEqual([
      '#27ce58',
      '#8827ce',
      '#ceb927',
      '#27b2ce',
      '#ce2781',
      '#51ce27',
      '#2e27ce',
      '#d66329',
    ]);
    for (const goid of [17, 999, 123_456]) expect(goroutineColor(goid)).toMatch(/^#[0-9a-f]{6}$/);
  });

  test("a token's paint is its goroutine's colour, the runtime's kept apart (memoised per kind)", () => {
    // Either kind first: the memo must not hand one kind's paint to the other.
    expect(tokenPaint(41, true).fill).toBe(runtimeGoroutineColor(41));
    expect(tokenPaint(41, false).fill).toBe(goroutineColor(41));
    expect(tokenPaint(42, false).fill).toBe(goroutineColor(42));
    expect(tokenPaint(42, true).fill).toBe(runtimeGoroutineColor(42));
    expect(tokenPaint(41, false).ink).toBe(textColorOn(goroutineColor(41)));
  });

  test('neighbouring goids are clearly different', () => {
    const close: string[] = [];
    for (let goid = 1; goid < 2000; goid++) {
      for (const [other, min] of [
        [goid + 1, 50],
        [goid + 2, 50],
      ] as const) {
        const d = deltaE(goroutineColor(goid), goroutineColor(other));
        if (d < min) close.push(`g${goid}/g${other}: ΔE ${d.toFixed(1)} < ${min}`);
      }
    }
    expect(close.slice(0, 5)).toEqual([]);
  });

  test('any eight goroutines started one after another are told apart by colour', () => {
    // A program's goroutines get consecutive goids; eight at once is a busy lesson.
    const labs = Array.from({ length: 2008 }, (_, goid) => lab(goroutineColor(goid)));
    const close: string[] = [];
    for (let first = 1; first < 2000; first++) {
      for (let a = first; a < first + 8; a++) {
        for (let b = a + 1; b < first + 8; b++) {
          const d = Math.hypot(...labs[a]!.map((v, i) => v - labs[b]![i]!));
          if (d < 12) close.push(`g${a}/g${b}: ΔE ${d.toFixed(1)}`);
        }
      }
    }
    expect([...new Set(close)].slice(0, 5)).toEqual([]);
  });

  test('tokens stand out on white and on dark backgrounds, labels read on the token', () => {
    for (let goid = 1; goid < 500; goid++) {
      const fill = goroutineColor(goid);
      expect(contrast(fill, LIGHT.background)).toBeGreaterThan(1.6);
      expect(contrast(fill, DARK.background)).toBeGreaterThan(1.9);
      expect(contrast(fill, textColorOn(fill))).toBeGreaterThanOrEqual(4.5);
    }
  });

  test("the learner's goroutines are colourful beside the runtime's grey ones", () => {
    const user = Math.min(...Array.from({ length: 500 }, (_, i) => chroma(goroutineColor(i + 1))));
    const runtime = Math.max(
      ...Array.from({ length: 500 }, (_, i) => chroma(runtimeGoroutineColor(i + 1))),
    );
    expect(user).toBeGreaterThan(2 * runtime);
  });

  test("the runtime's goroutines are greyish but still readable", () => {
    for (let goid = 1; goid < 100; goid++) {
      const [r, g, b] = rgb(runtimeGoroutineColor(goid));
      expect(Math.max(r, g, b) - Math.min(r, g, b)).toBeLessThan(40);
      const paint = tokenPaint(goid, true);
      expect(contrast(paint.fill, paint.ink)).toBeGreaterThanOrEqual(4.5);
    }
  });
});
