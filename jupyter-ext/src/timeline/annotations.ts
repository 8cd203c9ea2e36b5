/**
 * The program's own runtime/trace annotations as the goroutine lanes draw
 * them: each region a band from its begin to its end on its goroutine (at
 * its depth, so nested regions stack), each log a mark at its moment. The
 * lanes (LaneBuilder) say nothing of them, so they are read here from the
 * user.* events, fed from where the last call stopped as LaneFeed is.
 */
import type { SlowmoEvent, Timeline } from '@go-slowmo/kernel-bridge/protocol';

export interface RegionBand {
  readonly goid: number;
  readonly name: string;
  readonly task: number;
  readonly depth: number;
  readonly start: number;
  readonly startSeq: number;
  /** The end's `t` and seq; for a region still open, the run's end so far. */
  readonly end: number;
  readonly endSeq: number;
  readonly open: boolean;
}

export interface LogMark {
  readonly goid: number;
  readonly t: number;
  readonly seq: number;
  readonly task: number;
  readonly category: string;
  readonly message: string;
}

export interface UserAnnotations {
  /** Per goroutine, in order of their begin. */
  readonly regions: ReadonlyMap<number, readonly RegionBand[]>;
  readonly logs: ReadonlyMap<number, readonly LogMark[]>;
  /** Task names by id, for the words ("" when its begin was not seen). */
  readonly tasks: ReadonlyMap<number, string>;
  /** Regions and logs in all: the view draws again when it changes. */
  readonly count: number;
}

type Open = { name: string; task: number; start: number; startSeq: number };

function push<T>(map: Map<number, T[]>, goid: number, item: T): void {
  const list = map.get(goid);
  if (list === undefined) map.set(goid, [item]);
  else list.push(item);
}

export class AnnotationBuilder {
  private readonly regions = new Map<number, RegionBand[]>();
  private readonly logs = new Map<number, LogMark[]>();
  private readonly tasks = new Map<number, string>();
  /** Regions begun and not ended, per goroutine, indexed by depth. */
  private readonly open = new Map<number, Open[]>();
  private lastT = 0;
  private lastSeq = -1;
  private count = 0;

  append(e: SlowmoEvent): void {
    this.lastT = e.t;
    this.lastSeq = e.seq;
    if (e.kind === 'user.task') {
      if (e.begin || !this.tasks.has(e.task)) this.tasks.set(e.task, e.name);
    } else if (e.kind === 'user.region' && e.g > 0) {
      const stack = this.open.get(e.g) ?? [];
      this.open.set(e.g, stack);
      // Depth is authoritative (as in the reducer): anything open at or below it ended unseen here.
      this.closeFrom(e.g, stack, e.begin ? e.depth : e.depth + 1, e.t, e.seq);
      if (e.begin) {
        stack[e.depth] = { name: e.name, task: e.task, start: e.t, startSeq: e.seq };
      } else if (stack[e.depth] !== undefined) {
        this.closeFrom(e.g, stack, e.depth, e.t, e.seq);
      }
    } else if (e.kind === 'user.log' && e.g > 0) {
      const { task, category, message } = e;
      push(this.logs, e.g, { goid: e.g, t: e.t, seq: e.seq, task, category, message });
      this.count++;
    }
  }

  /** Ends the regions of `stack` at depth `from` and deeper, deepest first. */
  private closeFrom(goid: number, stack: Open[], from: number, t: number, seq: number): void {
    for (let d = stack.length - 1; d >= from; d--) {
      const o = stack[d];
      if (o !== undefined) this.band(goid, o, d, t, seq, false);
    }
    if (stack.length > from) stack.length = Math.max(0, from);
  }

  private band(goid: number, o: Open, depth: number, end: number, endSeq: number, open: boolean) {
    push(this.regions, goid, { goid, depth, end, endSeq, open, ...o });
    this.count++;
  }

  /** What has been seen so far; open regions reach `end` (the lanes' end). */
  annotations(end: number = this.lastT): UserAnnotations {
    const regions = new Map<number, RegionBand[]>();
    this.regions.forEach((list, goid) => regions.set(goid, list.slice()));
    let count = this.count;
    this.open.forEach((stack, goid) => {
      stack.forEach((o, depth) => {
        if (o === undefined) return;
        push(regions, goid, { goid, depth, end, endSeq: this.lastSeq, open: true, ...o });
        count++;
      });
    });
    for (const list of regions.values()) list.sort((a, b) => a.startSeq - b.startSeq);
    return { regions, logs: this.logs, tasks: this.tasks, count };
  }
}

/** The annotations of a whole list of events (tests, a saved output). */
export function userAnnotations(events: Iterable<SlowmoEvent>, end?: number): UserAnnotations {
  const b = new AnnotationBuilder();
  for (const e of events) b.append(e);
  return b.annotations(end);
}

/** Annotations of a run as its events arrive, fed from where it stopped. */
export class AnnotationFeed {
  private readonly builder = new AnnotationBuilder();
  private fed = 0;

  sync(timeline: Timeline, end: number): UserAnnotations {
    const n = timeline.length;
    for (let seq = this.fed; seq < n; seq++) this.builder.append(timeline.event(seq)!);
    this.fed = n;
    return this.builder.annotations(end);
  }
}
