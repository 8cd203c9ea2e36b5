/**
 * The GC lens's heap plot: the live objects the lens follows over the run's time, each GC
 * cycle's marking as a band, and a line at the picture's moment. SVG, as small as a sparkline.
 */
import type { Palette } from '../picture/palette';
import type { HeapGraph } from './graph';

const NS = 'http://www.w3.org/2000/svg';
export const PLOT = { w: 600, h: 56, pad: 4 };

function node<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** The points of the live-objects line, as a step line, in the plot's coordinates. */
export function livePoints(graph: HeapGraph, end: number): string {
  const live = graph.live;
  if (live.length === 0 || end <= 0) return '';
  const max = Math.max(1, ...live.map((p) => p.n));
  const x = (t: number) => PLOT.pad + (t / end) * (PLOT.w - 2 * PLOT.pad);
  const y = (n: number) => PLOT.h - PLOT.pad - (n / max) * (PLOT.h - 2 * PLOT.pad);
  const pts: string[] = [];
  let last = 0;
  for (const p of live) {
    pts.push(
      `${x(p.t).toFixed(1)},${y(last).toFixed(1)}`,
      `${x(p.t).toFixed(1)},${y(p.n).toFixed(1)}`,
    );
    last = p.n;
  }
  pts.push(`${x(end).toFixed(1)},${y(last).toFixed(1)}`);
  return pts.join(' ');
}

/** Moves the plot's cursor to time `t` (the plot drawn for a run that reached `end`). */
export function moveCursor(svg: SVGSVGElement, end: number, t: number): void {
  const x = PLOT.pad + (end > 0 ? t / end : 0) * (PLOT.w - 2 * PLOT.pad);
  const line = svg.querySelector('.jp-slowmo-gc-plot-cursor');
  line?.setAttribute('x1', String(x));
  line?.setAttribute('x2', String(x));
}

/** The plot for a run that has reached time `end`, with the cursor at `t`. */
export function heapPlot(graph: HeapGraph, end: number, t: number, p: Palette): SVGSVGElement {
  const svg = node('svg', {
    viewBox: `0 0 ${PLOT.w} ${PLOT.h}`,
    preserveAspectRatio: 'none',
    class: 'jp-slowmo-gc-plot',
    role: 'img',
  });
  const x = (v: number) => PLOT.pad + (end > 0 ? v / end : 0) * (PLOT.w - 2 * PLOT.pad);
  for (const c of graph.cycles) {
    const to = c.endT ?? end;
    svg.append(
      node('rect', {
        x: x(c.t),
        y: 0,
        width: Math.max(2, x(to) - x(c.t)),
        height: PLOT.h,
        fill: p.timeline.gcBand,
        opacity: p.timeline.bandOpacity * 1.5,
      }),
    );
  }
  const line = livePoints(graph, end);
  if (line)
    svg.append(
      node('polyline', {
        points: line,
        fill: 'none',
        stroke: p.ink,
        'stroke-width': 1.5,
        'vector-effect': 'non-scaling-stroke',
      }),
    );
  svg.append(
    node('line', {
      x1: x(t),
      x2: x(t),
      y1: 0,
      y2: PLOT.h,
      stroke: p.timeline.cursor,
      'stroke-width': 1.5,
      'vector-effect': 'non-scaling-stroke',
      class: 'jp-slowmo-gc-plot-cursor',
    }),
  );
  const n = graph.cycles.length;
  const title = node('title', {});
  title.textContent = `Live objects the lens follows over the run; ${n} GC cycle${n === 1 ? '' : 's'} marked (bands: marking); the line is the picture's moment`;
  svg.append(title);
  return svg;
}
