/**
 * The parts of the picture, top to bottom. Each takes the y where it starts
 * and returns the y where the next one starts, so sections can grow (more
 * Ps, more wait reasons) without knowing about each other.
 */
import type { GState, MStateName, SchedState } from '@go-slowmo/kernel-bridge/protocol';
import { visible, type Builder } from './builder';
import {
  LANE_PAD,
  METRICS,
  P_COL_GAP,
  P_H,
  P_PAD_L,
  P_ROW_GAP,
  PITCH,
  ROW_H,
  SLOT_H,
  SLOT_W,
  SYSCALL_PITCH,
  THREAD_PITCH,
  UNQUEUED_LABEL_W,
  UNQUEUED_SLOTS,
} from './metrics';
import type { Place } from './scene';
import { bannerText, fit, headerText, procStateText } from './words';

const { margin, tokenW, threadW, threadH, labelW } = METRICS;

/** The goroutines sorted by what no queue says about them. */
export interface Groups {
  /** Runnable or running but maybe in no queue: placed last, if nothing else placed them. */
  readonly others: number[];
  readonly syscalls: GState[];
  readonly waiting: Map<string, GState[]>;
  readonly finished: number;
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
}

export function groupGoroutines(state: SchedState): Groups {
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
  return { others, syscalls, waiting, finished };
}

const laneH = ROW_H + 2 * LANE_PAD;

export function header(b: Builder, L: Layout, y: number): number {
  b.text('header', headerText(L.state), 'header', margin, y + 9);
  return y + METRICS.headerH;
}

/** The top lanes' geometry: the global queue, and the goroutines in no queue beside it. */
function topLanes(L: Layout, y: number) {
  const unqueuedW = UNQUEUED_LABEL_W + UNQUEUED_SLOTS * PITCH;
  const globalW = L.inner - unqueuedW - 10;
  return { globalW, unqueuedW, unqueuedX: margin + globalW + 10, yc: y + laneH / 2 };
}

/** The top lanes' frames; their goroutines come after the Ps claimed theirs (fillTopLanes). */
export function topLaneFrames(b: Builder, L: Layout, y: number): number {
  const t = topLanes(L, y);
  b.frame('lane:global', 'lane', margin, y, t.globalW, laneH, 'plain', L.inferred.runq);
  b.frame('lane:unqueued', 'lane', t.unqueuedX, y, t.unqueuedW, laneH);
  return y + laneH + 14;
}

