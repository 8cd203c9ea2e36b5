/**
 * The bridge's core, shared by the server and the CLI: one run goes
 * validate -> queue -> build -> run under a backend -> stream -> end, and
 * whatever happens the observer hears a terminal message (compile_error,
 * end, or error) and the run's slot, sandbox and processes are released.
 */
import os from 'node:os';
import { chooseBackend, detectBackends, type Backend, type Backends } from './backends/detect';
import { startProbeRun } from './backends/probe-run';
import { ProbeSpares } from './backends/probe-spare';
import type { BackendRun } from './backends/run';
import { Builder } from './build';
import type { BridgeConfig } from './config';
import type {
  BridgeInfo,
  ControlAction,
  Diagnostic,
  EndMessage,
  RunPhase,
  RunRequest,
  SlowmoEvent,
} from './protocol';
import { leakExperiment } from './protocol/leak';
import { CancelledError, RunQueue } from './queue';
import { VERSION } from './paths';
import { raceSupport, raceToolchainProblem } from './race-support';
import { cgroupLayout } from './sandbox/cgroup';
import { sandboxScratchDir, seccompState } from './sandbox/sandbox';
import { UidRange, UidRangeError } from './sandbox/uids';
import {
  findToolchains,
  GoVersionError,
  resolveToolchain,
  type Toolchain,
  type Toolchains,
} from './toolchains';

/** What a run tells whoever asked for it. */
export interface RunObserver {
  status(phase: RunPhase, position?: number): void;
  compileError(diagnostics: Diagnostic[]): void;
  /**
   * Every event, in seq order, from run.start to run.end; `held` when the run
   * then waits for a command (send it now: nothing comes after it until then).
   */
  event(event: SlowmoEvent, held?: boolean): void;
  end(end: Omit<EndMessage, 'type' | 'id'>): void;
  /** The run was refused or failed; `field` names the request field to blame. */
  error(code: string, message: string, field?: string): void;
}

export interface RunHandle {
  control(action: Exclude<ControlAction, 'stop'>, value?: number): string | undefined;
  /** Stops the run wherever it is (queued, building, running). */
  stop(): void;
  pauseReading(): void;
  resumeReading(): void;
  /** Settles when the run is over and everything it used is released. */
  readonly done: Promise<void>;
}

/** Hears every run's lifecycle beside its observer (e.g. the metrics); called once per run. */
export type RunTap = (req: RunRequest) => Partial<RunObserver>;

export class Bridge {
  readonly queue: RunQueue;
  /** eBPF recorders with their probes loaded before their runs need them. */
  readonly spares: ProbeSpares;
  /** Taps on every run, in addition to its own observer. */
  readonly taps: RunTap[] = [];

  private constructor(
    readonly config: BridgeConfig,
    readonly toolchains: Toolchains,
    readonly backends: Backends,
    private readonly builder: Builder,
    private readonly log: (msg: string) => void,
    /** This bridge's sandbox uids (root with bubblewrap; otherwise uids do not apply). */
    readonly uids: UidRange | null,
  ) {
    this.queue = new RunQueue(config.parallel, config.maxQueued);
    this.spares = new ProbeSpares(config, log);
  }

  static async create(
    config: BridgeConfig,
    log: (msg: string) => void = () => {},
  ): Promise<Bridge> {
    const builder = new Builder(config, log);
    const uids = await claimUids(config);
    try {
      const [toolchains, backends] = await Promise.all([
        findToolchains(config.goVersionsFile),
        detectBackends(config.probeBinary, config.sandbox, sandboxScratchDir(config.workDir)),
        builder.init(),
      ]);
      return new Bridge(config, toolchains, backends, builder, log, uids);
    } catch (err) {
      uids?.close();
      throw err;
    }
  }

  /** Gives back what the bridge holds beyond its runs (its uid range, its spare recorders). */
  async close(): Promise<void> {
    this.uids?.close();
    await this.spares.close();
  }

  info(): BridgeInfo {
    const cg = cgroupLayout();
    return {
      version: VERSION,
      backends: this.backends,
      go: {
        installed: this.toolchains.installed.map((t) => t.version),
        installable: this.toolchains.installable,
        default: this.toolchains.default?.version,
      },
      race: raceSupport(),
      limits: this.config.limits,
      parallel: this.config.parallel,
      queue: { running: this.queue.running, queued: this.queue.queued },
      sandbox: {
        tool: this.config.sandbox === 'bwrap' ? 'bubblewrap' : 'none',
        cgroups: cg.kind,
        ...(cg.why ? { why: cg.why } : {}),
        seccomp: seccompState(this.config.sandbox, sandboxScratchDir(this.config.workDir)),
        ...(this.uids ? { uids: { first: this.uids.first, count: this.uids.count } } : {}),
      },
    };
  }

