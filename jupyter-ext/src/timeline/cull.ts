/**
 * What of one lane is drawn in a frame: only the slices in view, found by
 * binary search on time, and slices narrower than a pixel or two merged
 * into one run per pixel column, so a frame draws at most about one
 * rectangle per pixel of width however many slices the lane holds.
 *
 * Slices of one lane never overlap and come in time order, so their ends
 * are in order too: that is what the binary searches rely on.
 */
import { xOf, type TimeScale } from './scale';

export interface Span {
  /** ns since the run started. */
  readonly start: number;
  readonly end: number;
}

/** The key of a run made of slices with different keys ("many short slices here"). */
export const MIXED = '*';

/** One rectangle to draw: slices first..last of the lane, from x0 to x1 (CSS px). */
export interface Run {
  x0: number;
  x1: number;
  /** What colours it: the slices' key, or MIXED. */
  key: string;
  first: number;
  last: number;
}

/** Below this width (px) a slice is merged with its neighbours in the same pixels. */
export const NARROW_PX = 2;

/** The index of the first slice ending at or after `t` (slices.length if none). */
export function firstEndingFrom(slices: readonly Span[], t: number): number {
  let lo = 0;
  let hi = slices.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((slices[mid] as Span).end < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The index of the first slice starting after `t` (slices.length if none). */
export function firstStartingAfter(slices: readonly Span[], t: number): number {
  let lo = 0;
  let hi = slices.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((slices[mid] as Span).start <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The runs to draw for one lane. `keyOf` names what colours a slice (null:
 * not drawn, e.g. an idle gap). A slice is at least one pixel wide; narrow
 * slices that touch are merged, and a run of different keys is MIXED.
 */
export function cullLane<S extends Span>(
  slices: readonly S[],
  scale: TimeScale,
  keyOf: (s: S) => string | null,
): Run[] {
  const out: Run[] = [];
  const end = firstStartingAfter(slices, scale.to);
  let cur: Run | null = null;
  let curNarrow = false;
  for (let i = firstEndingFrom(slices, scale.from); i < end; i++) {
    const s = slices[i] as S;
    const key = keyOf(s);
    if (key === null) continue;
    const x0 = Math.max(-1, xOf(scale, s.start));
    const x1 = Math.min(scale.width + 1, xOf(scale, s.end));
    const narrow = x1 - x0 < NARROW_PX;
    if (cur !== null && curNarrow && narrow && x0 <= cur.x1 + 0.5) {
      // Too narrow to see, touching more of the same: one run (a wide neighbour keeps its own).
      cur.x1 = Math.max(cur.x1, x1, cur.x0 + 1);
      if (cur.key !== key) cur.key = MIXED;
      cur.last = i;
      curNarrow = cur.x1 - cur.x0 < NARROW_PX;
      continue;
    }
    if (cur !== null) out.push(cur);
    cur = { x0, x1: Math.max(x1, x0 + 1), key, first: i, last: i };
    curNarrow = narrow;
  }
  if (cur !== null) out.push(cur);
  return out;
}

/** How many slices lie (even partly) in [from, to]: first index and the index after the last. */
export function visibleRange(slices: readonly Span[], from: number, to: number): [number, number] {
  return [firstEndingFrom(slices, from), firstStartingAfter(slices, to)];
}
