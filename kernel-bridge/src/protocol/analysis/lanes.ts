/**
 * The run over time: one lane of slices per P, per M and per goroutine, a GC
 * track with its stop-the-world bands, and arrows for steals and wake-ups.
 * This is what the timeline view draws and what the goroutine analysis, the
 * patterns and the Chrome trace export read.
 *
 * A `LaneBuilder` is fed the events in seq order; a live run appends as
 * batches arrive. Each event costs O(1): a few map lookups, and a new slice
 * only where a lane changes (a slice that would repeat the open one is not
 * made). `lanes()` hands out the builder's own arrays, which go on growing,
 * so calling it every frame is cheap: it only moves the end of each open
 * slice to the last event.
 *
 * Every lane runs without gaps from the event that first shows its subject
 * to the last event (or, for a goroutine, to its `g.exit`), so the
 * durations of a goroutine's slices add up to its lifetime.
 */
import type { EventOf, MStateName, PStateName, QueueName, SlowmoEvent } from '../events';
import { isUserCodeEvent } from '../goroutines';
import { ProtocolError } from '../parse';

/** A P: running a goroutine, in the scheduler (held by an M, on g0), held by an M in a syscall, idle, stopped for GC. */
export const P_SLICE_KINDS = ['running', 'sched', 'syscall', 'idle', 'gcstop'] as const;
/** An M: running Go code (a goroutine, or g0 when `goid` is 0), in a syscall, spinning for work, idle. */
export const M_SLICE_KINDS = ['running', 'syscall', 'spinning', 'idle'] as const;
/** A goroutine: running, runnable (in a queue, or being handed over), waiting (parked), in a syscall. */
export const G_SLICE_KINDS = ['running', 'runnable', 'waiting', 'syscall'] as const;
/** The GC track: its phases, and stop-the-world bands (a track of their own). */
export const GC_SLICE_KINDS = ['sweepterm', 'mark', 'marktermination', 'stw'] as const;

export type PSliceKind = (typeof P_SLICE_KINDS)[number];
export type MSliceKind = (typeof M_SLICE_KINDS)[number];
export type GSliceKind = (typeof G_SLICE_KINDS)[number];
export type GcSliceKind = (typeof GC_SLICE_KINDS)[number];
export type LaneSliceKind = PSliceKind | MSliceKind | GSliceKind | GcSliceKind;

/**
 * One stretch of a lane in one state. Every lane's slices have the same
 * shape; the fields that do not apply are 0, -1 or null.
 */
export interface LaneSlice {
  readonly kind: LaneSliceKind;
  /** ns since the run started: the `t` of the event that began it. */
  readonly start: number;
  /** The `t` of the event that ended it; for an open slice, the last event's `t` so far. */
  readonly end: number;
  readonly startSeq: number;
  /** The seq of the event that ended it; for an open slice, the last event's seq so far. */
  readonly endSeq: number;
  /** Still going: no event has ended it yet (its end moves on as events arrive). */
  readonly open: boolean;
  /**
   * The goroutine: on a P or M lane, the one running (or in the syscall); 0 for
   * none (the scheduler's g0). On a goroutine lane, that goroutine.
   */
  readonly goid: number;
  /**
   * On an M lane the P it holds; on a goroutine lane the P it runs on, or
   * while runnable the P whose queue holds it (-1: global queue, or none); on
   * a P lane that P. -1 for none.
   */
  readonly p: number;
  /** On a P lane the M holding it; on a goroutine lane the M it runs (or syscalls) on. -1 for none. */
  readonly m: number;
  /** A runnable goroutine's queue; null when in none (just created, handed over, back from a syscall). */
  readonly queue: QueueName | null;
  /** Why: a waiting goroutine's wait reason, a runnable one's reason, a stop-the-world's reason. */
  readonly reason: string | null;
}

export interface PLane {
  readonly p: number;
  readonly slices: readonly LaneSlice[];
}

export interface MLane {
  readonly m: number;
  readonly slices: readonly LaneSlice[];
}

