/**
 * One frame of the timeline on a 2D canvas: the rows in view with their
 * culled and merged slices, the GC and stop-the-world bands over the Ps,
 * steal and wake-up arrows, the selected goroutine outlined, the cursor,
 * and the time ruler on top. Nothing here keeps state between frames but
 * the caches it is given.
 */
import type { LaneArrow, LaneSlice, Lanes } from '@go-slowmo/kernel-bridge/protocol';
import { FONT_FAMILY } from '../picture/palette';
import { cullLane, MIXED, type Run } from './cull';
import type { Segment } from './hit';
import { laneName, RULER_H, rowsInView, type Layout, type Row } from './layout';
import { keyOf, type Paints } from './paint';
import { tickStep, ticks, timeWords, xOf, type TimeScale } from './scale';

export interface FrameInput {
  readonly lanes: Lanes;
  readonly layout: Layout;
  /** The lanes' time span and width (the canvas minus the gutter). */
  readonly scale: TimeScale;
  /** Canvas size in CSS px. */
  readonly width: number;
  readonly height: number;
  /** Width of the names on the left. */
  readonly gutter: number;
  /** How far the rows are scrolled (px). */
  readonly scrollTop: number;
  readonly paints: Paints;
  /** The picture's current time (ns), null for none. */
  readonly cursor: number | null;
  /** The selected goroutine, 0 for none. */
  readonly selected: number;
  readonly arrows: boolean;
}

/** An arrow drawn, for hit testing. */
export interface DrawnArrow extends Segment {
  readonly arrow: LaneArrow;
}

export interface FrameOutput {
  /** Rectangles filled for slices (the benchmark reports it). */
  rects: number;
  arrows: DrawnArrow[];
}

const LABEL_FONT = `12px ${FONT_FAMILY}`;
const SLICE_FONT = `11px ${FONT_FAMILY}`;
const CAPTION_FONT = `600 12px ${FONT_FAMILY}`;

/** Text widths, measured once per string and font. */
const widths = new Map<string, number>();
function textWidth(ctx: CanvasRenderingContext2D, font: string, text: string): number {
  const key = `${font}|${text}`;
  let w = widths.get(key);
  if (w === undefined) {
    ctx.font = font;
    w = ctx.measureText(text).width;
    if (widths.size > 20_000) widths.clear();
    widths.set(key, w);
  }
  return w;
}

/** The y of a row's top on the canvas. */
function rowTop(f: FrameInput, row: Row): number {
  return RULER_H + row.y - f.scrollTop;
}

/** A whole frame: the scene, then the cursor over it. */
export function drawFrame(ctx: CanvasRenderingContext2D, f: FrameInput): FrameOutput {
  const out = drawScene(ctx, f);
  drawCursorLayer(ctx, f);
  return out;
}

/**
 * Everything but the cursor. While only the cursor moves (a recording
 * replayed, stepped, scrubbed) the view keeps this as a picture and draws
 * only the cursor over it.
 */
export function drawScene(ctx: CanvasRenderingContext2D, f: FrameInput): FrameOutput {
  const out: FrameOutput = { rects: 0, arrows: [] };
  const p = f.paints.palette;
  ctx.fillStyle = p.background;
  ctx.fillRect(0, 0, f.width, f.height);
  const [first, last] = rowsInView(f.layout.rows, f.scrollTop, f.height - RULER_H);
  ctx.save();
  ctx.beginPath();
  ctx.rect(f.gutter, RULER_H, f.width - f.gutter, f.height - RULER_H);
  ctx.clip();
  ctx.translate(f.gutter, 0);
  for (let i = first; i < last; i++) out.rects += drawRow(ctx, f, f.layout.rows[i] as Row);
  drawBands(ctx, f, first, last);
  if (f.selected > 0) outlineSelected(ctx, f, first, last);
  if (f.arrows) out.arrows = drawArrows(ctx, f, first, last);
  ctx.restore();
  drawGutter(ctx, f, first, last);
  drawRuler(ctx, f);
  return out;
}

