/**
 * The timeline's rows, top to bottom: the GC track, one lane per P, then on
 * demand one per M and one per goroutine (the selected goroutine first),
 * each section under a caption. Pure: rows are rebuilt when the lanes or
 * the choices change, and the view finds the row under the pointer by
 * binary search on y.
 */
import {
  functionName,
  isRuntimeFunction,
  type GoroutineLane,
  type LaneSlice,
  type Lanes,
} from '@go-slowmo/kernel-bridge/protocol';

export type RowKind = 'caption' | 'gc' | 'p' | 'm' | 'g';

export interface Row {
  readonly kind: RowKind;
  /** P, M or goroutine id; 0 for the GC track and captions. */
  readonly id: number;
  /** Top and height, CSS px from the top of the lanes (under the ruler). */
  readonly y: number;
  readonly h: number;
  /** What the gutter says: "P0", "M3", "g7 worker", a caption. */
  readonly label: string;
  readonly slices: readonly LaneSlice[];
}

export const ROW_H: Record<RowKind, number> = { caption: 20, gc: 18, p: 24, m: 20, g: 20 };
/** The time axis over the lanes, always in view. */
export const RULER_H = 24;
/** The names' column on the left. */
export const GUTTER = 132;
/** The tallest the lanes get before they scroll. */
export const MAX_VIEW_H = 440;

export interface LayoutOptions {
  /** One lane per M. */
  ms: boolean;
  /** One lane per goroutine. */
  goroutines: boolean;
  /** Include the runtime's own goroutines in those lanes. */
  runtime: boolean;
  /** A goroutine whose lane comes first (shown even when the goroutine lanes are off); 0 for none. */
  selected: number;
}

export interface Layout {
  readonly rows: readonly Row[];
  /** All rows' height. */
  readonly height: number;
}

/** Whether a goroutine is the runtime's own (g1 runs main; an unseen creation is the runtime's). */
export function isRuntimeLane(g: GoroutineLane): boolean {
  return g.goid !== 1 && isRuntimeFunction(g.fn);
}

/** "g7 worker". */
export function laneName(g: GoroutineLane | undefined, goid: number): string {
  if (goid === 1) return 'g1 main';
  return `g${goid} ${g && g.fn ? functionName(g.fn) : 'runtime'}`;
}

export function layoutRows(lanes: Lanes, opts: LayoutOptions): Layout {
  const rows: Row[] = [];
  let y = 0;
  const add = (kind: RowKind, id: number, label: string, slices: readonly LaneSlice[]) => {
    rows.push({ kind, id, y, h: ROW_H[kind], label, slices });
    y += ROW_H[kind];
  };
  add('gc', 0, 'GC', lanes.gc);
  for (const p of lanes.procs) add('p', p.p, `P${p.p}`, p.slices);
  if (opts.ms && lanes.ms.length > 0) {
    add('caption', 0, 'Threads (Ms)', []);
    const ms = [...lanes.ms].sort((a, b) => a.m - b.m);
    for (const m of ms) add('m', m.m, `M${m.m}`, m.slices);
  }
  const selected = opts.selected > 0 ? lanes.byGoid.get(opts.selected) : undefined;
  const gs = opts.goroutines
    ? lanes.goroutines.filter((g) => g !== selected && (opts.runtime || !isRuntimeLane(g)))
    : [];
  if (selected !== undefined || gs.length > 0) {
    add('caption', 0, opts.goroutines ? 'Goroutines' : 'Selected goroutine', []);
    if (selected !== undefined)
      add('g', selected.goid, laneName(selected, selected.goid), selected.slices);
    for (const g of gs) add('g', g.goid, laneName(g, g.goid), g.slices);
  }
  return { rows, height: y };
}

/** The index of the row at `y` (px from the top of the lanes), or -1. */
export function rowAt(rows: readonly Row[], y: number): number {
  let lo = 0;
  let hi = rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const r = rows[mid] as Row;
    if (y < r.y) hi = mid - 1;
    else if (y >= r.y + r.h) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** The rows from index `first` up to (not including) `last` that lie in [top, top + height). */
export function rowsInView(rows: readonly Row[], top: number, height: number): [number, number] {
  let first = rowAt(rows, Math.max(0, top));
  if (first < 0) first = top <= 0 ? 0 : rows.length;
  let last = first;
  while (last < rows.length && (rows[last] as Row).y < top + height) last++;
  return [first, last];
}
