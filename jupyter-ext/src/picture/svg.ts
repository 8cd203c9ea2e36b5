/**
 * svgOf(state): the picture as one standalone SVG document, saved beside the
 * recording in the cell output (image/svg+xml) so that GitHub and nbviewer,
 * which run no extension, still show the final state. Everything is inline
 * (no CSS, no fonts, no scripts), since those viewers sanitise the rest away;
 * each goroutine carries a <title> that browsers show as a tooltip.
 */
import type { SchedState } from '@go-slowmo/kernel-bridge/protocol';
import {
  FONT_FAMILY,
  FRAME_RADIUS,
  LIGHT,
  TEXT_STYLE,
  framePaint,
  type Paint,
  type Palette,
} from './palette';
import {
  METRICS,
  sceneOf,
  type Arrow,
  type Frame,
  type GoroutineToken,
  type SceneItem,
  type SceneOptions,
  type ThreadToken,
} from './scene';

export interface SvgOptions extends SceneOptions {
  /** Shown as the document's <title> (and its accessible name). */
  title?: string;
  palette?: Palette;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] as string);
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Numbers without float noise (0.1 + 0.2), so the SVG stays small and diffable. */
function n(v: number): string {
  return String(Math.round(v * 10) / 10);
}

function rect(
  x: number,
  y: number,
  w: number,
  h: number,
  r: number,
  paint: Paint,
  extra = '',
): string {
  return (
    `<rect x="${n(x - w / 2)}" y="${n(y - h / 2)}" width="${n(w)}" height="${n(h)}" rx="${n(r)}"` +
    ` fill="${paint.fill}" stroke="${paint.stroke}"${extra}/>`
  );
}

/** The M shape: a hexagon, like Cytoscape's. */
export function hexagonPoints(x: number, y: number, w: number, h: number): string {
  const pts: [number, number][] = [
    [x - w / 2, y],
    [x - w / 4, y - h / 2],
    [x + w / 4, y - h / 2],
    [x + w / 2, y],
    [x + w / 4, y + h / 2],
    [x - w / 4, y + h / 2],
  ];
  return pts.map(([px, py]) => `${n(px)},${n(py)}`).join(' ');
}

function label(
  x: number,
  y: number,
  text: string,
  ink: string,
  size: number,
  weight = 600,
): string {
  return (
    `<text x="${n(x)}" y="${n(y)}" fill="${ink}" font-size="${size}" font-weight="${weight}"` +
    ` text-anchor="middle" dominant-baseline="central">${escapeXml(text)}</text>`
  );
}

const DASH = ' stroke-dasharray="4 3"';

/** One scene item as SVG markup (also used by the live view for its backdrop). */
export function itemMarkup(item: SceneItem, palette: Palette, width: number): string {
  switch (item.kind) {
    case 'frame':
      return frameMarkup(item, palette);
    case 'text': {
      const style = TEXT_STYLE[item.role];
      const fill = style.muted ? palette.muted : palette.ink;
      return (
        `<text x="${n(item.x)}" y="${n(item.y)}" fill="${fill}" font-size="${style.size}"` +
        ` font-weight="${style.weight}" text-anchor="${item.anchor}" dominant-baseline="central">` +
        `${escapeXml(item.text)}</text>`
      );
    }
    case 'g':
      return goroutineMarkup(item, palette);
    case 'more': {
      const dash = item.inferred ? DASH : '';
      return (
        `<g><title>${item.count} more not drawn</title>` +
        rect(item.x, item.y, item.w, item.h, item.h / 2, palette.more, dash) +
        label(item.x, item.y, item.label, palette.more.ink, METRICS.fontToken) +
        '</g>'
      );
    }
    case 'm':
      return threadMarkup(item, palette);
    case 'banner': {
      const paint = palette.banner[item.tone];
      return (
        rect(item.x, item.y, item.w, item.h, 6, paint) +
        label(item.x, item.y, item.text, paint.ink, METRICS.fontLabel)
      );
    }
    case 'arrow':
      return arrowMarkup(item, palette);
    case 'tint':
      return (
        `<rect x="0" y="0" width="${n(width)}" height="${n(item.h)}" fill="${palette.tint}"` +
        ` fill-opacity="${palette.tintOpacity}"/>`
      );
  }
}

function frameMarkup(item: Frame, palette: Palette): string {
  const paint = framePaint(palette, item.role, item.tone);
  const sw = item.role === 'proc' ? 1.5 : 1;
  const dash = item.inferred ? DASH : '';
  return rect(
    item.x,
    item.y,
    item.w,
    item.h,
    FRAME_RADIUS[item.role],
    paint,
    ` stroke-width="${sw}"${dash}`,
  );
}

