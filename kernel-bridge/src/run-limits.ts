/**
 * The limits of one running program, whatever backend watches it: wall time
 * and CPU time while it runs, output bytes and event count as its events go
 * by, memory and processes after the fact from its control group (or, where
 * there is none, from what the Go runtime printed when it failed). The first
 * limit hit stops the run and becomes its `run.end.reason`.
 */
import type { Limits } from './config';
import type { EndReason, SlowmoEvent } from './protocol';
import type { RunCgroup } from './sandbox/cgroup';

const CPU_POLL_MS = 100;

export class RunLimits {
  private reason: EndReason | undefined;
  private outputBytes = 0;
  private events = 0;
  private sawThreadFailure = false;
  private sawOutOfMemory = false;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly limits: Limits,
    private readonly cgroup: RunCgroup | null,
    /** Stops the program; called once, with the reason. */
    private readonly stop: (reason: EndReason) => void,
  ) {}

  /** The reason the bridge stopped the run, if it did. */
  get stoppedFor(): EndReason | undefined {
    return this.reason;
  }

  /** Starts the clocks: call when the program starts. */
  start(): void {
    this.timers.push(setTimeout(() => this.hit('timeout'), this.limits.wallSeconds * 1000));
    if (this.cgroup) {
      const cg = this.cgroup;
      this.timers.push(
        setInterval(() => {
          if (cg.cpuSeconds() > this.limits.cpuSeconds) this.hit('cpu-limit');
        }, CPU_POLL_MS),
      );
    }
  }

  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.length = 0;
  }

  /** Stops the run for `reason` unless it was stopped already. */
  hit(reason: EndReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.dispose();
    this.stop(reason);
  }

  /**
   * Passes an event through the limits: returns the event to send (output
   * may come back truncated) or undefined to drop it. `run.end` always passes.
   */
  admit(e: SlowmoEvent): SlowmoEvent | undefined {
    if (e.kind === 'run.end') return e;
    if (this.reason === 'output-limit' && e.kind === 'output') return undefined;
    if (this.reason === 'event-limit') return undefined;
    if (++this.events > this.limits.events) {
      this.hit('event-limit');
      return undefined;
    }
    if (e.kind !== 'output') return e;
    if (e.stream === 'stderr') {
      this.sawThreadFailure ||=
        /failed to create new OS thread|resource temporarily unavailable/.test(e.data);
      this.sawOutOfMemory ||= /fatal error: (runtime: )?out of memory/.test(e.data);
    }
    const room = this.limits.outputBytes - this.outputBytes;
    const size = Buffer.byteLength(e.data);
    if (size <= room) {
      this.outputBytes += size;
      return e;
    }
    this.outputBytes = this.limits.outputBytes;
    this.hit('output-limit');
    const cut = Buffer.from(e.data).subarray(0, Math.max(0, room)).toString('utf8');
    return cut ? { ...e, data: cut } : undefined;
  }

  /** The reason the run ended, given what the backend said about the program's end. */
  endReason(backendReason: EndReason, exitCode: number): EndReason {
    // A program that hit the process limit dies printing every goroutine's
    // stack, which can hit the output limit first: the cause is the processes.
    if (
      this.reason === 'output-limit' &&
      (this.cgroup?.processLimitHit() || this.sawThreadFailure)
    ) {
      return 'process-limit';
    }
    if (this.reason) return this.reason;
    const failed = exitCode !== 0 || backendReason === 'signal';
    if (failed && (this.cgroup?.oomKilled() || this.sawOutOfMemory)) return 'memory-limit';
    if (failed && (this.cgroup?.processLimitHit() || this.sawThreadFailure)) return 'process-limit';
    if (failed && this.cgroup && this.cgroup.cpuSeconds() > this.limits.cpuSeconds)
      return 'cpu-limit';
    return backendReason;
  }
}