/** One row: its lane, then its runs. Returns how many rectangles it filled. */
function drawRow(ctx: CanvasRenderingContext2D, f: FrameInput, row: Row): number {
  const top = rowTop(f, row);
  const p = f.paints.palette;
  if (row.kind === 'caption') return 0;
  ctx.fillStyle = p.lane.fill;
  ctx.fillRect(0, top + 1, f.scale.width, row.h - 2);
  const pad = row.kind === 'gc' ? 3 : 2;
  let n = drawRuns(ctx, f, row, row.slices, top + pad, row.h - 2 * pad);
  if (row.kind === 'gc') n += drawRuns(ctx, f, row, f.lanes.stw, top + pad, row.h - 2 * pad);
  return n;
}

function drawRuns(
  ctx: CanvasRenderingContext2D,
  f: FrameInput,
  row: Row,
  slices: readonly LaneSlice[],
  y: number,
  h: number,
): number {
  const runs = cullLane(slices, f.scale, (s) => keyOf(row.kind, s));
  let alpha = 1;
  for (const r of runs) {
    const paint = f.paints.of(r.key);
    if (paint.alpha !== alpha) ctx.globalAlpha = alpha = paint.alpha;
    ctx.fillStyle = paint.fill;
    ctx.fillRect(r.x0, y, r.x1 - r.x0, h);
  }
  ctx.globalAlpha = 1;
  if (h >= 14) labelRuns(ctx, f, row, slices, runs, y, h);
  return runs.length;
}

/** Words inside runs wide enough for them: who runs, why one waits. */
function labelRuns(
  ctx: CanvasRenderingContext2D,
  f: FrameInput,
  row: Row,
  slices: readonly LaneSlice[],
  runs: readonly Run[],
  y: number,
  h: number,
): void {
  ctx.font = SLICE_FONT;
  ctx.textBaseline = 'middle';
  for (const r of runs) {
    const w = Math.min(r.x1, f.scale.width) - Math.max(r.x0, 0);
    if (w < 28 || r.key === MIXED || r.first !== r.last) continue;
    const text = sliceLabel(row, slices[r.first] as LaneSlice, f);
    if (text === '') continue;
    const tw = textWidth(ctx, SLICE_FONT, text);
    if (tw + 8 > w) continue;
    const paint = f.paints.of(r.key);
    ctx.fillStyle = paint.alpha < 1 ? f.paints.palette.ink : paint.ink;
    ctx.fillText(text, Math.max(r.x0, 0) + 4, y + h / 2 + 0.5);
  }
}

function sliceLabel(row: Row, s: LaneSlice, f: FrameInput): string {
  if (row.kind === 'gc') return s.kind === 'stw' ? 'stop the world' : s.kind;
  if (s.kind === 'waiting') return s.reason ?? 'waiting';
  if (s.kind === 'syscall') return 'syscall';
  if (s.kind === 'spinning') return 'spinning';
  if (s.kind === 'gcstop') return 'GC';
  if (s.kind === 'runnable') return 'runnable';
  if (s.goid > 0 && row.kind !== 'g') {
    const name = laneName(f.lanes.byGoid.get(s.goid), s.goid);
    return row.kind === 'm' && s.p >= 0 ? `P${s.p} · ${name}` : name;
  }
  if (row.kind === 'g' && s.kind === 'running') return s.p >= 0 ? `P${s.p}` : 'running';
  return '';
}

/** GC phases and stop-the-world stretches, washed over the P lanes. */
function drawBands(
  ctx: CanvasRenderingContext2D,
  f: FrameInput,
  first: number,
  last: number,
): void {
  const rows = f.layout.rows.slice(first, last).filter((r) => r.kind === 'p');
  if (rows.length === 0) return;
  const top = rowTop(f, rows[0] as Row);
  const bottom = rowTop(f, rows[rows.length - 1] as Row) + (rows[rows.length - 1] as Row).h;
  const t = f.paints.palette.timeline;
  ctx.globalAlpha = t.bandOpacity;
  for (const [slices, color] of [
    [f.lanes.gc, t.gcBand],
    [f.lanes.stw, t.stwBand],
  ] as const) {
    ctx.fillStyle = color;
    for (const r of cullLane(slices, f.scale, () => 'band')) {
      ctx.fillRect(r.x0, top, r.x1 - r.x0, bottom - top);
    }
  }
  ctx.globalAlpha = 1;
}