  /** Starts a validated run request. */
  /** `local`: what only a caller on this machine may ask (the CLI), never a client over the wire. */
  run(req: RunRequest, runObserver: RunObserver, local: LocalRunOptions = {}): RunHandle {
    const observer = tapped(runObserver, this.taps, req);
    const controls = new RunControls();
    const done = this.session(req, observer, controls, local).catch((err: Error) => {
      this.log(`run ${req.id} failed: ${err.stack ?? err.message}`);
      observer.error('internal', `the bridge failed on this run: ${err.message}`);
    });
    return {
      control: (action, value) => controls.control(action, value),
      stop: () => controls.stop(),
      pauseReading: () => controls.pauseReading(),
      resumeReading: () => controls.resumeReading(),
      done,
    };
  }

  /** One run from its request to its end: validated, queued, then built and run in its slot. */
  private async session(
    req: RunRequest,
    observer: RunObserver,
    controls: RunControls,
    local: LocalRunOptions,
  ): Promise<void> {
    const chosen = this.choose(req, observer);
    if (!chosen) return;
    let slot: number;
    try {
      slot = await this.queue.acquire(
        { onPosition: (p) => observer.status('queued', p) },
        controls.abort.signal,
      );
    } catch (err) {
      if (err instanceof CancelledError) return stoppedEarly(observer);
      return observer.error('queue_full', (err as Error).message);
    }
    const held: Held = { expecting: false };
    try {
      await this.buildAndRun(req, observer, controls, chosen, held, local);
    } finally {
      // After backendRun.done: the run's processes are gone (its cgroup is removed).
      if (held.uid !== undefined) this.uids?.release(held.uid);
      held.releaseBinary?.();
      this.queue.release(slot);
      if (held.expecting) this.spares.forgo();
      // Loaded between runs, off the next run's way (and this one's).
      if (chosen.backend === 'ebpf') this.spares.refill();
    }
  }

  /** The run's toolchain and backend; undefined when the request asks for what is not here (said to the observer). */
  private choose(
    req: RunRequest,
    observer: RunObserver,
  ): { toolchain: Toolchain; backend: Backend } | undefined {
    let toolchain: Toolchain;
    try {
      toolchain = resolveToolchain(this.toolchains, req.goVersion);
    } catch (err) {
      if (!(err instanceof GoVersionError)) throw err;
      observer.error('go_version', err.message, 'goVersion');
      return undefined;
    }
    const choice = chooseBackend(this.backends, req.backend);
    if ('why' in choice) {
      observer.error('backend_unavailable', choice.why, 'backend');
      return undefined;
    }
    // On the trace backend the GC lens is reconstructed from heap dumps (run.start's gcLens.source).
    if (req.mode === 'paced' && choice.backend !== 'ebpf') {
      observer.error(
        'backend_unavailable',
        `paced mode stops the program at each event, which needs the eBPF backend; this bridge runs "${choice.backend}" (record, then replay slowly)`,
        'mode',
      );
      return undefined;
    }
    if (req.race) {
      const race = raceSupport();
      const why = race.available ? raceToolchainProblem(toolchain) : race.why;
      if (why) {
        observer.error('race_unavailable', `the race detector cannot be used here: ${why}`, 'race');
        return undefined;
      }
    }
    return { toolchain, backend: choice.backend };
  }

  /** In the run's slot: the build, then the program under its backend, to the end message. */
  private async buildAndRun(
    req: RunRequest,
    observer: RunObserver,
    controls: RunControls,
    { toolchain, backend }: { toolchain: Toolchain; backend: Backend },
    held: Held,
    local: LocalRunOptions,
  ): Promise<void> {
    const { signal } = controls.abort;
    if (signal.aborted) return stoppedEarly(observer);
    if (backend === 'ebpf') {
      this.spares.expect();
      held.expecting = true;
    }
    observer.status('compiling');
    const files = req.files ?? { 'main.go': req.code ?? '' };
    const profiled = req.profile === true || local.profileDir !== undefined;
    const leak = req.leakProfile === true;
    const built = await this.builder.build(
      files,
      toolchain,
      {
        traced: backend === 'trace',
        experiment: experimentFor(req.gcExperiment, toolchain, leak),
        profiled: profiled || leak,
        dumps: backend === 'trace' && req.gc === true,
        perturb: req.perturb ?? [],
        race: req.race === true,
      },
      signal,
    );
    // Kept from the binary cache's eviction until the run is over.
    if (built.ok) held.releaseBinary = built.release;
    if (signal.aborted) return stoppedEarly(observer);
    if (!built.ok) {
      observer.compileError(built.diagnostics);
      observer.status('done');
      return;
    }
    observer.status('running');
    // A uid of its own for this run only: see sandbox/uids.ts.
    held.uid = this.uids?.take() ?? process.getuid?.() ?? 0;
    const spare = held.expecting ? this.spares.take() : undefined;
    held.expecting = false;
    const backendRun = startProbeRun(
      backend,
      this.config,
      {
        binary: built.binary,
        gomaxprocs: req.gomaxprocs ?? os.cpus().length,
        paced: req.mode === 'paced',
        pace: req.pace,
        sysmon: req.sysmon,
        gc: req.gc,
        godebug: req.godebug,
        ...(profiled ? { profile: true } : {}),
        ...(req.race ? { race: true } : {}),
        ...(local.profileDir !== undefined ? { profileDir: local.profileDir } : {}),
        ...(leak ? { leak: true } : {}),
        uid: held.uid,
      },
      (e, isHeld) => observer.event(e, isHeld),
      this.log,
      spare,
    );
    controls.attach(backendRun);
    const outcome = await backendRun.done;
    observer.end({
      exitCode: outcome.exitCode,
      reason: outcome.reason,
      lost: outcome.lost,
      stats: {
        events: outcome.events,
        compileMs: built.ms,
        runMs: outcome.runMs,
        cached: built.cached,
        ...(outcome.throttledMs !== undefined ? { throttledMs: outcome.throttledMs } : {}),
      },
      ...(outcome.limit ? { limit: outcome.limit } : {}),
    });
    observer.status('done');
  }
}

