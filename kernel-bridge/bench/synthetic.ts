/**
 * A seeded toy scheduler that writes plausible event streams of any length:
 * goroutines are created (sometimes in bursts that overflow a local queue to
 * the global one), run, park, wake, yield, get preempted, make syscalls, get
 * stolen, and exit, with GC cycles and queue snapshots in between. It keeps
 * its own model of the queues, independent of the reducer, so tests can
 * compare the two. Used by the reducer tests and `make bench`.
 */
import type { SlowmoEvent } from '../src/protocol';

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SimOptions {
  seed?: number;
  procs?: number;
  /** Live goroutines the program tends towards. */
  population?: number;
  /** Emit a runq/globalq snapshot after queue changes with this probability. */
  snapshotRate?: number;
}

interface SimP {
  running: number;
  runnext: number;
  runq: number[];
}

type Status = 'runnable' | 'running' | 'waiting' | 'syscall' | 'dead';

const WAIT_REASONS = [
  'chan receive',
  'chan send',
  'sync.Mutex.Lock',
  'sleep',
  'select',
  'sync.WaitGroup.Wait',
];

export class SchedulerSim {
  readonly procs: SimP[];
  readonly globalq: number[] = [];
  readonly status = new Map<number, Status>();
  private readonly rand: () => number;
  private readonly population: number;
  private readonly snapshotRate: number;
  private seq = 0;
  private t = 0;
  private nextGoid = 2;
  private waiting: number[] = [];
  private inSyscall: { goid: number; p: number }[] = [];
  private gcPhase = 0;
  private burst = 0;
  private dead = 0;
  private readonly mState: string[] = [];
  private out: SlowmoEvent[] = [];

  constructor(opts: SimOptions = {}) {
    this.rand = rng(opts.seed ?? 1);
    this.population = opts.population ?? 64;
    this.snapshotRate = opts.snapshotRate ?? 0.05;
    const n = opts.procs ?? 4;
    this.procs = Array.from({ length: n }, () => ({ running: 0, runnext: 0, runq: [] }));
  }

  private int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  private emit(kind: string, p: number, g: number, fields: Record<string, unknown>): void {
    this.t += 50 + this.int(450);
    this.out.push({
      seq: this.seq++,
      t: this.t,
      kind,
      m: p < 0 ? -1 : p,
      p,
      g,
      ...fields,
    } as SlowmoEvent);
  }

  private live(): number {
    return this.status.size - this.dead;
  }

  private pushLocal(pid: number, goid: number): void {
    const p = this.procs[pid] as SimP;
    if (p.runq.length < 256) {
      p.runq.push(goid);
      return;
    }
    const moved = p.runq.splice(0, 128);
    this.globalq.push(...moved, goid);
  }

  private maybeSnapshot(pid: number): void {
    if (this.rand() >= this.snapshotRate) return;
    const p = this.procs[pid] as SimP;
    this.emit('runq', pid, 0, { qp: pid, runnext: p.runnext, goids: p.runq.slice() });
    if (this.rand() < 0.3) this.emit('globalq', pid, 0, { goids: this.globalq.slice() });
  }

  private start(): void {
    const n = this.procs.length;
    this.emit('run.start', 0, 0, {
      goVersion: 'go1.26.8',
      gomaxprocs: n,
      backend: 'ebpf',
      fidelity: { runq: true, runnext: true, steals: true, lines: true },
    });
    this.status.set(1, 'running');
    (this.procs[0] as SimP).running = 1;
    this.emit('g.running', 0, 1, { goid: 1, inheritTime: false });
  }

  private create(pid: number, parent: number): void {
    const goid = this.nextGoid++;
    this.status.set(goid, 'runnable');
    this.emit('g.create', pid, parent, {
      goid,
      parent,
      fn: 'main.worker',
      file: '/src/main.go',
      line: 10 + (goid % 7),
    });
    const p = this.procs[pid] as SimP;
    const kicked = p.runnext;
    p.runnext = goid;
    if (kicked !== 0) this.pushLocal(pid, kicked);
    this.emit('g.runnable', pid, parent, { goid, queue: 'runnext', qp: pid, reason: 'create' });
    this.maybeSnapshot(pid);
  }

  /** What the running G on P does next. */
  private stepRunning(pid: number): void {
    const p = this.procs[pid] as SimP;
    const g = p.running;
    if (this.burst > 0 && g === 1) {
      // A tight `for { go f() }` loop creates faster than other Ps can steal.
      for (let i = 0; i < 8 && this.burst > 0; i++, this.burst--) this.create(pid, g);
      return;
    }
    const r = this.rand();
    const crowded = this.live() >= this.population;
    if (r < 0.2 && !crowded) {
      this.create(pid, g);
    } else if (r < 0.35) {
      p.running = 0;
      this.status.set(g, 'waiting');
      this.waiting.push(g);
      const reason = WAIT_REASONS[this.int(WAIT_REASONS.length)] as string;
      this.emit('g.waiting', pid, g, {
        goid: g,
        reason,
        file: '/src/main.go',
        line: 20 + this.int(9),
      });
    } else if (r < 0.45) {
      p.running = 0;
      this.status.set(g, 'runnable');
      this.pushLocal(pid, g);
      this.emit('g.runnable', pid, g, { goid: g, queue: 'local', qp: pid, reason: 'preempt' });
      this.maybeSnapshot(pid);
    } else if (r < 0.5) {
      p.running = 0;
      this.status.set(g, 'runnable');
      this.globalq.push(g);
      this.emit('g.runnable', pid, g, { goid: g, queue: 'global', qp: -1, reason: 'yield' });
    } else if (r < 0.58 && g !== 1) {
      p.running = 0;
      this.status.set(g, 'dead');
      this.dead++;
      this.emit('g.exit', pid, g, { goid: g });
    } else if (r < 0.63) {
      p.running = 0;
      this.status.set(g, 'syscall');
      this.inSyscall.push({ goid: g, p: pid });
      this.emit('g.syscall', pid, g, { goid: g });
    } else if (r < 0.8) {
      this.emit('line', pid, g, { goid: g, file: '/src/main.go', line: 1 + this.int(40) });
    } else if (r < 0.83) {
      this.emit('output', pid, g, { stream: 'stdout', data: `hello from g${g}\n` });
    } else if (r < 0.85 && g === 1) {
      this.burst = 200 + this.int(400);
    } else {
      this.emit('line', pid, g, { goid: g, file: '/src/main.go', line: 1 + this.int(40) });
    }
  }

