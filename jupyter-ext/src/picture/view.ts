/**
 * PictureView: the live G/M/P picture, a Lumino widget around one Cytoscape
 * instance. Each show() lays the state out with sceneOf and then changes only
 * what differs from what is on screen, in one cy.batch: elements are keyed by
 * role and id ('g:12', 'm:3', 'p:0', ...), so a goroutine that moves is the
 * same node moving (gliding, when animated), never a node removed and added.
 *
 * It draws at zoom 1: a scene unit is a CSS pixel, so text is as large as
 * the metrics say whatever the output's size. The scene is laid out to the
 * width the view is given (P boxes side by side as far as they fit); what is
 * wider than that, or taller than the view, scrolls.
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
import { sceneOf, type Cause, type Scene, type SceneItem, type TokenItem } from './scene';

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
  /** What the current event did (a steal, a wake-up), drawn as an arrow. */
  cause?: Cause;
  /** More words for one goroutine's tooltip. */
  note?: { goid: number; text: string };
  /** Leave the runtime's own goroutines out. */
  hideRuntime?: boolean;
  /** A runtime goroutine shown all the same (the GC worker the GC lens shows marking). */
  reveal?: number;
  /** The goroutine the learner picked: ringed. */
  selected?: number;
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

/** What a render leaves to animate: tokens gliding to their new places, tokens that appeared. */
interface TokenMoves {
  glides: [NodeSingular, number, number][];
  arrivals: NodeSingular[];
}

function lookOf(item: TokenItem): string {
  const base = `${item.label}|${item.w}|${item.h}`;
  return item.kind === 'g' ? `${base}|${item.fill}|${item.ink}|${item.stroke}` : base;
}

