/**
 * The wall-clock limit counts the time a program was allowed to run, and
 * the idle limit the time a paced run sat paused with nobody touching it.
 *
 * Any run may also be stopped by its recorder for back-pressure
 * (bpf/internal/probe/backpressure.go): rather than lose events it cannot
 * write out as fast as the program makes them (its reader, the bridge, holds
 * back for a slow client), the probe stops the program until it has caught
 * up, and says so as it happens (`hold`); it says so too when the program
 * has ended, while its last events may still be on their way. That time is
 * the recorder's, not the program's: it does not count against the wall
 * limit, or a slow client would end a program at its time limit that had
 * barely run. It counts as idle instead: a client that stops reading for the
 * idle limit has its run stopped, as a forgotten paused run does.
 *
 * A record run is allowed to run from its start to its end. A paced run
 * (bpf/internal/probe/pace.go) is not: every event stops the program, and
 * the probe's pacer lets events out and continues the program only as the
 * learner's commands say. A learner reading the picture for a minute must
 * not use up the run's time. The probe does not say when it stops or
 * continues the program, but its pacer is deterministic in the two things
 * the bridge sees, the commands it writes to the probe's stdin and the
 * events that come out, so this mirrors the pacer from those:
 *
 * - paused, nothing asked for: the program waits; the clock stands still
 *   and the idle clock runs from the last command.
 * - `step`: it runs until the next event comes out (one per step asked).
 * - `stepline [N]`: it runs until a line event of a goroutine last seen on
 *   another line comes out, or N events have.
 * - `resume`: it runs to its end.
 * - `speed V`: it runs, except that after each event the pacer holds the
 *   next one for 1/V s whether or not the program has made it; that hold
 *   does not count. A program that took longer than the hold to make its
 *   next event is charged the excess, which undercounts it by at most 1/V
 *   per event; at full speed an event costs microseconds, so slow motion
 *   at any speed no longer meets the limit within start-up.
 *
 * Events already in the pipe when a command takes effect can make the
 * mirror briefly disagree with the pacer (a `pause` right after `speed`);
 * the error is an event, never a whole pause.
 */

/** What stopped the clock's run: `timeout` (wall) or `idle`. */
export type ClockLimit = 'timeout' | 'idle';

export interface ClockOptions {
  /** Time the program may run, in ms. */
  wallMs: number;
  /** Time a paced run may wait paused with no command, in ms. */
  idleMs: number;
  /** Undefined for a record run; for a paced one its starting speed (events/s, 0: paused). */
  pace?: number;
  /** Called once, when a limit is reached. */
  onLimit: (limit: ClockLimit) => void;
  /** ms on a monotonic clock (tests pass a fake one). */
  now?: () => number;
}

/** A delivered event, as far as the pacer cares. */
export interface PacedEvent {
  kind: string;
  goid?: number;
  file?: string;
  line?: number;
}

/** A command of the probe's control input, as pace.go reads it. */
export type PacerCommand =
  | { verb: 'step' }
  | { verb: 'stepline'; bound: number }
  | { verb: 'pause' }
  | { verb: 'resume' }
  | { verb: 'speed'; value: number };

type Mode = 'paused' | 'playing' | 'free';

/** pace.go's bounds, so that a command the probe refuses is refused here too. */
const MAX_SPEED = 1e6;
const DEFAULT_LINE_STEP = 2000;
const MAX_LINE_STEP = 1_000_000;
/** Timers fire on a ms-granular loop clock: a limit this close counts as reached. */
const SLACK_MS = 1;

export class RunClock {
  private mode: Mode;
  private speed: number;
  private credit = 0;
  private lineStep = 0;
  /** goid -> the line its last delivered line event named, as the pacer keeps it. */
  private readonly at = new Map<number, string>();
  private lastDelivery = -Infinity;
  private lastTouch: number;
  private ran = 0;
  private accruedTo: number;
  private timer: NodeJS.Timeout | undefined;
  private over = false;
  /** The recorder says the program is not running: held stopped for back-pressure, or ended. */
  private recorderHolds = false;
  private readonly now: () => number;

  constructor(private readonly opts: ClockOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.speed = opts.pace ?? 0;
    this.mode = opts.pace === undefined ? 'free' : this.speed > 0 ? 'playing' : 'paused';
    const t = this.now();
    this.lastTouch = t;
    this.accruedTo = t;
    this.arm(t);
  }

  /** The time the program was allowed to run so far, in ms. */
  ranMs(): number {
    this.accrue(this.now());
    return this.ran;
  }

  /** The program waits for a command: paused, with no step under way. */
  get held(): boolean {
    return this.pacedFrom(this.now()) === undefined;
  }

  /**
   * The recorder says the program does not run (true: held stopped for
   * back-pressure, or ended) or runs again (false). Its time stands still
   * meanwhile; the idle limit runs from the hold.
   */
  hold(held: boolean): void {
    if (held === this.recorderHolds) return;
    const t = this.now();
    this.accrue(t);
    this.recorderHolds = held;
    if (held) this.lastTouch = t;
    this.arm(t);
  }