/** A run's options that only a caller on this machine gives (the CLI), never a client. */
export interface LocalRunOptions {
  /** Write the profiles as pprof files into this directory (an absolute path that exists). */
  profileDir?: string;
}

/** What a run holds beyond its slot, given back when it is over. */
interface Held {
  uid?: number;
  /** Its binary, kept from the cache's eviction. */
  releaseBinary?: () => void;
  /** A spare recorder loads for this run while it builds (backends/probe-spare.ts). */
  expecting: boolean;
}

/**
 * The learner's hold on one run in any phase: before it runs, stop cancels it
 * (queued or building) and back-pressure is remembered; once it runs under
 * its backend, commands go there.
 */
class RunControls {
  readonly abort = new AbortController();
  private backendRun: BackendRun | undefined;
  private paused = false;

  control(action: Exclude<ControlAction, 'stop'>, value?: number): string | undefined {
    if (!this.backendRun) return 'the run is not running yet';
    return this.backendRun.control(action, value);
  }

  stop(): void {
    if (this.backendRun) this.backendRun.stop('stopped');
    else this.abort.abort();
  }

  pauseReading(): void {
    this.paused = true;
    this.backendRun?.pauseReading();
  }

  resumeReading(): void {
    this.paused = false;
    this.backendRun?.resumeReading();
  }

  /** The run has started under its backend. */
  attach(run: BackendRun): void {
    this.backendRun = run;
    if (this.paused) run.pauseReading();
  }
}

/**
 * The GOEXPERIMENT to build with for the request's gcExperiment: nogreenteagc from Go 1.25, which
 * has the Green Tea experiment; older releases have only the per-object collector, and reject
 * an experiment they do not know. With the leak detector asked for, goroutineleakprofile on Go
 * 1.26 (1.27 has it always, and both older and newer releases reject the name).
 */
function experimentFor(experiment: string | undefined, toolchain: Toolchain, leak = false): string {
  const minor = Number(/^go1\.(\d+)/.exec(toolchain.version)?.[1] ?? 0);
  const gc = experiment === 'nogreenteagc' && minor >= 25 ? experiment : '';
  return [gc, leak ? leakExperiment(minor) : ''].filter((e) => e !== '').join(',');
}

function stoppedEarly(observer: RunObserver): void {
  observer.end({ exitCode: -1, reason: 'stopped', lost: 0, stats: { events: 0 } });
}

/** The bridge's range of sandbox uids, when the sandbox drops to one (root with bubblewrap). */
async function claimUids(config: BridgeConfig): Promise<UidRange | null> {
  if (process.getuid?.() !== 0 || config.sandbox !== 'bwrap') return null;
  if (config.uidRangeSize < config.parallel * 2) {
    throw new UidRangeError(
      `uidRangeSize ${config.uidRangeSize} is too small for ${config.parallel} runs at once: give it at least ${config.parallel * 2}`,
    );
  }
  return UidRange.claim({
    base: config.uidBase,
    size: config.uidRangeSize,
    ranges: config.uidRanges,
  });
}

/** The observer, followed by each tap's handler for the same call. */
function tapped(observer: RunObserver, taps: RunTap[], req: RunRequest): RunObserver {
  if (taps.length === 0) return observer;
  const t = taps.map((tap) => tap(req));
  return {
    status: (phase, position) => {
      observer.status(phase, position);
      for (const x of t) x.status?.(phase, position);
    },
    compileError: (d) => {
      observer.compileError(d);
      for (const x of t) x.compileError?.(d);
    },
    event: (e, held) => {
      observer.event(e, held);
      for (const x of t) x.event?.(e, held);
    },
    end: (end) => {
      observer.end(end);
      for (const x of t) x.end?.(end);
    },
    error: (code, message, field) => {
      observer.error(code, message, field);
      for (const x of t) x.error?.(code, message, field);
    },
  };
}
