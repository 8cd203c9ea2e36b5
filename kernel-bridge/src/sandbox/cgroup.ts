/**
 * One control group per build or run: the precise way to cap memory and
 * processes (threads count too), measure CPU time, tell afterwards which
 * limit was hit, and kill everything the program started. Works with cgroup
 * v2 (unified) and v1 (memory, pids and cpuacct hierarchies). Without
 * root there are no cgroups; rlimits in the sandbox (sandbox.ts) remain.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = '/sys/fs/cgroup';
const GROUP = 'slowmo';

export type CgroupKind = 'v2' | 'v1' | 'none';

export interface CgroupLimits {
  memoryBytes: number;
  processes: number;
}

interface Layout {
  kind: CgroupKind;
  /** The parent directory per controller (v2: one). */
  dirs: { memory: string; pids: string; cpu: string };
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** `key N` lines (memory.events, pids.events, cpu.stat): the value of key. */
function counter(text: string, key: string): number {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m?.[1] ? Number(m[1]) : 0;
}

let layout: Layout | undefined;
let layoutWhy = '';

/** Finds and prepares the cgroup layout once; `none` with a reason when it cannot be used. */
export function cgroupLayout(): { kind: CgroupKind; why?: string } {
  if (!layout) {
    layout = detect();
  }
  return layout.kind === 'none' ? { kind: 'none', why: layoutWhy } : { kind: layout.kind };
}

function detect(): Layout {
  const none: Layout = { kind: 'none', dirs: { memory: '', pids: '', cpu: '' } };
  if (process.getuid?.() !== 0) {
    layoutWhy = 'the bridge is not root, so it cannot make control groups';
    return none;
  }
  try {
    if (existsSync(path.join(ROOT, 'cgroup.controllers'))) {
      const dir = path.join(ROOT, GROUP);
      mkdirSync(dir, { recursive: true });
      // Controllers must be enabled on the way down to the run's group.
      writeFileSync(path.join(ROOT, 'cgroup.subtree_control'), '+memory +pids +cpu');
      writeFileSync(path.join(dir, 'cgroup.subtree_control'), '+memory +pids +cpu');
      return { kind: 'v2', dirs: { memory: dir, pids: dir, cpu: dir } };
    }
    const v1 = (c: string): string => path.join(ROOT, c, GROUP);
    for (const c of ['memory', 'pids', 'cpuacct']) {
      if (!existsSync(path.join(ROOT, c))) {
        layoutWhy = `no cgroup v1 "${c}" hierarchy under ${ROOT}`;
        return none;
      }
      mkdirSync(v1(c), { recursive: true });
    }
    return { kind: 'v1', dirs: { memory: v1('memory'), pids: v1('pids'), cpu: v1('cpuacct') } };
  } catch (err) {
    layoutWhy = `control groups are not writable here: ${(err as Error).message}`;
    return none;
  }
}

/** The control group of one build or run. */
export class RunCgroup {
  private constructor(
    private readonly kind: 'v1' | 'v2',
    private readonly dirs: { memory: string; pids: string; cpu: string },
  ) {}

  /** Makes the group with its limits, or returns null where cgroups cannot be used. */
  static create(name: string, limits: CgroupLimits): RunCgroup | null {
    cgroupLayout();
    if (!layout || layout.kind === 'none') return null;
    const kind = layout.kind;
    const d = {
      memory: path.join(layout.dirs.memory, name),
      pids: path.join(layout.dirs.pids, name),
      cpu: path.join(layout.dirs.cpu, name),
    };
    for (const dir of new Set(Object.values(d))) mkdirSync(dir, { recursive: true });
    const group = new RunCgroup(kind, d);
    const mem = String(limits.memoryBytes);
    if (kind === 'v2') {
      writeFileSync(path.join(d.memory, 'memory.max'), mem);
      tryWrite(path.join(d.memory, 'memory.swap.max'), '0');
    } else {
      writeFileSync(path.join(d.memory, 'memory.limit_in_bytes'), mem);
      tryWrite(path.join(d.memory, 'memory.memsw.limit_in_bytes'), mem);
    }
    writeFileSync(path.join(d.pids, 'pids.max'), String(limits.processes));
    return group;
  }

