/**
 * Collects the items of one scene and keeps the books: which goroutines and
 * Ms have a place already (each is drawn once), how many are drawn and how
 * many only counted in "+N" tokens.
 */
import { isRuntimeGoroutine, shortName, type SchedState } from '@go-slowmo/kernel-bridge/protocol';
import { tokenPaint } from './colors';
import { METRICS, PITCH, ROW_H } from './metrics';
import type { FrameRole, FrameTone, Place, SceneItem, Text, TextRole, ThreadLook } from './items';
import { describe, fit } from './words';

const { tokenW, tokenH, threadW, threadH, runtimeH } = METRICS;

/** How many tokens to draw of `n` when `cap` fit: all, or cap - 1 and a "+N". */
export function visible(n: number, cap: number): number {
  return n <= cap ? n : Math.max(0, cap - 1);
}

export class Builder {
  /** Drawing layers, back to front. */
  readonly frames: SceneItem[] = [];
  readonly texts: SceneItem[] = [];
  readonly tokens: SceneItem[] = [];
  readonly overlays: SceneItem[] = [];
  shown = 0;
  collapsed = 0;
  readonly placed = new Set<number>();
  readonly threadsShown = new Set<number>();

  constructor(
    readonly state: SchedState,
    readonly highlight: number,
    /** Goroutines left out of the picture (runtime ones, when hidden). */
    readonly hidden: ReadonlySet<number> = new Set(),
    readonly note?: { readonly goid: number; readonly text: string },
    /** The picture's width (arrows keep their words inside it). */
    readonly width = 0,
  ) {}

  /** The goroutine the learner picked, ringed (0: none). */
  selected = 0;

  items(): SceneItem[] {
    return [...this.frames, ...this.texts, ...this.tokens, ...this.overlays];
  }

  /** A box given by its top-left corner. */
  frame(
    key: string,
    role: FrameRole,
    x0: number,
    y0: number,
    w: number,
    h: number,
    tone: FrameTone = 'plain',
    inferred = false,
  ): void {
    this.frames.push({
      kind: 'frame',
      key,
      role,
      tone,
      inferred,
      x: x0 + w / 2,
      y: y0 + h / 2,
      w,
      h,
    });
  }

  text(
    key: string,
    text: string,
    role: TextRole,
    x: number,
    y: number,
    anchor: Text['anchor'] = 'start',
  ): void {
    this.texts.push({ kind: 'text', key, text, role, anchor, x, y, w: 0, h: 0 });
  }

  goroutine(goid: number, x: number, y: number, place: Place, inferred: boolean): void {
    const g = this.state.gs.get(goid);
    const runtime = g !== undefined && isRuntimeGoroutine(g);
    const { fill, ink, stroke } = tokenPaint(goid, runtime);
    this.placed.add(goid);
    this.shown++;
    const font = runtime ? METRICS.fontSmall : METRICS.fontToken;
    const note = this.note?.goid === goid ? ` · ${this.note.text}` : '';
    this.tokens.push({
      kind: 'g',
      key: `g:${goid}`,
      goid,
      label: fit(`g${goid} ${shortName(g, goid)}`, tokenW - 12, font),
      fn: g?.site?.fn ?? (goid === 1 ? 'main.main' : ''),
      fill,
      ink,
      stroke,
      place,
      inferred,
      runtime,
      highlighted: goid === this.highlight,
      selected: goid === this.selected,
      detail: describe(g, goid) + note,
      x,
      y,
      w: tokenW,
      h: runtime ? runtimeH : tokenH,
    });
  }

  /** A "+N" token for the goroutines `hidden` plus `extra` known only by count. */
  more(
    group: string,
    hidden: readonly number[],
    extra: number,
    x: number,
    y: number,
    inferred: boolean,
  ): void {
    const count = hidden.length + extra;
    for (const goid of hidden) this.placed.add(goid);
    this.collapsed += count;
    this.tokens.push({
      kind: 'more',
      key: `more:${group}`,
      group,
      count,
      label: `+${count}`,
      inferred,
      highlighted: this.highlight > 0 && hidden.includes(this.highlight),
      x,
      y,
      w: tokenW,
      h: tokenH,
    });
  }

  thread(mid: number, x: number, y: number): void {
    this.threadsShown.add(mid);
    const state: ThreadLook = this.state.ms.get(mid)?.state ?? 'running';
    this.tokens.push({
      kind: 'm',
      key: `m:${mid}`,
      mid,
      state,
      label: `M${mid}`,
      x,
      y,
      w: threadW,
      h: threadH,
    });
  }

  /** The empty mark where a P without an M would have one. */
  noThread(pid: number, x: number, y: number): void {
    this.tokens.push({
      kind: 'm',
      key: `nom:${pid}`,
      mid: -1,
      state: 'none',
      label: 'no M',
      x,
      y,
      w: threadW,
      h: threadH,
    });
  }

  moreThreads(count: number, x: number, y: number): void {
    this.tokens.push({
      kind: 'more',
      key: 'more:threads',
      group: 'threads',
      count,
      label: `+${count}`,
      inferred: false,
      highlighted: false,
      x,
      y,
      w: threadW,
      h: threadH,
    });
  }

  /**
   * A row of goroutines from `x0` (left edge of the first token), wrapping
   * every `perRow`, collapsing into "+N" beyond `cap`. `extra` counts
   * goroutines known only by number (a truncated global queue snapshot).
   */
  row(
    group: string,
    goids: readonly number[],
    extra: number,
    cap: number,
    perRow: number,
    x0: number,
    yc: number,
    place: (index: number) => Place,
    inferred: boolean,
  ): void {
    const total = goids.length + extra;
    const drawn = Math.min(visible(total, cap), goids.length);
    const at = (i: number): [number, number] => [
      x0 + tokenW / 2 + (i % perRow) * PITCH,
      yc + Math.floor(i / perRow) * ROW_H,
    ];
    for (let i = 0; i < drawn; i++) {
      const [x, y] = at(i);
      this.goroutine(goids[i] as number, x, y, place(i), inferred);
    }
    if (total > drawn) {
      const [x, y] = at(drawn);
      this.more(group, goids.slice(drawn), extra, x, y, inferred);
    }
  }
}
