/**
 * apply(state, event) -> state: the one reducer that the widget, the
 * checkpoints, the CLI and the tests all use. It is pure: the input state is
 * never mutated, the result shares every part the event did not touch.
 *
 * It models the runtime's own queue rules (runtime/proc.go), because a probe
 * sees the call, not everything the call does:
 *   - runqput(next=true) puts the G in runnext and kicks the old runnext to the
 *     tail of the local queue;
 *   - a put to a full local queue (256) is runqputslow: the older half of the
 *     local queue plus the new G go to the tail of the global queue;
 *   - runqsteal takes from the head of the victim's queue (and maybe its
 *     runnext); the thief runs the last one it took and queues the rest.
 * A G is always removed from wherever it was before it is placed anywhere, so
 * an event that repeats what the model already did changes nothing.
 * `runq` and `globalq` snapshots are authoritative and override the model.
 */
import type { EventOf, GcPhase, QueueName, SlowmoEvent } from './events';
import {
  emptyHeap,
  gcColor,
  heapAlloc,
  heapDump,
  heapEdge,
  heapFree,
  heapLimit,
  type HeapModel,
  heapSize,
  newCycle,
} from './heap';
import type { IntMap } from './intmap';
import {
  GState,
  MState,
  PState,
  type RunEndInfo,
  type RunInfo,
  type SchedState,
  type UserRegion,
  type UserTask,
} from './state';

const LOCAL_QUEUE_CAPACITY = 256;
const EMPTY: readonly number[] = Object.freeze([]);
const EMPTY_REGIONS: readonly UserRegion[] = Object.freeze([]);

function without(list: readonly number[], goid: number): readonly number[] {
  const i = list.indexOf(goid);
  if (i < 0) return list;
  if (i === 0) return list.slice(1);
  return list.slice(0, i).concat(list.slice(i + 1));
}

/** The procs array the event being applied has copied already (it may change it in place). */
let ownedProcs: PState[] | null = null;

/**
 * The state after one event, made from the state before it: a copy of its
 * fields, changed copy-on-write by the event's handler and then handed out
 * as the new state. It is its own transaction: no object besides it per
 * event (apply runs once per event, millions of times a second).
 */
class Draft implements SchedState {
  seq: number;
  t: number;
  run: RunInfo | null;
  procs: readonly PState[];
  globalq: readonly number[];
  globalqMore: number;
  gs: IntMap<GState>;
  ms: IntMap<MState>;
  gc: GcPhase;
  stw: string | null;
  end: RunEndInfo | null;
  tasks: IntMap<UserTask>;
  regions: IntMap<readonly UserRegion[]>;
  heap: HeapModel | null;

  constructor(base: SchedState, e: SlowmoEvent) {
    this.seq = e.seq;
    this.t = e.t;
    this.run = base.run;
    this.procs = base.procs;
    this.globalq = base.globalq;
    this.globalqMore = base.globalqMore;
    this.gs = base.gs;
    this.ms = base.ms;
    this.gc = base.gc;
    this.stw = base.stw;
    this.end = base.end;
    this.tasks = base.tasks;
    this.regions = base.regions;
    this.heap = base.heap;
  }

  proc(id: number): PState {
    return this.procs[id] ?? new PState(id, 'idle', -1, 0, 0, EMPTY);
  }

  setProc(p: PState): void {
    if (this.procs !== ownedProcs) ownedProcs = this.procs.slice();
    const procs = ownedProcs;
    this.procs = procs;
    // A P id beyond GOMAXPROCS (no run.start seen, or procresize) grows the array.
    for (let i = procs.length; i < p.id; i++) procs.push(new PState(i, 'idle', -1, 0, 0, EMPTY));
    procs[p.id] = p;
  }

  g(goid: number): GState {
    return this.gs.get(goid) ?? new GState(goid, null, 'runnable', null, -1, -1, -1, null, null);
  }

  setG(g: GState): void {
    this.gs = this.gs.set(g.goid, g);
  }

