/**
 * The GC lens as the run widget shows it, under the picture: a bar (title, what the marks
 * mean, how Green Tea and grouping change what is drawn), the object graph (Cytoscape), and
 * the line of words about the moment. Nodes are placed once, when the graph grows; moving the
 * picture only swaps the classes of the nodes whose look changed.
 */
import type { GcLens } from '@go-slowmo/kernel-bridge/protocol';
import cytoscape, { type Core, type ElementDefinition, type NodeSingular } from 'cytoscape';
import { Widget } from '@lumino/widgets';
import type { Message } from '@lumino/messaging';
import { currentPalette, type Palette } from '../picture/palette';
import type { HeapGraph } from './graph';
import { heapPlot, moveCursor } from './plot';
import { objectStory } from './story';
import { noteWords, type LensFrame, type NodeLook } from './frame';
import { lensPaint, lensStylesheet } from './style';

/** The graph's height: enough for a few rows, small enough to keep the picture near. */
const HEIGHT = { min: 200, max: 380 };
/** How often a growing graph is laid out again (ms). */
const PLACE_EVERY = 400;

function el(cls: string, tag = 'div'): HTMLElement {
  const e = document.createElement(tag);
  e.className = cls;
  return e;
}

function classesOf(kind: string, look: NodeLook, reconstructed: boolean): string {
  // Reconstructed from dumps: as seen, in no colour of the marking's.
  const c = [kind, reconstructed ? 'seen' : look.color];
  if (look.gone) c.push('gone');
  if (look.barrier) c.push('barrier');
  if (look.born) c.push('born');
  if (look.span) c.push('span');
  if (look.current) c.push('current');
  return c.join(' ');
}

function canDraw(): boolean {
  return typeof window !== 'undefined' && !/jsdom/i.test(navigator.userAgent);
}

export class GcLensPanel extends Widget {
  private readonly cy: Core;
  private readonly host = el('jp-slowmo-gc-canvas');
  private readonly wordsEl = el('jp-slowmo-gc-words');
  private readonly notes = el('jp-slowmo-gc-notes');
  private readonly key = el('jp-slowmo-gc-key');
  private readonly tip = el('jp-slowmo-tip jp-slowmo-gc-tip');
  private readonly plotBox = el('jp-slowmo-gc-plotbox');
  private readonly titleEl = el('jp-slowmo-gc-title', 'span');
  private readonly plotCaption = el('jp-slowmo-gc-plot-caption', 'span');
  /** Drawn for a lens reconstructed from heap dumps (the key and captions say so). */
  private reconstructed = false;
  private plot: { svg: SVGSVGElement; version: number; end: number; dark: boolean } | null = null;
  private version = -1;
  private placedAt = 0;
  private placeTimer: number | undefined;
  private kinds = new Map<string, string>();
  private shown = new Map<string, string>();
  private shownEdges = new Set<string>();
  private palette: Palette = currentPalette();
  private themeWatch: MutationObserver | null = null;
  private mounted = false;
  /** What the browser test reads: the last frame and the graph it was drawn from. */
  graph: HeapGraph | null = null;
  frame: LensFrame | null = null;
  frames = 0;

  constructor() {
    super();
    this.addClass('jp-slowmo-gc');
    const bar = el('jp-slowmo-gc-bar');
    this.titleEl.textContent = 'GC lens';
    bar.append(this.titleEl, this.key);
    this.tip.hidden = true;
    this.tip.setAttribute('role', 'tooltip');
    this.plotCaption.textContent = 'live objects over time · GC marking shaded · │ this moment';
    this.plotBox.append(this.plotCaption);
    this.node.append(bar, this.notes, this.host, this.wordsEl, this.plotBox, this.tip);
    (this.node as unknown as { slowmoGcLens: GcLensPanel }).slowmoGcLens = this;
    this.cy = cytoscape({
      headless: true,
      styleEnabled: true,
      style: lensStylesheet(this.palette),
      userZoomingEnabled: false,
      boxSelectionEnabled: false,
      autoungrabify: true,
      autounselectify: true,
    });
    this.cy.on('mouseover', 'node', (event) => this.showTip(event.target as NodeSingular));
    this.cy.on('mouseout', 'node', () => (this.tip.hidden = true));
    this.drawKey();
  }

