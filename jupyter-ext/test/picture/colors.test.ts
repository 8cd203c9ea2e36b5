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

function distance(a: string, b: string): number {
  const [r1, g1, b1] = rgb(a);
  const [r2, g2, b2] = rgb(b);
  return Math.hypot(r1 - r2, g1 - g2, b1 - b2);
}

describe('goroutine colours', () => {
  test('the same goid gets the same colour every time', () => {
    for (const goid of [1, 2, 17, 999, 123_456]) {
      expect(goroutineColor(goid)).toBe(goroutineColor(goid));
      expect(goroutineColor(goid)).toMatch(/^#[0-9a-f]{6}$/);
    }
    // Pinned, so a change of the scheme is a decision, not an accident.
    expect(goroutineColor(1)).toBe('#27ce58');
  });

  test('neighbouring goids are clearly different', () => {
    for (let goid = 1; goid < 2000; goid++) {
      expect(distance(goroutineColor(goid), goroutineColor(goid + 1))).toBeGreaterThan(90);
      expect(distance(goroutineColor(goid), goroutineColor(goid + 2))).toBeGreaterThan(60);
    }
  });

  test('tokens stand out on white and on dark backgrounds, labels read on the token', () => {
    for (let goid = 1; goid < 500; goid++) {
      const fill = goroutineColor(goid);
      expect(contrast(fill, LIGHT.background)).toBeGreaterThan(1.6);
      expect(contrast(fill, DARK.background)).toBeGreaterThan(1.9);
      expect(contrast(fill, textColorOn(fill))).toBeGreaterThanOrEqual(4.5);
    }
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
