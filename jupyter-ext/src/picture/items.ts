/**
 * What a picture is made of: the items a Scene holds (tokens, frames, texts,
 * banner, tint, arrows) and the places goroutines sit in, as plain data. The
 * builder makes them, the sections arrange them, the scene gathers them, and
 * the live view and the SVG draw them; none of these needs the others for it.
 */
import type { MStateName } from '@go-slowmo/kernel-bridge/protocol';

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
  /** "g7 worker": its id and its function, shortened to fit the token. */
  readonly label: string;
  /** The function it runs, in full ("main.worker"), "" when unknown. */
  readonly fn: string;
  readonly fill: string;
  readonly ink: string;
  readonly stroke: string;
  readonly place: Place;
  /** Its place was deduced, not observed (trace backend): drawn dashed. */
  readonly inferred: boolean;
  readonly runtime: boolean;
  readonly highlighted: boolean;
  /** Picked by the learner (in the goroutine table or the timeline): ringed. */
  readonly selected: boolean;
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

/**
 * Who did what to whom at the event shown: a steal (from the victim's queue
 * to the stolen goroutines on the thief) or a wake-up (from the waker to the
 * goroutine it made runnable). Drawn over the tokens, with its sentence.
 */
export interface Arrow extends Box {
  readonly kind: 'arrow';
  readonly tone: 'steal' | 'wake';
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  /** The control point of its curve (a quadratic Bézier). */
  readonly cx: number;
  readonly cy: number;
  /** The words beside it; the box (x, y, w, h) is where they go. */
  readonly text: string;
  /** Keys of what it joins, e.g. 'p:0' -> 'p:1', 'g:1' -> 'g:7'. */
  readonly from: string;
  readonly to: string;
  /** The goroutines it carries (stolen) or wakes. */
  readonly goids: readonly number[];
}

/** What the current event did, for the picture to draw as an arrow. */
export type Cause =
  | {
      readonly kind: 'steal';
      readonly thief: number;
      readonly victim: number;
      readonly goids: readonly number[];
    }
  | { readonly kind: 'wake'; readonly by: number; readonly goid: number; readonly text: string };

export type SceneItem =
  GoroutineToken | MoreToken | ThreadToken | Frame | Text | Banner | Tint | Arrow;
/** The items that move: goroutines, Ms and "+N" counts. */
export type TokenItem = GoroutineToken | MoreToken | ThreadToken;
