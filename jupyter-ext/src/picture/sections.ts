/**
 * The parts of the picture, top to bottom. Each takes the y where it starts
 * and returns the y where the next one starts, so sections can grow (more
 * Ps, more wait reasons) without knowing about each other.
 */
import {
  baseName,
  isRuntimeGoroutine,
  type GState,
  type MStateName,
  type SchedState,
} from '@go-slowmo/kernel-bridge/protocol';
import { visible, type Builder } from './builder';
import {
  LANE_PAD,
  METRICS,
  P_COL_GAP,
  P_H,
  P_H_TALL,
  P_PAD_L,
  P_ROW_GAP,
  PITCH,
  ROW_H,
  SLOT_H,
  SLOT_W,
  SYSCALL_PITCH,
  THREAD_PITCH,
  UNQUEUED_SLOTS,
} from './metrics';
import type { Cause, Place } from './items';
import { bannerText, fit, headerText, procStateText } from './words';

const { margin, tokenW, tokenH, threadW, threadH, labelW } = METRICS;

/** Goroutines waiting for the same reason at the same line: one lane. */
export interface WaitGroup {
  readonly reason: string;
  /** "main.go:9", or '' when the runtime did not say where. */
  readonly site: string;
  readonly gs: GState[];
}

/** The goroutines sorted by what no queue says about them. */
export interface Groups {
  /** Runnable or running but maybe in no queue: placed last, if nothing else placed them. */
  readonly others: number[];
  readonly syscalls: GState[];
  /** Keyed by reason, or "reason · file:line" when the line is known. */
  readonly waiting: Map<string, WaitGroup>;
  readonly finished: number;
  /** Live runtime goroutines left out of the picture. */
  readonly hidden: Set<number>;
  /** Live runtime goroutines, shown or hidden. */
  readonly runtime: number;
}

export interface Layout {
  readonly state: SchedState;
  readonly groups: Groups;
  readonly maxPerQueue: number;
  /** Tokens per wait-reason lane; 0 for one row's worth. */
  readonly maxWaiting: number;
  readonly inferred: { readonly runq: boolean; readonly runnext: boolean };
  readonly width: number;
  /** Width inside the margins. */
  readonly inner: number;
  readonly cols: number;
  readonly procW: number;
  readonly queueW: number;
  /** Each P's local queue under its slots (a narrow picture) rather than beside them. */
  readonly tall: boolean;
}

export function groupGoroutines(state: SchedState, hideRuntime = false, reveal = 0): Groups {
  const others: number[] = [];
  const syscalls: GState[] = [];
  const waiting = new Map<string, WaitGroup>();
  const hidden = new Set<number>();
  let finished = 0;
  let runtime = 0;
  state.gs.forEach((g, goid) => {
    const own = g.status !== 'dead' && isRuntimeGoroutine(g);
    if (own) runtime++;
    if (g.status === 'dead') {
      finished++;
    } else if (hideRuntime && own && goid !== reveal) {
      hidden.add(goid);
    } else if (g.status === 'waiting') {
      const reason = g.wait?.reason || 'unknown';
      const site = g.wait?.file && g.wait.line ? `${baseName(g.wait.file)}:${g.wait.line}` : '';
      const key = site ? `${reason} · ${site}` : reason;
      const group = waiting.get(key);
      if (group) group.gs.push(g);
      else waiting.set(key, { reason, site, gs: [g] });
    } else if (g.status === 'syscall') {
      syscalls.push(g);
    } else {
      others.push(goid);
    }
  });
  return { others, syscalls, waiting, finished, hidden, runtime };
}

const laneH = ROW_H + 2 * LANE_PAD;

export function header(b: Builder, L: Layout, y: number): number {
  b.text('header', headerText(L.state), 'header', margin, y + 9);
  return y + METRICS.headerH;
}

const UNQUEUED_LABEL_W = 150;

/**
 * The top lanes' geometry: the global queue, and the goroutines in no queue
 * beside it when the picture is wide enough, else under it.
 */
