/**
 * The limits of one running program, whatever backend watches it: wall time
 * and CPU time while it runs, output bytes and event count as its events go
 * by, memory and processes after the fact from its control group (or, where
 * there is none, from what the Go runtime printed when it failed). The first
 * limit hit stops the run and becomes its `run.end.reason`. A paced run's
 * wall time counts only while the learner lets the program run, and a paced
 * run left paused and untouched ends at the idle limit (run-clock.ts); no
 * run's wall time counts while its recorder holds it stopped for
 * back-pressure, nor once the program has ended.
 *
 * Stopping a program that is still alive (every limit the bridge watches, and
 * the learner's stop) goes through the probe engine, which sends it SIGQUIT
 * first: the Go runtime writes every goroutine's stack to stderr, so the
 * learner sees where their program was. That dump passes even after the
 * output or event limit that stopped the run, as far as DUMP_BYTES past the
 * output limit.
 */
import type { Limits } from './config';
import type { EndReason, RunLimit, SlowmoEvent } from './protocol';
import { parsePacerCommand, RunClock, type PacerCommand } from './run-clock';
import type { RunCgroup } from './sandbox/cgroup';

const CPU_POLL_MS = 100;
const MiB = 1024 * 1024;

/** How far past the output limit the stack dump of a stopped program may go. */
export const DUMP_BYTES = 64 * 1024;

/** What the Go runtime writes first when SIGQUIT ends it. */
const DUMP_START = 'SIGQUIT: quit';

/** Reasons the bridge stops a live program for, each of which gets the stack dump. */
const QUITS: ReadonlySet<EndReason> = new Set<EndReason>([
  'timeout',
  'cpu-limit',
  'output-limit',
  'event-limit',
  'idle',
  'stopped',
]);

export class RunLimits {
  private reason: EndReason | undefined;
  private outputBytes = 0;
  private events = 0;
  private sawThreadFailure = false;
  private sawOutOfMemory = false;
  /** The stopped program's stack dump has begun on stderr. */
  private dumping = false;
  private readonly timers: NodeJS.Timeout[] = [];
  /** Wall and idle time (run-clock.ts); from run.start. */
  private clock: RunClock | undefined;
  /** The recorder says the program is not running (a report may come before run.start). */
  private notRunning = false;
  /** Commands sent before run.start: the probe reads them when its pacer starts. */
  private readonly early: PacerCommand[] = [];

  constructor(
    private readonly limits: Limits,
    private readonly cgroup: RunCgroup | null,
    /** Stops the program; called once, with the reason. */
    private readonly stop: (reason: EndReason) => void,
    /** A paced run: its starting speed (events/s, 0: paused). Undefined: a record run. */
    private readonly paced?: { pace: number },
  ) {}

  /** The reason the bridge stopped the run, if it did. */
  get stoppedFor(): EndReason | undefined {
    return this.reason;
  }

  /** Starts the clocks: call when the program starts. */
  start(): void {
    if (this.reason || this.clock) return;
    this.clock = new RunClock({
      wallMs: this.limits.wallSeconds * 1000,
      idleMs: this.limits.idleSeconds * 1000,
      ...(this.paced ? { pace: this.paced.pace } : {}),
      onLimit: (limit) => this.hit(limit),
    });
    for (const c of this.early.splice(0)) this.clock.command(c);
    if (this.notRunning) this.clock.hold(true);
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
    this.clock?.dispose();
  }

  /**
   * A paced-mode command line for the probe's control input: returns why
   * it is refused, or undefined when it may be sent (and is now counted).
   */
  command(line: string): string | undefined {
    const c = parsePacerCommand(line);
    if (typeof c === 'string') return c;
    if (this.clock) this.clock.command(c);
    else this.early.push(c);
    return undefined;
  }

  /**
   * What the recorder says of the program (clock-reports.ts): it runs, or it
   * does not (held stopped for back-pressure, or ended), which is not the
   * program's time (run-clock.ts).
   */
  programRuns(running: boolean): void {
    this.notRunning = !running;
    this.clock?.hold(!running);
  }

  /** A paced run whose program now waits for the learner's next command. */
  get held(): boolean {
    return this.clock?.held ?? false;
  }

  /** The time the program was allowed to run so far, in ms (0 before run.start). */
  ranMs(): number {
    return this.clock?.ranMs() ?? 0;
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
    // The pacer let it out (run.start comes before the pacer starts).
    if (e.kind !== 'run.start') this.clock?.delivered(e);
    if (e.kind === 'run.end') return e;
    if (e.kind === 'output' && e.stream === 'stderr' && this.reason && QUITS.has(this.reason)) {
      const at = this.dumping ? 0 : e.data.indexOf(DUMP_START);
      if (at >= 0) {
        this.dumping = true;
        // What the program wrote before the dump began is ordinary output.
        const before = at > 0 ? this.admitOrdinary(e.data.slice(0, at), 'stderr') : '';
        const data = before + this.take(e.data.slice(at), this.limits.outputBytes + DUMP_BYTES);
        return data ? { ...e, data } : undefined;
      }
    }
    if (this.reason === 'output-limit' && e.kind === 'output') return undefined;
    if (this.reason === 'event-limit') return undefined;
    if (++this.events > this.limits.events) {
      this.hit('event-limit');
      return undefined;
    }
    if (e.kind !== 'output') return e;
    const data = this.admitOrdinary(e.data, e.stream);
    if (data === e.data) return e;
    return data ? { ...e, data } : undefined;
  }

  /** Ordinary output: what of it fits under the output limit, which it may hit. */
  private admitOrdinary(data: string, stream: 'stdout' | 'stderr'): string {
    if (this.reason === 'output-limit' || this.reason === 'event-limit') return '';
    if (stream === 'stderr') {
      this.sawThreadFailure ||=
        /failed to create new OS thread|resource temporarily unavailable/.test(data);
      this.sawOutOfMemory ||= /fatal error: (runtime: )?out of memory/.test(data);
    }
    const out = this.take(data, this.limits.outputBytes);
    if (out !== data) this.hit('output-limit');
    return out;
  }

  /** Counts what of `data` fits with at most `upTo` bytes of output in all, and returns it. */
  private take(data: string, upTo: number): string {
    const room = upTo - this.outputBytes;
    const size = Buffer.byteLength(data);
    if (size <= room) {
      this.outputBytes += size;
      return data;
    }
    this.outputBytes = Math.max(this.outputBytes, upTo);
    return Buffer.from(data).subarray(0, Math.max(0, room)).toString('utf8');
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

  /** The limit behind an end reason, as the end message names it; undefined for other reasons. */
  limitFor(reason: EndReason): RunLimit | undefined {
    const l = this.limits;
    switch (reason) {
      case 'timeout':
        return { name: 'wallSeconds', value: l.wallSeconds, unit: 's' };
      case 'idle':
        return { name: 'idleSeconds', value: l.idleSeconds, unit: 's' };
      case 'cpu-limit':
        return { name: 'cpuSeconds', value: l.cpuSeconds, unit: 's' };
      case 'memory-limit':
        return { name: 'memoryBytes', value: l.memoryBytes / MiB, unit: 'MiB' };
      case 'process-limit':
        return { name: 'processes', value: l.processes, unit: 'processes' };
      case 'output-limit':
        return { name: 'outputBytes', value: l.outputBytes, unit: 'bytes' };
      case 'event-limit':
        return { name: 'events', value: l.events, unit: 'events' };
      default:
        return undefined;
    }
  }
}
