/**
 * Time on the timeline's x axis: which span of the run (ns) the lanes show
 * across how many pixels, and how zooming and panning change it. Pure
 * values, so the view, hit testing and the tests agree on one mapping.
 */

/** The narrowest span the view zooms to: 200 ns across the lanes (a few events apart). */
export const MIN_SPAN = 200;

export interface TimeScale {
  /** The first and last ns in view. */
  readonly from: number;
  readonly to: number;
  /** The lanes' width in CSS pixels. */
  readonly width: number;
}

/** The whole run [0, end] across `width` pixels. */
export function fitScale(end: number, width: number): TimeScale {
  return { from: 0, to: Math.max(end, MIN_SPAN), width: Math.max(1, width) };
}

export function span(s: TimeScale): number {
  return s.to - s.from;
}

/** Pixel of time `t` (may lie outside [0, width]). */
export function xOf(s: TimeScale, t: number): number {
  return ((t - s.from) / (s.to - s.from)) * s.width;
}

/** Time at pixel `x`. */
export function tOf(s: TimeScale, x: number): number {
  return s.from + (x / s.width) * (s.to - s.from);
}

/** Nanoseconds one pixel stands for. */
export function nsPerPx(s: TimeScale): number {
  return (s.to - s.from) / s.width;
}

/**
 * Keeps a span inside the run [0, end]: a span wider than the run shows the
 * whole run, one narrower than MIN_SPAN is widened around its middle.
 */
export function clampScale(s: TimeScale, end: number): TimeScale {
  const total = Math.max(end, MIN_SPAN);
  let width = Math.min(Math.max(s.to - s.from, MIN_SPAN), total);
  if (!Number.isFinite(width)) width = total;
  let from = s.from;
  if (s.to - s.from < MIN_SPAN) from = (s.from + s.to) / 2 - width / 2;
  from = Math.min(Math.max(0, from), total - width);
  return { from, to: from + width, width: s.width };
}

/**
 * Zooms by `factor` (< 1 in, > 1 out) keeping the time under pixel `x`
 * where it is, so the pointer stays on what it points at.
 */
export function zoomAt(s: TimeScale, x: number, factor: number, end: number): TimeScale {
  const at = tOf(s, x);
  const total = Math.max(end, MIN_SPAN);
  const next = Math.min(Math.max((s.to - s.from) * factor, MIN_SPAN), total);
  const from = at - (x / s.width) * next;
  return clampScale({ from, to: from + next, width: s.width }, end);
}

/** Moves the view by a drag of `dx` pixels: what is under the pointer follows it. */
export function panBy(s: TimeScale, dx: number, end: number): TimeScale {
  const dt = dx * nsPerPx(s);
  return clampScale({ from: s.from - dt, to: s.to - dt, width: s.width }, end);
}

/** The same span at a new width (the output was resized). */
export function withWidth(s: TimeScale, width: number): TimeScale {
  return { ...s, width: Math.max(1, width) };
}

/** A tick step of 1, 2 or 5 times a power of ten ns, about `px` pixels apart. */
export function tickStep(s: TimeScale, px = 100): number {
  const raw = nsPerPx(s) * px;
  const pow = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

/** The tick times in view, at multiples of `step`. */
export function ticks(s: TimeScale, step = tickStep(s)): number[] {
  const out: number[] = [];
  for (let t = Math.ceil(s.from / step) * step; t <= s.to; t += step) out.push(t);
  return out;
}

/**
 * A time or duration in the unit that suits it: "850 ns", "12.5 µs", "3.2 ms",
 * "1.25 s". With `step` (a tick step), as many decimals as tell ticks `step`
 * apart; without, three significant digits.
 */
export function timeWords(ns: number, step?: number): string {
  const abs = Math.abs(ns);
  const [unit, size] =
    abs >= 1e9 ? ['s', 1e9] : abs >= 1e6 ? ['ms', 1e6] : abs >= 1e3 ? ['µs', 1e3] : ['ns', 1];
  const v = ns / size;
  let digits: number;
  if (step !== undefined && step > 0) digits = -Math.floor(Math.log10(step / size));
  else digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  digits = Math.max(0, Math.min(3, digits));
  if (unit === 'ns') digits = 0;
  return `${Number(v.toFixed(digits)).toLocaleString('en', { maximumFractionDigits: 3 })} ${unit}`;
}
