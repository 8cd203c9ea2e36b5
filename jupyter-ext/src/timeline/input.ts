/**
 * The timeline's gestures: click to seek (to the slice under the pointer),
 * drag the ruler to scrub, drag the lanes to pan, Ctrl+wheel (a pinch) to
 * zoom around the pointer, sideways wheel and Shift+wheel to pan, keys for the
 * same, and a tooltip naming what is under the pointer. The wheel alone
 * scrolls the notebook, as everywhere else in it: a learner scrolling past
 * the timeline must not get stuck zooming it (the tooltip says how to zoom).
 */
import type { LaneSlice } from '@go-slowmo/kernel-bridge/protocol';
import { cullLane, MIXED } from './cull';
import { nearestSegment, sliceAt } from './hit';
import { keyOf } from './paint';
import { GUTTER, RULER_H, rowAt, type Row } from './layout';
import { nsPerPx, panBy, tOf, zoomAt, type TimeScale } from './scale';
import type { TimelineView } from './view';
import { markAt } from './annotation-draw';
import { arrowWords, manyWords, sliceWords } from './words';

/** Said when the wheel alone scrolls past the lanes. */
export const ZOOM_HOW = 'Ctrl + wheel (or a pinch) zooms here; Shift + wheel pans';

/** A press that moves less than this (px) is a click. */
const CLICK_SLOP = 4;
/** Slices narrower than a few pixels are still hit within this distance (px). */
const HIT_SLOP = 3;

/** What is under a point of the canvas. */
export type Hit =
  | { kind: 'slice'; row: Row; index: number; slice: LaneSlice; count: number; to: number }
  | { kind: 'arrow'; index: number }
  | { kind: 'name'; row: Row }
  | { kind: 'time'; t: number };

interface Press {
  x: number;
  y: number;
  scale: TimeScale;
  scrollTop: number;
  mode: 'press' | 'pan' | 'scrub';
}

export class TimelineInput {
  private press: Press | null = null;
  private readonly listeners: [string, EventListener][] = [];

  constructor(private readonly view: TimelineView) {
    const c = view.canvas;
    this.on('pointerdown', (e) => this.down(e as PointerEvent));
    this.on('pointermove', (e) => this.move(e as PointerEvent));
    this.on('pointerup', (e) => this.up(e as PointerEvent));
    this.on('pointercancel', () => (this.press = null));
    this.on('pointerleave', () => (view.tip.hidden = true));
    this.on('wheel', (e) => this.wheel(e as WheelEvent));
    this.on('keydown', (e) => this.key(e as KeyboardEvent));
    view.scroller.addEventListener(
      'scroll',
      () => {
        view.scrollY = view.scroller.scrollTop;
        view.request();
      },
      { passive: true },
    );
    c.style.touchAction = 'none';
  }

  private on(type: string, f: EventListener): void {
    this.view.canvas.addEventListener(type, f, type === 'wheel' ? { passive: false } : undefined);
    this.listeners.push([type, f]);
  }

  dispose(): void {
    for (const [type, f] of this.listeners) this.view.canvas.removeEventListener(type, f);
  }

  /** The point in canvas CSS px. */
  private point(e: MouseEvent): { x: number; y: number } {
    const box = this.view.canvas.getBoundingClientRect();
    return { x: e.clientX - box.left, y: e.clientY - box.top };
  }

  /** What is at (x, y) of the canvas. */
  hitAt(x: number, y: number): Hit | null {
    const v = this.view;
    const lanes = v.lanes;
    if (lanes === null) return null;
    const t = tOf(v.scale, x - GUTTER);
    if (y < RULER_H) return x >= GUTTER ? { kind: 'time', t } : null;
    const arrow = nearestSegment(v.drawn, x, y, 4);
    if (arrow >= 0) return { kind: 'arrow', index: arrow };
    const ri = rowAt(v.rows.rows, y - RULER_H + v.scrollY);
    const row = v.rows.rows[ri];
    if (row === undefined) return x >= GUTTER ? { kind: 'time', t } : null;
    if (x < GUTTER) return { kind: 'name', row };
    // The GC track holds two kinds of slice that overlap: stop-the-world first.
    const hit =
      (row.kind === 'gc' ? this.sliceHit(row, lanes.stw, t) : null) ??
      this.sliceHit(row, row.slices, t);
    return hit ?? { kind: 'time', t };
  }

  /** The slice at time t in a row, or the merged run of short slices drawn there. */
  private sliceHit(row: Row, slices: readonly LaneSlice[], t: number): Hit | null {
    const v = this.view;
    const px = nsPerPx(v.scale);
    const i = sliceAt(slices, t, HIT_SLOP * px);
    const s = slices[i];
    if (s === undefined || keyOf(row.kind, s) === null) return null;
    // At this zoom the slice may be part of a run of many: say so rather than name one.
    const near = { ...v.scale, from: t - HIT_SLOP * px, to: t + HIT_SLOP * px };
    const run = cullLane(slices, near, (x) => keyOf(row.kind, x)).find(
      (r) => r.first <= i && i <= r.last,
    );
    if (run && run.key === MIXED && s.end - s.start < 2 * px) {
      const last = slices[run.last] as LaneSlice;
      return {
        kind: 'slice',
        row,
        index: run.first,
        slice: slices[run.first] as LaneSlice,
        count: run.last - run.first + 1,
        to: last.end,
      };
    }
    return { kind: 'slice', row, index: i, slice: s, count: 1, to: s.end };
  }

