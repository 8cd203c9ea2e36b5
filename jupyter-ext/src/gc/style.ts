/**
 * The GC lens's colours and Cytoscape stylesheet. White, grey and black are the collector's
 * words, so the objects are drawn in them in both themes; each keeps an outline that shows on
 * the theme's background (a black object on a dark page, a white one on a light page). Looks
 * are classes, so a new colour is a class swapped in place.
 */
import type { StylesheetJson } from 'cytoscape';
import { FONT_FAMILY, type Palette } from '../picture/palette';

export interface LensPaint {
  readonly white: { fill: string; stroke: string };
  readonly grey: { fill: string; stroke: string };
  readonly black: { fill: string; stroke: string };
  /** An object a heap dump holds (a lens reconstructed from dumps: no colour seen). */
  readonly seen: { fill: string; stroke: string };
  /** The write barrier's ring, and the born-black dashes. */
  readonly barrier: string;
  readonly born: string;
  readonly span: string;
  readonly edge: string;
  readonly root: { fill: string; stroke: string; ink: string };
  /** Under the graph: on a dark page a black object needs a lighter ground to stand on. */
  readonly background: string;
}

export function lensPaint(p: Palette): LensPaint {
  return {
    white: { fill: '#ffffff', stroke: p.dark ? '#c9d1d9' : '#57606a' },
    grey: { fill: '#9aa0a6', stroke: p.dark ? '#d0d7de' : '#57606a' },
    black: { fill: p.dark ? '#000000' : '#111111', stroke: p.dark ? '#c9d1d9' : '#111111' },
    seen: { fill: p.dark ? '#6e8fb3' : '#9fb8d6', stroke: p.dark ? '#c9d1d9' : '#3d5a80' },
    barrier: p.arrow.steal.stroke,
    born: p.arrow.wake.stroke,
    span: p.arrow.wake.stroke,
    edge: p.dark ? '#8b949e' : '#8c959f',
    root: { fill: p.lane.fill, stroke: p.lane.stroke, ink: p.ink },
    background: p.dark ? '#3a414b' : '#ffffff',
  };
}

type Block = { selector: string; style: Record<string, string | number> };

function colorBlocks(k: LensPaint): Block[] {
  return (['white', 'grey', 'black'] as const).map((c) => ({
    selector: `node.${c}`,
    style: { 'background-color': k[c].fill, 'border-color': k[c].stroke },
  }));
}

function markBlocks(p: Palette, k: LensPaint): Block[] {
  return [
    {
      selector: 'node.barrier',
      style: { 'border-width': 4, 'border-style': 'double', 'border-color': k.barrier },
    },
    {
      selector: 'node.born',
      style: { 'border-width': 3, 'border-style': 'dashed', 'border-color': k.born },
    },
    {
      selector: 'node.span',
      style: { 'underlay-color': k.span, 'underlay-opacity': 0.35, 'underlay-padding': 6 },
    },
    {
      selector: 'node.current',
      style: { 'underlay-color': p.highlight, 'underlay-opacity': 0.9, 'underlay-padding': 6 },
    },
    { selector: '.gone', style: { display: 'none' } },
  ];
}

export function lensStylesheet(p: Palette): StylesheetJson {
  const k = lensPaint(p);
  const blocks: Block[] = [
    {
      selector: 'node',
      style: {
        'font-family': FONT_FAMILY,
        'font-size': 10,
        color: p.ink,
        label: 'data(label)',
        'text-valign': 'bottom',
        'text-margin-y': 3,
        'min-zoomed-font-size': 0,
        'overlay-opacity': 0,
        width: 20,
        height: 20,
        'border-width': 1.5,
        // Labels stay readable where an arrow passes under them.
        'text-background-color': k.background,
        'text-background-opacity': 0.85,
        'text-background-padding': 1,
      },
    },
    {
      selector: 'node.root, node.group, node.runtime',
      style: {
        shape: 'round-rectangle',
        width: 96,
        height: 26,
        'text-valign': 'center',
        'text-wrap': 'wrap',
        'background-color': k.root.fill,
        'border-color': k.root.stroke,
        color: k.root.ink,
        'font-size': 11,
      },
    },
    {
      selector: 'node.group, node.runtime',
      style: {
        shape: 'ellipse',
        width: 34,
        height: 34,
        'text-valign': 'bottom',
        'pie-size': '100%',
        'pie-1-background-color': k.black.fill,
        'pie-1-background-size': 'data(pb)',
        'pie-2-background-color': k.grey.fill,
        'pie-2-background-size': 'data(pg)',
        'pie-3-background-color': k.white.fill,
        'pie-3-background-size': 'data(pw)',
      },
    },
    ...colorBlocks(k),
    {
      selector: 'node.seen',
      style: {
        'background-color': k.seen.fill,
        'border-color': k.seen.stroke,
        'pie-3-background-color': k.seen.fill,
      },
    },
    ...markBlocks(p, k),
    {
      selector: 'edge',
      style: {
        width: 1.2,
        'line-color': k.edge,
        'target-arrow-color': k.edge,
        'target-arrow-shape': 'triangle',
        'arrow-scale': 0.7,
        'curve-style': 'bezier',
        opacity: 0.8,
      },
    },
    { selector: 'edge.inferred', style: { 'line-style': 'dashed' } },
  ];
  return blocks as unknown as StylesheetJson;
}
