/**
 * TimelineView: the run over time on one canvas, under the picture and kept
 * in step with it. A lane per P (and on demand per M and per goroutine),
 * the cursor at the picture's event; a click seeks the picture to the slice
 * (or moment) under the pointer, a drag on the time ruler scrubs, a drag on
 * the lanes pans (sideways in time, up and down through the rows),
 * Ctrl+wheel zooms around the pointer (the wheel alone scrolls the notebook).
 *
 * Drawing is on demand: showLanes() and each gesture mark the view dirty and
 * one frame is drawn per animation frame at most.
 */
import type { Lanes } from '@go-slowmo/kernel-bridge/protocol';
import type { Message } from '@lumino/messaging';
import { Signal, type ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { currentPalette } from '../picture/palette';
import { context2d } from './canvas';
import { drawAnnotations, type DrawnMark } from './annotation-draw';
import type { UserAnnotations } from './annotations';
import { drawCursorLayer, drawScene, type DrawnArrow, type FrameInput } from './draw';
import { TimelineInput } from './input';
import {
  GUTTER,
  isRuntimeLane,
  layoutRows,
  MAX_VIEW_H,
  RULER_H,
  rowsInView,
  type Layout,
  type LayoutOptions,
} from './layout';
import { Paints } from './paint';
import { clampScale, fitScale, withWidth, type TimeScale } from './scale';
import { onThemeChange } from './theme';

export interface TimelineShow {
  readonly lanes: Lanes;
  /** The picture's current seq and its time (-1 / null before any event). */
  readonly seq: number;
  readonly t: number | null;
  readonly runtime: boolean;
  readonly selected: number;
}

export class TimelineView extends Widget {
  readonly canvas = document.createElement('canvas');
  readonly scroller = document.createElement('div');
  private readonly spacer = document.createElement('div');
  readonly tip = document.createElement('div');
  private readonly seeking = new Signal<this, number>(this);
  private readonly selecting = new Signal<this, number>(this);
  readonly input: TimelineInput;
  lanes: Lanes | null = null;
  rows: Layout = { rows: [], height: 0 };
  scale: TimeScale = fitScale(0, 1);
  /** The view shows the whole run and follows it as it grows, until zoomed or panned. */
  whole = true;
  options: LayoutOptions = { ms: false, goroutines: false, runtime: false, selected: 0 };
  cursor: number | null = null;
  arrows = true;
  paints: Paints;
  /** Arrows drawn in the last frame, for hovering. */
  drawn: DrawnArrow[] = [];
  /** The program's regions and logs, drawn on the goroutine lanes (set before showLanes). */
  annotations: UserAnnotations | null = null;
  /** Regions and logs drawn in the last frame, for hovering and clicking. */
  marks: DrawnMark[] = [];
  /** Called after each frame with its time scale: what is drawn beside the canvas follows it. */
  afterDraw: ((scale: TimeScale) => void) | null = null;
  /** Frames drawn, the time spent drawing them, the last frames' times (the benchmark reads them). */
  readonly stats = { frames: 0, drawMs: 0, rects: 0, recent: [] as number[] };
  private rowsKey = '';
  /**
   * The scroller's width and scroll, kept from its resize and scroll events:
   * reading them while drawing would make the browser lay the whole notebook
   * out again in the middle of each frame.
   */
  private width = 0;
  scrollY = 0;
  private raf = 0;
  private sizeWatch: ResizeObserver | null = null;
  private unwatchTheme: (() => void) | null = null;

  constructor(readonly seqAtTime: (t: number) => number) {
    super();
    this.addClass('jp-slowmo-timeline-view');
    this.scroller.className = 'jp-slowmo-timeline-scroller';
    this.canvas.className = 'jp-slowmo-timeline-canvas';
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute(
      'aria-label',
      'Timeline: a lane per P over time. Click to seek, drag to pan, Ctrl+wheel to zoom, arrow keys to pan, + and - to zoom.',
    );
    this.tip.className = 'jp-slowmo-tip jp-slowmo-timeline-tip';
    this.tip.hidden = true;
    this.tip.setAttribute('role', 'tooltip');
    this.scroller.append(this.canvas, this.spacer);
    this.node.append(this.scroller, this.tip);
    this.paints = new Paints(currentPalette(), this.isRuntime);
    this.input = new TimelineInput(this);
    // Browser tests and the benchmark reach the view through its node.
    (this.node as unknown as { slowmoTimeline: TimelineView }).slowmoTimeline = this;
  }

  /** The picture is to show event `seq`. */
  get seekRequested(): ISignal<this, number> {
    return this.seeking;
  }

  /** A goroutine was picked (its name clicked). */
  get goroutineSelected(): ISignal<this, number> {
    return this.selecting;
  }

  /** @internal */
  seek(seq: number): void {
    if (seq >= 0) this.seeking.emit(seq);
  }

  /** @internal */
  select(goid: number): void {
    this.selecting.emit(goid);
  }

  private isRuntime = (goid: number): boolean => {
    const g = this.lanes?.byGoid.get(goid);
    return g !== undefined && isRuntimeLane(g);
  };

  /** Shows the lanes so far with the cursor at the picture's event; draws at once. */
  showLanes(show: TimelineShow): void {
    this.lanes = show.lanes;
    this.cursor = show.t;
    this.options = { ...this.options, runtime: show.runtime, selected: show.selected };
    this.relayout();
    this.rescale();
    this.draw();
  }

  /** Changes which lanes are shown (Ms, goroutines) and redraws. */
  setLanes(change: Partial<Pick<LayoutOptions, 'ms' | 'goroutines'>>): void {
    this.options = { ...this.options, ...change };
    this.relayout();
    this.request();
  }

  /** Back to the whole run. */
  fitAll(): void {
    this.whole = true;
    this.rescale();
    this.request();
  }

  /** Sets the span in view (a gesture); the view stops following the run's growth. */
  setScale(scale: TimeScale): void {
    this.whole = false;
    this.scale = clampScale(scale, this.lanes?.end ?? 0);
    this.request();
  }

  get end(): number {
    return this.lanes?.end ?? 0;
  }

  private relayout(): void {
    const lanes = this.lanes;
    if (lanes === null) return;
    const o = this.options;
    // Rows change when lanes appear or the choices change, not with every event.
    const key = `${lanes.procs.length}|${lanes.ms.length}|${o.goroutines ? lanes.goroutines.length : 0}|${o.ms}|${o.goroutines}|${o.runtime}|${o.selected}`;
    if (key === this.rowsKey) return;
    this.rowsKey = key;
    this.rows = layoutRows(lanes, o);
    this.size();
  }

  private rescale(): void {
    const width = Math.max(1, this.lanesWidth());
    this.scale = this.whole
      ? fitScale(this.end, width)
      : clampScale(withWidth(this.scale, width), this.end);
  }

  /** The lanes' width: the canvas minus the names. */
  lanesWidth(): number {
    return Math.max(1, (this.width || 800) - GUTTER);
  }

  viewHeight(): number {
    return Math.min(RULER_H + this.rows.height, MAX_VIEW_H);
  }

  /** Sizes the scroller, the canvas (in device pixels) and the spacer under it. */
  private size(): void {
    const h = this.viewHeight();
    this.scroller.style.height = `${h}px`;
    this.spacer.style.height = `${Math.max(0, RULER_H + this.rows.height - h)}px`;
    const w = this.width || 800;
    const dpr = globalThis.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
      this.canvas.style.width = `${w}px`;
      this.canvas.style.height = `${h}px`;
    }
  }

  /** Asks for a frame. */
  request(): void {
    if (this.raf !== 0 || this.isDisposed) return;
    const raf =
      globalThis.requestAnimationFrame ??
      ((cb: FrameRequestCallback) => setTimeout(() => cb(0), 16));
    this.raf = raf(() => {
      this.raf = 0;
      this.draw();
    }) as unknown as number;
  }

  /** Draws one frame now. */
  draw(): void {
    const lanes = this.lanes;
    if (lanes === null || !this.isVisible) return;
    const ctx = context2d(this.canvas);
    if (ctx === null) return;
    const t0 = performance.now();
    const dpr = this.canvas.width / Math.max(1, this.width || 800);
    const f: FrameInput = {
      lanes,
      layout: this.rows,
      scale: this.scale,
      width: this.canvas.width / dpr,
      height: this.canvas.height / dpr,
      gutter: GUTTER,
      scrollTop: this.scrollY,
      paints: this.paints,
      // The lanes end at the program's last event; run.end may come later: keep the cursor on them.
      cursor: this.cursor === null ? null : Math.min(this.cursor, lanes.end),
      selected: this.options.selected,
      arrows: this.arrows,
    };
    this.drawScene(f, dpr);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.scene, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    drawCursorLayer(ctx, f);
    const ms = performance.now() - t0;
    this.stats.frames++;
    this.stats.drawMs += ms;
    if (this.stats.recent.push(ms) > 600) this.stats.recent.shift();
    this.node.dataset.frames = String(this.stats.frames);
    this.afterDraw?.(this.scale);
  }

  /** The scene without the cursor, drawn again only when something but the cursor changed. */
  private drawScene(f: FrameInput, dpr: number): void {
    const c = this.scene;
    const key = [
      f.lanes.lastSeq,
      f.scale.from,
      f.scale.to,
      this.canvas.width,
      this.canvas.height,
      f.scrollTop,
      this.rowsKey,
      f.selected,
      f.arrows,
      f.paints.palette.dark,
      this.annotations?.count ?? 0,
    ].join('|');
    if (key === this.sceneKey) return;
    this.sceneKey = key;
    if (c.width !== this.canvas.width || c.height !== this.canvas.height) {
      c.width = this.canvas.width;
      c.height = this.canvas.height;
    }
    const ctx = c.getContext('2d');
    if (ctx === null) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const out = drawScene(ctx, f);
    this.drawn = out.arrows;
    this.stats.rects = out.rects;
    const [first, last] = rowsInView(f.layout.rows, f.scrollTop, f.height - RULER_H);
    this.marks = this.annotations ? drawAnnotations(ctx, f, this.annotations, first, last) : [];
  }

  private readonly scene = document.createElement('canvas');
  private sceneKey = '';

  /** The next frame draws the scene again (the benchmark's worst case). */
  invalidate(): void {
    this.sceneKey = '';
  }

  protected override onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.sizeWatch === null && typeof ResizeObserver !== 'undefined') {
      this.sizeWatch = new ResizeObserver(() => this.resized());
      this.sizeWatch.observe(this.scroller);
    }
    this.unwatchTheme ??= onThemeChange(() => this.themed());
    this.resized();
  }

  protected override onBeforeDetach(msg: Message): void {
    this.sizeWatch?.disconnect();
    this.sizeWatch = null;
    this.unwatchTheme?.();
    this.unwatchTheme = null;
    super.onBeforeDetach(msg);
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.resized();
  }

  private resized(): void {
    this.width = this.scroller.clientWidth;
    this.scrollY = this.scroller.scrollTop;
    this.size();
    this.rescale();
    this.request();
  }

  private themed(): void {
    const palette = currentPalette();
    if (palette === this.paints.palette) return;
    this.paints = new Paints(palette, this.isRuntime);
    this.sceneKey = '';
    this.request();
    this.themeChanged?.();
  }

  /** Called after the view has taken a new theme (the panel redraws its key). */
  themeChanged: (() => void) | null = null;

  override dispose(): void {
    if (this.isDisposed) return;
    this.sizeWatch?.disconnect();
    this.unwatchTheme?.();
    this.input.dispose();
    Signal.clearData(this);
    super.dispose();
  }
}
