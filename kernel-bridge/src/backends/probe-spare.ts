/**
 * Recorders loaded before they are needed. Loading and verifying the eBPF
 * probes takes the kernel a few hundred ms and needs nothing of the program:
 * `slowmo-probe preload` does it first, then waits on stdin for its run's
 * arguments (bpf/cmd/slowmo-probe). The bridge keeps spares of it: one starts
 * when an eBPF run begins to build, so that its load overlaps the build, and
 * after each eBPF run one waits for the next, loaded. Each spare is already
 * in the memory group it is charged to as its run's recorder (probe-run.ts),
 * serves one run, and holds nothing of anyone's before it is given one. An
 * unused spare ends after SPARE_IDLE_MS, at close, and with the bridge (its
 * stdin closes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { BridgeConfig } from '../config';
import { RunCgroup } from '../sandbox/cgroup';

/** The recorder's whole environment: nothing of the bridge's own (it may hold secrets). */
export const PROBE_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C.UTF-8',
};
/** Threads of the recorder itself (its Go runtime's), in its own control group. */
export const PROBE_PROCESSES = 1024;
/** How long a spare waits for a run before it is let go (it holds a 32 MiB ring buffer). */
export const SPARE_IDLE_MS = 10 * 60 * 1000;
/** The spare's file descriptor that says it has loaded the probes (--ready-fd). */
const READY_FD = 4;

let runCounter = 0;

/** A fresh name for a run's control groups (the program's, and `${name}-probe` for its recorder). */
export function nextRunName(): string {
  return `run-${process.pid}-${++runCounter}`;
}

/** A recorder with its probes loaded (or loading), waiting for a run. */
export interface Spare {
  /** The run's name, whose `${name}-probe` group the recorder is in already. */
  readonly name: string;
  /** That group (null where control groups cannot be used). */
  readonly group: RunCgroup | null;
  /**
   * Gives the recorder its run: the arguments of `slowmo-probe run` (without
   * `run`), and the directory the program starts in. Returns the recorder,
   * whose stdio is laid out as a recorder spawned for the run would be (fd 3
   * a pipe for its clock reports).
   */
  start(
    args: string[],
    cwd?: string,
  ): ChildProcess & { stdin: Writable; stdout: Readable; stderr: Readable };
}

interface Waiting {
  name: string;
  group: RunCgroup | null;
  child: ChildProcess;
  /** Settles once the probes are loaded (true) or failed to load (false). */
  loaded: Promise<boolean>;
  idle: NodeJS.Timeout;
}

export class ProbeSpares {
  private waiting: Waiting[] = [];
  /** eBPF runs building that have not yet taken a spare. */
  private building = 0;
  private closed = false;

  constructor(
    private readonly config: BridgeConfig,
    private readonly log: (msg: string) => void = () => {},
    private readonly idleMs = SPARE_IDLE_MS,
  ) {}

  /** An eBPF run begins to build: a spare starts loading for it unless one is there. */
  expect(): void {
    this.building++;
    this.fill(this.building);
  }

  /** The run that expected a spare will not run (its build failed or it was stopped). */
  forgo(): void {
    this.building = Math.max(0, this.building - 1);
  }

  /** A spare for the run that expected one, or undefined when none is alive. */
  take(): Spare | undefined {
    this.forgo();
    for (let w = this.waiting.shift(); w; w = this.waiting.shift()) {
      clearTimeout(w.idle);
      if (alive(w.child)) {
        // Other runs building still want theirs.
        this.fill(this.building);
        return spare(w);
      }
      void this.discard(w);
    }
    return undefined;
  }

  /**
   * Whether a spare is loaded after each run for the next one (a bridge that
   * serves one run, as `slowmo run`, does without).
   */
  between = true;

  /** An eBPF run ended: one spare waits, loaded, for the next. */
  refill(): void {
    this.fill(Math.max(this.between ? 1 : 0, this.building));
  }

