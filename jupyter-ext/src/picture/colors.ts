/**
 * Goroutine colours. A goroutine keeps one colour everywhere (the picture,
 * the SVG, the lit source line), derived from its goid alone, so the same
 * program shows the same colours in every run and every view.
 *
 * Hues step by the golden angle (~137.5°), which keeps consecutive goids far
 * apart on the colour wheel however many there are. Lightness sits in the
 * middle so a token reads on white and on dark themes alike; the label colour
 * on top of it is chosen by contrast, not by guess.
 */

const GOLDEN_ANGLE = 137.50776405003785;

function hue(goid: number): number {
  return (((goid * GOLDEN_ANGLE) % 360) + 360) % 360;
}

/** HSL (h in degrees, s and l in 0..1) to '#rrggbb'. */
export function hslToHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number): string => {
    const k = (n + h / 30) % 12;
    const v = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(v * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

/**
 * A token's fill: the goid's hue at a middle lightness, then nudged away from
 * the middle (darker under a white label, lighter under a dark one) until the
 * label has a contrast of at least 4.5, because yellows and greens look much
 * brighter than blues at the same HSL lightness.
 */
function readableFill(h: number, s: number, l0: number): string {
  let l = l0;
  let fill = hslToHex(h, s, l);
  for (let i = 0; i < 12; i++) {
    const ink = textColorOn(fill);
    if (contrast(fill, ink) >= 4.5) break;
    l += ink === LIGHT_TEXT ? -0.02 : 0.02;
    fill = hslToHex(h, s, l);
  }
  return fill;
}

/** A stable colour per goroutine (same goid -> same colour in every run and view). */
export function goroutineColor(goid: number): string {
  return readableFill(hue(goid), 0.68, 0.48);
}

/**
 * The muted variant for goroutines the runtime started for itself (GC
 * workers, the sweeper, finalizers): still different per goid, but greyish so
 * the learner's own goroutines stand out.
 */
export function runtimeGoroutineColor(goid: number): string {
  return readableFill(hue(goid), 0.12, 0.6);
}

/** WCAG relative luminance of '#rrggbb'. */
export function luminance(hex: string): number {
  const lin = (i: number): number => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(1) + 0.7152 * lin(3) + 0.0722 * lin(5);
}

/** WCAG contrast ratio between two '#rrggbb' colours. */
export function contrast(a: string, b: string): number {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

const LIGHT_TEXT = '#ffffff';
const DARK_TEXT = '#1b1b1b';

/** The label colour with the better contrast on a token of colour `fill`. */
export function textColorOn(fill: string): string {
  return contrast(fill, LIGHT_TEXT) >= contrast(fill, DARK_TEXT) ? LIGHT_TEXT : DARK_TEXT;
}

export interface TokenPaint {
  readonly fill: string;
  /** Label colour on the fill. */
  readonly ink: string;
  /** Outline. */
  readonly stroke: string;
}

const paintCache = new Map<number, TokenPaint>();

/**
 * Fill, label and outline of a goroutine's token, memoised: the picture asks
 * for a few hundred per frame, and they never change. Runtime goroutines are
 * kept under negative keys.
 */
export function tokenPaint(goid: number, runtime: boolean): TokenPaint {
  const key = runtime ? -goid - 1 : goid;
  let paint = paintCache.get(key);
  if (paint === undefined) {
    const fill = runtime ? runtimeGoroutineColor(goid) : goroutineColor(goid);
    paint = { fill, ink: textColorOn(fill), stroke: darken(fill) };
    if (paintCache.size > 100_000) paintCache.clear();
    paintCache.set(key, paint);
  }
  return paint;
}

/** A darker shade of '#rrggbb' for a token's outline. */
export function darken(hex: string, amount = 0.3): string {
  const c = (i: number): string =>
    Math.round(parseInt(hex.slice(i, i + 2), 16) * (1 - amount))
      .toString(16)
      .padStart(2, '0');
  return `#${c(1)}${c(3)}${c(5)}`;
}