function topLanes(L: Layout, y: number) {
  const unqueuedW = UNQUEUED_LABEL_W + UNQUEUED_SLOTS * PITCH;
  const side = L.inner >= labelW + 3 * PITCH + 10 + unqueuedW;
  const globalW = side ? L.inner - unqueuedW - 10 : L.inner;
  return {
    globalW,
    unqueuedW: side ? unqueuedW : L.inner,
    unqueuedX: side ? margin + globalW + 10 : margin,
    yc: y + laneH / 2,
    unqueuedY: side ? y : y + laneH + 8,
    bottom: side ? y + laneH : y + 2 * laneH + 8,
  };
}

/** The top lanes' frames; their goroutines come after the Ps claimed theirs (fillTopLanes). */
export function topLaneFrames(b: Builder, L: Layout, y: number): number {
  const t = topLanes(L, y);
  b.frame('lane:global', 'lane', margin, y, t.globalW, laneH, 'plain', L.inferred.runq);
  b.frame('lane:unqueued', 'lane', t.unqueuedX, t.unqueuedY, t.unqueuedW, laneH);
  return t.bottom + 14;
}

export function fillTopLanes(b: Builder, L: Layout, y: number): void {
  const { state, inferred } = L;
  const t = topLanes(L, y);
  const globalq = state.globalq.filter((goid) => !b.placed.has(goid) && !b.hidden.has(goid));
  const total = globalq.length + state.globalqMore;
  const label = `Global run queue · ${total}`;
  if (inferred.runq) {
    b.text('label:global', label, 'label', margin + 10, t.yc - 7);
    b.text('sub:global', 'inferred', 'caption', margin + 10, t.yc + 9);
  } else {
    b.text('label:global', label, 'label', margin + 10, t.yc);
  }
  const cap = Math.max(2, Math.floor((t.globalW - labelW - 8) / PITCH));
  const global = (index: number): Place => ({ where: 'global', index });
  b.row(
    'global',
    globalq,
    state.globalqMore,
    cap,
    cap,
    margin + labelW,
    t.yc,
    global,
    inferred.runq,
  );

  // Runnable in no queue (just created, handed to a P, back from a syscall
  // without a P), or a state the stream has not explained yet: shown, never dropped.
  const loose = L.groups.others.filter((goid) => !b.placed.has(goid));
  const uy = t.unqueuedY + laneH / 2;
  b.text('label:unqueued', `Not in a queue · ${loose.length}`, 'label', t.unqueuedX + 10, uy);
  const place = (i: number): Place => ({
    where: 'unqueued',
    p: state.gs.get(loose[i] as number)?.qp ?? -1,
  });
  const x0 = t.unqueuedX + UNQUEUED_LABEL_W;
  const slots = Math.max(2, Math.floor((t.unqueuedW - UNQUEUED_LABEL_W) / PITCH));
  b.row('unqueued', loose, 0, slots, slots, x0, uy, place, false);
}

/**
 * A goroutine in a syscall whose M still holds its P (always before Go 1.26,
 * until sysmon retakes the P) is drawn on that P, in the running slot.
 */
function heldSyscalls(L: Layout): Map<number, GState> {
  const held = new Map<number, GState>();
  for (const g of L.groups.syscalls) {
    const p = L.state.procs[g.p];
    if (p !== undefined && g.m >= 0 && p.m === g.m && p.running === 0) held.set(p.id, g);
  }
  return held;
}

/**
 * A runnable goroutine in no queue that is being handed to P (the one a
 * steal takes to run, one back from a syscall): drawn in P's empty running
 * slot, where it is about to run, rather than far away in the top lane.
 */
function handedTo(L: Layout, b: Builder, pid: number): number {
  for (const goid of L.groups.others) {
    const g = L.state.gs.get(goid);
    if (g && g.status === 'runnable' && g.queue === null && g.qp === pid && !b.placed.has(goid))
      return goid;
  }
  return 0;
}