/** The selected goroutine's slices, outlined on every lane in view. */
function outlineSelected(
  ctx: CanvasRenderingContext2D,
  f: FrameInput,
  first: number,
  last: number,
): void {
  const goid = f.selected;
  ctx.strokeStyle = f.paints.palette.timeline.selected;
  ctx.lineWidth = 2;
  for (let i = first; i < last; i++) {
    const row = f.layout.rows[i] as Row;
    if (row.kind !== 'p' && row.kind !== 'm') continue;
    const runs = cullLane(row.slices, f.scale, (s) =>
      s.goid === goid && (s.kind === 'running' || s.kind === 'syscall') ? 'sel' : null,
    );
    const top = rowTop(f, row);
    for (const r of runs)
      ctx.strokeRect(r.x0 + 1, top + 2, Math.max(1, r.x1 - r.x0 - 2), row.h - 4);
  }
}

/** The row a P or goroutine is drawn in, by kind and id, among rows in view. */
function findRow(
  f: FrameInput,
  kind: Row['kind'],
  id: number,
  first: number,
  last: number,
): Row | undefined {
  for (let i = first; i < last; i++) {
    const r = f.layout.rows[i] as Row;
    if (r.kind === kind && r.id === id) return r;
  }
  return undefined;
}

/** Steals between P lanes; wake-ups between goroutine lanes when shown, else between P lanes. */
function drawArrows(
  ctx: CanvasRenderingContext2D,
  f: FrameInput,
  first: number,
  last: number,
): DrawnArrow[] {
  const arrows = f.lanes.arrows;
  const drawn: DrawnArrow[] = [];
  const pal = f.paints.palette.arrow;
  let lastX = { steal: -Infinity, wake: -Infinity };
  for (let i = firstAt(arrows, f.scale.from); i < arrows.length; i++) {
    const a = arrows[i] as LaneArrow;
    if (a.t > f.scale.to) break;
    const x = xOf(f.scale, a.t);
    // One arrow of a kind per few pixels: more would be a smear.
    if (x - lastX[a.kind] < 4) continue;
    const ends = arrowEnds(f, a, first, last);
    if (ends === null) continue;
    lastX = { ...lastX, [a.kind]: x };
    const seg = { x0: x, y0: ends[0], x1: x + 6, y1: ends[1] };
    arrowLine(ctx, seg, pal[a.kind].stroke);
    drawn.push({ ...seg, x0: seg.x0 + f.gutter, x1: seg.x1 + f.gutter, arrow: a });
    if (drawn.length > 2000) break;
  }
  return drawn;
}

