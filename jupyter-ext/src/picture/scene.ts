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
import type { MStateName, SchedState } from '@go-slowmo/kernel-bridge/protocol';
import { Builder } from './builder';
import { METRICS, MIN_WIDTH, P_COL_GAP, P_PAD_L, PITCH, SLOT_W } from './metrics';
import {
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

/** Where a goroutine token sits, for tests and for whoever wants to explain it. */
export type Place =
  | { readonly where: 'running'; readonly p: number }
  | { readonly where: 'runnext'; readonly p: number }
  | { readonly where: 'local'; readonly p: number; readonly index: number }
  | { readonly where: 'global'; readonly index: number }
  /** Runnable but in no queue: just created, or being handed to a P (`p`, -1 if none). */
  | { readonly where: 'unqueued'; readonly p: number }
  | { readonly where: 'waiting'; readonly reason: string; readonly index: number }
  /** In a system call on M `m`; `inProc` when that M still holds its P and it is drawn there. */
  | { readonly where: 'syscall'; readonly m: number; readonly p: number; readonly inProc: boolean };

interface Box {
  /** Stable identity across states, e.g. 'g:12', 'p:0', 'lane:global'. */
  readonly key: string;
  /** Centre. */
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface GoroutineToken extends Box {
  readonly kind: 'g';
  readonly goid: number;
  readonly label: string;
  readonly fill: string;
  readonly ink: string;
  readonly stroke: string;
  readonly place: Place;
  /** Its place was deduced, not observed (trace backend): drawn dashed. */
  readonly inferred: boolean;
  readonly runtime: boolean;
  readonly highlighted: boolean;
  /** One line saying what it is and where it came from (tooltip). */
  readonly detail: string;
}

export interface MoreToken extends Box {
  readonly kind: 'more';
  /** How many goroutines (or Ms) this token stands for. */
  readonly count: number;
  readonly label: string;
  /** Which container it closes, e.g. 'local:0', 'global', 'waiting:chan receive'. */
  readonly group: string;
  readonly inferred: boolean;
  readonly highlighted: boolean;
}

export type ThreadLook = MStateName | 'none';

export interface ThreadToken extends Box {
  readonly kind: 'm';
  /** -1 for the empty "no M" mark of a P without one. */
  readonly mid: number;
  readonly state: ThreadLook;
  readonly label: string;
}

export type FrameRole = 'proc' | 'slot' | 'queue' | 'lane';
export type FrameTone = 'plain' | 'idle' | 'running' | 'syscall' | 'gcstop';

export interface Frame extends Box {
  readonly kind: 'frame';
  readonly role: FrameRole;
  readonly tone: FrameTone;
  readonly inferred: boolean;
}

export type TextRole = 'header' | 'title' | 'label' | 'caption' | 'muted';

export interface Text extends Box {
  readonly kind: 'text';
  readonly text: string;
  readonly role: TextRole;
  /** `x` is the start, middle or end of the text. */
  readonly anchor: 'start' | 'middle' | 'end';
}

export interface Banner extends Box {
  readonly kind: 'banner';
  readonly tone: 'gc' | 'stw';
  readonly text: string;
}

/** A translucent wash over the whole picture while the world is stopped. */
export interface Tint extends Box {
  readonly kind: 'tint';
}

export type SceneItem = GoroutineToken | MoreToken | ThreadToken | Frame | Text | Banner | Tint;
/** The items that move: goroutines, Ms and "+N" counts. */
export type TokenItem = GoroutineToken | MoreToken | ThreadToken;

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
  };
}

export interface SceneOptions {
  /** Tokens per local run queue before "+N"; at least 2. The global queue gets its lane's width. */
  maxPerQueue?: number;
  /** Tokens per wait-reason group before "+N"; at least 2. Default: one row's worth. */
  maxWaiting?: number;
  /** A goid to mark (or the "+N" token hiding it). */
  highlight?: number;
}

export const DEFAULT_MAX_PER_QUEUE = 6;

/** P boxes side by side: one column for one P, two up to 8, then three. */
function columns(n: number): number {
  if (n <= 1) return 1;
  return n <= 8 ? 2 : 3;
}

export function sceneOf(state: SchedState, opts: SceneOptions = {}): Scene {
  const maxPerQueue = Math.max(2, Math.floor(opts.maxPerQueue ?? DEFAULT_MAX_PER_QUEUE));
  const maxWaiting = opts.maxWaiting === undefined ? 0 : Math.max(2, Math.floor(opts.maxWaiting));
  const fidelity = state.run?.fidelity;
  // Inferred only when the backend says it cannot see: no run.start yet means nothing to infer.
  const inferred = { runq: fidelity?.runq === false, runnext: fidelity?.runnext === false };

  // The P grid decides how wide the picture is.
  const nprocs = state.procs.length;
  const cols = columns(nprocs);
  const queueW = maxPerQueue * PITCH - METRICS.gap + 12;
  const procW = P_PAD_L + SLOT_W + 10 + SLOT_W + 14 + queueW + 12;
  const gridW = nprocs === 0 ? 0 : cols * procW + (cols - 1) * P_COL_GAP;
  const width = Math.max(MIN_WIDTH, METRICS.margin * 2 + METRICS.threadW / 2 + gridW);
  const L: Layout = {
    state,
    groups: groupGoroutines(state),
    maxPerQueue,
    maxWaiting,
    inferred,
    width,
    inner: width - 2 * METRICS.margin,
    cols,
    procW,
    queueW,
  };

  const b = new Builder(state, opts.highlight ?? 0);
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

  return {
    width,
    height,
    items: b.items(),
    inferred,
    counts: { live, shown: b.shown, collapsed: b.collapsed, finished: L.groups.finished },
  };
}