export interface GoroutineLane {
  readonly goid: number;
  /** The function it runs; '' when its creation was not seen (g1 in some recordings, runtime workers). */
  readonly fn: string;
  /** Where it was created (the `go` statement); '' and 0 when not seen. */
  readonly file: string;
  readonly line: number;
  /** Its creator's goid; 0 when not seen or made by the runtime. */
  readonly parent: number;
  /** The `t` and seq of its `g.create`; null when not seen. */
  readonly createdAt: number | null;
  readonly createdSeq: number | null;
  /** The first event that showed it (its `g.create` when seen). */
  readonly firstAt: number;
  readonly firstSeq: number;
  /** The `t` and seq of its `g.exit`; null while it lives. */
  readonly endedAt: number | null;
  readonly endedSeq: number | null;
  /** How many times it started running (`g.running`, and a syscall exit with a P). */
  readonly runs: number;
  /** How many times a steal moved it to another P. */
  readonly stolen: number;
  /** How many times it was preempted (made runnable with reason `preempt`). */
  readonly preempted: number;
  readonly slices: readonly LaneSlice[];
}

interface ArrowBase {
  readonly seq: number;
  readonly t: number;
  /** The P the arrow leaves: a steal's victim, the waker's P (-1 when it held none). */
  readonly fromP: number;
  /** The P it reaches: a steal's thief, the P whose queue the woken one went to (-1: global). */
  readonly toP: number;
}

/** A P took goroutines from another P's run queue. */
export interface StealArrow extends ArrowBase {
  readonly kind: 'steal';
  readonly goids: readonly number[];
}

/** Goroutine `fromG` made goroutine `toG` runnable (a send, an unlock, a Done…). */
export interface WakeArrow extends ArrowBase {
  readonly kind: 'wake';
  readonly fromG: number;
  readonly toG: number;
}

export type LaneArrow = StealArrow | WakeArrow;

export interface Lanes {
  /** The `t` of the first event and of the last one (0 and 0 before any). */
  readonly start: number;
  /**
   * Where open slices end: the last event's `t`, except that the `run.end` of
   * a program that ended by itself (exit, or a signal such as a crash's) does
   * not count. Its `t` says when the recorder finished, which can be long
   * after the program's last event; what was still going went with the
   * process. A run stopped or killed at a limit ends at its `run.end`.
   */
  readonly end: number;
  /** The seq of the last event, -1 before any. */
  readonly lastSeq: number;
  /**
   * Where the learner's program begins (as `mainStart` says: g1's last start
   * before the first event of their code), null until their code shows.
   * What comes before is the runtime starting up.
   */
  readonly main: { readonly seq: number; readonly t: number } | null;
  /** Indexed by P id. */
  readonly procs: readonly PLane[];
  /** In the order first seen. */
  readonly ms: readonly MLane[];
  /** In the order first seen. */
  readonly goroutines: readonly GoroutineLane[];
  readonly byGoid: ReadonlyMap<number, GoroutineLane>;
  /** GC phases (sweepterm, mark, marktermination); nothing while GC is off. */
  readonly gc: readonly LaneSlice[];
  /** Stop-the-world bands, with their reason. */
  readonly stw: readonly LaneSlice[];
  /** In seq order. */
  readonly arrows: readonly LaneArrow[];
}

class Slice implements LaneSlice {
  end: number;
  endSeq: number;
  open = true;
  constructor(
    readonly kind: LaneSliceKind,
    readonly start: number,
    readonly startSeq: number,
    readonly goid: number,
    readonly p: number,
    readonly m: number,
    readonly queue: QueueName | null,
    readonly reason: string | null,
  ) {
    this.end = start;
    this.endSeq = startSeq;
  }
}

/** A lane's slices and its open one; `to` starts a new slice only when something changed. */
class Track {
  readonly slices: Slice[] = [];
  current: Slice | null = null;