/** One box per P: its M on the left edge, the running slot, runnext and the local queue. */
export function procBoxes(b: Builder, L: Layout, y: number): number {
  const { state, inferred, procW, queueW, cols, tall } = L;
  const held = heldSyscalls(L);
  const gridLeft = margin + threadW / 2;
  const pH = tall ? P_H_TALL : P_H;
  for (const p of state.procs) {
    const bx = gridLeft + (p.id % cols) * (procW + P_COL_GAP);
    const by = y + Math.floor(p.id / cols) * (pH + P_ROW_GAP);
    const slotY = by + 28 + SLOT_H / 2;
    const slotTop = slotY - SLOT_H / 2;
    const capY = slotY + SLOT_H / 2 + 10;
    b.frame(`p:${p.id}`, 'proc', bx, by, procW, pH, p.state);
    b.text(`ptitle:${p.id}`, `P${p.id}`, 'title', bx + P_PAD_L, by + 14);
    b.text(`pstate:${p.id}`, procStateText(p.state), 'muted', bx + procW - 10, by + 14, 'end');
    if (p.m >= 0) b.thread(p.m, bx, slotY);
    else b.noThread(p.id, bx, slotY);

    const runX = bx + P_PAD_L;
    b.frame(`slot:run:${p.id}`, 'slot', runX, slotTop, SLOT_W, SLOT_H, 'running');
    let runCaption = 'running';
    const sys = held.get(p.id);
    if (p.running !== 0 && b.hidden.has(p.running)) {
      runCaption = 'runtime work';
      b.placed.add(p.running);
    } else if (p.running !== 0 && !b.placed.has(p.running)) {
      b.goroutine(p.running, runX + SLOT_W / 2, slotY, { where: 'running', p: p.id }, false);
    } else if (sys !== undefined) {
      const place: Place = { where: 'syscall', m: sys.m, p: p.id, inProc: true };
      b.goroutine(sys.goid, runX + SLOT_W / 2, slotY, place, false);
      runCaption = 'in syscall';
    } else if (p.running === 0) {
      const next = handedTo(L, b, p.id);
      if (next !== 0) {
        b.goroutine(next, runX + SLOT_W / 2, slotY, { where: 'unqueued', p: p.id }, false);
        runCaption = 'about to run';
      }
    }
    b.text(`cap:run:${p.id}`, runCaption, 'caption', runX + SLOT_W / 2, capY, 'middle');

    const nextX = runX + SLOT_W + 10;
    b.frame(`slot:next:${p.id}`, 'slot', nextX, slotTop, SLOT_W, SLOT_H, 'plain', inferred.runnext);
    if (p.runnext !== 0 && !b.placed.has(p.runnext) && !b.hidden.has(p.runnext)) {
      const place: Place = { where: 'runnext', p: p.id };
      b.goroutine(p.runnext, nextX + SLOT_W / 2, slotY, place, inferred.runnext);
    }
    b.text(`cap:next:${p.id}`, 'runnext', 'caption', nextX + SLOT_W / 2, capY, 'middle');

    // The local queue: beside the slots, or on a row of its own under them.
    const qX = tall ? runX : nextX + SLOT_W + 14;
    const qY = tall ? slotY + SLOT_H + 20 : slotY;
    b.frame(`queue:${p.id}`, 'queue', qX, qY - SLOT_H / 2, queueW, SLOT_H, 'plain', inferred.runq);
    const runq = p.runq.filter((goid) => !b.placed.has(goid) && !b.hidden.has(goid));
    const local = (index: number): Place => ({ where: 'local', p: p.id, index });
    const q = L.maxPerQueue;
    b.row(`local:${p.id}`, runq, 0, q, q, qX + 6, qY, local, inferred.runq);
    const caption = `local run queue · ${runq.length}${inferred.runq ? ' (inferred)' : ''}`;
    b.text(`cap:queue:${p.id}`, caption, 'caption', qX + 2, qY + SLOT_H / 2 + 10);
  }
  const rows = Math.ceil(state.procs.length / cols);
  return rows === 0 ? y : y + rows * (pH + P_ROW_GAP) - P_ROW_GAP + 18;
}

/** Goroutines in system calls, each beside the M blocked in the kernel with it. */
export function syscallLane(b: Builder, L: Layout, y: number): number {
  const inLane = L.groups.syscalls.filter((g) => !b.placed.has(g.goid));
  const yc = y + laneH / 2;
  b.frame('lane:syscall', 'lane', margin, y, L.inner, laneH);
  b.text('label:syscall', `In system calls · ${inLane.length}`, 'label', margin + 10, yc);
  const cap = Math.max(2, Math.floor((L.inner - labelW) / SYSCALL_PITCH));
  const shown = visible(inLane.length, cap);
  for (let i = 0; i < shown; i++) {
    const g = inLane[i] as GState;
    const x0 = margin + labelW + i * SYSCALL_PITCH;
    if (g.m >= 0 && !b.threadsShown.has(g.m)) b.thread(g.m, x0 + threadW / 2, yc);
    const place: Place = { where: 'syscall', m: g.m, p: g.p, inProc: false };
    b.goroutine(g.goid, x0 + threadW + 2 + tokenW / 2, yc, place, false);
  }
  if (inLane.length > shown) {
    const hidden = inLane.slice(shown).map((g) => g.goid);
    const x = margin + labelW + shown * SYSCALL_PITCH + tokenW / 2;
    b.more('syscall', hidden, 0, x, yc, false);
  }
  return y + laneH + 10;
}