  /**
   * Takes a G out of the queue it is recorded in, and off the P it is
   * recorded running on. The G itself is returned as it was: every caller
   * gives it its new place, so building an intermediate G would be waste.
   */
  detach(g: GState): GState {
    const { goid } = g;
    if (g.queue === 'global') {
      this.globalq = without(this.globalq, goid);
    } else if (g.queue !== null && g.qp >= 0) {
      const p = this.proc(g.qp);
      if (g.queue === 'runnext' && p.runnext === goid) {
        this.setProc(new PState(p.id, p.state, p.m, p.running, 0, p.runq));
      } else if (g.queue === 'local') {
        const runq = without(p.runq, goid);
        if (runq !== p.runq)
          this.setProc(new PState(p.id, p.state, p.m, p.running, p.runnext, runq));
      }
    }
    if (g.status === 'running' && g.p >= 0) {
      const p = this.proc(g.p);
      if (p.running === goid) this.setProc(new PState(p.id, p.state, p.m, 0, p.runnext, p.runq));
    }
    return g;
  }

  /** Goroutine `goid` was at this user line (it made or woke another goroutine there). */
  saw(goid: number, file: string, line: number): void {
    const g = this.gs.get(goid);
    if (g === undefined || (g.seen?.line === line && g.seen.file === file)) return;
    const seen = { file, line };
    this.setG(new GState(g.goid, g.site, g.status, g.queue, g.qp, g.m, g.p, g.wait, g.at, seen));
  }

  /** runqput without next: the tail of P's local queue, or runqputslow when it is full. */
  pushLocal(pid: number, g: GState): void {
    const p = this.proc(pid);
    if (p.runq.length < LOCAL_QUEUE_CAPACITY) {
      this.setProc(new PState(p.id, p.state, p.m, p.running, p.runnext, p.runq.concat(g.goid)));
      this.setG(withPlace(g, 'runnable', 'local', pid));
      return;
    }
    const half = LOCAL_QUEUE_CAPACITY / 2;
    const moved = p.runq.slice(0, half);
    moved.push(g.goid);
    this.setProc(new PState(p.id, p.state, p.m, p.running, p.runnext, p.runq.slice(half)));
    this.globalq = this.globalq.concat(moved);
    this.setG(withPlace(g, 'runnable', 'global', -1));
    for (let i = 0; i < half; i++) {
      this.setG(withPlace(this.g(moved[i] as number), 'runnable', 'global', -1));
    }
  }

  place(goid: number, queue: QueueName, qp: number): void {
    const g = this.detach(this.g(goid));
    if (queue === 'global' || qp < 0) {
      this.globalq = this.globalq.concat(goid);
      this.setG(withPlace(g, 'runnable', 'global', -1));
    } else if (queue === 'local') {
      this.pushLocal(qp, g);
    } else {
      const p = this.proc(qp);
      const kicked = p.runnext;
      this.setProc(new PState(p.id, p.state, p.m, p.running, goid, p.runq));
      this.setG(withPlace(g, 'runnable', 'runnext', qp));
      if (kicked !== 0 && kicked !== goid) this.pushLocal(qp, this.g(kicked));
    }
  }

  /**
   * runqsteal: the goroutines leave the victim's queue (in one pass: a steal
   * moves up to half of 256), all but the last join the thief's queue, and
   * the last is handed to the thief to run.
   */
  steal(thief: number, victim: number, goids: readonly number[]): void {
    const v = this.proc(victim);
    const fromVictim: GState[] = [];
    for (const goid of goids) {
      const g = this.g(goid);
      const queued = g.status === 'runnable' && g.qp === victim;
      if (queued && (g.queue === 'local' || g.queue === 'runnext')) fromVictim.push(g);
      else this.setG(this.detach(g));
    }
    if (fromVictim.length > 0) {
      const gone = new Set(fromVictim.map((g) => g.goid));
      const runnext = gone.has(v.runnext) ? 0 : v.runnext;
      const runq = v.runq.filter((goid) => !gone.has(goid));
      this.setProc(new PState(v.id, v.state, v.m, v.running, runnext, runq));
    }
    const last = goids.length - 1;
    const t = this.proc(thief);
    if (t.runq.length + last <= LOCAL_QUEUE_CAPACITY) {
      this.setProc(
        new PState(t.id, t.state, t.m, t.running, t.runnext, t.runq.concat(goids.slice(0, last))),
      );
      for (let i = 0; i < last; i++) {
        this.setG(withPlace(this.g(goids[i] as number), 'runnable', 'local', thief));
      }
    } else {
      for (let i = 0; i < last; i++) this.pushLocal(thief, this.g(goids[i] as number));
    }
    this.setG(withPlace(this.g(goids[last] as number), 'runnable', null, thief));
  }

