/**
 * The flame graph's drawing: one SVG, a row per call depth, each frame a box as wide as its
 * share with its function and line written in it when it fits. A small renderer of our own:
 * the maintained flame-graph libraries bring d3 or React with them, several times the size
 * of this, for a drawing that needs none of their zooming. The learner's frames are warm,
 * the runtime's and libraries' grey, each frame's shade fixed by its name so that a function
 * keeps its colour between profiles.
 */
import { layoutTree, depthOf, type FlameBox } from './layout';
import type { FlameNode } from './tree';
import { labelOf } from './words';

export const ROW = 20;
/** About how wide a character of the boxes' 11px font is. */
const CHAR = 6.6;
const SVG = 'http://www.w3.org/2000/svg';

function hash(s: string): number {
  let h = 7;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  return h;
}

/** A frame's fill and ink in the theme (dark: deeper fills under light ink). */
export function frameColors(node: FlameNode, dark: boolean, root: boolean): [string, string] {
  const h = hash(node.fn);
  const l = (dark ? 34 : 72) + (h % 9);
  const ink = dark ? '#f2f2f2' : '#1b1b1b';
  if (root) return [dark ? 'hsl(210 8% 30%)' : 'hsl(210 10% 86%)', ink];
  if (!node.own) return [`hsl(210 ${6 + (h % 8)}% ${l}%)`, ink];
  return [`hsl(${22 + (h % 22)} ${dark ? 55 : 78}% ${l}%)`, ink];
}

/** The words that fit a box `px` wide, cut with an ellipsis; '' when not even two letters do. */
export function fitText(text: string, px: number): string {
  const n = Math.floor((px - 6) / CHAR);
  if (n < 2) return '';
  return text.length <= n ? text : `${text.slice(0, n - 1)}…`;
}

export interface Drawn {
  readonly svg: SVGSVGElement;
  /** The box each drawn <g> stands for, by its index (data-i). */
  readonly boxes: readonly FlameBox[];
}

/** Draws the tree `width` pixels wide; `selected` is ringed; the top row says `rootLabel`. */
export function drawFlame(
  root: FlameNode,
  width: number,
  dark: boolean,
  selected: FlameNode | null,
  rootLabel = 'all',
): Drawn {
  const boxes = layoutTree(root, 1 / Math.max(width, 1));
  const rows = depthOf(root);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'jp-slowmo-flame-svg');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(rows * ROW));
  svg.setAttribute('role', 'img');
  boxes.forEach((b, i) => {
    const x = b.x * width;
    const w = Math.max(1, b.w * width - 1);
    const g = document.createElementNS(SVG, 'g');
    g.setAttribute('class', 'jp-slowmo-flame-frame');
    g.dataset.i = String(i);
    g.dataset.fn = b.node.fn;
    g.dataset.line = String(b.node.line);
    g.dataset.own = String(b.node.own);
    if (b.node === selected) g.classList.add('jp-mod-selected');
    const [fill, ink] = frameColors(b.node, dark, b.depth === 0);
    const rect = document.createElementNS(SVG, 'rect');
    rect.setAttribute('x', x.toFixed(1));
    rect.setAttribute('y', String(b.depth * ROW));
    rect.setAttribute('width', w.toFixed(1));
    rect.setAttribute('height', String(ROW - 1));
    rect.setAttribute('rx', '2');
    rect.setAttribute('fill', fill);
    g.appendChild(rect);
    const label = fitText(b.depth === 0 ? rootLabel : labelOf(b.node, false), w);
    if (label) {
      const t = document.createElementNS(SVG, 'text');
      t.setAttribute('x', (x + 4).toFixed(1));
      t.setAttribute('y', String(b.depth * ROW + 14));
      t.setAttribute('fill', ink);
      t.textContent = label;
      g.appendChild(t);
    }
    svg.appendChild(g);
  });
  return { svg, boxes };
}