const M_ORDER: Record<MStateName, number> = { spinning: 0, running: 1, new: 2, idle: 3 };

/** Threads holding no P: spinning ones (looking for work) first, idle ones last. */
export function threadLane(b: Builder, L: Layout, y: number): number {
  const threads = L.state.ms.values().filter((m) => !b.threadsShown.has(m.id));
  threads.sort((a, c) => M_ORDER[a.state] - M_ORDER[c.state] || a.id - c.id);
  const h = threadH + 18 + 2 * LANE_PAD;
  b.frame('lane:threads', 'lane', margin, y, L.inner, h);
  b.text('label:threads', `Ms without a P · ${threads.length}`, 'label', margin + 10, y + h / 2);
  const yc = y + LANE_PAD + threadH / 2;
  const cap = Math.max(2, Math.floor((L.inner - labelW) / THREAD_PITCH));
  const shown = visible(threads.length, cap);
  const xAt = (i: number) => margin + labelW + threadW / 2 + i * THREAD_PITCH;
  for (let i = 0; i < shown; i++) {
    const m = threads[i];
    if (m === undefined) continue;
    b.thread(m.id, xAt(i), yc);
    b.text(`mcap:${m.id}`, m.state, 'caption', xAt(i), yc + threadH / 2 + 9, 'middle');
  }
  if (threads.length > shown) b.moreThreads(threads.length - shown, xAt(shown), yc);
  return y + h + 14;
}

/** Waiting goroutines, one lane per wait reason and line (alphabetical), longest waiting first. */
export function waitingLanes(b: Builder, L: Layout, y: number): number {
  const { waiting } = L.groups;
  let count = 0;
  for (const group of waiting.values()) count += group.gs.length;
  b.text('title:waiting', `Waiting (blocked) · ${count}`, 'title', margin, y + 8);
  y += 22;
  const perRow = Math.max(1, Math.floor((L.inner - labelW - 8) / PITCH));
  const cap = L.maxWaiting > 0 ? L.maxWaiting : perRow;
  const keys = [...waiting.keys()].sort();
  if (keys.length === 0) {
    b.text('waiting:none', 'nothing is waiting', 'muted', margin + 10, y + 8);
    y += 22;
  }
  for (const key of keys) {
    const group = waiting.get(key) as WaitGroup;
    const goids = group.gs
      .sort((a, c) => (a.wait?.since ?? 0) - (c.wait?.since ?? 0) || a.goid - c.goid)
      .map((g) => g.goid);
    const rows = Math.max(1, Math.ceil(Math.min(goids.length, cap) / perRow));
    const h = rows * ROW_H + 2 * LANE_PAD + (group.site ? 4 : 0);
    const yc = y + LANE_PAD + ROW_H / 2 + (group.site ? 2 : 0);
    b.frame(`lane:wait:${key}`, 'lane', margin, y, L.inner, h);
    const label = fit(`${group.reason} · ${goids.length}`, labelW - 14, METRICS.fontLabel);
    if (group.site) {
      b.text(`label:wait:${key}`, label, 'label', margin + 10, yc - 8);
      b.text(`site:wait:${key}`, `at ${group.site}`, 'caption', margin + 10, yc + 9);
    } else {
      b.text(`label:wait:${key}`, label, 'label', margin + 10, yc);
    }
    const reason = group.reason;
    const place = (index: number): Place => ({ where: 'waiting', reason, index });
    b.row(`waiting:${key}`, goids, 0, cap, perRow, margin + labelW, yc, place, false);
    y += h + 6;
  }
  return y;
}

