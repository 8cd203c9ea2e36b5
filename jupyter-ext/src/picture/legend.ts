/**
 * legendNode(): a small key to the picture, one swatch and a few plain words
 * per kind of thing, drawn with the same shapes and colours as the picture.
 */
import { goroutineColor, runtimeGoroutineColor, textColorOn, darken } from './colors';
import { currentPalette, type Paint, type Palette } from './palette';
import { escapeXml, hexagonPoints } from './svg';

const W = 58;
const H = 26;

function svg(body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"` +
    ` aria-hidden="true">${body}</svg>`
  );
}

function box(
  paint: Paint,
  r: number,
  opts: { dashed?: boolean; w?: number; h?: number } = {},
): string {
  const w = opts.w ?? W - 4;
  const h = opts.h ?? H - 4;
  const dash = opts.dashed ? ' stroke-dasharray="4 3"' : '';
  return (
    `<rect x="${(W - w) / 2}" y="${(H - h) / 2}" width="${w}" height="${h}" rx="${r}"` +
    ` fill="${paint.fill}" stroke="${paint.stroke}" stroke-width="1.5"${dash}/>`
  );
}

function text(label: string, ink: string, size = 11): string {
  return (
    `<text x="${W / 2}" y="${H / 2}" fill="${ink}" font-size="${size}" font-weight="600"` +
    ` text-anchor="middle" dominant-baseline="central">${escapeXml(label)}</text>`
  );
}

function token(
  goid: number,
  opts: { dashed?: boolean; runtime?: boolean; double?: boolean } = {},
): string {
  const fill = opts.runtime ? runtimeGoroutineColor(goid) : goroutineColor(goid);
  const paint = { fill, ink: textColorOn(fill), stroke: darken(fill) };
  let body = box(paint, 9, { dashed: opts.dashed, w: 40, h: 18 });
  if (opts.double) body = body.replace('stroke-width="1.5"', 'stroke-width="3"');
  return body + text(`g${goid}`, paint.ink);
}

function thread(paint: Paint, label: string, dashed = false): string {
  const dash = dashed ? ' stroke-dasharray="4 3"' : '';
  return (
    `<polygon points="${hexagonPoints(W / 2, H / 2, 36, 18)}" fill="${paint.fill}"` +
    ` stroke="${paint.stroke}" stroke-width="1.5" stroke-linejoin="round"${dash}/>` +
    text(label, paint.ink)
  );
}

/** [swatch svg body, words] per entry, in reading order. */
function entries(p: Palette): [string, string][] {
  return [
    [
      box(p.proc.running, 6, { w: 44 }) + text('P0', p.proc.running.ink),
      'P: a processor, what a goroutine needs to run Go code',
    ],
    [thread(p.thread.running, 'M0'), 'M: an OS thread, on the left edge of the P it holds'],
    [box(p.runSlot, 5) + token(7), 'the goroutine running on that P'],
    [box(p.slot, 5) + token(8), 'runnext: runs before the queue'],
    [box(p.queue, 5) + token(9), 'local run queue of a P, head (runs first) on the left'],
    [box(p.lane, 5) + token(10), 'global run queue, shared by all Ps'],
    [token(11), 'waiting (blocked), grouped by what it waits for'],
    [token(12, { double: true }), 'in a system call (thick outline), beside its M'],
    [thread(p.thread.spinning, 'M1', true), 'spinning M: awake, looking for work'],
    [thread(p.thread.idle, 'M2'), 'idle M: asleep, holds no P'],
    [token(13, { runtime: true }), "grey: the runtime's own goroutines (GC, sweeper, …)"],
    [
      box(p.more, 9, { w: 40, h: 18 }) + text('+12', p.more.ink),
      'more goroutines than fit: their count',
    ],
    [token(14, { dashed: true }), 'dashed: inferred, the backend cannot see this place'],
    [
      box(p.banner.stw, 4, { w: 44, h: 18 }) + text('STW', p.banner.stw.ink),
      'banner: garbage collection; red wash: world stopped',
    ],
  ];
}

export function legendNode(): HTMLElement {
  const root = document.createElement('div');
  root.className = 'jp-slowmo-legend-grid';
  root.setAttribute('role', 'list');
  root.setAttribute('aria-label', 'Legend of the scheduler picture');
  for (const [swatch, words] of entries(currentPalette())) {
    const item = document.createElement('div');
    item.className = 'jp-slowmo-legend-item';
    item.setAttribute('role', 'listitem');
    const icon = document.createElement('span');
    icon.className = 'jp-slowmo-legend-swatch';
    // Built here from constants and palette colours only, never from program data.
    icon.innerHTML = svg(swatch);
    const label = document.createElement('span');
    label.className = 'jp-slowmo-legend-text';
    label.textContent = words;
    item.append(icon, label);
    root.appendChild(item);
  }
  return root;
}