  to(
    t: number,
    seq: number,
    kind: LaneSliceKind,
    goid: number,
    p: number,
    m: number,
    queue: QueueName | null = null,
    reason: string | null = null,
  ): void {
    const o = this.current;
    if (o !== null && o.kind === kind && o.goid === goid && o.p === p && o.m === m) {
      if (o.queue === queue && o.reason === reason) return;
    }
    if (o !== null && o.startSeq === seq && this.undo(seq, kind, goid, p, m, queue, reason)) return;
    this.close(t, seq);
    const s = new Slice(kind, t, seq, goid, p, m, queue, reason);
    this.slices.push(s);
    this.current = s;
  }

  /**
   * One event can move a lane through a state it leaves again at once (a
   * goroutine entering a syscall stops running, which leaves its P in the
   * scheduler, then the P waits on the syscall): the passing state is not
   * kept. The slice the event opened is dropped, and the one before it is
   * opened again when the lane is back in its state. True when that left
   * the lane as asked.
   */
  private undo(
    seq: number,
    kind: LaneSliceKind,
    goid: number,
    p: number,
    m: number,
    queue: QueueName | null,
    reason: string | null,
  ): boolean {
    this.slices.pop();
    this.current = null;
    const prev = this.slices[this.slices.length - 1];
    if (prev === undefined || prev.endSeq !== seq || prev.kind !== kind || prev.goid !== goid) {
      return false;
    }
    if (prev.p !== p || prev.m !== m || prev.queue !== queue || prev.reason !== reason)
      return false;
    prev.open = true;
    this.current = prev;
    return true;
  }

  close(t: number, seq: number): void {
    const o = this.current;
    if (o === null) return;
    o.end = t;
    o.endSeq = seq;
    o.open = false;
    this.current = null;
  }

  /** Moves the open slice's end to the last event. */
  reach(t: number, seq: number): void {
    const o = this.current;
    if (o === null) return;
    o.end = t;
    o.endSeq = seq;
  }
}

class PRec implements PLane {
  readonly track = new Track();
  state: PStateName = 'idle';
  m = -1;
  /** Running on it. */
  goid = 0;
  /** In a syscall while its M still holds it (Go 1.26+ keeps the P running; before, `p.state syscall`). */
  sys = 0;
  /** The goroutine last put in its runnext slot (it may have left since: check its lane). */
  runnext = 0;
  constructor(readonly p: number) {}
  get slices(): readonly LaneSlice[] {
    return this.track.slices;
  }
}

class MRec implements MLane {
  readonly track = new Track();
  state: MStateName = 'running';
  p = -1;
  goid = 0;
  sys = 0;
  constructor(readonly m: number) {}
  get slices(): readonly LaneSlice[] {
    return this.track.slices;
  }
}

class GRec implements GoroutineLane {
  readonly track = new Track();
  fn = '';
  file = '';
  line = 0;
  parent = 0;
  createdAt: number | null = null;
  createdSeq: number | null = null;
  endedAt: number | null = null;
  endedSeq: number | null = null;
  runs = 0;
  stolen = 0;
  preempted = 0;
  /** Where it runs (or syscalls); -1 when not running. */
  p = -1;
  m = -1;
  dead = false;
  constructor(
    readonly goid: number,
    readonly firstAt: number,
    readonly firstSeq: number,
  ) {}
  get slices(): readonly LaneSlice[] {
    return this.track.slices;
  }
  get kind(): LaneSliceKind | null {
    return this.track.current?.kind ?? null;
  }
}

type Handler<K extends SlowmoEvent['kind']> = (b: LaneBuilder, e: EventOf<K>) => void;

export class LaneBuilder {
  private readonly procs: PRec[] = [];
  private readonly ms: MRec[] = [];
  private readonly msById = new Map<number, MRec>();
  private readonly gs: GRec[] = [];
  private readonly gsById = new Map<number, GRec>();
  private readonly gcTrack = new Track();
  private readonly stwTrack = new Track();
  private readonly arrows: LaneArrow[] = [];
  private first = 0;
  private lastT = 0;
  private lastSeq = -1;
  private g1Run: { seq: number; t: number } | null = null;
  private main: { seq: number; t: number } | null = null;

