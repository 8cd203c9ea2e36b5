/**
 * `GET /metrics`: what an operator watching a class wants to see, in the
 * Prometheus text format (version 0.0.4). Fed from every run's lifecycle
 * through a tap on the Bridge; the queue gauges are read when scraped.
 */
import type { Bridge, RunObserver } from '../bridge';
import { END_REASONS, LIMIT_REASONS, type EndReason } from '../protocol';

/** Run ends that a limit of the sandbox caused (the bridge killed the program). */
const LIMITS: ReadonlySet<EndReason> = new Set(LIMIT_REASONS);

const BUILD_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120];
const RUN_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
const WAIT_BUCKETS = [0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(readonly buckets: number[]) {
    this.counts = buckets.map(() => 0);
  }

  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    this.buckets.forEach((le, i) => {
      if (seconds <= le) this.counts[i]!++;
    });
  }

  lines(name: string): string[] {
    return [
      ...this.buckets.map((le, i) => `${name}_bucket{le="${le}"} ${this.counts[i]}`),
      `${name}_bucket{le="+Inf"} ${this.count}`,
      `${name}_sum ${round(this.sum)}`,
      `${name}_count ${this.count}`,
    ];
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** A label value, escaped as the text format wants. */
function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class Metrics {
  private started = 0;
  /** `outcome` (end, compile_error, error) and `reason` (end reason or error code) -> count. */
  private readonly ended = new Map<string, number>();
  private events = 0;
  private lost = 0;
  /** Runs whose recorder was killed, so that their loss is unknown (run.end.lost null). */
  private lossUnknown = 0;
  private kills = 0;
  private readonly build = new Histogram(BUILD_BUCKETS);
  private readonly run = new Histogram(RUN_BUCKETS);
  private readonly wait = new Histogram(WAIT_BUCKETS);
  private readonly startedAt = Date.now();

  constructor(private readonly bridge: Bridge) {
    bridge.taps.push(() => this.tap());
  }

  private countEnd(outcome: string, reason: string): void {
    const key = `outcome="${label(outcome)}",reason="${label(reason)}"`;
    this.ended.set(key, (this.ended.get(key) ?? 0) + 1);
  }

  /** One run's lifecycle: phases are timed here, so a compile error's build counts too. */
  private tap(): Partial<RunObserver> {
    this.started++;
    const t0 = performance.now();
    let compiling: number | undefined;
    let running: number | undefined;
    let over = false;
    const buildDone = (): void => {
      if (compiling !== undefined) this.build.observe((performance.now() - compiling) / 1000);
      compiling = undefined;
    };
    return {
      status: (phase) => {
        if (phase === 'compiling' && compiling === undefined) {
          compiling = performance.now();
          this.wait.observe((compiling - t0) / 1000);
        } else if (phase === 'running') {
          buildDone();
          running = performance.now();
        }
      },
      compileError: () => {
        buildDone();
        if (!over) this.countEnd('compile_error', 'compile_error');
        over = true;
      },
      end: (end) => {
        if (over) return;
        over = true;
        buildDone();
        if (running !== undefined) {
          const ms = end.stats.runMs ?? performance.now() - running;
          this.run.observe(ms / 1000);
        }
        this.events += end.stats.events;
        if (end.lost === null) this.lossUnknown++;
        else this.lost += end.lost;
        if (LIMITS.has(end.reason)) this.kills++;
        this.countEnd('end', end.reason);
      },
      error: (code) => {
        if (over) return;
        over = true;
        buildDone();
        this.countEnd('error', code);
      },
    };
  }

  /** The exposition, one metric family after another. */
  render(): string {
    const out: string[] = [];
    const family = (name: string, type: string, help: string, lines: string[]): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
    };
    family('slowmo_runs_started_total', 'counter', 'Run requests the bridge accepted.', [
      `slowmo_runs_started_total ${this.started}`,
    ]);
    // Every end reason is listed (at 0 until it happens) so rates work from the first scrape.
    for (const r of END_REASONS) {
      const key = `outcome="end",reason="${r}"`;
      if (!this.ended.has(key)) this.ended.set(key, 0);
    }
    family(
      'slowmo_runs_ended_total',
      'counter',
      'Runs that ended: outcome "end" with its run.end reason, "compile_error", or "error" with its error code.',
      [...this.ended].sort().map(([k, v]) => `slowmo_runs_ended_total{${k}} ${v}`),
    );
    family(
      'slowmo_sandbox_kills_total',
      'counter',
      'Runs the sandbox ended because they hit a limit (time, CPU, memory, processes, output, events).',
      [`slowmo_sandbox_kills_total ${this.kills}`],
    );
    family('slowmo_queue_length', 'gauge', 'Runs waiting for a slot.', [
      `slowmo_queue_length ${this.bridge.queue.queued}`,
    ]);
    family('slowmo_runs_running', 'gauge', 'Runs holding a slot (building or running).', [
      `slowmo_runs_running ${this.bridge.queue.running}`,
    ]);
    family('slowmo_parallel_slots', 'gauge', 'Runs that may build or run at once.', [
      `slowmo_parallel_slots ${this.bridge.queue.parallel}`,
    ]);
    family(
      'slowmo_events_total',
      'counter',
      'Scheduler events the probes delivered to the bridge and it streamed to clients.',
      [`slowmo_events_total ${this.events}`],
    );
    family(
      'slowmo_events_lost_total',
      'counter',
      'Events the probe could not keep (run.end.lost), e.g. under a slow client.',
      [`slowmo_events_lost_total ${this.lost}`],
    );
    family(
      'slowmo_runs_loss_unknown_total',
      'counter',
      'Runs whose recorder was killed before it could count its losses (run.end.lost null).',
      [`slowmo_runs_loss_unknown_total ${this.lossUnknown}`],
    );
    family(
      'slowmo_queue_wait_seconds',
      'histogram',
      'Time from the request to the start of its build.',
      this.wait.lines('slowmo_queue_wait_seconds'),
    );
    family(
      'slowmo_build_seconds',
      'histogram',
      'Build time (a cached build included), compile errors included.',
      this.build.lines('slowmo_build_seconds'),
    );
    family(
      'slowmo_run_seconds',
      'histogram',
      'Time the program ran under the probes.',
      this.run.lines('slowmo_run_seconds'),
    );
    const mem = process.memoryUsage();
    family('slowmo_bridge_resident_memory_bytes', 'gauge', "The bridge process's resident set.", [
      `slowmo_bridge_resident_memory_bytes ${mem.rss}`,
    ]);
    family('slowmo_bridge_uptime_seconds', 'gauge', 'Seconds since the bridge started.', [
      `slowmo_bridge_uptime_seconds ${round((Date.now() - this.startedAt) / 1000)}`,
    ]);
    return out.join('\n') + '\n';
  }
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