  /** An object's story up to the picture's event, beside it. */
  private showTip(node: NodeSingular): void {
    const o = this.graph?.objectOf(node.id());
    if (!o || !this.frame) return;
    this.tip.textContent = objectStory(o, this.frame.seq);
    this.tip.hidden = false;
    const p = node.renderedPosition();
    this.tip.style.left = `${Math.max(0, Math.min(p.x + 12, this.host.clientWidth - 260))}px`;
    this.tip.style.top = `${this.host.offsetTop + p.y + 14}px`;
  }

  /** An object's colour by its name ("L12#3"), "gone" when not alive, undefined when unknown. */
  colorOf(name: string): string | undefined {
    const o = [...(this.graph?.objects.values() ?? [])].find((x) => x.name === name);
    if (!o || !this.frame || !this.graph) return undefined;
    const look = this.frame.looks.get(this.graph.nodeOf(o));
    return look?.gone ? 'gone' : look?.color;
  }

  override show(graph?: HeapGraph, frame?: LensFrame, lens?: GcLens | null, end = 0): void {
    if (graph === undefined || frame === undefined) {
      super.show();
      return;
    }
    this.graph = graph;
    this.frame = frame;
    this.frames++;
    if (frame.reconstructed !== this.reconstructed) this.setReconstructed(frame.reconstructed);
    this.node.dataset.frames = String(this.frames);
    if (graph.version !== this.version) this.placeSoon(graph);
    this.apply(frame);
    this.wordsEl.textContent = frame.words;
    this.drawPlot(graph, frame, end);
    this.notes.textContent = noteWords(graph, lens ?? null, frame.limited);
    this.notes.hidden = this.notes.textContent === '';
  }

  /**
   * Places the graph now, or (while a live run's allocations keep it growing) at most every
   * PLACE_EVERY ms, then once more when it stops growing.
   */
  private placeSoon(graph: HeapGraph): void {
    clearTimeout(this.placeTimer);
    const wait = this.placedAt + PLACE_EVERY - Date.now();
    if (wait <= 0) {
      this.place(graph);
      return;
    }
    this.placeTimer = setTimeout(() => {
      if (this.isDisposed || this.graph === null || this.frame === null) return;
      this.place(this.graph);
      this.apply(this.frame);
    }, wait) as unknown as number;
  }

  /** The heap plot: drawn again when the graph or the run grew, else only its cursor moves. */
  private drawPlot(graph: HeapGraph, frame: LensFrame, end: number): void {
    const p = this.plot;
    if (p && p.version === graph.version && p.end === end && p.dark === this.palette.dark) {
      moveCursor(p.svg, end, frame.t);
      return;
    }
    const svg = heapPlot(graph, end, frame.t, this.palette, this.reconstructed);
    p?.svg.remove();
    this.plotBox.prepend(svg);
    this.plot = { svg, version: graph.version, end, dark: this.palette.dark };
  }

  /** Adds the nodes and edges the graph gained, and places every node again. */
  private place(graph: HeapGraph): void {
    this.version = graph.version;
    this.placedAt = Date.now();
    const nodes = graph.nodes();
    const add: ElementDefinition[] = [];
    this.cy.batch(() => {
      // Past the grouping bound the objects' own nodes give way to their sites'.
      const ids = new Set(nodes.map((n) => n.id));
      this.cy
        .nodes()
        .filter((n) => !ids.has(n.id()))
        .remove();
      for (const n of nodes) {
        const existing = this.cy.getElementById(n.id);
        if (existing.nonempty()) existing.position({ x: n.x, y: n.y });
        else {
          this.kinds.set(n.id, n.kind);
          const data = { id: n.id, label: n.label, base: n.label, pb: 0, pg: 0, pw: 100 };
          add.push({ group: 'nodes', data, position: { x: n.x, y: n.y }, classes: n.kind });
        }
      }
      for (const e of graph.drawnGraph().edges) {
        const { id, source, target } = e;
        if (this.cy.getElementById(id).empty())
          add.push({
            group: 'edges',
            data: { id, source, target },
            classes: e.inferred ? 'gone inferred' : 'gone',
          });
      }
      this.cy.add(add);
    });
    this.shown.clear();
    this.shownEdges.clear();
    this.fitGraph();
  }