  static from(events: Iterable<SlowmoEvent>): LaneBuilder {
    const b = new LaneBuilder();
    for (const e of events) b.append(e);
    return b;
  }

  /** Adds the next event: seq must grow and time must not go back. */
  append(e: SlowmoEvent): void {
    if (e.seq <= this.lastSeq) {
      throw new ProtocolError(
        `event out of order: field "seq" is ${e.seq}, after ${this.lastSeq} (events go in seq order)`,
        'seq',
      );
    }
    if (this.lastSeq >= 0 && e.t < this.lastT) {
      throw new ProtocolError(
        `time went backwards: field "t" of seq ${e.seq} is ${e.t}, before ${this.lastT}`,
        't',
      );
    }
    if (this.lastSeq < 0) this.first = e.t;
    if (e.kind !== 'run.end' || (e.reason !== 'exit' && e.reason !== 'signal')) this.lastT = e.t;
    this.lastSeq = e.seq;
    if (this.main === null) this.findMain(e);
    if (e.m >= 0) this.mRec(e.m, e);
    (HANDLERS[e.kind] as ((b: LaneBuilder, e: SlowmoEvent) => void) | undefined)?.(this, e);
  }

  /** As mainStart: g1's last start before the first event of the learner's code. */
  private findMain(e: SlowmoEvent): void {
    if (e.kind === 'g.running' && e.goid === 1) this.g1Run = { seq: e.seq, t: e.t };
    else if (isUserCodeEvent(e)) this.main = this.g1Run ?? { seq: e.seq, t: e.t };
  }

  /** The lanes so far. The arrays are the builder's own: they grow as events are appended. */
  lanes(): Lanes {
    const { lastT: t, lastSeq: seq } = this;
    for (const r of this.procs) r.track.reach(t, seq);
    for (const r of this.ms) r.track.reach(t, seq);
    for (const r of this.gs) r.track.reach(t, seq);
    this.gcTrack.reach(t, seq);
    this.stwTrack.reach(t, seq);
    return {
      start: this.first,
      end: t,
      lastSeq: seq,
      main: this.main,
      procs: this.procs,
      ms: this.ms,
      goroutines: this.gs,
      byGoid: this.gsById,
      gc: this.gcTrack.slices,
      stw: this.stwTrack.slices,
      arrows: this.arrows,
    };
  }

  // The handlers' helpers. Public to the handler table below, not part of the API.

  /** @internal */
  pRec(id: number, e: SlowmoEvent): PRec {
    for (let i = this.procs.length; i <= id; i++) {
      const r = new PRec(i);
      r.track.to(e.t, e.seq, 'idle', 0, i, -1);
      this.procs.push(r);
    }
    return this.procs[id] as PRec;
  }

  /** @internal */
  mRec(id: number, e: SlowmoEvent): MRec {
    let r = this.msById.get(id);
    if (r === undefined) {
      r = new MRec(id);
      if (e.kind === 'm.state') r.state = e.state;
      this.msById.set(id, r);
      this.ms.push(r);
      this.refreshM(r, e);
    }
    return r;
  }

  /** @internal */
  gRec(goid: number, e: SlowmoEvent): GRec {
    let r = this.gsById.get(goid);
    if (r === undefined) {
      r = new GRec(goid, e.t, e.seq);
      this.gsById.set(goid, r);
      this.gs.push(r);
    }
    return r;
  }

  /** @internal */
  refreshP(r: PRec, e: SlowmoEvent): void {
    const { state } = r;
    if (state === 'idle' || state === 'gcstop') {
      r.track.to(e.t, e.seq, state, 0, r.p, r.m);
    } else if (r.sys > 0 || state === 'syscall') {
      r.track.to(e.t, e.seq, 'syscall', r.sys, r.p, r.m);
    } else {
      r.track.to(e.t, e.seq, r.goid > 0 ? 'running' : 'sched', r.goid, r.p, r.m);
    }
  }