function detailOf(item: TokenItem): string {
  switch (item.kind) {
    case 'g':
      return item.detail;
    case 'more':
      return `${item.count} more not drawn`;
    default:
      return item.mid < 0 ? 'no thread (M) holds this P' : `thread M${item.mid}: ${item.state}`;
  }
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

/** The tallest the view gets; a taller scene scrolls inside it. */
const MAX_VIEW_H = 900;
const DEFAULT_VIEW_W = 720;

export class PictureView extends Widget {
  /** The Cytoscape core (exposed for tests and the benchmark). */
  readonly cy: Core;
  private readonly host: HTMLDivElement;
  /** The scene at its natural size, inside the scrolling node. */
  private readonly sheet: HTMLDivElement;
  private readonly tip: HTMLDivElement;
  /** Lanes, boxes and captions under the canvas; the stop-the-world wash and banner over it. */
  readonly under = new Backdrop('jp-slowmo-picture-under');
  readonly over = new Backdrop('jp-slowmo-picture-over');
  private readonly options: PictureViewOptions;
  private readonly shown = new Map<string, Shown>();
  /**
   * Tokens under way, with where they are going. A new show() before a glide
   * or fade ends (a live run, fast stepping) must land them there: stopped
   * midway they would stay between rows, or half transparent, for good,
   * since the next diff sees them already "at" their recorded place.
   */
  private readonly animating = new Map<NodeSingular, { x: number; y: number } | null>();
  private readonly clicked = new Signal<this, number>(this);
  private gen = 0;
  private palette: Palette;
  private lastState: SchedState | null = null;
  private lastOpts: ShowOptions = {};
  private currentScene: Scene | null = null;
  /** The tallest scene of this run so far: the view keeps that height, so nothing below it jumps. */
  private tallest = 0;
  private run: SchedState['run'] = null;
  private mounted = false;
  private themeWatch: MutationObserver | null = null;
  private sizeWatch: ResizeObserver | null = null;
  /** The width the scene was laid out for (0: not measured yet). */
  private layoutWidth = 0;

  constructor(options: PictureViewOptions = {}) {
    super();
    this.options = options;
    this.addClass('jp-slowmo-picture');
    this.host = document.createElement('div');
    this.host.className = 'jp-slowmo-picture-canvas';
    this.sheet = document.createElement('div');
    this.sheet.className = 'jp-slowmo-picture-sheet';
    this.sheet.append(this.under.svg, this.host, this.over.svg);
    this.tip = document.createElement('div');
    this.tip.className = 'jp-slowmo-tip';
    this.tip.hidden = true;
    this.tip.setAttribute('role', 'tooltip');
    this.node.append(this.sheet, this.tip);
    this.node.addEventListener('scroll', () => this.follow(), { passive: true });
    // Browser tests read label sizes and positions from the live Cytoscape core.
    (this.node as unknown as { slowmoPicture: PictureView }).slowmoPicture = this;
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
    this.cy.on('mouseover', 'node', (event) => this.showTip(event.target as NodeSingular));
    this.cy.on('mouseout', 'node', () => (this.tip.hidden = true));
  }

  /** A token's words (function, creation site, state, why) beside it, as the SVG's <title> does. */
  private showTip(node: NodeSingular): void {
    // From the scene shown, not node data: tooltips change with every state and nobody reads most of them.
    const item = this.currentScene?.items.find((i) => i.key === node.id());
    if (!item || !isToken(item)) return;
    const text = detailOf(item);
    const pos = node.position();
    this.tip.textContent = text;
    this.tip.hidden = false;
    const x = Math.min(pos.x + 12, this.sheet.offsetWidth - this.tip.offsetWidth - 4);
    // The tip lives in the scrolling view, so scene coordinates are its own.
    this.tip.style.left = `${Math.max(0, x)}px`;
    this.tip.style.top = `${pos.y + node.height() / 2 + 6}px`;
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
    if (state === this.lastState && sameOptions(opts, this.lastOpts)) return;
    // Showing or hiding the runtime's goroutines is a new picture: its height starts afresh.
    if (opts.hideRuntime !== this.lastOpts.hideRuntime) this.tallest = 0;
    this.lastState = state;
    this.lastOpts = opts;
    if (state.run !== this.run) {
      this.run = state.run;
      this.tallest = 0;
    }
    this.draw(opts.animate === true);
  }

  /** Lays the last state out for the current width and draws it. */
  private draw(animate: boolean): void {
    const state = this.lastState;
    if (state === null) return;
    const opts = this.lastOpts;
    const scene = sceneOf(state, {
      maxPerQueue: this.options.maxPerQueue,
      maxWaiting: this.options.maxWaiting,
      highlight: opts.highlight ?? 0,
      width: this.layoutWidth || undefined,
      hideRuntime: opts.hideRuntime,
      reveal: opts.reveal,
      cause: opts.cause,
      note: opts.note,
      selected: opts.selected,
    });
    const resized =
      this.currentScene === null ||
      scene.width !== this.currentScene.width ||
      scene.height > this.tallest;
    this.currentScene = scene;
    this.tallest = Math.max(this.tallest, scene.height);
    this.render(scene, animate);
    if (resized) this.size();
  }

  private render(scene: Scene, animate: boolean): void {
    const tokens: TokenItem[] = [];
    const still: SceneItem[] = [];
    const above: SceneItem[] = [];
    for (const item of scene.items) {
      if (isToken(item)) tokens.push(item);
      else if (item.kind === 'tint' || item.kind === 'banner' || item.kind === 'arrow')
        above.push(item);
      else still.push(item);
    }
    this.under.update(still, this.palette, scene.width, scene.height);
    this.over.update(above, this.palette, scene.width, scene.height);
    this.renderTokens(tokens, animate);
  }

  /** The tokens in Cytoscape: diffed by key, one batch, glides started after it. */
  private renderTokens(items: readonly TokenItem[], animate: boolean): void {
    const gen = ++this.gen;
    this.settle();
    const moves: TokenMoves = { glides: [], arrivals: [] };
    this.cy.batch(() => {
      for (const item of items) this.placeToken(item, gen, animate ? moves : undefined);
      this.removeTokensBefore(gen);
    });
    if (animate) this.animateTokens(moves);
  }

  /** Adds a token or brings its node up to date; with `moves`, its arrival or glide is left to animate. */
  private placeToken(item: TokenItem, gen: number, moves: TokenMoves | undefined): void {
    const rec = this.shown.get(item.key);
    if (rec === undefined) {
      const classes = classesOf(item);
      const node = this.cy.add({
        group: 'nodes',
        data: dataOf(item),
        position: { x: item.x, y: item.y },
        classes,
      });
      this.shown.set(item.key, { node, x: item.x, y: item.y, classes, look: lookOf(item), gen });
      moves?.arrivals.push(node);
      return;
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
      if (moves) moves.glides.push([rec.node, item.x, item.y]);
      else rec.node.position({ x: item.x, y: item.y });
    }
  }

  /** Removes the tokens this render did not place. */
  private removeTokensBefore(gen: number): void {
    const gone: NodeSingular[] = [];
    for (const [key, rec] of this.shown) {
      if (rec.gen !== gen) {
        gone.push(rec.node);
        this.shown.delete(key);
      }
    }
    if (gone.length > 0) this.cy.collection(gone as unknown as CollectionArgument).remove();
  }

  private animateTokens({ glides, arrivals }: TokenMoves): void {
    const duration = this.options.duration ?? 320;
    for (const [node, x, y] of glides) {
      this.animating.set(node, { x, y });
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
      this.animating.set(node, null);
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

  /** Ends every glide and fade at once, where it was going. */
  private settle(): void {
    if (this.animating.size === 0) return;
    this.cy.batch(() => {
      for (const [node, to] of this.animating) {
        node.stop(true, false);
        if (node.removed()) continue;
        if (to) node.position(to);
        else node.removeStyle('opacity');
      }
    });
    this.animating.clear();
  }

  /** Sizes the sheet to the scene and the view to its tallest scene; zoom stays 1. */
  private size(): void {
    const scene = this.currentScene;
    if (scene === null) return;
    const h = Math.max(scene.height, this.tallest);
    this.sheet.style.width = `${scene.width}px`;
    this.sheet.style.height = `${h}px`;
    // Room for a sideways scrollbar when the scene is wider than the view.
    const scroll = this.node.clientWidth > 0 && scene.width > this.node.clientWidth ? 14 : 0;
    this.node.style.height = `${Math.min(h, MAX_VIEW_H) + scroll}px`;
    this.follow();
  }

  /**
   * Keeps Cytoscape's canvas the size of what is in view, over it, and pans
   * it by the scroll: a canvas as big as a tall scene (thousands of pixels
   * for eight Ps and many wait lanes) costs every frame, whatever is seen.
   */
  private follow(): void {
    if (!this.mounted) return;
    const w = Math.min(this.node.clientWidth || DEFAULT_VIEW_W, this.sheet.offsetWidth);
    const h = Math.min(this.node.clientHeight || MAX_VIEW_H, this.sheet.offsetHeight);
    const x = this.node.scrollLeft;
    const y = this.node.scrollTop;
    const host = this.host.style;
    if (host.width !== `${w}px` || host.height !== `${h}px`) {
      host.width = `${w}px`;
      host.height = `${h}px`;
      this.cy.resize();
    }
    host.transform = `translate(${x}px, ${y}px)`;
    this.cy.viewport({ zoom: 1, pan: { x: -x, y: -y } });
    this.under.place(1, { x: 0, y: 0 });
    this.over.place(1, { x: 0, y: 0 });
  }

  /** The width to lay out for changed (attached, shown, resized): lay out again. */
  private measure(): void {
    const w = this.node.clientWidth;
    if (w <= 0) return; // hidden: keep the last layout until there is a width to use
    if (Math.abs(w - this.layoutWidth) < 2) return;
    this.layoutWidth = w;
    this.tallest = 0;
    this.draw(false);
    this.size();
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
    // Restored outputs and background tabs are attached before they have a
    // size: the observer tells when they get one, without polling.
    if (this.sizeWatch === null && typeof ResizeObserver !== 'undefined') {
      this.sizeWatch = new ResizeObserver(() => this.measure());
      this.sizeWatch.observe(this.node);
    }
    this.measure();
    this.size();
  }

  protected override onBeforeDetach(msg: Message): void {
    this.themeWatch?.disconnect();
    this.themeWatch = null;
    this.sizeWatch?.disconnect();
    this.sizeWatch = null;
    super.onBeforeDetach(msg);
  }

  protected override onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this.measure();
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.measure();
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
    this.sizeWatch?.disconnect();
    for (const node of this.animating.keys()) node.stop(true, false);
    this.cy.destroy();
    this.shown.clear();
    Signal.clearData(this);
    super.dispose();
  }
}

function sameOptions(a: ShowOptions, b: ShowOptions): boolean {
  return (
    (a.highlight ?? 0) === (b.highlight ?? 0) &&
    a.cause === b.cause &&
    a.note?.text === b.note?.text &&
    a.hideRuntime === b.hideRuntime &&
    (a.reveal ?? 0) === (b.reveal ?? 0) &&
    (a.selected ?? 0) === (b.selected ?? 0)
  );
}
