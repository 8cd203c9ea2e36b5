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
import type { GState, MStateName, SchedState } from '@go-slowmo/kernel-bridge/protocol';
import { isRuntimeGoroutine, tokenPaint } from './colors';

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
  /** Tokens per run queue (local or global) before "+N"; at least 2. */
  maxPerQueue?: number;
  /** Tokens per wait-reason group before "+N"; at least 2. */
  maxWaiting?: number;
  /** A goid to mark (or the "+N" token hiding it). */
  highlight?: number;
}

export const DEFAULT_MAX_PER_QUEUE = 6;
export const DEFAULT_MAX_WAITING = 24;

/** Sizes, in scene units (CSS pixels at zoom 1). */
export const METRICS = {
  margin: 16,
  tokenW: 46,
  tokenH: 24,
  gap: 6,
  threadW: 40,
  threadH: 24,
  headerH: 30,
  /** Label column at the left of a lane. */
  labelW: 150,
  fontHeader: 12,
  fontTitle: 13,
  fontLabel: 12,
  fontCaption: 10,
  fontToken: 11,
} as const;

const { margin, tokenW, tokenH, gap, threadW, threadH, labelW } = METRICS;
const PITCH = tokenW + gap;
const SLOT_W = tokenW + 10;
const SLOT_H = tokenH + 10;
const ROW_H = tokenH + 8;
const LANE_PAD = 6;
/** Room inside a P box on the left for its M, which straddles the border. */
const P_PAD_L = threadW / 2 + 10;
const P_H = 82;
const P_COL_GAP = threadW;
const P_ROW_GAP = 16;
const UNQUEUED_LABEL_W = 112;
const UNQUEUED_SLOTS = 3;
const SYSCALL_PITCH = threadW + 2 + tokenW + 14;
const THREAD_PITCH = threadW + 14;
const MIN_WIDTH = 640;
/** Average glyph width per font pixel, to shorten labels that would overflow. */
const GLYPH = 0.58;

const M_ORDER: Record<MStateName, number> = { spinning: 0, running: 1, new: 2, idle: 3 };

function basename(file: string): string {
  const i = file.lastIndexOf('/');
  return i >= 0 ? file.slice(i + 1) : file;
}

