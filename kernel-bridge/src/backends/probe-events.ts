/**
 * A run's events on their way from the probe engine to the sink: NDJSON read
 * line by line and validated, passed through the run's limits (which stop,
 * trim or end it), renumbered (the bridge may drop events past a limit, and
 * seq must have no gaps), and given back the learner's file names. Nothing
 * passes after run.end. When the run asked for the runtime's schedtrace or
 * gctrace, its lines in the program's stderr also pass as events of their own
 * (protocol/runtime-trace-read.ts), just before the output that ends them; so do the race
 * detector's reports in a run built with -race (protocol/race-read.ts).
 */
import type { Readable } from 'node:stream';
import { learnerPath } from '../build';
import { parseEvent, type EndReason, type SlowmoEvent } from '../protocol';
import { RaceReader } from '../protocol/race-read';
import { RuntimeTraceReader } from '../protocol/runtime-trace-read';
import type { RunLimits } from '../run-limits';
import type { EventSink } from './run';

export type RunEndEvent = Extract<SlowmoEvent, { kind: 'run.end' }>;

export class EventPipeline {
  /** Events passed on so far, which is the next one's seq. */
  seq = 0;
  /** The run's end, once it has passed. */
  ended: RunEndEvent | undefined;
  private invalid = 0;
  /** What reads events out of the program's stderr: the runtime's traces, the race detector. */
  private readonly readers: (RuntimeTraceReader | RaceReader)[] = [];

  constructor(
    private readonly limits: RunLimits,
    private readonly sink: EventSink,
    private readonly log: (msg: string) => void,
    traces: { schedtrace: boolean; gctrace: boolean } = { schedtrace: false, gctrace: false },
    race = false,
  ) {
    if (traces.schedtrace || traces.gctrace) this.readers.push(new RuntimeTraceReader(traces));
    if (race) this.readers.push(new RaceReader(learnerPath));
  }

  pass(e: SlowmoEvent): void {
    if (this.ended || this.readers.length === 0) {
      this.passOne(e);
      return;
    }
    // Before the output that completes them (same t): after it, they would follow an event
    // that a paced run holds at.
    for (const reader of this.readers) {
      const made = e.kind === 'run.end' ? reader.end(e.t) : reader.read(e);
      for (const m of made) this.passOne(m);
    }
    this.passOne(e);
  }

  private passOne(e: SlowmoEvent): void {
    if (this.ended) return;
    if (e.kind === 'run.start') this.limits.start();
    let out = this.limits.admit(e);
    if (!out) return;
    out = { ...out, seq: this.seq++ } as SlowmoEvent;
    if ('file' in out && typeof out.file === 'string') out.file = learnerPath(out.file);
    if (out.kind === 'run.end') {
      out.reason = this.limits.endReason(out.reason, out.exitCode);
      this.ended = out;
    }
    this.sink(out, this.limits.held);
  }

  /** Passes on each event of the probe's NDJSON output as it comes. */
  readFrom(stdout: Readable): void {
    let partial = '';
    stdout.setEncoding('utf8');
    stdout.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line) continue;
        try {
          this.pass(parseEvent(line));
        } catch (err) {
          // A probe bug, not the learner's: log it, count it, keep going.
          if (this.invalid++ < 5)
            this.log(`invalid event from slowmo-probe: ${(err as Error).message}`);
        }
      }
    });
  }

  /**
   * Ends a run its probe failed to end, saying why: on stderr first when
   * nothing was passed yet, then run.end at `t` ns with `reason`.
   */
  endFailed(why: string, t: number, lost: number | null, reason: EndReason): void {
    if (this.seq === 0) {
      this.pass({
        seq: 0,
        t: 0,
        kind: 'output',
        m: -1,
        p: -1,
        g: 0,
        stream: 'stderr',
        data: `slowmo: the probe engine failed: ${why}\n`,
      });
    }
    this.pass({
      seq: 0,
      t,
      kind: 'run.end',
      m: -1,
      p: -1,
      g: 0,
      exitCode: -1,
      signal: null,
      lost,
      reason,
    });
  }
}