  /** @internal */
  refreshM(r: MRec, e: SlowmoEvent): void {
    if (r.sys > 0) r.track.to(e.t, e.seq, 'syscall', r.sys, r.p, r.m);
    else if (r.state === 'idle') r.track.to(e.t, e.seq, 'idle', 0, -1, r.m);
    else if (r.state === 'spinning') r.track.to(e.t, e.seq, 'spinning', 0, r.p, r.m);
    else r.track.to(e.t, e.seq, 'running', r.goid, r.p, r.m);
  }

  /** @internal The goroutine leaves its P and M (it parks, yields, exits, or is displaced). */
  stopRunning(g: GRec, e: SlowmoEvent): void {
    if (g.kind !== 'running') return;
    const p = g.p >= 0 ? this.procs[g.p] : undefined;
    if (p !== undefined && p.goid === g.goid) {
      p.goid = 0;
      this.refreshP(p, e);
    }
    const m = g.m >= 0 ? this.msById.get(g.m) : undefined;
    if (m !== undefined && m.goid === g.goid) {
      m.goid = 0;
      this.refreshM(m, e);
    }
  }

  /** @internal Out of a syscall: its M (and the P it kept) no longer wait on it. */
  leaveSyscall(g: GRec, e: SlowmoEvent): void {
    if (g.kind !== 'syscall') return;
    const m = g.m >= 0 ? this.msById.get(g.m) : undefined;
    if (m !== undefined && m.sys === g.goid) {
      m.sys = 0;
      m.goid = 0;
      this.refreshM(m, e);
    }
    const p = g.p >= 0 ? this.procs[g.p] : undefined;
    if (p !== undefined && p.sys === g.goid) {
      p.sys = 0;
      this.refreshP(p, e);
    }
  }

  /** @internal The goroutine stops whatever it was doing: running or in a syscall. */
  leave(g: GRec, e: SlowmoEvent): void {
    this.stopRunning(g, e);
    this.leaveSyscall(g, e);
  }

  /** @internal `goid` runs on M `mid` and P `pid` (either may be -1 when not known). */
  runs(g: GRec, e: SlowmoEvent, mid: number, pid: number): void {
    this.leave(g, e);
    g.runs++;
    g.p = pid;
    g.m = mid;
    g.track.to(e.t, e.seq, 'running', g.goid, pid, mid);
    if (pid >= 0) {
      const p = this.pRec(pid, e);
      this.displace(p.goid, g.goid, e);
      p.goid = g.goid;
      p.state = 'running';
      p.sys = 0;
      if (mid >= 0) p.m = mid;
      this.refreshP(p, e);
    }
    if (mid >= 0) {
      const m = this.mRec(mid, e);
      this.displace(m.goid, g.goid, e);
      m.goid = g.goid;
      m.state = 'running';
      m.sys = 0;
      if (pid >= 0) m.p = pid;
      this.refreshM(m, e);
    }
  }

  /**
   * Another goroutine starts where `old` was running without an event that
   * stopped it (an event the recorder lost): it is runnable again, in no
   * queue known, rather than shown running in two places.
   */
  private displace(old: number, goid: number, e: SlowmoEvent): void {
    if (old === 0 || old === goid) return;
    const g = this.gsById.get(old);
    if (g === undefined || g.kind !== 'running') return;
    g.track.to(e.t, e.seq, 'runnable', old, -1, -1, null, 'other');
    g.p = -1;
    g.m = -1;
  }

  /** @internal */
  arrow(a: LaneArrow): void {
    this.arrows.push(a);
  }

  /** @internal */
  gcTo(e: SlowmoEvent, phase: EventOf<'gc'>['phase']): void {
    if (phase === 'off') this.gcTrack.close(e.t, e.seq);
    else this.gcTrack.to(e.t, e.seq, phase, 0, -1, -1);
  }