  /** A command the probe was sent (see parsePacerCommand); any command counts as a touch. */
  command(c: PacerCommand): void {
    const t = this.now();
    this.accrue(t);
    this.lastTouch = t;
    switch (c.verb) {
      case 'step':
        this.mode = 'paused';
        this.lineStep = 0;
        this.credit++;
        break;
      case 'stepline':
        this.mode = 'paused';
        this.credit = 0;
        this.lineStep = c.bound;
        break;
      case 'pause':
        this.mode = 'paused';
        this.lineStep = 0;
        this.credit = 0;
        break;
      case 'resume':
        this.mode = 'free';
        this.lineStep = 0;
        break;
      case 'speed':
        this.mode = 'playing';
        this.speed = c.value;
        this.lineStep = 0;
        break;
    }
    this.arm(t);
  }

  /** An event the pacer let out (every one after run.start). */
  delivered(e: PacedEvent): void {
    const t = this.now();
    this.accrue(t);
    if (this.mode === 'paused') {
      if (this.lineStep > 0) {
        this.lineStep--;
        if (e.kind === 'line' && e.goid && this.at.get(e.goid) !== lineKey(e)) this.lineStep = 0;
      } else if (this.credit > 0) {
        this.credit--;
      }
    }
    if (e.kind === 'line' && e.goid) this.at.set(e.goid, lineKey(e));
    this.lastDelivery = t;
    // Running free, an event moves neither deadline (the wall limit's is the
    // time run so far plus what is left; the idle one's is the last touch):
    // no timer to re-arm on this path, which every event of a run takes.
    if (this.mode !== 'free') this.arm(t);
  }

  dispose(): void {
    this.over = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** From when, at or after `t` and with no new command or event, the program's time counts; undefined: never. */
  private countsFrom(t: number): number | undefined {
    return this.recorderHolds ? undefined : this.pacedFrom(t);
  }

  /** countsFrom as the pacer alone decides it. */
  private pacedFrom(t: number): number | undefined {
    switch (this.mode) {
      case 'free':
        return t;
      case 'paused':
        return this.credit > 0 || this.lineStep > 0 ? t : undefined;
      case 'playing':
        return Math.max(t, this.lastDelivery + 1000 / this.speed);
    }
  }

  private accrue(t: number): void {
    const from = this.countsFrom(this.accruedTo);
    if (from !== undefined && t > from) this.ran += t - from;
    this.accruedTo = Math.max(this.accruedTo, t);
  }

  /** Sets the one timer that matters in the current state: the wall limit's, or the idle limit's. */
  private arm(t: number): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.over) return;
    const from = this.countsFrom(t);
    if (from !== undefined) {
      const left = this.opts.wallMs - this.ran;
      if (left <= SLACK_MS && from <= t) return this.reach('timeout');
      this.timer = setTimeout(() => this.check(), Math.max(0, from - t + left));
    } else {
      const left = this.lastTouch + this.opts.idleMs - t;
      if (left <= SLACK_MS) return this.reach('idle');
      this.timer = setTimeout(() => this.check(), left);
    }
  }

  private check(): void {
    const t = this.now();
    this.accrue(t);
    this.arm(t);
  }

  private reach(limit: ClockLimit): void {
    this.dispose();
    this.opts.onLimit(limit);
  }
}

/**
 * Reads a control line as pace.go does, with its bounds: a line the probe
 * would refuse (and so not act on) comes back as the reason, so that the
 * bridge refuses it too rather than mirror a command that never happened.
 */
export function parsePacerCommand(line: string): PacerCommand | string {
  const f = line.trim().split(/\s+/);
  const [verb, arg] = f;
  if ((verb === 'step' || verb === 'pause' || verb === 'resume') && f.length === 1) return { verb };
  if (verb === 'stepline' && f.length <= 2) {
    const bound = arg === undefined ? DEFAULT_LINE_STEP : Number(arg);
    if (!Number.isInteger(bound) || bound < 1 || bound > MAX_LINE_STEP)
      return `stepline ${arg}: give the most events to deliver, 1 to ${MAX_LINE_STEP}`;
    return { verb, bound };
  }
  if (verb === 'speed' && f.length === 2) {
    const value = Number(arg);
    if (!(value > 0 && value <= MAX_SPEED))
      return `speed ${arg}: give events per second, above 0 and at most ${MAX_SPEED}`;
    return { verb, value };
  }
  // Also what a command added to pace.go but not here gets: mirror it in RunClock first.
  return `unknown command "${line.trim()}": the bridge knows step, stepline [N], pause, resume and speed N`;
}

function lineKey(e: PacedEvent): string {
  return `${e.file ?? ''}:${e.line ?? 0}`;
}
