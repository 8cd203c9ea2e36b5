/**
 * sceneOf(state): where everything goes in the picture, as plain data with
 * no DOM. The live view (Cytoscape) and the standalone SVG both draw a Scene,
 * so they always agree, and tests can check the layout without a browser.
 *
 * The layout is a fixed diagram, not a graph layout: a header, the global run
 * queue, one box per P (its M on the left edge, then the running slot, the
 * runnext slot and the local run queue, head first), then the goroutines in
 * system calls, the threads without a P, and the waiting goroutines grouped
 * by wait reason. Places keep their position from one state to the next, so
 * a goroutine that moves is seen to move, and nothing else shifts.
 *
 * Every live goroutine is drawn exactly once: as its own token, or counted in
 * a "+N" token where a queue or group holds more than fits.
 */
import type { SchedState } from '@go-slowmo/kernel-bridge/protocol';
import { Builder } from './builder';
import {
  DEFAULT_WIDTH,
  METRICS,
  MIN_PROC_W,
  MIN_TALL_PROC_W,
  MIN_WIDTH,
  P_COL_GAP,
  P_FIXED_W,
  P_PAD_L,
  PITCH,
} from './metrics';
import {
  arrows,
  fillTopLanes,
  footer,
  groupGoroutines,
  header,
  overlays,
  procBoxes,
  syscallLane,
  threadLane,
  topLaneFrames,
  waitingLanes,
  type Layout,
} from './sections';

export { METRICS } from './metrics';

import type { Cause, SceneItem } from './items';

export * from './items';

export interface Scene {
  readonly width: number;
  readonly height: number;
  /** Back to front: frames, then texts, then tokens, then banner and tint. */
  readonly items: readonly SceneItem[];
  /** Which places are inferred rather than observed. */
  readonly inferred: { readonly runq: boolean; readonly runnext: boolean };
  readonly counts: {
    /** Goroutines not yet finished (including ones a truncated global queue only counts). */
    readonly live: number;
    /** Drawn as their own token. */
    readonly shown: number;
    /** Counted in "+N" tokens. */
    readonly collapsed: number;
    readonly finished: number;
    /** Live runtime goroutines left out of the picture (hideRuntime). */
    readonly hidden: number;
    /** Live runtime goroutines, shown or not (the toolbar's count). */
    readonly runtime: number;
  };
}

export interface SceneOptions {
  /** Tokens per local run queue before "+N"; at least 2. The global queue gets its lane's width. */
  maxPerQueue?: number;
  /** Tokens per wait-reason group before "+N"; at least 2. Default: one row's worth. */
  maxWaiting?: number;
  /** A goid to mark (or the "+N" token hiding it). */
  highlight?: number;
  /**
   * The width to lay the picture out in (the output's width): P boxes go
   * side by side as far as they fit and their queues take the rest. Text
   * never shrinks; below MIN_WIDTH the picture is wider than asked and scrolls.
   */
  width?: number;
  /** Leave the runtime's own goroutines out (they are still counted). */
  hideRuntime?: boolean;
  /** A runtime goroutine shown all the same (the GC worker the GC lens shows marking). */
  reveal?: number;
  /** Draw what the current event did. */
  cause?: Cause;
  /** More words for one goroutine's tooltip (why it runs now). */
  note?: { readonly goid: number; readonly text: string };
  /** The goroutine the learner picked (the table, the timeline): ringed. */
  selected?: number;
}

/** P boxes side by side: one column for one P, two up to 8, then three. */
function columns(n: number): number {
  if (n <= 1) return 1;
  return n <= 8 ? 2 : 3;
}

export function sceneOf(state: SchedState, opts: SceneOptions = {}): Scene {
  const maxWaiting = opts.maxWaiting === undefined ? 0 : Math.max(2, Math.floor(opts.maxWaiting));
  const fidelity = state.run?.fidelity;
  // Inferred only when the backend says it cannot see: no run.start yet means nothing to infer.
  const inferred = { runq: fidelity?.runq === false, runnext: fidelity?.runnext === false };

  // The P grid decides the layout: as many columns as fit the width, each P's queue takes the rest.
  const nprocs = state.procs.length;
  // Wide P boxes (the local queue beside the slots) where they fit, else tall ones (under them).
  const gridOf = (width: number): { cols: number; procW: number; tall: boolean } => {
    const gridW = width - 2 * METRICS.margin - METRICS.threadW / 2;
    const grid = (min: number) => {
      const fit = Math.floor((gridW + P_COL_GAP) / (min + P_COL_GAP));
      const cols = Math.max(1, Math.min(columns(nprocs), fit));
      return { cols, procW: Math.max(min, (gridW - (cols - 1) * P_COL_GAP) / cols) };
    };
    const wide = grid(MIN_PROC_W);
    if (gridW >= MIN_PROC_W) return { ...wide, tall: false };
    return { ...grid(MIN_TALL_PROC_W), tall: true };
  };
  let width: number;
  let cols: number;
  let procW: number;
  let maxPerQueue = 2;
  let tall = false;
  if (opts.maxPerQueue !== undefined) {
    // A fixed queue length (tests, the bounded benchmark): the width follows from it.
    maxPerQueue = Math.max(2, Math.floor(opts.maxPerQueue));
    cols = columns(nprocs);
    procW = P_FIXED_W + maxPerQueue * PITCH - METRICS.gap + 12;
    const gridW = nprocs === 0 ? 0 : cols * procW + (cols - 1) * P_COL_GAP;
    width = Math.max(MIN_WIDTH, METRICS.margin * 2 + METRICS.threadW / 2 + gridW);
  } else {
    width = Math.max(MIN_WIDTH, Math.floor(opts.width ?? DEFAULT_WIDTH));
    ({ cols, procW, tall } = gridOf(width));
  }
  const queueW = tall ? procW - P_PAD_L - 10 : procW - P_FIXED_W;
  if (opts.maxPerQueue === undefined) {
    maxPerQueue = Math.max(2, Math.floor((queueW - 12 + METRICS.gap) / PITCH));
  }
  const L: Layout = {
    state,
    groups: groupGoroutines(state, opts.hideRuntime === true, opts.reveal ?? 0),
    maxPerQueue,
    maxWaiting,
    inferred,
    width,
    inner: width - 2 * METRICS.margin,
    cols,
    procW,
    queueW,
    tall,
  };

  const b = new Builder(state, opts.highlight ?? 0, L.groups.hidden, opts.note, width);
  b.selected = opts.selected ?? 0;
  let y = header(b, L, METRICS.margin);
  const top = y;
  y = topLaneFrames(b, L, y);
  // The Ps claim their goroutines first; the top lanes show what is left.
  y = procBoxes(b, L, y);
  fillTopLanes(b, L, top);
  y = syscallLane(b, L, y);
  y = threadLane(b, L, y);
  y = waitingLanes(b, L, y);
  const live = state.gs.size - L.groups.finished + state.globalqMore;
  const height = footer(b, L, y, live);
  overlays(b, L, height);
  if (opts.cause) arrows(b, opts.cause);

  return {
    width,
    height,
    items: b.items(),
    inferred,
    counts: {
      live,
      shown: b.shown,
      collapsed: b.collapsed,
      finished: L.groups.finished,
      hidden: L.groups.hidden.size,
      runtime: L.groups.runtime,
    },
  };
}
