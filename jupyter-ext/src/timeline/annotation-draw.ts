/**
 * The program's regions and logs over the goroutine lanes: a region is a
 * thin band along the bottom of its goroutine's lane, nested regions
 * stacked above it by depth; a log is a small diamond along the top. What
 * was drawn is returned with its words, for the tooltip and a click.
 */
import type { LogMark, RegionBand, UserAnnotations } from './annotations';
import type { FrameInput } from './draw';
import { RULER_H, type Row } from './layout';
import { timeWords, xOf } from './scale';

/** A band or mark drawn, in canvas CSS px (the gutter included). */
export interface DrawnMark {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
  /** The event a click seeks to: the region's begin, the log itself. */
  readonly seq: number;
  readonly text: string;
}

const BAND_H = 3;
/** Depths drawn apart; deeper regions share the last stripe (a lane is 20 px tall). */
const MAX_STRIPES = 4;
const MARK_R = 3.5;

export const ANNOTATION_COLORS = {
  light: { region: '#862e9c', log: '#e8590c' },
  dark: { region: '#e599f7', log: '#ffa94d' },
} as const;

function taskWords(tasks: ReadonlyMap<number, string>, task: number): string {
  if (task === 0) return '';
  const name = tasks.get(task);
  return name ? ` in task ${task} "${name}"` : ` in task ${task}`;
}

export function regionWords(r: RegionBand, tasks: ReadonlyMap<number, string>): string {
  const nested = r.depth > 0 ? `, nested ${r.depth} deep` : '';
  const how = r.open ? `open since ${timeWords(r.start)}` : `for ${timeWords(r.end - r.start)}`;
  return `region "${r.name}" of g${r.goid}${taskWords(tasks, r.task)}${nested}: ${how} (from ${timeWords(r.start)})`;
}

export function logWords(l: LogMark, tasks: ReadonlyMap<number, string>): string {
  const category = l.category ? `[${l.category}] ` : '';
  return `g${l.goid} logged ${category}"${l.message}"${taskWords(tasks, l.task)} at ${timeWords(l.t)}`;
}

/** Draws the annotations of the goroutine rows in view (first..last) and says what is where. */
export function drawAnnotations(
  ctx: CanvasRenderingContext2D,
  f: FrameInput,
  ann: UserAnnotations,
  first: number,
  last: number,
): DrawnMark[] {
  const drawn: DrawnMark[] = [];
  if (ann.count === 0) return drawn;
  const colors = f.paints.palette.dark ? ANNOTATION_COLORS.dark : ANNOTATION_COLORS.light;
  ctx.save();
  ctx.beginPath();
  ctx.rect(f.gutter, RULER_H, f.width - f.gutter, f.height - RULER_H);
  ctx.clip();
  for (let i = first; i < last; i++) {
    const row = f.layout.rows[i] as Row;
    if (row.kind !== 'g') continue;
    const top = RULER_H + row.y - f.scrollTop;
    for (const r of ann.regions.get(row.id) ?? []) {
      if (r.end < f.scale.from || r.start > f.scale.to) continue;
      const x0 = f.gutter + Math.max(-2, xOf(f.scale, r.start));
      const x1 = f.gutter + Math.min(f.scale.width + 2, Math.max(xOf(f.scale, r.end), 0));
      const y = top + row.h - 1 - (Math.min(r.depth, MAX_STRIPES - 1) + 1) * BAND_H;
      ctx.fillStyle = colors.region;
      ctx.fillRect(x0, y, Math.max(2, x1 - x0), BAND_H - 0.5);
      drawn.push({
        x0,
        x1: Math.max(x0 + 2, x1),
        y0: y,
        y1: y + BAND_H,
        seq: r.startSeq,
        text: regionWords(r, ann.tasks),
      });
    }
    ctx.fillStyle = colors.log;
    for (const l of ann.logs.get(row.id) ?? []) {
      if (l.t < f.scale.from || l.t > f.scale.to) continue;
      const x = f.gutter + xOf(f.scale, l.t);
      const y = top + MARK_R + 1;
      ctx.beginPath();
      ctx.moveTo(x, y - MARK_R);
      ctx.lineTo(x + MARK_R, y);
      ctx.lineTo(x, y + MARK_R);
      ctx.lineTo(x - MARK_R, y);
      ctx.closePath();
      ctx.fill();
      drawn.push({
        x0: x - MARK_R,
        x1: x + MARK_R,
        y0: y - MARK_R,
        y1: y + MARK_R,
        seq: l.seq,
        text: logWords(l, ann.tasks),
      });
    }
  }
  ctx.restore();
  return drawn;
}

/** The mark under (x, y), forgiving `slop` px; logs (drawn last, smaller) win over bands. */
export function markAt(
  marks: readonly DrawnMark[],
  x: number,
  y: number,
  slop = 2,
): DrawnMark | null {
  for (let i = marks.length - 1; i >= 0; i--) {
    const m = marks[i] as DrawnMark;
    if (x >= m.x0 - slop && x <= m.x1 + slop && y >= m.y0 - slop && y <= m.y1 + slop) return m;
  }
  return null;
}