export function fillTopLanes(b: Builder, L: Layout, y: number): void {
  const { state, inferred } = L;
  const t = topLanes(L, y);
  const globalq = state.globalq.filter((goid) => !b.placed.has(goid));
  const total = globalq.length + state.globalqMore;
  const label = `Global run queue · ${total}`;
  if (inferred.runq) {
    b.text('label:global', label, 'label', margin + 10, t.yc - 7);
    b.text('sub:global', 'inferred', 'caption', margin + 10, t.yc + 8);
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
  b.text('label:unqueued', `Not in a queue · ${loose.length}`, 'label', t.unqueuedX + 10, t.yc);
  const place = (i: number): Place => ({
    where: 'unqueued',
    p: state.gs.get(loose[i] as number)?.qp ?? -1,
  });
  const x0 = t.unqueuedX + UNQUEUED_LABEL_W;
  b.row('unqueued', loose, 0, UNQUEUED_SLOTS, UNQUEUED_SLOTS, x0, t.yc, place, false);
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

/** One box per P: its M on the left edge, the running slot, runnext and the local queue. */
export function procBoxes(b: Builder, L: Layout, y: number): number {
  const { state, inferred, procW, queueW, cols } = L;
  const held = heldSyscalls(L);
  const gridLeft = margin + threadW / 2;
  for (const p of state.procs) {
    const bx = gridLeft + (p.id % cols) * (procW + P_COL_GAP);
    const by = y + Math.floor(p.id / cols) * (P_H + P_ROW_GAP);
    const slotY = by + 26 + SLOT_H / 2;
    const slotTop = slotY - SLOT_H / 2;
    const capY = slotY + SLOT_H / 2 + 9;
    b.frame(`p:${p.id}`, 'proc', bx, by, procW, P_H, p.state);
    b.text(`ptitle:${p.id}`, `P${p.id}`, 'title', bx + P_PAD_L, by + 13);
    b.text(`pstate:${p.id}`, procStateText(p.state), 'muted', bx + procW - 10, by + 13, 'end');
    if (p.m >= 0) b.thread(p.m, bx, slotY);
    else b.noThread(p.id, bx, slotY);

    const runX = bx + P_PAD_L;
    b.frame(`slot:run:${p.id}`, 'slot', runX, slotTop, SLOT_W, SLOT_H, 'running');
    let runCaption = 'running';
    const sys = held.get(p.id);
    if (p.running !== 0 && !b.placed.has(p.running)) {
      b.goroutine(p.running, runX + SLOT_W / 2, slotY, { where: 'running', p: p.id }, false);
    } else if (sys !== undefined) {
      const place: Place = { where: 'syscall', m: sys.m, p: p.id, inProc: true };
      b.goroutine(sys.goid, runX + SLOT_W / 2, slotY, place, false);
      runCaption = 'in syscall';
    }
    b.text(`cap:run:${p.id}`, runCaption, 'caption', runX + SLOT_W / 2, capY, 'middle');

    const nextX = runX + SLOT_W + 10;
    b.frame(`slot:next:${p.id}`, 'slot', nextX, slotTop, SLOT_W, SLOT_H, 'plain', inferred.runnext);
    if (p.runnext !== 0 && !b.placed.has(p.runnext)) {
      const place: Place = { where: 'runnext', p: p.id };
      b.goroutine(p.runnext, nextX + SLOT_W / 2, slotY, place, inferred.runnext);
    }
    b.text(`cap:next:${p.id}`, 'next', 'caption', nextX + SLOT_W / 2, capY, 'middle');

    const qX = nextX + SLOT_W + 14;
    b.frame(`queue:${p.id}`, 'queue', qX, slotTop, queueW, SLOT_H, 'plain', inferred.runq);
    const runq = p.runq.filter((goid) => !b.placed.has(goid));
    const local = (index: number): Place => ({ where: 'local', p: p.id, index });
    const q = L.maxPerQueue;
    b.row(`local:${p.id}`, runq, 0, q, q, qX + 6, slotY, local, inferred.runq);
    const caption = `local run queue · ${runq.length}${inferred.runq ? ' (inferred)' : ''}`;
    b.text(`cap:queue:${p.id}`, caption, 'caption', qX + 2, capY);
  }
  const rows = Math.ceil(state.procs.length / cols);
  return rows === 0 ? y : y + rows * (P_H + P_ROW_GAP) - P_ROW_GAP + 18;
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
  const h = threadH + 14 + 2 * LANE_PAD;
  b.frame('lane:threads', 'lane', margin, y, L.inner, h);
  b.text(
    'label:threads',
    `Threads without a P · ${threads.length}`,
    'label',
    margin + 10,
    y + h / 2,
  );
  const yc = y + LANE_PAD + threadH / 2;
  const cap = Math.max(2, Math.floor((L.inner - labelW) / THREAD_PITCH));
  const shown = visible(threads.length, cap);
  const xAt = (i: number) => margin + labelW + threadW / 2 + i * THREAD_PITCH;
  for (let i = 0; i < shown; i++) {
    const m = threads[i];
    if (m === undefined) continue;
    b.thread(m.id, xAt(i), yc);
    b.text(`mcap:${m.id}`, m.state, 'caption', xAt(i), yc + threadH / 2 + 8, 'middle');
  }
  if (threads.length > shown) b.moreThreads(threads.length - shown, xAt(shown), yc);
  return y + h + 14;
}

/** Waiting goroutines, one lane per wait reason (alphabetical), longest waiting first. */
export function waitingLanes(b: Builder, L: Layout, y: number): number {
  const { waiting } = L.groups;
  let count = 0;
  for (const list of waiting.values()) count += list.length;
  b.text('title:waiting', `Waiting (blocked) · ${count}`, 'title', margin, y + 8);
  y += 22;
  const perRow = Math.max(1, Math.floor((L.inner - labelW - 8) / PITCH));
  const cap = L.maxWaiting > 0 ? L.maxWaiting : perRow;
  const reasons = [...waiting.keys()].sort();
  if (reasons.length === 0) {
    b.text('waiting:none', 'nothing is waiting', 'muted', margin + 10, y + 8);
    y += 22;
  }
  for (const reason of reasons) {
    const goids = (waiting.get(reason) as GState[])
      .sort((a, c) => (a.wait?.since ?? 0) - (c.wait?.since ?? 0) || a.goid - c.goid)
      .map((g) => g.goid);
    const rows = Math.max(1, Math.ceil(Math.min(goids.length, cap) / perRow));
    const h = rows * ROW_H + 2 * LANE_PAD;
    const yc = y + LANE_PAD + ROW_H / 2;
    b.frame(`lane:wait:${reason}`, 'lane', margin, y, L.inner, h);
    const label = fit(`${reason} · ${goids.length}`, labelW - 14, METRICS.fontLabel);
    b.text(`label:wait:${reason}`, label, 'label', margin + 10, yc);
    const place = (index: number): Place => ({ where: 'waiting', reason, index });
    b.row(`waiting:${reason}`, goids, 0, cap, perRow, margin + labelW, yc, place, false);
    y += h + 6;
  }
  return y;
}

export function footer(b: Builder, L: Layout, y: number, live: number): number {
  const text = `${live} goroutine${live === 1 ? '' : 's'} alive · ${L.groups.finished} finished`;
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