/** A goroutine: a pill with its name and its detail as a tooltip, ringed when highlighted. */
function goroutineMarkup(item: GoroutineToken, palette: Palette): string {
  const inferred = item.inferred ? `${DASH} fill-opacity="0.7"` : '';
  const sw = item.place.where === 'syscall' ? 3 : item.inferred ? 2 : 1.2;
  const ring = item.highlighted
    ? `<rect x="${n(item.x - item.w / 2 - 5)}" y="${n(item.y - item.h / 2 - 5)}"` +
      ` width="${n(item.w + 10)}" height="${n(item.h + 10)}" rx="${n(item.h / 2 + 5)}"` +
      ` fill="${palette.highlight}" fill-opacity="0.9"/>`
    : '';
  return (
    `<g>${ring}<title>${escapeXml(item.detail)}</title>` +
    rect(item.x, item.y, item.w, item.h, item.h / 2, item, ` stroke-width="${sw}"${inferred}`) +
    label(
      item.x,
      item.y,
      item.label,
      item.ink,
      item.runtime ? METRICS.fontSmall : METRICS.fontToken,
    ) +
    '</g>'
  );
}

/** An M: a hexagon with its name, dashed while it spins or has no thread. */
function threadMarkup(item: ThreadToken, palette: Palette): string {
  const paint = palette.thread[item.state];
  const dash = item.state === 'spinning' || item.state === 'none' ? DASH : '';
  return (
    `<g><polygon points="${hexagonPoints(item.x, item.y, item.w, item.h)}" fill="${paint.fill}"` +
    ` stroke="${paint.stroke}" stroke-width="1.5" stroke-linejoin="round"${dash}/>` +
    label(
      item.x,
      item.y,
      item.label,
      paint.ink,
      item.mid < 0 ? METRICS.fontSmall : METRICS.fontToken,
    ) +
    '</g>'
  );
}

/**
 * An arrow as a gentle curve with its head drawn as a triangle (no <defs>:
 * each item is markup of its own) and its words on a plate beside it. The
 * data attributes say what it joins and carries, for tests and assistive tools.
 */
function arrowMarkup(a: Arrow, palette: Palette): string {
  const paint = palette.arrow[a.tone];
  const { cx, cy } = a;
  const tx = a.x2 - cx;
  const ty = a.y2 - cy;
  const tl = Math.hypot(tx, ty) || 1;
  const ux = tx / tl;
  const uy = ty / tl;
  const head = [
    [a.x2, a.y2],
    [a.x2 - ux * 11 - uy * 6, a.y2 - uy * 11 + ux * 6],
    [a.x2 - ux * 11 + uy * 6, a.y2 - uy * 11 - ux * 6],
  ]
    .map(([x, y]) => `${n(x as number)},${n(y as number)}`)
    .join(' ');
  const dash = a.tone === 'wake' ? ' stroke-dasharray="7 4"' : '';
  return (
    `<g class="jp-slowmo-arrow" data-arrow="${a.tone}" data-from="${escapeXml(a.from)}"` +
    ` data-to="${escapeXml(a.to)}" data-goids="${a.goids.join(' ')}">` +
    `<title>${escapeXml(a.text)}</title>` +
    `<path d="M${n(a.x1)},${n(a.y1)} Q${n(cx)},${n(cy)} ${n(a.x2)},${n(a.y2)}" fill="none"` +
    ` stroke="${paint.stroke}" stroke-width="3" stroke-linecap="round"${dash}/>` +
    `<polygon points="${head}" fill="${paint.stroke}"/>` +
    rect(a.x, a.y, a.w, a.h, 4, { fill: paint.fill, stroke: paint.stroke, ink: paint.ink }) +
    label(a.x, a.y, a.text, paint.ink, METRICS.fontSmall) +
    '</g>'
  );
}

export function svgOf(state: SchedState, opts: SvgOptions = {}): string {
  const palette = opts.palette ?? LIGHT;
  const scene = sceneOf(state, opts);
  const { width, height } = scene;
  const title = opts.title ?? 'Go scheduler: goroutines (G), threads (M) and processors (P)';
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(width)}" height="${n(height)}"` +
      ` viewBox="0 0 ${n(width)} ${n(height)}" role="img" aria-label="${escapeXml(title)}"` +
      ` font-family="${escapeXml(FONT_FAMILY)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${n(width)}" height="${n(height)}" fill="${palette.background}"/>`,
  ];
  for (const item of scene.items) parts.push(itemMarkup(item, palette, width));
  parts.push('</svg>');
  return parts.join('\n');
}