function firstAt(arrows: readonly LaneArrow[], t: number): number {
  let lo = 0;
  let hi = arrows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((arrows[mid] as LaneArrow).t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The y where an arrow leaves and where it arrives, or null when either lane is not in view. */
function arrowEnds(
  f: FrameInput,
  a: LaneArrow,
  first: number,
  last: number,
): [number, number] | null {
  let from: Row | undefined;
  let to: Row | undefined;
  if (a.kind === 'wake') {
    from = findRow(f, 'g', a.fromG, first, last);
    to = findRow(f, 'g', a.toG, first, last);
  }
  if (from === undefined || to === undefined) {
    if (a.fromP < 0 || a.toP < 0 || a.fromP === a.toP) return null;
    from = findRow(f, 'p', a.fromP, first, last);
    to = findRow(f, 'p', a.toP, first, last);
  }
  if (from === undefined || to === undefined) return null;
  const mid = (r: Row) => rowTop(f, r) + r.h / 2;
  return [mid(from), mid(to)];
}

function arrowLine(ctx: CanvasRenderingContext2D, s: Segment, color: string): void {
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(s.x0, s.y0);
  ctx.lineTo(s.x1, s.y1);
  ctx.stroke();
  const angle = Math.atan2(s.y1 - s.y0, s.x1 - s.x0);
  ctx.beginPath();
  ctx.moveTo(s.x1, s.y1);
  ctx.lineTo(s.x1 - 6 * Math.cos(angle - 0.45), s.y1 - 6 * Math.sin(angle - 0.45));
  ctx.lineTo(s.x1 - 6 * Math.cos(angle + 0.45), s.y1 - 6 * Math.sin(angle + 0.45));
  ctx.closePath();
  ctx.fill();
}

/** The cursor across the lanes, and its time on the ruler. */
export function drawCursorLayer(ctx: CanvasRenderingContext2D, f: FrameInput): void {
  if (f.cursor === null) return;
  ctx.save();
  ctx.beginPath();
  ctx.rect(f.gutter, 0, f.width - f.gutter, f.height);
  ctx.clip();
  ctx.font = LABEL_FONT;
  ctx.textBaseline = 'middle';
  drawCursorTag(ctx, f);
  ctx.translate(f.gutter, 0);
  drawCursor(ctx, f, RULER_H, f.height);
  ctx.restore();
}

function drawCursor(
  ctx: CanvasRenderingContext2D,
  f: FrameInput,
  top: number,
  bottom: number,
): void {
  if (f.cursor === null) return;
  const x = Math.round(xOf(f.scale, f.cursor)) + 0.5;
  if (x < -2 || x > f.scale.width + 2) return;
  ctx.strokeStyle = f.paints.palette.timeline.cursor;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(x, top);
  ctx.lineTo(x, bottom);
  ctx.stroke();
}

/** Names on the left, captions across. */
function drawGutter(
  ctx: CanvasRenderingContext2D,
  f: FrameInput,
  first: number,
  last: number,
): void {
  const p = f.paints.palette;
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, RULER_H, f.width, f.height - RULER_H);
  ctx.clip();
  ctx.fillStyle = p.background;
  ctx.fillRect(0, RULER_H, f.gutter, f.height - RULER_H);
  ctx.textBaseline = 'middle';
  for (let i = first; i < last; i++) {
    const row = f.layout.rows[i] as Row;
    const y = rowTop(f, row) + row.h / 2 + 0.5;
    ctx.font = row.kind === 'caption' ? CAPTION_FONT : LABEL_FONT;
    ctx.fillStyle = row.kind === 'caption' || row.kind === 'gc' ? p.muted : p.ink;
    // A caption runs across its empty row; a lane's name fits the gutter.
    const room = row.kind === 'caption' ? f.width - 12 : f.gutter - 12;
    ctx.fillText(fitText(ctx, row.label, room), 6, y);
  }
  ctx.strokeStyle = p.lane.stroke;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(f.gutter - 0.5, RULER_H);
  ctx.lineTo(f.gutter - 0.5, f.height);
  ctx.stroke();
  ctx.restore();
}

function fitText(ctx: CanvasRenderingContext2D, text: string, max: number): string {
  if (ctx.measureText(text).width <= max) return text;
  let t = text;
  while (t.length > 1 && ctx.measureText(`${t}…`).width > max) t = t.slice(0, -1);
  return `${t}…`;
}

/** The time axis, with the cursor's time on it. */
function drawRuler(ctx: CanvasRenderingContext2D, f: FrameInput): void {
  const p = f.paints.palette;
  ctx.fillStyle = p.background;
  ctx.fillRect(0, 0, f.width, RULER_H);
  ctx.strokeStyle = p.lane.stroke;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, RULER_H - 0.5);
  ctx.lineTo(f.width, RULER_H - 0.5);
  ctx.stroke();
  ctx.font = LABEL_FONT;
  ctx.textBaseline = 'middle';
  ctx.fillStyle = p.muted;
  ctx.fillText('time', 6, RULER_H / 2);
  const step = tickStep(f.scale, 110);
  ctx.save();
  ctx.beginPath();
  ctx.rect(f.gutter, 0, f.width - f.gutter, RULER_H);
  ctx.clip();
  for (const t of ticks(f.scale, step)) {
    const x = Math.round(f.gutter + xOf(f.scale, t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, RULER_H - 6);
    ctx.lineTo(x, RULER_H);
    ctx.stroke();
    ctx.fillText(t === 0 ? '0' : timeWords(t, step), x + 3, RULER_H / 2 - 1);
  }
  ctx.restore();
}

function drawCursorTag(ctx: CanvasRenderingContext2D, f: FrameInput): void {
  if (f.cursor === null) return;
  const x = f.gutter + xOf(f.scale, f.cursor);
  if (x < f.gutter - 2 || x > f.width + 2) return;
  const p = f.paints.palette;
  const text = timeWords(f.cursor);
  const w = textWidth(ctx, LABEL_FONT, text) + 10;
  const left = Math.min(Math.max(x - w / 2, f.gutter), f.width - w);
  ctx.fillStyle = p.timeline.cursor;
  ctx.fillRect(left, 2, w, RULER_H - 6);
  ctx.fillStyle = p.background;
  ctx.fillText(text, left + 5, RULER_H / 2 - 1);
}
