/**
 * What is under the pointer: the slice of a lane at a time (binary search),
 * forgiving a few pixels around slices too narrow to aim at, and the arrow
 * nearest the pointer.
 */
import { firstEndingFrom, type Span } from './cull';

/**
 * The index of the slice at time `t`, or failing that the nearest one
 * within `tolerance` ns of it (-1 if none). Slices must be in time order and
 * not overlap.
 */
export function sliceAt(slices: readonly Span[], t: number, tolerance = 0): number {
  const i = firstEndingFrom(slices, t);
  const at = slices[i];
  if (at !== undefined && at.start <= t) return i;
  // Between slices i-1 (ended before t) and i (starts after t): the nearer, if near enough.
  const before = slices[i - 1];
  const gapBefore = before === undefined ? Infinity : t - before.end;
  const gapAfter = at === undefined ? Infinity : at.start - t;
  if (Math.min(gapBefore, gapAfter) > tolerance) return -1;
  return gapBefore <= gapAfter ? i - 1 : i;
}

/** A line from (x0, y0) to (x1, y1), in CSS px. */
export interface Segment {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** Distance from point (x, y) to a segment. */
export function distanceToSegment(s: Segment, x: number, y: number): number {
  const dx = s.x1 - s.x0;
  const dy = s.y1 - s.y0;
  const len2 = dx * dx + dy * dy;
  const k = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - s.x0) * dx + (y - s.y0) * dy) / len2));
  return Math.hypot(x - (s.x0 + k * dx), y - (s.y0 + k * dy));
}

/** The index of the segment nearest (x, y) within `tolerance` px, or -1. */
export function nearestSegment(
  segments: readonly Segment[],
  x: number,
  y: number,
  tolerance = 4,
): number {
  let best = -1;
  let bestD = tolerance;
  segments.forEach((s, i) => {
    const d = distanceToSegment(s, x, y);
    if (d <= bestD) {
      best = i;
      bestD = d;
    }
  });
  return best;
}
