/**
 * Reads the runtime's schedtrace and gctrace lines out of a run's stderr `output` events as they
 * pass, into `schedtrace` and `gctrace` events (runtime-trace.ts). One place for both backends:
 * the bridge's event pipeline calls it; the output events themselves pass unchanged, so the
 * learner still sees the lines they asked for.
 *
 * The runtime writes a line in pieces (one write per printed value), so a line may span several
 * output events, and the program's own stderr could interleave with it: such a line does not parse
 * and makes no event. A scheddetail block (the header, then a line per P, M and G) ends at the
 * first stderr line that is not one of its own, or at the run's end: its event is sent then, with
 * `at` when its header came.
 */
import type { SlowmoEvent } from './events';
import { StderrLines } from './stderr-lines';
import {
  parseDetailLine,
  parseGcLine,
  parseSchedHeader,
  type SchedHeader,
} from './runtime-trace-lines';
import { SCHEDTRACE_GOROUTINES_MAX, type SchedG, type SchedM, type SchedP } from './runtime-trace';

interface Block {
  header: SchedHeader;
  at: number;
  procs: SchedP[];
  threads: SchedM[];
  goroutines: SchedG[];
  more: number;
}

export class RuntimeTraceReader {
  private readonly lines = new StderrLines();
  private block: Block | undefined;

  constructor(private readonly wanted: { schedtrace: boolean; gctrace: boolean }) {}

  /** The events that stderr output `e` completes, to pass after it (none for other events). */
  read(e: SlowmoEvent): SlowmoEvent[] {
    if (e.kind !== 'output' || e.stream !== 'stderr') return [];
    const made: SlowmoEvent[] = [];
    this.lines.read(e, (text, at, t) => this.line(text, at, t, made));
    return made;
  }

  /** What is still pending at the run's end (at `t`), to pass before run.end. */
  end(t: number): SlowmoEvent[] {
    const made: SlowmoEvent[] = [];
    this.lines.end(t, (text, at, end) => this.line(text, at, end, made));
    this.closeBlock(t, made);
    return made;
  }

  private line(text: string, at: number, t: number, made: SlowmoEvent[]): void {
    if (this.block) {
      const d = parseDetailLine(text);
      if (d) {
        const b = this.block;
        if (d.kind === 'P') b.procs.push(d.p);
        else if (d.kind === 'M') b.threads.push(d.m);
        else if (b.goroutines.length < SCHEDTRACE_GOROUTINES_MAX) b.goroutines.push(d.g);
        else b.more++;
        return;
      }
      this.closeBlock(t, made);
    }
    if (this.wanted.schedtrace && text.startsWith('SCHED ')) {
      const header = parseSchedHeader(text);
      if (!header) return;
      if (header.detailed) {
        this.block = { header, at, procs: [], threads: [], goroutines: [], more: 0 };
        return;
      }
      const { detailed: _, ...fields } = header;
      made.push({ ...context(t), kind: 'schedtrace', at, ...fields });
    } else if (this.wanted.gctrace && text.startsWith('gc ')) {
      const fields = parseGcLine(text);
      if (fields) made.push({ ...context(t), kind: 'gctrace', at, ...fields });
    }
  }

  private closeBlock(t: number, made: SlowmoEvent[]): void {
    const b = this.block;
    if (!b) return;
    this.block = undefined;
    const { detailed, ...fields } = b.header;
    if (!detailed) return;
    // The P lines carry the run queue lengths the short form prints in brackets.
    const runqs = new Array<number>(fields.gomaxprocs).fill(0);
    for (const p of b.procs) if (p.id < runqs.length) runqs[p.id] = p.runqsize;
    made.push({
      ...context(t),
      kind: 'schedtrace',
      at: b.at,
      ...fields,
      runqs,
      detail: {
        ...detailed,
        procs: b.procs,
        threads: b.threads,
        goroutines: b.goroutines,
        moreGoroutines: b.more,
      },
    });
  }
}

/** The runtime prints these from sysmon or the collector: no M, P or goroutine of the picture's. */
function context(t: number) {
  return { seq: 0, t, m: -1, p: -1, g: 0 };
}

/** Which of the runtime's traces a run's GODEBUG settings turn on. */
export function runtimeTracesOf(godebug: string | undefined): {
  schedtrace: boolean;
  gctrace: boolean;
} {
  const on = (name: string) =>
    (godebug ?? '').split(',').some((kv) => {
      const [k, v] = kv.split('=');
      return k?.trim() === name && v !== undefined && Number(v) > 0;
    });
  return { schedtrace: on('schedtrace'), gctrace: on('gctrace') };
}