  /** An M now holds P (seen from the context of an event that runs on it). */
  bind(mid: number, pid: number): void {
    if (mid < 0 || pid < 0) return;
    const p = this.proc(pid);
    if (p.m !== mid) this.setProc(new PState(p.id, p.state, mid, p.running, p.runnext, p.runq));
    const m = this.ms.get(mid);
    if (m === undefined || m.p !== pid) {
      this.ms = this.ms.set(mid, new MState(mid, m?.state ?? 'running', pid));
    }
  }

  /** The G runs on M and P. */
  runs(goid: number, mid: number, pid: number): void {
    const g = this.detach(this.g(goid));
    this.setG(new GState(goid, g.site, 'running', null, -1, mid, pid, null, g.at, g.seen));
    if (pid < 0) return;
    const p = this.proc(pid);
    this.setProc(new PState(p.id, 'running', p.m, goid, p.runnext, p.runq));
    this.bind(mid, pid);
  }

  /** A snapshot of one P's queue: authoritative, so it overrides what the model had. */
  snapshotLocal(qp: number, runnext: number, goids: readonly number[]): void {
    const old = this.proc(qp);
    const keep = new Set(goids);
    if (runnext !== 0) keep.add(runnext);
    const left = old.runnext !== 0 ? [old.runnext, ...old.runq] : old.runq;
    for (const goid of left) {
      const g = this.gs.get(goid);
      if (!keep.has(goid) && g && g.qp === qp && g.queue !== null && g.queue !== 'global') {
        this.setG(withPlace(g, g.status, null, -1));
      }
    }
    for (const goid of keep) {
      const g = this.g(goid);
      if (g.qp !== qp || g.queue === 'global' || g.status !== 'runnable') this.setG(this.detach(g));
    }
    const p = this.proc(qp);
    this.setProc(new PState(qp, p.state, p.m, p.running, runnext, goids.slice()));
    if (runnext !== 0) this.setG(withPlace(this.g(runnext), 'runnable', 'runnext', qp));
    for (const goid of goids) this.setG(withPlace(this.g(goid), 'runnable', 'local', qp));
  }

  snapshotGlobal(goids: readonly number[], more: number): void {
    const keep = new Set(goids);
    for (const goid of this.globalq) {
      const g = this.gs.get(goid);
      if (!keep.has(goid) && g && g.queue === 'global') this.setG(withPlace(g, g.status, null, -1));
    }
    this.globalq = EMPTY;
    for (const goid of keep) {
      const g = this.g(goid);
      if (g.queue !== 'global' || g.status !== 'runnable') this.setG(this.detach(g));
    }
    this.globalq = goids.slice();
    this.globalqMore = more;
    for (const goid of goids) this.setG(withPlace(this.g(goid), 'runnable', 'global', -1));
  }
}

function withPlace(
  g: GState,
  status: GState['status'],
  queue: QueueName | null,
  qp: number,
): GState {
  if (g.status === status && g.queue === queue && g.qp === qp) return g;
  const wait = status === 'waiting' ? g.wait : null;
  return new GState(g.goid, g.site, status, queue, qp, g.m, g.p, wait, g.at, g.seen);
}

type Handler<K extends SlowmoEvent['kind']> = (tx: Draft, e: EventOf<K>) => void;
type Handlers = { [K in SlowmoEvent['kind']]: Handler<K> };

