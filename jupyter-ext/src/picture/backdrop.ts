/**
 * The picture's still parts (lanes, P boxes, slots, captions) as an SVG layer
 * under Cytoscape's canvas, and the stop-the-world wash and banner as one
 * over it. Cytoscape redraws its whole canvas whenever a token moves; keeping
 * the large boxes out of it leaves it only the tokens to draw, and the
 * browser composites the layers. Items are diffed by key and markup, so a
 * changed count rewrites one caption, not the layer.
 */
import type { Palette } from './palette';
import type { SceneItem } from './items';
import { itemMarkup } from './svg';

const SVG_NS = 'http://www.w3.org/2000/svg';

interface Drawn {
  readonly g: SVGGElement;
  markup: string;
  gen: number;
}

export class Backdrop {
  readonly svg: SVGSVGElement;
  private readonly drawn = new Map<string, Drawn>();
  private gen = 0;

  constructor(className: string) {
    this.svg = document.createElementNS(SVG_NS, 'svg');
    this.svg.setAttribute('class', className);
    this.svg.setAttribute('aria-hidden', 'true');
  }

  /** Draws `items` (in order, back to front); what is unchanged is left alone. */
  update(items: readonly SceneItem[], palette: Palette, width: number, height: number): void {
    const gen = ++this.gen;
    const svg = this.svg;
    if (svg.getAttribute('width') !== String(width)) svg.setAttribute('width', String(width));
    if (svg.getAttribute('height') !== String(height)) svg.setAttribute('height', String(height));
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    let previous: Element | null = null;
    for (const item of items) {
      const markup = itemMarkup(item, palette, width);
      let drawn = this.drawn.get(item.key);
      if (drawn === undefined) {
        const g = document.createElementNS(SVG_NS, 'g');
        g.setAttribute('data-key', item.key);
        drawn = { g, markup: '', gen };
        this.drawn.set(item.key, drawn);
      }
      drawn.gen = gen;
      if (drawn.markup !== markup) {
        // Markup built by svg.ts from scene data with every text escaped.
        drawn.g.innerHTML = markup;
        drawn.markup = markup;
      }
      // Keep document order = drawing order, moving only what is out of place.
      const want: Element | null =
        previous === null ? svg.firstElementChild : previous.nextElementSibling;
      if (want !== drawn.g) svg.insertBefore(drawn.g, want);
      previous = drawn.g;
    }
    for (const [key, drawn] of this.drawn) {
      if (drawn.gen !== gen) {
        drawn.g.remove();
        this.drawn.delete(key);
      }
    }
  }

  /** Follows Cytoscape's viewport, so both layers line up with the canvas. */
  place(zoom: number, pan: { x: number; y: number }): void {
    this.svg.style.transform = `translate(${pan.x}px, ${pan.y}px) scale(${zoom})`;
  }

  /** Forgets what is drawn (the palette changed: everything is redrawn). */
  clear(): void {
    for (const drawn of this.drawn.values()) drawn.g.remove();
    this.drawn.clear();
  }

  /** The group drawn for a key (tests). */
  element(key: string): SVGGElement | undefined {
    return this.drawn.get(key)?.g;
  }
}