  /** @internal */
  stwTo(e: EventOf<'stw'>): void {
    if (e.begin) this.stwTrack.to(e.t, e.seq, 'stw', 0, -1, -1, null, e.reason);
    else this.stwTrack.close(e.t, e.seq);
  }

  /** @internal */
  mById(id: number): MRec | undefined {
    return this.msById.get(id);
  }

  /**
   * `goid` is queued on P `pid` as the events say, and the runtime's rule
   * says what happened to the slot's last holder: a new runnext kicks the old
   * one to the tail of the local queue (runqput). The lane of a goroutine in a
   * queue records which one, so that a P's waiting work can be counted.
   */
  queue(e: SlowmoEvent, goid: number, queue: QueueName | null, pid: number): void {
    if (queue !== 'runnext' || pid < 0) return;
    const p = this.pRec(pid, e);
    const old = p.runnext;
    p.runnext = goid;
    if (old === 0 || old === goid) return;
    this.requeue(e, old, pid, 'runnext', 'local');
  }

  /** @internal Moves a goroutine recorded runnable in `from` of P `pid` to `to` there. */
  requeue(e: SlowmoEvent, goid: number, pid: number, from: QueueName, to: QueueName): void {
    const g = this.gsById.get(goid);
    const s = g?.track.current;
    if (
      g === undefined ||
      s === null ||
      s === undefined ||
      s.kind !== 'runnable' ||
      s.queue !== from ||
      s.p !== pid
    ) {
      return;
    }
    g.track.to(e.t, e.seq, 'runnable', goid, pid, -1, to, s.reason);
  }

  /** @internal A snapshot of P's local queue says where its goroutines are. */
  snapshot(e: EventOf<'runq'>): void {
    const p = this.pRec(e.qp, e);
    if (p.runnext !== e.runnext && p.runnext !== 0) {
      this.requeue(e, p.runnext, e.qp, 'runnext', 'local');
    }
    p.runnext = e.runnext;
    for (const goid of e.goids) this.requeue(e, goid, e.qp, 'runnext', 'local');
  }
}

function onCreate(b: LaneBuilder, e: EventOf<'g.create'>): void {
  const g = b.gRec(e.goid, e);
  g.fn = e.fn;
  g.file = e.file;
  g.line = e.line;
  g.parent = e.parent;
  g.createdAt = e.t;
  g.createdSeq = e.seq;
  g.track.to(e.t, e.seq, 'runnable', g.goid, -1, -1, null, 'create');
}

function onRunnable(b: LaneBuilder, e: EventOf<'g.runnable'>): void {
  const g = b.gRec(e.goid, e);
  if (e.reason === 'preempt' && g.kind === 'running') g.preempted++;
  b.leave(g, e);
  g.p = -1;
  g.m = -1;
  g.track.to(e.t, e.seq, 'runnable', g.goid, e.qp, -1, e.queue, e.reason);
  b.queue(e, g.goid, e.queue, e.qp);
  if (e.by !== undefined && e.by !== e.goid) {
    b.arrow({ kind: 'wake', seq: e.seq, t: e.t, fromP: e.p, toP: e.qp, fromG: e.by, toG: e.goid });
  }
}

function onWaiting(b: LaneBuilder, e: EventOf<'g.waiting'>): void {
  const g = b.gRec(e.goid, e);
  b.leave(g, e);
  g.track.to(e.t, e.seq, 'waiting', g.goid, -1, -1, null, e.reason);
  g.p = -1;
  g.m = -1;
}

function onSyscall(b: LaneBuilder, e: EventOf<'g.syscall'>): void {
  const g = b.gRec(e.goid, e);
  const pid = e.p >= 0 ? e.p : g.p;
  const mid = e.m >= 0 ? e.m : g.m;
  b.stopRunning(g, e);
  g.p = pid;
  g.m = mid;
  g.track.to(e.t, e.seq, 'syscall', g.goid, pid, mid);
  if (mid >= 0) {
    const m = b.mRec(mid, e);
    m.sys = g.goid;
    b.refreshM(m, e);
  }
  if (pid >= 0) {
    const p = b.pRec(pid, e);
    p.goid = 0;
    p.sys = g.goid;
    b.refreshP(p, e);
  }
}