const handlers: Handlers = {
  'run.start'(tx, e) {
    tx.procs = Array.from(
      { length: e.gomaxprocs },
      (_, id) => new PState(id, 'idle', -1, 0, 0, EMPTY),
    );
    tx.run = {
      goVersion: e.goVersion,
      gomaxprocs: e.gomaxprocs,
      backend: e.backend,
      fidelity: e.fidelity,
      ...(e.paced ? { paced: e.paced } : {}),
      ...(e.gcLens ? { gcLens: e.gcLens } : {}),
    };
    if (e.gcLens) tx.heap = emptyHeap(e.gcLens);
  },
  'g.create'(tx, e) {
    const old = tx.gs.get(e.goid);
    const site = { parent: e.parent, fn: e.fn, file: e.file, line: e.line, seq: e.seq };
    tx.setG(new GState(e.goid, site, 'runnable', null, -1, -1, -1, null, old?.at ?? null));
    if (e.parent > 0 && e.file) tx.saw(e.parent, e.file, e.line);
  },
  'g.runnable'(tx, e) {
    tx.place(e.goid, e.queue, e.qp);
    // The waker was at the line that woke it.
    const { by, file, line } = e as { by?: number; file?: string; line?: number };
    if (by !== undefined && by > 0 && file && line) tx.saw(by, file, line);
  },
  'g.running'(tx, e) {
    tx.runs(e.goid, e.m, e.p);
  },
  'g.waiting'(tx, e) {
    const g = tx.detach(tx.g(e.goid));
    const wait = { reason: e.reason, file: e.file, line: e.line, since: e.seq };
    const seen = e.file && e.line ? { file: e.file, line: e.line } : g.seen;
    tx.setG(new GState(g.goid, g.site, 'waiting', null, -1, g.m, g.p, wait, g.at, seen));
  },
  'g.syscall'(tx, e) {
    const g = tx.detach(tx.g(e.goid));
    const pid = e.p >= 0 ? e.p : g.p;
    const m = e.m >= 0 ? e.m : g.m;
    tx.setG(new GState(g.goid, g.site, 'syscall', null, -1, m, pid, null, g.at, g.seen));
  },
  'g.syscall.exit'(tx, e) {
    if (e.p >= 0) {
      tx.runs(e.goid, e.m, e.p);
    } else {
      // Left the syscall without a P: it waits for one (exitsyscall0 queues it globally next).
      const g = tx.detach(tx.g(e.goid));
      tx.setG(new GState(g.goid, g.site, 'runnable', null, -1, e.m, -1, null, g.at, g.seen));
    }
  },
  'g.exit'(tx, e) {
    const g = tx.detach(tx.g(e.goid));
    tx.setG(new GState(g.goid, g.site, 'dead', null, -1, g.m, g.p, null, g.at, g.seen));
    // Regions it left open end with it.
    if (tx.regions.get(e.goid)?.length) tx.regions = tx.regions.set(e.goid, EMPTY_REGIONS);
  },
  steal(tx, e) {
    tx.steal(e.thief, e.victim, e.goids);
  },
  'p.state'(tx, e) {
    if (e.p < 0) return;
    const p = tx.proc(e.p);
    const running = e.state === 'running' ? p.running : 0;
    tx.setProc(new PState(p.id, e.state, e.pm, running, p.runnext, p.runq));
    if (p.m >= 0 && p.m !== e.pm) {
      const old = tx.ms.get(p.m);
      if (old && old.p === p.id) tx.ms = tx.ms.set(old.id, new MState(old.id, old.state, -1));
    }
    if (e.pm >= 0) {
      const m = tx.ms.get(e.pm);
      if (!m || m.p !== p.id)
        tx.ms = tx.ms.set(e.pm, new MState(e.pm, m?.state ?? 'running', p.id));
    }
  },
  'm.state'(tx, e) {
    if (e.m < 0) return;
    const pid = e.state === 'idle' ? -1 : e.p;
    tx.ms = tx.ms.set(e.m, new MState(e.m, e.state, pid));
    if (pid >= 0) tx.bind(e.m, pid);
  },
  runq(tx, e) {
    tx.snapshotLocal(e.qp, e.runnext, e.goids);
  },
  globalq(tx, e) {
    tx.snapshotGlobal(e.goids, e.more ?? 0);
  },
  gc(tx, e) {
    tx.gc = e.phase;
    if (e.phase === 'mark' && tx.heap) tx.heap = newCycle(tx.heap);
  },
  stw(tx, e) {
    tx.stw = e.begin ? e.reason : null;
  },
  line(tx, e) {
    const g = tx.g(e.goid);
    const at = { file: e.file, line: e.line };
    tx.setG(new GState(g.goid, g.site, g.status, g.queue, g.qp, g.m, g.p, g.wait, at, at));
  },
  output() {},
  'user.task'(tx, e) {
    const old = tx.tasks.get(e.task);
    if (e.begin) {
      const task = { id: e.task, name: e.name, parent: e.parent, g: e.g, seq: e.seq, ended: null };
      tx.tasks = tx.tasks.set(e.task, task);
    } else if (old) {
      tx.tasks = tx.tasks.set(e.task, { ...old, ended: e.seq });
    } else {
      const task = { id: e.task, name: e.name, parent: e.parent, g: e.g, seq: e.seq, ended: e.seq };
      tx.tasks = tx.tasks.set(e.task, task);
    }
  },
  'user.region'(tx, e) {
    if (e.g <= 0) return;
    // depth is authoritative, as a snapshot is: a region missed on the way does not shift the rest.
    const open = (tx.regions.get(e.g) ?? EMPTY_REGIONS).slice(0, e.depth);
    if (e.begin) open.push({ task: e.task, name: e.name, seq: e.seq });
    tx.regions = tx.regions.set(e.g, open);
  },
  'user.log'() {},
  // The GC lens (heap.ts).
  'heap.alloc'(tx, e) {
    tx.heap = heapAlloc(tx.heap ?? emptyHeap(null), e);
  },
  'gc.color'(tx, e) {
    if (tx.heap) tx.heap = gcColor(tx.heap, e);
  },
  'heap.edge'(tx, e) {
    if (tx.heap) tx.heap = heapEdge(tx.heap, e);
  },
  // Its objects' gc.color events that follow say what it did.
  'gc.span'() {},
  'heap.free'(tx, e) {
    if (tx.heap) tx.heap = heapFree(tx.heap, e);
  },
  'heap.limit'(tx, e) {
    tx.heap = heapLimit(tx.heap ?? emptyHeap(null), e);
  },
  'heap.dump'(tx, e) {
    tx.heap = heapDump(tx.heap ?? emptyHeap(null), e);
  },
  'heap.size'(tx, e) {
    if (tx.heap) tx.heap = heapSize(tx.heap, e);
  },
  // A profile adds up the run's time; the picture of one moment has no place for it.
  profile() {},
  // The runtime's leak report is compared with the leak lens (analysis/blocked.ts), not the picture.
  'leak.report'() {},
  // The runtime's own view, compared with the model's (analysis/schedtrace-check.ts), not part of it.
  schedtrace() {},
  gctrace() {},
  // A race is two moments of the run, listed beside the picture (the widget's race list).
  race() {},
  'run.end'(tx, e) {
    const end = { exitCode: e.exitCode, signal: e.signal, lost: e.lost, reason: e.reason };
    tx.end = e.throttledMs === undefined ? end : { ...end, throttledMs: e.throttledMs };
  },
};

/** The state after `event`. Pure: `state` is left as it was. */
export function apply(state: SchedState, event: SlowmoEvent): SchedState {
  const next = new Draft(state, event);
  ownedProcs = null;
  (handlers[event.kind] as (tx: Draft, e: SlowmoEvent) => void)(next, event);
  ownedProcs = null;
  return next;
}

/** Applies events in order from `state` (the initial state by default). */
export function replay(events: Iterable<SlowmoEvent>, state: SchedState): SchedState {
  let s = state;
  for (const e of events) s = apply(s, e);
  return s;
}
