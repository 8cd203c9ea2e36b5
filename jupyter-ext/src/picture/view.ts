/**
 * PictureView: the live G/M/P picture, a Lumino widget around one Cytoscape
 * instance. Each show() lays the state out with sceneOf and then changes only
 * what differs from what is on screen, in one cy.batch: elements are keyed by
 * role and id ('g:12', 'm:3', 'p:0', ...), so a goroutine that moves is the
 * same node moving (gliding, when animated), never a node removed and added.
 *
 * Cytoscape starts headless and is mounted on the canvas when the widget is
 * first attached in a real browser, so the same view runs in jsdom tests and
 * in Node (where nothing is ever drawn) without a canvas.
 */
import cytoscape, { type CollectionArgument, type Core, type NodeSingular } from 'cytoscape';
import type { SchedState } from '@go-slowmo/kernel-bridge/protocol';
import { Signal, type ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import type { Message } from '@lumino/messaging';
import { Backdrop } from './backdrop';
import { classesOf, stylesheet } from './cystyle';
import { currentPalette, type Palette } from './palette';
import { sceneOf, type Scene, type SceneItem, type TokenItem } from './scene';

export interface PictureViewOptions {
  /** Never mount a canvas (tests, benchmarks without a display). Default: mount when attached in a browser. */
  headless?: boolean;
  /** Passed to sceneOf. */
  maxPerQueue?: number;
  maxWaiting?: number;
  /** Glide time of an animated show(), ms. */
  duration?: number;
}

export interface ShowOptions {
  /** Glide tokens from their old place to the new (stepping, slow play); false jumps (fast play, scrubbing). */
  animate?: boolean;
  /** A goid to mark, e.g. the goroutine the current event is about. */
  highlight?: number;
}

/** What is on screen for one key, to diff the next scene against. */
interface Shown {
  readonly node: NodeSingular;
  x: number;
  y: number;
  classes: string;
  /** label, size and colours in one string: one comparison per item per frame. */
  look: string;
  /** The show() that last saw it; older ones are removed. */
  gen: number;
}

const MAX_ZOOM = 1.6;

function lookOf(item: TokenItem): string {
  const base = `${item.label}|${item.w}|${item.h}`;
  return item.kind === 'g' ? `${base}|${item.fill}|${item.ink}|${item.stroke}` : base;
}

function dataOf(item: TokenItem): Record<string, string | number> {
  const data: Record<string, string | number> = {
    id: item.key,
    label: item.label,
    w: item.w,
    h: item.h,
  };
  if (item.kind === 'g') {
    data.goid = item.goid;
    data.fill = item.fill;
    data.ink = item.ink;
    data.stroke = item.stroke;
  }
  return data;
}

function isToken(item: SceneItem): item is TokenItem {
  return item.kind === 'g' || item.kind === 'm' || item.kind === 'more';
}

/** jsdom has HTMLCanvasElement but no 2D context; Cytoscape's renderer would throw there. */
function canDraw(): boolean {
  if (typeof window === 'undefined' || typeof document === 'undefined') return false;
  if (/jsdom/i.test(navigator.userAgent)) return false;
  return true;
}

export class PictureView extends Widget {
  /** The Cytoscape core (exposed for tests and the benchmark). */
  readonly cy: Core;
  private readonly host: HTMLDivElement;
  /** Lanes, boxes and captions under the canvas; the stop-the-world wash and banner over it. */
  readonly under = new Backdrop('jp-slowmo-picture-under');
  readonly over = new Backdrop('jp-slowmo-picture-over');
  private readonly options: PictureViewOptions;
  private readonly shown = new Map<string, Shown>();
  private readonly animating = new Set<NodeSingular>();
  private readonly clicked = new Signal<this, number>(this);
  private gen = 0;
  private palette: Palette;
  private lastState: SchedState | null = null;
  private lastHighlight = 0;
  private currentScene: Scene | null = null;
  /** The tallest scene of this run so far: fitting to it keeps the zoom from pumping. */
  private tallest = 0;
  private run: SchedState['run'] = null;
  private mounted = false;
  private themeWatch: MutationObserver | null = null;

  constructor(options: PictureViewOptions = {}) {
    super();
    this.options = options;
    this.addClass('jp-slowmo-picture');
    this.host = document.createElement('div');
    this.host.className = 'jp-slowmo-picture-canvas';
    this.node.append(this.under.svg, this.host, this.over.svg);
    this.palette = currentPalette();
    this.cy = cytoscape({
      headless: true,
      styleEnabled: true,
      style: stylesheet(this.palette),
      userZoomingEnabled: false,
      userPanningEnabled: false,
      boxSelectionEnabled: false,
      autoungrabify: true,
      autounselectify: true,
      // A diagram of a few hundred small nodes: crisp text beats viewport tricks.
      textureOnViewport: false,
      motionBlur: false,
      pixelRatio: 'auto',
    });
    this.cy.on('tap', 'node.g', (event) => {
      const goid = (event.target as NodeSingular).data('goid') as number;
      this.clicked.emit(goid);
    });
  }

  /** A goroutine token was clicked; the value is its goid. */
  get goroutineClicked(): ISignal<PictureView, number> {
    return this.clicked;
  }

  /** The scene last shown (null before the first show). */
  get scene(): Scene | null {
    return this.currentScene;
  }

  /**
   * Shows a state: diffed against what is on screen, one batch, no full
   * redraw. Without a state it is Lumino's Widget.show() (un-hide), which
   * panels call, so the name serves both.
   */
  override show(state?: SchedState, opts: ShowOptions = {}): void {
    if (state === undefined) {
      super.show();
      return;
    }
    const highlight = opts.highlight ?? 0;
    if (state === this.lastState && highlight === this.lastHighlight) return;
    this.lastState = state;
    this.lastHighlight = highlight;
    if (state.run !== this.run) {
      this.run = state.run;
      this.tallest = 0;
    }
    const scene = sceneOf(state, {
      maxPerQueue: this.options.maxPerQueue,
      maxWaiting: this.options.maxWaiting,
      highlight,
    });
    const resized =
      this.currentScene === null ||
      scene.width !== this.currentScene.width ||
      scene.height > this.tallest;
    this.currentScene = scene;
    this.tallest = Math.max(this.tallest, scene.height);
    this.render(scene, opts.animate === true);
    if (resized) this.fitView();
  }

  private render(scene: Scene, animate: boolean): void {
    const tokens: TokenItem[] = [];
    const still: SceneItem[] = [];
    const above: SceneItem[] = [];
    for (const item of scene.items) {
      if (isToken(item)) tokens.push(item);
      else if (item.kind === 'tint' || item.kind === 'banner') above.push(item);
      else still.push(item);
    }
    this.under.update(still, this.palette, scene.width, scene.height);
    this.over.update(above, this.palette, scene.width, scene.height);
    this.renderTokens(tokens, animate);
  }

  /** The tokens in Cytoscape: diffed by key, one batch, glides started after it. */
  private renderTokens(items: readonly TokenItem[], animate: boolean): void {
    const cy = this.cy;
    const gen = ++this.gen;
    // A glide still under way would carry on to its old target: finish it where it is.
    for (const node of this.animating) node.stop(true, false);
    this.animating.clear();
    const glides: [NodeSingular, number, number][] = [];
    const arrivals: NodeSingular[] = [];
    cy.batch(() => {
      const gone: NodeSingular[] = [];
      for (const item of items) {
        const rec = this.shown.get(item.key);
        if (rec === undefined) {
          const classes = classesOf(item);
          const node = cy.add({
            group: 'nodes',
            data: dataOf(item),
            position: { x: item.x, y: item.y },
            classes,
          });
          this.shown.set(item.key, {
            node,
            x: item.x,
            y: item.y,
            classes,
            look: lookOf(item),
            gen,
          });
          if (animate) arrivals.push(node);
          continue;
        }
        rec.gen = gen;
        const classes = classesOf(item);
        if (classes !== rec.classes) {
          rec.node.classes(classes);
          rec.classes = classes;
        }
        const look = lookOf(item);
        if (look !== rec.look) {
          rec.node.data(dataOf(item));
          rec.look = look;
        }
        if (item.x !== rec.x || item.y !== rec.y) {
          rec.x = item.x;
          rec.y = item.y;
          if (animate) glides.push([rec.node, item.x, item.y]);
          else rec.node.position({ x: item.x, y: item.y });
        }
      }
      for (const [key, rec] of this.shown) {
        if (rec.gen !== gen) {
          gone.push(rec.node);
          this.shown.delete(key);
        }
      }
      if (gone.length > 0) cy.collection(gone as unknown as CollectionArgument).remove();
    });
    if (!animate) return;
    const duration = this.options.duration ?? 320;
    for (const [node, x, y] of glides) {
      this.animating.add(node);
      node.animate(
        { position: { x, y } },
        {
          duration,
          easing: 'ease-in-out-cubic',
          complete: () => this.animating.delete(node),
        },
      );
    }
    for (const node of arrivals) {
      // New tokens fade in where they appear, so the eye catches them.
      node.style('opacity', 0);
      this.animating.add(node);
      node.animate(
        { style: { opacity: 1 } },
        {
          duration,
          complete: () => {
            node.removeStyle('opacity');
            this.animating.delete(node);
          },
        },
      );
    }
  }

  /** Fits the scene's width (and its tallest height so far) into the widget, top-aligned. */
  private fitView(): void {
    const scene = this.currentScene;
    if (scene === null || !this.mounted) return;
    const w = this.host.clientWidth;
    const h = this.host.clientHeight;
    if (w <= 0 || h <= 0) return;
    this.cy.resize();
    const zoom = Math.min(w / scene.width, h / Math.max(scene.height, this.tallest), MAX_ZOOM);
    const pan = { x: (w - scene.width * zoom) / 2, y: 0 };
    this.cy.viewport({ zoom, pan });
    this.under.place(zoom, pan);
    this.over.place(zoom, pan);
  }

  protected override onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (!this.mounted && this.options.headless !== true && canDraw()) {
      this.cy.mount(this.host);
      this.mounted = true;
      this.applyTheme();
      this.themeWatch = new MutationObserver(() => this.applyTheme());
      this.themeWatch.observe(document.body, {
        attributes: true,
        attributeFilter: ['data-jp-theme-light'],
      });
    }
    this.fitView();
  }

  protected override onBeforeDetach(msg: Message): void {
    this.themeWatch?.disconnect();
    this.themeWatch = null;
    super.onBeforeDetach(msg);
  }

  protected override onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this.fitView();
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.fitView();
  }

  private applyTheme(): void {
    const palette = currentPalette();
    if (palette === this.palette) return;
    this.palette = palette;
    this.cy.style(stylesheet(palette));
    this.under.clear();
    this.over.clear();
    if (this.currentScene !== null) this.render(this.currentScene, false);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.themeWatch?.disconnect();
    for (const node of this.animating) node.stop(true, false);
    this.cy.destroy();
    this.shown.clear();
    Signal.clearData(this);
    super.dispose();
  }
}