/** Cuts `text` to about `width` scene units at font size `font`, with an ellipsis. */
export function fit(text: string, width: number, font: number): string {
  const max = Math.max(3, Math.floor(width / (font * GLYPH)));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function describe(g: GState | undefined, goid: number): string {
  const parts = [`g${goid}`];
  if (g?.site) parts.push(`${g.site.fn} (go at ${basename(g.site.file)}:${g.site.line})`);
  else if (goid === 1) parts.push('main');
  else parts.push('runtime');
  if (g) {
    let status: string = g.status;
    if (g.wait) {
      status = `waiting: ${g.wait.reason}`;
      if (g.wait.file) status += ` at ${basename(g.wait.file)}:${g.wait.line ?? '?'}`;
    }
    parts.push(status);
    if (g.at) parts.push(`now at ${basename(g.at.file)}:${g.at.line}`);
  }
  return parts.join(' · ');
}

function pColumns(n: number): number {
  if (n <= 1) return 1;
  return n <= 8 ? 2 : 3;
}

/** How many tokens to draw of `n` when `cap` fit: all, or cap - 1 and a "+N". */
function visible(n: number, cap: number): number {
  return n <= cap ? n : Math.max(0, cap - 1);
}

class Builder {
  readonly frames: SceneItem[] = [];
  readonly texts: SceneItem[] = [];
  readonly tokens: SceneItem[] = [];
  readonly overlays: SceneItem[] = [];
  shown = 0;
  collapsed = 0;
  /** Goroutines given a place so far; the rest fall through to the later sections. */
  readonly placed = new Set<number>();
  readonly threadsShown = new Set<number>();

  constructor(
    readonly state: SchedState,
    readonly highlight: number,
  ) {}

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
    this.tokens.push({
      kind: 'g',
      key: `g:${goid}`,
      goid,
      label: `g${goid}`,
      fill,
      ink,
      stroke,
      place,
      inferred,
      runtime,
      highlighted: goid === this.highlight,
      detail: describe(g, goid),
      x,
      y,
      w: tokenW,
      h: tokenH,
    });
  }

  /** A "+N" token for the goroutines `hidden` (already marked placed by the caller) plus `extra` unknown ones. */
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

export function sceneOf(state: SchedState, opts: SceneOptions = {}): Scene {
  const maxQ = Math.max(2, Math.floor(opts.maxPerQueue ?? DEFAULT_MAX_PER_QUEUE));
  const maxW = Math.max(2, Math.floor(opts.maxWaiting ?? DEFAULT_MAX_WAITING));
  const fidelity = state.run?.fidelity;
  const inferred = { runq: fidelity?.runq === false, runnext: fidelity?.runnext === false };
  const b = new Builder(state, opts.highlight ?? 0);

  // One pass over the goroutines sorts out those that no queue lists.
  const others: number[] = [];
  const syscalls: GState[] = [];
  const waiting = new Map<string, GState[]>();
  let finished = 0;
  state.gs.forEach((g, goid) => {
    if (g.status === 'dead') {
      finished++;
    } else if (g.status === 'waiting') {
      const reason = g.wait?.reason || 'unknown';
      const list = waiting.get(reason);
      if (list) list.push(g);
      else waiting.set(reason, [g]);
    } else if (g.status === 'syscall') {
      syscalls.push(g);
    } else {
      others.push(goid);
    }
  });

  // Widths first: the P grid decides how wide the picture is.
  const nprocs = state.procs.length;
  const cols = pColumns(nprocs);
  const queueW = maxQ * PITCH - gap + 12;
  const procW = P_PAD_L + SLOT_W + 10 + SLOT_W + 14 + queueW + 12;
  const gridLeft = margin + threadW / 2;
  const gridW = nprocs === 0 ? 0 : cols * procW + (cols - 1) * P_COL_GAP;
  const width = Math.max(MIN_WIDTH, gridLeft + gridW + margin);
  const inner = width - 2 * margin;
  const laneH = ROW_H + 2 * LANE_PAD;

  let y = margin;
  b.text('header', headerText(state), 'header', margin, y + 9);
  y += METRICS.headerH;

  // The global run queue lane, with the goroutines in no queue at all beside it;
  // filled after the P boxes have claimed what they hold.
  const unqueuedW = UNQUEUED_LABEL_W + UNQUEUED_SLOTS * PITCH;
  const globalW = inner - unqueuedW - 10;
  const unqueuedX = margin + globalW + 10;
  const topLaneY = y + laneH / 2;
  b.frame('lane:global', 'lane', margin, y, globalW, laneH, 'plain', inferred.runq);
  b.frame('lane:unqueued', 'lane', unqueuedX, y, unqueuedW, laneH);
  y += laneH + 14;

  // One box per P: its M on the left edge, the running G, runnext and the local queue.
  const heldSyscalls = new Map<number, GState>();
  for (const g of syscalls) {
    const p = state.procs[g.p];
    if (p !== undefined && p.state === 'syscall' && p.m === g.m && g.m >= 0)
      heldSyscalls.set(g.p, g);
  }
  for (let i = 0; i < nprocs; i++) {
    const p = state.procs[i];
    if (p === undefined) continue;
    const bx = gridLeft + (i % cols) * (procW + P_COL_GAP);
    const by = y + Math.floor(i / cols) * (P_H + P_ROW_GAP);
    const slotY = by + 26 + SLOT_H / 2;
    const capY = slotY + SLOT_H / 2 + 9;
    b.frame(`p:${p.id}`, 'proc', bx, by, procW, P_H, p.state);
    b.text(`ptitle:${p.id}`, `P${p.id}`, 'title', bx + P_PAD_L, by + 13);
    b.text(`pstate:${p.id}`, procStateText(p.state), 'muted', bx + procW - 10, by + 13, 'end');
    if (p.m >= 0) b.thread(p.m, bx, slotY);
    else b.noThread(p.id, bx, slotY);

    const runX = bx + P_PAD_L;
    b.frame(`slot:run:${p.id}`, 'slot', runX, slotY - SLOT_H / 2, SLOT_W, SLOT_H, 'running');
    let runCaption = 'running';
    const held = heldSyscalls.get(p.id);
    if (p.running !== 0 && !b.placed.has(p.running)) {
      b.goroutine(p.running, runX + SLOT_W / 2, slotY, { where: 'running', p: p.id }, false);
    } else if (held !== undefined) {
      // Before Go 1.26 a P stays with its M through a syscall: the G is still "on" this P.
      const place: Place = { where: 'syscall', m: held.m, p: p.id, inProc: true };
      b.goroutine(held.goid, runX + SLOT_W / 2, slotY, place, false);
      runCaption = 'in syscall';
    }
    b.text(`cap:run:${p.id}`, runCaption, 'caption', runX + SLOT_W / 2, capY, 'middle');

    const nextX = runX + SLOT_W + 10;
    b.frame(
      `slot:next:${p.id}`,
      'slot',
      nextX,
      slotY - SLOT_H / 2,
      SLOT_W,
      SLOT_H,
      'plain',
      inferred.runnext,
    );
    if (p.runnext !== 0 && !b.placed.has(p.runnext)) {
      b.goroutine(
        p.runnext,
        nextX + SLOT_W / 2,
        slotY,
        { where: 'runnext', p: p.id },
        inferred.runnext,
      );
    }
    b.text(`cap:next:${p.id}`, 'next', 'caption', nextX + SLOT_W / 2, capY, 'middle');

    const qX = nextX + SLOT_W + 14;
    b.frame(
      `queue:${p.id}`,
      'queue',
      qX,
      slotY - SLOT_H / 2,
      queueW,
      SLOT_H,
      'plain',
      inferred.runq,
    );
    const runq = p.runq.filter((goid) => !b.placed.has(goid));
    const local = (index: number): Place => ({ where: 'local', p: p.id, index });
    b.row(`local:${p.id}`, runq, 0, maxQ, maxQ, qX + 6, slotY, local, inferred.runq);
    const qCaption = `local run queue · ${runq.length}${inferred.runq ? ' (inferred)' : ''}`;
    b.text(`cap:queue:${p.id}`, qCaption, 'caption', qX + 2, capY);
  }
  if (nprocs > 0) y += Math.ceil(nprocs / cols) * (P_H + P_ROW_GAP) - P_ROW_GAP + 18;

  const globalq = state.globalq.filter((goid) => !b.placed.has(goid));
  const globalTotal = globalq.length + state.globalqMore;
  const globalCap = Math.max(2, Math.floor((globalW - labelW - 8) / PITCH));
  const globalLabel = `Global run queue · ${globalTotal}${inferred.runq ? ' (inferred)' : ''}`;
  b.text('label:global', globalLabel, 'label', margin + 10, topLaneY);
  const global = (index: number): Place => ({ where: 'global', index });
  b.row(
    'global',
    globalq,
    state.globalqMore,
    globalCap,
    globalCap,
    margin + labelW,
    topLaneY,
    global,
    inferred.runq,
  );

  // Runnable in no queue (just created, handed to a P, back from a syscall
  // without a P), or a state the stream has not explained yet: shown, never dropped.
  const unqueued = others.filter((goid) => !b.placed.has(goid));
  b.text(
    'label:unqueued',
    `Not in a queue · ${unqueued.length}`,
    'label',
    unqueuedX + 10,
    topLaneY,
  );
  const loose = (index: number): Place => ({
    where: 'unqueued',
    p: state.gs.get(unqueued[index] as number)?.qp ?? -1,
  });
  b.row(
    'unqueued',
    unqueued,
    0,
    UNQUEUED_SLOTS,
    UNQUEUED_SLOTS,
    unqueuedX + UNQUEUED_LABEL_W,
    topLaneY,
    loose,
    false,
  );

  // Goroutines in system calls, each beside the M blocked in the kernel with it.
  const inLane = syscalls.filter((g) => !b.placed.has(g.goid));
  const sysY = y + laneH / 2;
  b.frame('lane:syscall', 'lane', margin, y, inner, laneH);
  b.text('label:syscall', `In system calls · ${inLane.length}`, 'label', margin + 10, sysY);
  const sysCap = Math.max(2, Math.floor((inner - labelW) / SYSCALL_PITCH));
  const sysShown = visible(inLane.length, sysCap);
  for (let i = 0; i < sysShown; i++) {
    const g = inLane[i] as GState;
    const x0 = margin + labelW + i * SYSCALL_PITCH;
    if (g.m >= 0 && !b.threadsShown.has(g.m)) b.thread(g.m, x0 + threadW / 2, sysY);
    const place: Place = { where: 'syscall', m: g.m, p: g.p, inProc: false };
    b.goroutine(g.goid, x0 + threadW + 2 + tokenW / 2, sysY, place, false);
  }
  if (inLane.length > sysShown) {
    const hidden = inLane.slice(sysShown).map((g) => g.goid);
    b.more(
      'syscall',
      hidden,
      0,
      margin + labelW + sysShown * SYSCALL_PITCH + tokenW / 2,
      sysY,
      false,
    );
  }
  y += laneH + 10;

  // Threads holding no P: spinning ones (looking for work) first, idle ones last.
  const threads = state.ms.values().filter((m) => !b.threadsShown.has(m.id));
  threads.sort((a, c) => M_ORDER[a.state] - M_ORDER[c.state] || a.id - c.id);
  const threadLaneH = threadH + 14 + 2 * LANE_PAD;
  b.frame('lane:threads', 'lane', margin, y, inner, threadLaneH);
  const threadLabel = `Threads without a P · ${threads.length}`;
  b.text('label:threads', threadLabel, 'label', margin + 10, y + threadLaneH / 2);
  const threadY = y + LANE_PAD + threadH / 2;
  const threadCap = Math.max(2, Math.floor((inner - labelW) / THREAD_PITCH));
  const threadShown = visible(threads.length, threadCap);
  for (let i = 0; i < threadShown; i++) {
    const m = threads[i];
    if (m === undefined) continue;
    const x = margin + labelW + threadW / 2 + i * THREAD_PITCH;
    b.thread(m.id, x, threadY);
    b.text(`mcap:${m.id}`, m.state, 'caption', x, threadY + threadH / 2 + 8, 'middle');
  }
  if (threads.length > threadShown) {
    const x = margin + labelW + threadW / 2 + threadShown * THREAD_PITCH;
    b.moreThreads(threads.length - threadShown, x, threadY);
  }
  y += threadLaneH + 14;

  // Waiting goroutines, one lane per wait reason, longest waiting first.
  const waitingCount = countAll(waiting);
  b.text('title:waiting', `Waiting (blocked) · ${waitingCount}`, 'title', margin, y + 8);
  y += 22;
  const perRow = Math.max(1, Math.floor((inner - labelW - 8) / PITCH));
  const reasons = [...waiting.keys()].sort();
  if (reasons.length === 0) {
    b.text('waiting:none', 'nothing is waiting', 'muted', margin + 10, y + 8);
    y += 22;
  }
  for (const reason of reasons) {
    const list = (waiting.get(reason) as GState[]).sort(
      (a, c) => (a.wait?.since ?? 0) - (c.wait?.since ?? 0) || a.goid - c.goid,
    );
    const goids = list.map((g) => g.goid);
    const rows = Math.max(1, Math.ceil(Math.min(goids.length, maxW) / perRow));
    const h = rows * ROW_H + 2 * LANE_PAD;
    const rowY = y + LANE_PAD + ROW_H / 2;
    b.frame(`lane:wait:${reason}`, 'lane', margin, y, inner, h);
    const label = fit(`${reason} · ${goids.length}`, labelW - 14, METRICS.fontLabel);
    b.text(`label:wait:${reason}`, label, 'label', margin + 10, rowY);
    const place = (index: number): Place => ({ where: 'waiting', reason, index });
    b.row(`waiting:${reason}`, goids, 0, maxW, perRow, margin + labelW, rowY, place, false);
    y += h + 6;
  }

  const live = state.gs.size - finished + state.globalqMore;
  const footer = `${live} goroutine${live === 1 ? '' : 's'} alive · ${finished} finished`;
  b.text('footer', footer, 'muted', margin, y + 10);
  y += 20 + margin;
  const height = y;

  if (state.stw !== null) {
    b.overlays.push({
      kind: 'tint',
      key: 'tint',
      x: width / 2,
      y: height / 2,
      w: width,
      h: height,
    });
  }
  if (state.gc !== 'off' || state.stw !== null) {
    const w = Math.min(440, inner / 2);
    b.overlays.push({
      kind: 'banner',
      key: 'banner',
      tone: state.stw !== null ? 'stw' : 'gc',
      text: fit(bannerText(state), w - 16, METRICS.fontLabel),
      x: width - margin - w / 2,
      y: margin + 9,
      w,
      h: 24,
    });
  }

  return {
    width,
    height,
    items: [...b.frames, ...b.texts, ...b.tokens, ...b.overlays],
    inferred,
    counts: { live, shown: b.shown, collapsed: b.collapsed, finished },
  };
}

function countAll(groups: Map<string, readonly unknown[]>): number {
  let n = 0;
  for (const list of groups.values()) n += list.length;
  return n;
}

function procStateText(s: string): string {
  switch (s) {
    case 'gcstop':
      return 'stopped for GC';
    case 'syscall':
      return 'in syscall';
    default:
      return s;
  }
}

function headerText(state: SchedState): string {
  const parts: string[] = [];
  const run = state.run;
  if (run === null) parts.push('waiting for the program to start');
  else {
    parts.push(run.goVersion, `GOMAXPROCS ${run.gomaxprocs}`, `${run.backend} backend`);
    if (!run.fidelity.runq || !run.fidelity.runnext) parts.push('dashed = inferred');
  }
  const end = state.end;
  if (end !== null) {
    if (end.reason === 'exit') parts.push(`exited with code ${end.exitCode}`);
    else if (end.reason === 'signal') parts.push(`killed by ${end.signal ?? 'a signal'}`);
    else parts.push(`stopped: ${end.reason}`);
    if (end.lost > 0) parts.push(`${end.lost} events lost`);
  }
  return parts.join(' · ');
}

const GC_TEXT: Record<string, string> = {
  sweepterm: 'GC: sweep termination',
  mark: 'GC: marking (beside your goroutines)',
  marktermination: 'GC: mark termination',
};

function bannerText(state: SchedState): string {
  if (state.stw !== null) return `Stop the world: ${state.stw || 'runtime'}`;
  return GC_TEXT[state.gc] ?? `GC: ${state.gc}`;
}
