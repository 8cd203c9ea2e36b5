/**
 * A small chart of how many goroutines were running, runnable, waiting and
 * in a system call over the run (stacked), with the picture's moment marked.
 * A click seeks there.
 */
import type { StateCounts } from '@go-slowmo/kernel-bridge/protocol';
import { FONT_FAMILY, type Palette } from '../picture/palette';
import { timeWords } from './scale';

export const CHART_H = 84;
const AXIS_W = 34;

export type ChartState = 'running' | 'runnable' | 'waiting' | 'syscall';
export const CHART_STATES: readonly ChartState[] = ['running', 'runnable', 'syscall', 'waiting'];

/** The colour of each state in the chart (and its key). */
export function stateColors(p: Palette): Record<ChartState, string> {
  return {
    running: p.runSlot.stroke,
    runnable: p.arrow.wake.stroke,
    syscall: p.timeline.syscall.stroke,
    waiting: p.timeline.waiting.stroke,
  };
}

/** The largest stack of the chart (its y scale), at least 1. */
export function peak(counts: StateCounts): number {
  let max = 1;
  for (const b of counts.buckets) {
    max = Math.max(max, b.running + b.runnable + b.waiting + b.syscall);
  }
  return max;
}

/** Draws the chart into `ctx` (CSS px, already scaled for the device). */
export function drawChart(
  ctx: CanvasRenderingContext2D,
  counts: StateCounts,
  end: number,
  width: number,
  palette: Palette,
  cursor: number | null,
): void {
  ctx.fillStyle = palette.background;
  ctx.fillRect(0, 0, width, CHART_H);
  const w = width - AXIS_W;
  const h = CHART_H - 16;
  const top = peak(counts);
  const colors = stateColors(palette);
  const n = counts.buckets.length;
  const x = (k: number) => AXIS_W + (k / n) * w;
  counts.buckets.forEach((b, k) => {
    let y = h;
    for (const s of CHART_STATES) {
      const v = b[s];
      if (v === 0) continue;
      const bh = (v / top) * (h - 4);
      ctx.fillStyle = colors[s];
      ctx.fillRect(x(k), y - bh, Math.max(1, x(k + 1) - x(k) - 0.5), bh);
      y -= bh;
    }
  });
  ctx.font = `11px ${FONT_FAMILY}`;
  ctx.fillStyle = palette.muted;
  ctx.textBaseline = 'top';
  ctx.fillText(String(top), 4, 2);
  ctx.textBaseline = 'bottom';
  ctx.fillText('0', 4, h);
  ctx.fillText(counts.start === 0 ? '0' : timeWords(counts.start), AXIS_W, CHART_H);
  const last = timeWords(end);
  ctx.fillText(last, width - ctx.measureText(last).width - 2, CHART_H);
  if (cursor !== null && end > counts.start) {
    const cx = Math.round(AXIS_W + ((cursor - counts.start) / (end - counts.start)) * w) + 0.5;
    ctx.strokeStyle = palette.timeline.cursor;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(cx, 0);
    ctx.lineTo(cx, h);
    ctx.stroke();
  }
}

/** The time at pixel x of a chart `width` wide over [start, end]. */
export function chartTime(x: number, width: number, start: number, end: number): number {
  const t = start + ((x - AXIS_W) / (width - AXIS_W)) * (end - start);
  return Math.max(start, Math.min(end, t));
}
