/**
 * The Cytoscape stylesheet of the live picture's tokens (goroutines, Ms, "+N";
 * the still parts are SVG layers, see backdrop.ts), and the classes each token
 * becomes. Looks are decided by class wherever possible, so a changed state
 * mostly moves nodes and swaps a class instead of restyling them one property
 * at a time.
 */
import type { StylesheetJson } from 'cytoscape';
import { FONT_FAMILY, type Palette } from './palette';
import { METRICS, type ThreadLook, type TokenItem } from './scene';

type Block = { selector: string; style: Record<string, string | number> };

const THREADS: ThreadLook[] = ['running', 'spinning', 'idle', 'new', 'none'];

/** z-order: Ms under goroutines, the highlighted one on top. */
const Z = { m: 5, g: 6, highlight: 7 };

export function stylesheet(palette: Palette): StylesheetJson {
  const blocks: Block[] = [
    nodeBlock(),
    ...goroutineBlocks(palette),
    ...threadShapes(),
    selection(palette),
    ...threadLooks(palette),
  ];
  return blocks as unknown as StylesheetJson;
}

/** Every token. */
function nodeBlock(): Block {
  return {
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
  };
}

/** Goroutines and "+N": pills; runtime ones smaller, in a syscall doubled, inferred dashed. */
function goroutineBlocks(palette: Palette): Block[] {
  return [
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
        // Pills, as in the SVG.
        'corner-radius': METRICS.tokenH / 2,
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
    { selector: '.g.runtime', style: { 'font-size': METRICS.fontSmall, 'font-weight': 400 } },
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
  ];
}

/** Ms: hexagons, dashed while spinning or without a thread. */
function threadShapes(): Block[] {
  return [
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
    { selector: '.m.none', style: { 'font-size': METRICS.fontSmall, 'font-weight': 400 } },
    { selector: '.m.spinning, .m.none', style: { 'border-style': 'dashed' } },
  ];
}

/** Each M state's colours. */
function threadLooks(palette: Palette): Block[] {
  return THREADS.map((look) => {
    const paint = palette.thread[look];
    return {
      selector: `.m.${look}`,
      style: { 'background-color': paint.fill, 'border-color': paint.stroke, color: paint.ink },
    };
  });
}

/** The goroutine the learner picked (the table, the timeline): ringed in the theme's ink. */
function selection(palette: Palette): Block {
  return {
    selector: '.g.selected',
    style: {
      'outline-width': 3,
      'outline-color': palette.ink,
      'outline-offset': 2,
      'outline-opacity': 1,
    },
  };
}

/** The classes of a token's node: everything about its look that is not per-item data. */
export function classesOf(item: TokenItem): string {
  switch (item.kind) {
    case 'g': {
      let c = 'g';
      if (item.runtime) c += ' runtime';
      if (item.place.where === 'syscall') c += ' syscall';
      if (item.inferred) c += ' inferred';
      if (item.highlighted) c += ' highlight';
      if (item.selected) c += ' selected';
      return c;
    }
    case 'more':
      return `more${item.inferred ? ' inferred' : ''}${item.highlighted ? ' highlight' : ''}`;
    case 'm':
      return `m ${item.state}`;
  }
}