  /** Swaps the classes (and group labels) of what changed since the last frame. */
  private apply(frame: LensFrame): void {
    const edges = frame.edges;
    this.cy.batch(() => {
      for (const [id, look] of frame.looks) {
        const classes = classesOf(this.kinds.get(id) ?? 'object', look, frame.reconstructed);
        const cls = classes + (look.label ?? '');
        if (this.shown.get(id) === cls) continue;
        this.shown.set(id, cls);
        const node = this.cy.getElementById(id);
        node.classes(classes);
        if (look.counts) {
          const n = look.counts.white + look.counts.grey + look.counts.black || 1;
          node.data({
            label: frame.reconstructed ? look.label?.split('\n')[0] : look.label,
            pb: (100 * look.counts.black) / n,
            pg: (100 * look.counts.grey) / n,
            pw: (100 * look.counts.white) / n,
          });
        }
      }
      for (const id of this.shownEdges)
        if (!edges.has(id)) this.cy.getElementById(id).addClass('gone');
      for (const id of edges)
        if (!this.shownEdges.has(id)) this.cy.getElementById(id).removeClass('gone');
    });
    this.shownEdges = edges;
  }

  private fitGraph(): void {
    const box = this.cy.elements().boundingBox();
    const height = Math.max(HEIGHT.min, Math.min(HEIGHT.max, box.h + 60));
    this.host.style.height = `${height}px`;
    if (!this.mounted) return;
    this.cy.resize();
    this.cy.fit(undefined, 24);
    if (this.cy.zoom() > 1.2) this.cy.zoom({ level: 1.2, position: { x: box.x1, y: box.y1 } });
    this.cy.pan({ x: 24 - box.x1 * this.cy.zoom(), y: 24 - box.y1 * this.cy.zoom() });
  }

  /** Says, in the title, key and captions, whether the lens saw the marking or dumps. */
  private setReconstructed(on: boolean): void {
    this.reconstructed = on;
    this.node.classList.toggle('jp-slowmo-gc-reconstructed', on);
    this.titleEl.textContent = on
      ? 'GC lens · reconstructed from heap dumps: the marking itself is not seen'
      : 'GC lens';
    this.plotCaption.textContent = on
      ? 'bytes live ─ and the heap goal ┄ over time (the tracer) · GC marking shaded · ▾ heap dumps · │ this moment'
      : 'live objects over time · GC marking shaded · │ this moment';
    this.drawKey();
  }

  private drawKey(): void {
    const k = lensPaint(this.palette);
    const item = (swatch: string, words: string) => {
      const s = el('jp-slowmo-gc-key-item', 'span');
      const dot = el('jp-slowmo-gc-swatch', 'span');
      dot.style.cssText = swatch;
      s.append(dot, document.createTextNode(words));
      return s;
    };
    const ring = (c: { fill: string; stroke: string }) =>
      `background:${c.fill};border:1.5px solid ${c.stroke}`;
    if (this.reconstructed) {
      this.key.replaceChildren(
        item(ring(k.seen), 'in the heap dump: reachable or not, the dump does not say'),
        item(`background:${this.palette.highlight}`, 'this event'),
      );
      return;
    }
    this.key.replaceChildren(
      item(ring(k.white), 'white: not reached (yet)'),
      item(ring(k.grey), 'grey: reached, not scanned'),
      item(ring(k.black), 'black: scanned'),
      item(
        `background:${k.grey.fill};border:4px double ${k.barrier}`,
        'shaded by the write barrier',
      ),
      item(
        `background:${k.black.fill};border:3px dashed ${k.born}`,
        'allocated during marking (born black)',
      ),
      item(`background:${this.palette.highlight}`, 'this event'),
    );
  }

  protected override onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (!this.mounted && canDraw()) {
      this.cy.mount(this.host);
      this.mounted = true;
      this.themeWatch = new MutationObserver(() => this.applyTheme());
      this.themeWatch.observe(document.body, {
        attributes: true,
        attributeFilter: ['data-jp-theme-light'],
      });
      this.applyTheme();
      this.fitGraph();
    }
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.fitGraph();
  }

  private applyTheme(): void {
    this.palette = currentPalette();
    this.cy.style(lensStylesheet(this.palette));
    this.host.style.background = lensPaint(this.palette).background;
    this.drawKey();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.themeWatch?.disconnect();
    clearTimeout(this.placeTimer);
    this.cy.destroy();
    super.dispose();
  }
}