  private down(e: PointerEvent): void {
    if (e.button !== 0) return;
    const { x, y } = this.point(e);
    const v = this.view;
    v.canvas.setPointerCapture?.(e.pointerId);
    const onRuler = y < RULER_H && x >= GUTTER;
    this.press = {
      x,
      y,
      scale: v.scale,
      scrollTop: v.scrollY,
      mode: onRuler ? 'scrub' : 'press',
    };
    if (onRuler) this.scrubTo(x);
    e.preventDefault();
  }

  private move(e: PointerEvent): void {
    const { x, y } = this.point(e);
    const p = this.press;
    if (p === null) {
      this.hover(x, y);
      return;
    }
    if (p.mode === 'scrub') {
      this.scrubTo(x);
      return;
    }
    if (p.mode === 'press' && Math.hypot(x - p.x, y - p.y) < CLICK_SLOP) return;
    p.mode = 'pan';
    this.view.tip.hidden = true;
    this.view.canvas.style.cursor = 'grabbing';
    this.view.setScale(panBy(p.scale, x - p.x, this.view.end));
    this.view.scroller.scrollTop = p.scrollTop - (y - p.y);
  }

  private up(e: PointerEvent): void {
    const p = this.press;
    this.press = null;
    this.view.canvas.style.cursor = '';
    if (p === null || p.mode !== 'press') return;
    const { x, y } = this.point(e);
    this.click(x, y);
  }

  /** A click: seek to the slice (its first event) or arrow under it; a name selects its goroutine. */
  click(x: number, y: number): void {
    const v = this.view;
    // A region or a log: to its begin.
    const mark = markAt(v.marks, x, y);
    if (mark !== null) {
      v.seek(mark.seq);
      return;
    }
    const hit = this.hitAt(x, y);
    if (hit === null) return;
    if (hit.kind === 'name') {
      if (hit.row.kind === 'g') v.select(hit.row.id);
      return;
    }
    if (hit.kind === 'arrow') v.seek((v.drawn[hit.index] as { arrow: { seq: number } }).arrow.seq);
    else if (hit.kind === 'slice' && hit.count === 1) v.seek(hit.slice.startSeq);
    else {
      v.seek(v.seqAtTime(tOf(v.scale, x - GUTTER)));
    }
  }

  private scrubTo(x: number): void {
    const v = this.view;
    v.seek(v.seqAtTime(tOf(v.scale, x - GUTTER)));
  }

  private hover(x: number, y: number): void {
    const v = this.view;
    const hit = this.hitAt(x, y);
    const mark = markAt(v.marks, x, y);
    const text =
      mark !== null ? mark.text : hit === null || v.lanes === null ? '' : this.words(hit);
    v.canvas.style.cursor =
      hit?.kind === 'name' && hit.row.kind === 'g'
        ? 'pointer'
        : hit?.kind === 'time' && y < RULER_H
          ? 'col-resize'
          : '';
    this.tipAt(x, y, text);
  }

  /** Shows `text` in the tooltip near (x, y), or hides it when there is none. */
  private tipAt(x: number, y: number, text: string): void {
    const v = this.view;
    if (text === '') {
      v.tip.hidden = true;
      return;
    }
    v.tip.textContent = text;
    v.tip.hidden = false;
    const left = Math.min(x + 14, v.canvas.clientWidth - v.tip.offsetWidth - 4);
    v.tip.style.left = `${Math.max(0, left)}px`;
    // Under the pointer, or over it near the bottom (the output may end there).
    const below = y + 18 + v.tip.offsetHeight <= v.canvas.clientHeight;
    v.tip.style.top = `${below ? y + 18 : Math.max(0, y - v.tip.offsetHeight - 10)}px`;
  }

  private words(hit: Hit): string {
    const v = this.view;
    const lanes = v.lanes!;
    switch (hit.kind) {
      case 'slice':
        return hit.count > 1
          ? manyWords(hit.count, hit.slice.start, hit.to)
          : sliceWords(hit.row, hit.slice, lanes);
      case 'arrow':
        return arrowWords(v.drawn[hit.index]!.arrow, lanes);
      case 'name':
        return hit.row.kind === 'g'
          ? `${hit.row.label}: click to select it in the picture and the table`
          : '';
      default:
        return '';
    }
  }

  private wheel(e: WheelEvent): void {
    const v = this.view;
    const { x, y } = this.point(e);
    // Over the names the wheel scrolls the rows (and the notebook past them), as elsewhere.
    if (x < GUTTER) return;
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    const dx = e.deltaX * unit;
    const dy = e.deltaY * unit;
    const sideways = e.shiftKey || Math.abs(dx) > Math.abs(dy);
    if (!sideways && !e.ctrlKey && !e.metaKey) {
      this.tipAt(x, y, ZOOM_HOW);
      return;
    }
    e.preventDefault();
    if (sideways) {
      v.setScale(panBy(v.scale, -(Math.abs(dx) > Math.abs(dy) ? dx : dy), v.end));
      return;
    }
    v.setScale(zoomAt(v.scale, x - GUTTER, Math.exp(dy * 0.0015), v.end));
  }

  private key(e: KeyboardEvent): void {
    const v = this.view;
    const w = v.lanesWidth();
    const actions: Record<string, () => TimeScale | null> = {
      ArrowLeft: () => panBy(v.scale, w / 8, v.end),
      ArrowRight: () => panBy(v.scale, -w / 8, v.end),
      '+': () => zoomAt(v.scale, w / 2, 0.7, v.end),
      '=': () => zoomAt(v.scale, w / 2, 0.7, v.end),
      '-': () => zoomAt(v.scale, w / 2, 1 / 0.7, v.end),
      '0': () => {
        v.fitAll();
        return null;
      },
    };
    const act = actions[e.key];
    if (act === undefined) return;
    e.preventDefault();
    const next = act();
    if (next !== null) v.setScale(next);
  }
}