  /** Settles when every spare there is now has loaded its probes (or failed to). */
  async ready(): Promise<void> {
    await Promise.all(this.waiting.map((w) => w.loaded));
  }

  /** The spares' pids (for tests). */
  pids(): number[] {
    return this.waiting.map((w) => w.child.pid!).filter(Boolean);
  }

  /** Lets every waiting spare go (the next run then loads its own, as the first one does). */
  async drain(): Promise<void> {
    const all = this.waiting;
    this.waiting = [];
    await Promise.all(all.map((w) => this.discard(w)));
  }

  /** Ends every spare and removes its group; no more are started. */
  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }

  private fill(want: number): void {
    want = Math.min(want, this.config.parallel);
    while (!this.closed && this.waiting.length < want) {
      const w = this.start();
      if (!w) return;
      this.waiting.push(w);
    }
  }

  private start(): Waiting | undefined {
    const name = nextRunName();
    let group: RunCgroup | null;
    try {
      group = RunCgroup.create(`${name}-probe`, {
        memoryBytes: this.config.limits.probeMemoryBytes,
        processes: PROBE_PROCESSES,
      });
    } catch (err) {
      this.log(`no spare recorder: its control group: ${(err as Error).message}`);
      return undefined;
    }
    // Joined before exec, so that the recorder never allocates outside its group.
    const argv = [
      ...(group?.joinCommand() ?? []),
      this.config.probeBinary,
      'preload',
      '--ready-fd',
      String(READY_FD),
    ];
    const child = spawn(argv[0]!, argv.slice(1), {
      env: PROBE_ENV,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
    });
    child.stdin!.on('error', () => {}); // it may be gone when its run is written
    // A waiting spare keeps no process alive (a CLI's); without us it ends (stdin closed).
    hold(child, false);
    child.on('error', (err) => this.log(`spare recorder: ${err.message}`));
    const ready = child.stdio[READY_FD] as Readable;
    const loaded = new Promise<boolean>((resolve) => {
      let said = '';
      ready.setEncoding('utf8');
      ready.on('data', (chunk: string) => (said += chunk));
      ready.on('error', () => resolve(false));
      ready.on('close', () => resolve(said.startsWith('ready')));
    });
    const w = { name, group, child, loaded } as Waiting;
    w.idle = setTimeout(() => this.drop(w, 'unused'), this.idleMs);
    w.idle.unref();
    void loaded.then((ok) => {
      // A spare that could not load is no use: its run would fail the same way a
      // recorder started for it does, which then says why, in its own group.
      if (!ok) this.drop(w, 'its probes did not load');
    });
    return w;
  }

  /** Lets go of a spare still waiting. */
  private drop(w: Waiting, why: string): void {
    const i = this.waiting.indexOf(w);
    if (i < 0) return;
    this.waiting.splice(i, 1);
    this.log(`spare recorder ${w.child.pid} let go: ${why}`);
    void this.discard(w);
  }

  private async discard(w: Waiting): Promise<void> {
    clearTimeout(w.idle);
    w.child.stdin?.end(); // it exits when nobody is left to want its run
    if (alive(w.child)) w.child.kill('SIGKILL');
    await w.group?.remove();
  }
}

/** Whether the child and its pipes keep this process alive. */
function hold(child: ChildProcess, on: boolean): void {
  for (const h of [child, ...child.stdio]) {
    const handle = h as { ref?: () => void; unref?: () => void } | null;
    if (on) handle?.ref?.();
    else handle?.unref?.();
  }
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null && !child.killed;
}

function spare(w: Waiting): Spare {
  return {
    name: w.name,
    group: w.group,
    start(args, cwd) {
      const runArgs = [...args];
      // --dir goes among the options, before the program's own arguments.
      if (cwd) runArgs.splice(Math.max(0, runArgs.indexOf('--')), 0, '--dir', cwd);
      hold(w.child, true);
      w.child.stdin!.write(`${JSON.stringify(runArgs)}\n`);
      return w.child as ChildProcess & { stdin: Writable; stdout: Readable; stderr: Readable };
    },
  };
}