  /** The cgroup.procs files a process writes its pid to, to join this group. */
  get procsFiles(): string[] {
    return [...new Set(Object.values(this.dirs))].map((d) => path.join(d, 'cgroup.procs'));
  }

  /** A shell fragment that moves the shell into the group and execs its arguments. */
  joinCommand(): string[] {
    const joins = this.procsFiles.map((f) => `echo $$ > '${f}'`).join(' && ');
    return ['/bin/sh', '-c', `${joins} && exec "$@"`, 'slowmo-join'];
  }

  /** CPU time used by every process of the group, in seconds. */
  cpuSeconds(): number {
    if (this.kind === 'v2')
      return counter(read(path.join(this.dirs.cpu, 'cpu.stat')), 'usage_usec') / 1e6;
    return Number(read(path.join(this.dirs.cpu, 'cpuacct.usage')) || 0) / 1e9;
  }

  /** Whether the kernel killed a process of the group for memory. */
  oomKilled(): boolean {
    if (this.kind === 'v2')
      return counter(read(path.join(this.dirs.memory, 'memory.events')), 'oom_kill') > 0;
    const ctl = read(path.join(this.dirs.memory, 'memory.oom_control'));
    return (
      counter(ctl, 'oom_kill') > 0 ||
      Number(read(path.join(this.dirs.memory, 'memory.failcnt')) || 0) > 0
    );
  }

  /**
   * Whether the group's memory reached its cap at least once: the kernel then
   * reclaimed, refused a kernel allocation (ENOMEM) or killed a process. A
   * refused kernel allocation (a BPF map) counts no failure in v1, so the
   * peak is compared with the cap too (charges come in batches: within 1 MiB).
   */
  memoryLimitHit(): boolean {
    const file = (name: string): number => Number(read(path.join(this.dirs.memory, name)) || 0);
    if (this.kind === 'v2') {
      const events = read(path.join(this.dirs.memory, 'memory.events'));
      if (counter(events, 'max') > 0 || counter(events, 'oom_kill') > 0) return true;
      const cap = file('memory.max'); // NaN for "max": no cap to reach
      return file('memory.peak') >= cap - 1024 * 1024;
    }
    return (
      this.oomKilled() ||
      file('memory.max_usage_in_bytes') >= file('memory.limit_in_bytes') - 1024 * 1024
    );
  }

  /** Whether a fork or thread creation was refused for the process limit. */
  processLimitHit(): boolean {
    return counter(read(path.join(this.dirs.pids, 'pids.events')), 'max') > 0;
  }

  /** The pids still in the group. */
  pids(): number[] {
    return read(path.join(this.dirs.pids, 'cgroup.procs')).split('\n').filter(Boolean).map(Number);
  }

  /** Kills every process of the group, including ones forked while killing. */
  async killAll(): Promise<void> {
    if (this.kind === 'v2' && tryWrite(path.join(this.dirs.pids, 'cgroup.kill'), '1')) {
      await this.waitEmpty();
      return;
    }
    for (let round = 0; round < 50; round++) {
      const pids = this.pids();
      if (pids.length === 0) return;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private async waitEmpty(): Promise<void> {
    for (let i = 0; i < 100 && this.pids().length > 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Kills what is left and removes the group. */
  async remove(): Promise<void> {
    await this.killAll();
    for (const dir of new Set(Object.values(this.dirs))) {
      for (let i = 0; i < 50; i++) {
        try {
          rmdirSync(dir);
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') break;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }
  }
}

function tryWrite(file: string, text: string): boolean {
  try {
    writeFileSync(file, text);
    return true;
  } catch {
    return false;
  }
}
