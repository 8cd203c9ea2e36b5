/**
 * The Cytoscape stylesheet of the live picture, and the classes and data each
 * scene item becomes. Looks are decided by class (from the palette) wherever
 * possible, so a changed state mostly moves nodes and swaps a class instead
 * of restyling them one property at a time.
 */
import type { StylesheetJson } from 'cytoscape';
import { FONT_FAMILY, FRAME_RADIUS, TEXT_STYLE, framePaint, type Palette } from './palette';
import {
  METRICS,
  type FrameRole,
  type FrameTone,
  type SceneItem,
  type TextRole,
  type ThreadLook,
} from './scene';

type Block = { selector: string; style: Record<string, string | number> };

const ROLES: FrameRole[] = ['proc', 'slot', 'queue', 'lane'];
const TONES: FrameTone[] = ['plain', 'idle', 'running', 'syscall', 'gcstop'];
const THREADS: ThreadLook[] = ['running', 'spinning', 'idle', 'new', 'none'];
const TEXTS: TextRole[] = ['header', 'title', 'label', 'caption', 'muted'];

/** z-order: frames under texts under tokens, the stop-the-world tint and banner on top. */
const Z = { frame: 1, slot: 2, text: 3, m: 5, g: 6, more: 6, highlight: 7, tint: 8, banner: 9 };

export function stylesheet(palette: Palette): StylesheetJson {
  const blocks: Block[] = [
    {
      selector: 'node',
      style: {
        'z-index-compare': 'manual',
        'font-family': FONT_FAMILY,
        'text-valign': 'center',
        'text-halign': 'center',
        'min-zoomed-font-size': 0,
        'border-width': 0,
        'overlay-opacity': 0,
      },
    },
    {
      // Frames, texts, the tint and the banner let clicks through to the tokens.
      selector: '.frame, .text, .tint, .banner',
      style: { events: 'no' },
    },
    {
      selector: '.frame',
      style: {
        shape: 'round-rectangle',
        width: 'data(w)',
        height: 'data(h)',
        'border-width': 1,
        'z-index': Z.frame,
      },
    },
    { selector: '.frame.proc', style: { 'border-width': 1.5 } },
    { selector: '.frame.slot, .frame.queue', style: { 'z-index': Z.slot } },
    { selector: '.frame.inferred', style: { 'border-style': 'dashed' } },
    {
      selector: '.text',
      style: {
        shape: 'rectangle',
        width: 1,
        height: 1,
        'background-opacity': 0,
        label: 'data(label)',
        'z-index': Z.text,
      },
    },
    { selector: '.text.start', style: { 'text-halign': 'right' } },
    { selector: '.text.end', style: { 'text-halign': 'left' } },
    {
      selector: '.g, .more',
      style: {
        shape: 'round-rectangle',
        width: 'data(w)',
        height: 'data(h)',
        label: 'data(label)',
        'font-size': METRICS.fontToken,
        'font-weight': 600,
        'border-width': 1.2,
        'z-index': Z.g,
      },
    },
    {
      selector: '.g',
      style: {
        'background-color': 'data(fill)',
        'border-color': 'data(stroke)',
        color: 'data(ink)',
      },
    },
    {
      selector: '.more',
      style: {
        'background-color': palette.more.fill,
        'border-color': palette.more.stroke,
        color: palette.more.ink,
      },
    },
    { selector: '.g.syscall', style: { 'border-width': 3, 'border-style': 'double' } },
    {
      selector: '.g.inferred, .more.inferred',
      style: { 'border-style': 'dashed', 'border-width': 2, 'background-opacity': 0.7 },
    },
    {
      selector: '.highlight',
      style: {
        'underlay-color': palette.highlight,
        'underlay-padding': 5,
        'underlay-opacity': 0.9,
        'underlay-shape': 'round-rectangle',
        'z-index': Z.highlight,
      },
    },
    {
      selector: '.m',
      style: {
        shape: 'round-hexagon',
        width: 'data(w)',
        height: 'data(h)',
        label: 'data(label)',
        'font-size': METRICS.fontToken,
        'font-weight': 600,
        'border-width': 1.5,
        'z-index': Z.m,
      },
    },
    { selector: '.m.none', style: { 'font-size': 9, 'font-weight': 400 } },
    { selector: '.m.spinning, .m.none', style: { 'border-style': 'dashed' } },
    {
      selector: '.tint',
      style: {
        shape: 'rectangle',
        width: 'data(w)',
        height: 'data(h)',
        'background-color': palette.tint,
        'background-opacity': palette.tintOpacity,
        'z-index': Z.tint,
      },
    },
    {
      selector: '.banner',
      style: {
        shape: 'round-rectangle',
        width: 'data(w)',
        height: 'data(h)',
        label: 'data(label)',
        'font-size': METRICS.fontLabel,
        'font-weight': 600,
        'border-width': 1,
        'z-index': Z.banner,
      },
    },
  ];
  for (const role of ROLES) {
    blocks.push({
      selector: `.frame.${role}`,
      style: { 'corner-radius': FRAME_RADIUS[role] },
    });
    for (const tone of TONES) {
      const paint = framePaint(palette, role, tone);
      blocks.push({
        selector: `.frame.${role}.tone-${tone}`,
        style: { 'background-color': paint.fill, 'border-color': paint.stroke },
      });
    }
  }
  for (const look of THREADS) {
    const paint = palette.thread[look];
    blocks.push({
      selector: `.m.${look}`,
      style: { 'background-color': paint.fill, 'border-color': paint.stroke, color: paint.ink },
    });
  }
  for (const role of TEXTS) {
    const t = TEXT_STYLE[role];
    blocks.push({
      selector: `.text.${role}`,
      style: {
        'font-size': t.size,
        'font-weight': t.weight,
        color: t.muted ? palette.muted : palette.ink,
      },
    });
  }
  for (const tone of ['gc', 'stw'] as const) {
    const paint = palette.banner[tone];
    blocks.push({
      selector: `.banner.${tone}`,
      style: { 'background-color': paint.fill, 'border-color': paint.stroke, color: paint.ink },
    });
  }
  return blocks as unknown as StylesheetJson;
}

/** The classes of a scene item's node: everything about its look that is not per-item data. */
export function classesOf(item: SceneItem): string {
  switch (item.kind) {
    case 'frame':
      return `frame ${item.role} tone-${item.tone}${item.inferred ? ' inferred' : ''}`;
    case 'text':
      return `text ${item.role} ${item.anchor}`;
    case 'g': {
      let c = 'g';
      if (item.place.where === 'syscall') c += ' syscall';
      if (item.inferred) c += ' inferred';
      if (item.highlighted) c += ' highlight';
      return c;
    }
    case 'more':
      return `more${item.inferred ? ' inferred' : ''}${item.highlighted ? ' highlight' : ''}`;
    case 'm':
      return `m ${item.state}`;
    case 'banner':
      return `banner ${item.tone}`;
    case 'tint':
      return 'tint';
  }
}

/** The label a node shows ('' for none). */
export function labelOf(item: SceneItem): string {
  switch (item.kind) {
    case 'text':
    case 'banner':
      return item.text;
    case 'g':
    case 'more':
    case 'm':
      return item.label;
    default:
      return '';
  }
}