export function footer(b: Builder, L: Layout, y: number, live: number): number {
  let text = `${live} goroutine${live === 1 ? '' : 's'} alive · ${L.groups.finished} finished`;
  const hidden = L.groups.hidden.size;
  if (hidden > 0) text += ` · ${hidden} runtime goroutine${hidden === 1 ? '' : 's'} hidden`;
  b.text('footer', text, 'muted', margin, y + 10);
  return y + 20 + margin;
}

/** Garbage collection as a banner; stop-the-world also as a wash over everything. */
export function overlays(b: Builder, L: Layout, height: number): void {
  const { state, width } = L;
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
    const w = Math.min(440, L.inner / 2);
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
}

/** Where a token is drawn, if it is. */
function at(b: Builder, key: string): { x: number; y: number; w: number; h: number } | undefined {
  return (b.tokens as { key: string; x: number; y: number; w: number; h: number }[]).find(
    (t) => t.key === key,
  );
}

/**
 * The arrow of the current event's cause. A steal starts at the head of the
 * victim's queue (where runqsteal takes from) and ends on the first stolen
 * goroutine, now on the thief; a wake-up goes from the waker to the woken
 * goroutine's new place. Nothing is drawn when an end is not in the picture.
 */
export function arrows(b: Builder, cause: Cause): void {
  let from: { x: number; y: number } | undefined;
  let to: { x: number; y: number; w: number; h: number } | undefined;
  let text: string;
  let keys: [string, string];
  let goids: readonly number[];
  if (cause.kind === 'steal') {
    const queue = b.frames.find((f) => f.key === `queue:${cause.victim}`);
    if (queue) from = { x: queue.x - queue.w / 2 + 6 + tokenW / 2, y: queue.y };
    to = cause.goids.map((goid) => at(b, `g:${goid}`)).find((t) => t !== undefined);
    const n = cause.goids.length;
    const who =
      cause.goids.length <= 3 ? cause.goids.map((g) => `g${g}`).join(', ') : `${n} goroutines`;
    text = `P${cause.thief} stole ${who} from P${cause.victim}`;
    keys = [`p:${cause.victim}`, `p:${cause.thief}`];
    goids = cause.goids;
  } else {
    from = at(b, `g:${cause.by}`);
    to = at(b, `g:${cause.goid}`);
    text = cause.text;
    keys = [`g:${cause.by}`, `g:${cause.goid}`];
    goids = [cause.goid];
  }
  if (!from || !to) return;
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const x1 = from.x;
  let y1 = from.y;
  let x2: number;
  let y2: number;
  let cx: number;
  let cy: number;
  if (Math.abs(dy) < 10) {
    // Neighbours on one row: an arc over their tops, so it never covers a name.
    const top = Math.min(from.y, to.y - to.h / 2);
    y1 = cause.kind === 'steal' ? from.y - tokenH / 2 : from.y - 8;
    x2 = to.x;
    y2 = to.y - to.h / 2 - 1;
    cx = (x1 + x2) / 2;
    cy = top - 40;
  } else {
    // Across rows: end at the token's edge, not its centre, so the head is seen; bend aside.
    const len = Math.hypot(dx, dy) || 1;
    const inset = Math.min(to.h / 2 + 4, len / 3);
    x2 = to.x - (dx / len) * inset;
    y2 = to.y - (dy / len) * inset;
    const bend = Math.min(60, len / 5);
    cx = (x1 + x2) / 2 + (-dy / len) * bend;
    cy = (y1 + y2) / 2 + (dx / len) * bend;
  }
  const w = Math.min(b.width - 2 * margin, text.length * METRICS.fontSmall * 0.6 + 14);
  const h = 20;
  // The words sit at the curve's middle (halfway to its control point), kept inside the picture.
  const mx = Math.max(margin + w / 2, Math.min(b.width - margin - w / 2, (x1 + x2) / 4 + cx / 2));
  const my = Math.max(h / 2 + 2, (y1 + y2) / 4 + cy / 2 - (Math.abs(dy) < 10 ? h / 2 : 0));
  b.overlays.push({
    kind: 'arrow',
    key: `arrow:${cause.kind}`,
    tone: cause.kind,
    x1,
    y1,
    x2,
    y2,
    cx,
    cy,
    text,
    from: keys[0],
    to: keys[1],
    goids,
    x: mx,
    y: my,
    w,
    h,
  });
}
