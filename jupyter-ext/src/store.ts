/**
 * One run as the widget sees it: its events in a Timeline (keyframed, so
 * scrubbing anywhere is cheap), its phase while live, and how it ended. The
 * executor fills a live store from the bridge; the renderer makes one from
 * a saved recording. Live stores are found by run id (the live output only
 * holds the id), in this module's registry.
 */
import {
  Timeline,
  type Diagnostic,
  type RunPhase,
  type SlowmoEvent,
} from '@go-slowmo/kernel-bridge/protocol';
import { Signal } from '@lumino/signaling';
import type { RunControl } from './client';
import type { CheckpointOutcome, Recording, SavedComparison } from './recording';

export class RunStore {
  readonly timeline = new Timeline();
  phase: RunPhase | 'failed' = 'queued';
  position: number | undefined;
  diagnostics: Diagnostic[] | undefined;
  end: Recording['end'];
  error: string | undefined;
  /** Which backend watched the run and, for the tracer, why not eBPF. */
  notice: string | undefined;
  checkpoints: CheckpointOutcome[] | undefined;
  /** What changed since the cell's run before, once this run has ended. */
  compare: SavedComparison | undefined;
  /** Set while the run is live: pause/step/resume/stop reach the bridge through it. */
  control: RunControl | undefined;
  /** A stop asked for before the bridge accepted the run: sent as soon as it does. */
  private stopAsked = false;
  /** Emitted after any change; the widget coalesces per animation frame. */
  readonly changed = new Signal<this, void>(this);

  constructor(
    readonly source: string,
    readonly options: Recording['options'],
  ) {}

  static fromRecording(rec: Recording): RunStore {
    const store = new RunStore(rec.source, rec.options);
    for (const e of rec.events) store.timeline.append(e);
    store.phase = rec.error ? 'failed' : 'done';
    store.end = rec.end;
    store.diagnostics = rec.diagnostics;
    store.checkpoints = rec.checkpoints;
    store.error = rec.error;
    store.notice = rec.notice;
    store.compare = rec.compare;
    return store;
  }

  /** The bridge accepted the run: controls can reach it now. */
  attach(control: RunControl): void {
    this.control = control;
    if (this.stopAsked) control.control('stop');
  }

  /** Stops the run, now or as soon as the bridge has it. */
  stop(): void {
    this.stopAsked = true;
    this.control?.control('stop');
  }

  get live(): boolean {
    return this.control !== undefined && this.phase !== 'done' && this.phase !== 'failed';
  }

  get events(): readonly SlowmoEvent[] {
    return this.timeline.slice();
  }

  append(events: readonly SlowmoEvent[]): void {
    for (const e of events) this.timeline.append(e);
    this.changed.emit();
  }

  update(
    change: Partial<
      Pick<
        RunStore,
        | 'phase'
        | 'position'
        | 'diagnostics'
        | 'end'
        | 'error'
        | 'checkpoints'
        | 'notice'
        | 'compare'
      >
    >,
  ): void {
    Object.assign(this, change);
    if (change.phase === 'done' || change.phase === 'failed') this.control = undefined;
    this.changed.emit();
  }

  toRecording(): Recording {
    return {
      source: this.source,
      options: this.options,
      events: this.timeline.slice(),
      ...(this.end ? { end: this.end } : {}),
      ...(this.diagnostics ? { diagnostics: this.diagnostics } : {}),
      ...(this.checkpoints ? { checkpoints: this.checkpoints } : {}),
      ...(this.error ? { error: this.error } : {}),
      ...(this.notice ? { notice: this.notice } : {}),
      ...(this.compare ? { compare: this.compare } : {}),
    };
  }
}

/**
 * The runs going on now, by id: the executor adds a run's store as it starts
 * and removes it when it ends; the live output's renderer draws the store its
 * output names. One instance per page, provided by the ILiveRuns token.
 */
export class LiveRuns {
  private readonly runs = new Map<string, RunStore>();

  add(id: string, store: RunStore): void {
    this.runs.set(id, store);
  }

  get(id: string): RunStore | undefined {
    return this.runs.get(id);
  }

  delete(id: string): void {
    this.runs.delete(id);
  }
}

export const LIVE_MIME = 'application/vnd.go-slowmo.live.v1+json';