function onSyscallExit(b: LaneBuilder, e: EventOf<'g.syscall.exit'>): void {
  const g = b.gRec(e.goid, e);
  if (e.p >= 0) {
    b.runs(g, e, e.m, e.p);
    return;
  }
  // Left the syscall without a P: it waits for one.
  b.leave(g, e);
  g.p = -1;
  g.m = -1;
  g.track.to(e.t, e.seq, 'runnable', g.goid, -1, -1, null, 'syscall');
}

function onExit(b: LaneBuilder, e: EventOf<'g.exit'>): void {
  const g = b.gRec(e.goid, e);
  b.leave(g, e);
  g.track.close(e.t, e.seq);
  g.endedAt = e.t;
  g.endedSeq = e.seq;
  g.dead = true;
}

function onSteal(b: LaneBuilder, e: EventOf<'steal'>): void {
  b.pRec(Math.max(e.thief, e.victim), e);
  // As the reducer: all but the last join the thief's local queue; the last is handed to it to run.
  const last = e.goids.length - 1;
  for (let i = 0; i <= last; i++) {
    const g = b.gRec(e.goids[i] as number, e);
    g.stolen++;
    b.leave(g, e);
    g.p = -1;
    g.m = -1;
    g.track.to(e.t, e.seq, 'runnable', g.goid, e.thief, -1, i < last ? 'local' : null, 'steal');
  }
  b.arrow({ kind: 'steal', seq: e.seq, t: e.t, fromP: e.victim, toP: e.thief, goids: e.goids });
}

function onPState(b: LaneBuilder, e: EventOf<'p.state'>): void {
  if (e.p < 0) return;
  const p = b.pRec(e.p, e);
  const old = p.m >= 0 ? b.mById(p.m) : undefined;
  if (old !== undefined && p.m !== e.pm && old.p === p.p) {
    old.p = -1;
    b.refreshM(old, e);
  }
  // A P handed to another M, or stopped, no longer waits on a syscall.
  if (e.pm !== p.m || (e.state !== 'running' && e.state !== 'syscall')) p.sys = 0;
  p.state = e.state;
  p.m = e.pm;
  if (e.state !== 'running') p.goid = 0;
  b.refreshP(p, e);
  if (e.pm >= 0) {
    const m = b.mRec(e.pm, e);
    if (m.state === 'idle') m.state = 'running';
    m.p = p.p;
    b.refreshM(m, e);
  }
}

function onMState(b: LaneBuilder, e: EventOf<'m.state'>): void {
  if (e.m < 0) return;
  const m = b.mRec(e.m, e);
  m.state = e.state === 'new' ? 'running' : e.state;
  m.p = e.state === 'idle' ? -1 : e.p;
  if (e.state === 'idle') {
    m.goid = 0;
    m.sys = 0;
  }
  b.refreshM(m, e);
}

const HANDLERS: { [K in SlowmoEvent['kind']]?: Handler<K> } = {
  'run.start'(b, e) {
    b.pRec(e.gomaxprocs - 1, e);
  },
  'g.create': onCreate,
  'g.runnable': onRunnable,
  'g.running'(b, e) {
    b.runs(b.gRec(e.goid, e), e, e.m, e.p);
  },
  'g.waiting': onWaiting,
  'g.syscall': onSyscall,
  'g.syscall.exit': onSyscallExit,
  'g.exit': onExit,
  steal: onSteal,
  'p.state': onPState,
  'm.state': onMState,
  runq(b, e) {
    b.snapshot(e);
  },
  gc(b, e) {
    b.gcTo(e, e.phase);
  },
  stw(b, e) {
    b.stwTo(e);
  },
};
