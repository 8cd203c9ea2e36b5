/**
 * What a session needs from a backend's run, whichever backend it is.
 */
import type { ControlAction, EndReason, RunLimit, SlowmoEvent, SysmonMode } from '../protocol';

export interface RunSpec {
  /** The built program on this machine. */
  binary: string;
  gomaxprocs: number;
  paced: boolean;
  /** Paced mode: events per second at the start (0 or absent: start paused). */
  pace?: number;
  /** Paced mode: whether sysmon counts the pauses (absent: hide them). */
  sysmon?: SysmonMode;
  /** The GC lens (eBPF only): slowmo-probe run --gc. */
  gc?: boolean;
  /** GODEBUG settings for the program (allowed by protocol/godebug.ts): slowmo-probe --godebug. */
  godebug?: string;
  /** The runtime's profiles, as `profile` events (slowmo-probe --profile). */
  profile?: boolean;
  /** Also write them as pprof files into this directory (the CLI's --profile DIR). */
  profileDir?: string;
  /** The runtime's goroutine leak report, as a `leak.report` event (slowmo-probe --leak). */
  leak?: boolean;
  /** The binary was built with -race: its reports become `race` events, and it needs more address space. */
  race?: boolean;
  /** The uid the program runs as (root mode): fresh for this run, see sandbox/uids.ts. */
  uid: number;
}

export interface RunOutcome {
  reason: EndReason;
  exitCode: number;
  /** Null: the recorder was killed, so the loss is unknown. */
  lost: number | null;
  /** As run.end's throttledMs: time the recorder held the program stopped to lose no event. */
  throttledMs?: number;
  /** Events passed on, run.start to run.end. */
  events: number;
  runMs: number;
  /** The limit the run ended at, when its reason is one. */
  limit?: RunLimit;
}

export interface BackendRun {
  /** Paced-mode commands; returns an error message when the action does not apply. */
  control(action: Exclude<ControlAction, 'stop'>, value?: number): string | undefined;
  /** Stops the program; the run still ends with run.end. */
  stop(reason: EndReason): void;
  /** Back-pressure: stop and start taking events from the backend. */
  pauseReading(): void;
  resumeReading(): void;
  readonly done: Promise<RunOutcome>;
}

/**
 * Where a run's events go, numbered and in order, ending with run.end.
 * `held`: after this event the program waits for the learner's next command
 * (a paced run, paused), so nothing follows it until one comes.
 */
export type EventSink = (event: SlowmoEvent, held?: boolean) => void;
