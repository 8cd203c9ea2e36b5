/**
 * The GC lens's heap plot: the live objects the lens follows over the run's time (or, when the
 * tracer sampled them, heap.size, the heap's bytes live and its goal), each GC cycle's marking as
 * a band, the heap dumps of a lens reconstructed from them as ticks, and a line at the
 * picture's moment. SVG, as small as a sparkline.
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

/** The bytes-live and goal lines (heap.size), as step lines on one scale, in the plot's coordinates. */
export function sizePoints(graph: HeapGraph, end: number): { live: string; goal: string } {
  const sizes = graph.sizes;
  if (sizes.length === 0 || end <= 0) return { live: '', goal: '' };
  const max = Math.max(1, ...sizes.map((s) => Math.max(s.live, s.goal)));
  const x = (t: number) => (PLOT.pad + (t / end) * (PLOT.w - 2 * PLOT.pad)).toFixed(1);
  const y = (n: number) => (PLOT.h - PLOT.pad - (n / max) * (PLOT.h - 2 * PLOT.pad)).toFixed(1);
  const step = (v: (s: (typeof sizes)[number]) => number) => {
    const pts: string[] = [];
    let last: number | null = null;
    for (const s of sizes) {
      if (last !== null) pts.push(`${x(s.t)},${y(last)}`);
      pts.push(`${x(s.t)},${y(v(s))}`);
      last = v(s);
    }
    pts.push(`${x(end)},${y(last ?? 0)}`);
    return pts.join(' ');
  };
  return { live: step((s) => s.live), goal: step((s) => s.goal) };
}

/** Moves the plot's cursor to time `t` (the plot drawn for a run that reached `end`). */
export function moveCursor(svg: SVGSVGElement, end: number, t: number): void {
  const x = PLOT.pad + (end > 0 ? t / end : 0) * (PLOT.w - 2 * PLOT.pad);
  const line = svg.querySelector('.jp-slowmo-gc-plot-cursor');
  line?.setAttribute('x1', String(x));
  line?.setAttribute('x2', String(x));
}

/** The plot for a run that has reached time `end`, with the cursor at `t`. */
export function heapPlot(
  graph: HeapGraph,
  end: number,
  t: number,
  p: Palette,
  reconstructed = false,
): SVGSVGElement {
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
  const sizes = sizePoints(graph, end);
  const line = sizes.live ? sizes.live : livePoints(graph, end);
  const stroke = { fill: 'none', 'stroke-width': 1.5, 'vector-effect': 'non-scaling-stroke' };
  if (sizes.goal)
    svg.append(
      node('polyline', {
        points: sizes.goal,
        ...stroke,
        stroke: p.timeline.cursor,
        'stroke-dasharray': '4 3',
        class: 'jp-slowmo-gc-plot-goal',
      }),
    );
  if (line)
    svg.append(
      node('polyline', {
        points: line,
        ...stroke,
        stroke: p.ink,
        class: sizes.live ? 'jp-slowmo-gc-plot-bytes' : 'jp-slowmo-gc-plot-live',
      }),
    );
  for (const d of graph.dumps)
    svg.append(
      node('path', {
        d: `M${x(d.t) - 3},0 L${x(d.t) + 3},0 L${x(d.t)},6 Z`,
        fill: p.ink,
        class: 'jp-slowmo-gc-plot-dump',
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
  const what = sizes.live
    ? `The heap's bytes live (solid) and its goal (dashed) as the tracer sampled them`
    : 'Live objects the lens follows over the run';
  const dumps = reconstructed ? `; ${graph.dumps.length} heap dumps (ticks at the top)` : '';
  title.textContent = `${what}; ${n} GC cycle${n === 1 ? '' : 's'} marked (bands: marking)${dumps}; the line is the picture's moment`;
  svg.append(title);
  return svg;
}