  /** An idle P looks for work the way findRunnable does. */
  private stepIdle(pid: number): void {
    const p = this.procs[pid] as SimP;
    let g: number;
    if (p.runnext !== 0) {
      g = p.runnext;
      p.runnext = 0;
    } else if (p.runq.length > 0) {
      g = p.runq.shift() as number;
    } else if (this.globalq.length > 0) {
      g = this.globalq.shift() as number;
    } else {
      const victim = this.int(this.procs.length);
      const v = this.procs[victim] as SimP;
      if (victim !== pid && (v.runq.length > 0 || v.runnext !== 0)) {
        const n = v.runq.length - Math.floor(v.runq.length / 2);
        const taken = n > 0 ? v.runq.splice(0, n) : [v.runnext];
        if (n === 0) v.runnext = 0;
        this.emit('steal', pid, 0, { thief: pid, victim, goids: taken.slice() });
        g = taken.pop() as number;
        for (const id of taken) this.pushLocal(pid, id);
        this.maybeSnapshot(victim);
      } else {
        // Nothing to run: the M spins, then sleeps (only changes are events).
        const next = this.mState[pid] === 'spinning' ? 'idle' : 'spinning';
        if (this.mState[pid] !== 'idle') {
          this.mState[pid] = next;
          this.emit('m.state', pid, 0, { state: next });
        }
        return;
      }
    }
    p.running = g;
    this.status.set(g, 'running');
    this.mState[pid] = 'running';
    this.emit('g.running', pid, g, { goid: g, inheritTime: this.rand() < 0.3 });
  }

  private wake(pid: number): void {
    if (this.waiting.length === 0) return;
    const g = this.waiting.splice(this.int(this.waiting.length), 1)[0] as number;
    this.status.set(g, 'runnable');
    const p = this.procs[pid] as SimP;
    const kicked = p.runnext;
    p.runnext = g;
    if (kicked !== 0) this.pushLocal(pid, kicked);
    this.emit('g.runnable', pid, p.running, {
      goid: g,
      queue: 'runnext',
      qp: pid,
      reason: 'ready',
    });
  }

  private finishSyscall(): void {
    const i = this.int(this.inSyscall.length);
    const { goid, p: pid } = this.inSyscall.splice(i, 1)[0] as { goid: number; p: number };
    const p = this.procs[pid] as SimP;
    if (p.running === 0) {
      p.running = goid;
      this.status.set(goid, 'running');
      this.emit('g.syscall.exit', pid, goid, { goid });
    } else {
      this.status.set(goid, 'runnable');
      this.emit('g.syscall.exit', -1, goid, { goid });
      this.globalq.push(goid);
      this.emit('g.runnable', -1, goid, { goid, queue: 'global', qp: -1, reason: 'syscall' });
    }
  }

  private gcStep(): void {
    const phases = ['sweepterm', 'mark', 'marktermination', 'off'] as const;
    const phase = phases[this.gcPhase % 4] as (typeof phases)[number];
    this.gcPhase++;
    if (phase === 'sweepterm')
      this.emit('stw', 0, 0, { begin: true, reason: 'GC sweep termination' });
    this.emit('gc', 0, 0, { phase });
    if (phase === 'sweepterm') this.emit('stw', 0, 0, { begin: false, reason: '' });
  }

  /** The run so far continued until about `upTo` events in all; returns the new ones. */
  advance(upTo: number): SlowmoEvent[] {
    this.out = [];
    if (this.seq === 0) this.start();
    while (this.seq < upTo) {
      const r = this.rand();
      const pid = this.int(this.procs.length);
      if (r < 0.05 && this.waiting.length > 0) this.wake(pid);
      else if (r < 0.07 && this.inSyscall.length > 0) this.finishSyscall();
      else if (r < 0.072) this.gcStep();
      else if ((this.procs[pid] as SimP).running !== 0) this.stepRunning(pid);
      else this.stepIdle(pid);
    }
    return this.out;
  }

  /** A whole run of at least `count` events, ending in run.end. */
  run(count: number): SlowmoEvent[] {
    this.advance(count - 1);
    this.emit('run.end', -1, 0, { exitCode: 0, signal: null, lost: 0, reason: 'exit' });
    return this.out;
  }
}

export function synthetic(count: number, opts: SimOptions = {}): SlowmoEvent[] {
  return new SchedulerSim(opts).run(count);
}
