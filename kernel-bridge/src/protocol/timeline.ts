/**
 * A recording with keyframes: the state after every `interval`-th event is
 * kept, so the state at any seq is one keyframe plus at most `interval - 1`
 * applied events, however long the recording. Keyframes are cheap because
 * states share structure. Live runs append as events arrive; the scrubber,
 * step-back and checkpoints read any point.
 */
import type { EventKind, SlowmoEvent } from './events';
import { ProtocolError } from './parse';
import { apply } from './reducer';
import { initialState, type SchedState } from './state';

export const DEFAULT_KEYFRAME_INTERVAL = 512;

export class Timeline {
  private readonly events: SlowmoEvent[] = [];
  /** keyframes[i] is the state after events 0 .. (i + 1) * interval - 1. */
  private readonly keyframes: SchedState[] = [];
  private last: SchedState = initialState();

  constructor(readonly interval: number = DEFAULT_KEYFRAME_INTERVAL) {
    if (!Number.isInteger(interval) || interval < 1) {
      throw new RangeError(`keyframe interval must be a positive integer, got ${interval}`);
    }
  }

  static from(events: Iterable<SlowmoEvent>, interval?: number): Timeline {
    const timeline = new Timeline(interval);
    for (const e of events) timeline.append(e);
    return timeline;
  }

  /** Number of events recorded. */
  get length(): number {
    return this.events.length;
  }

  /** The state after the last event. */
  get state(): SchedState {
    return this.last;
  }

  /** Adds the next event; its seq must follow the last one and its time must not go back. */
  append(event: SlowmoEvent): SchedState {
    const n = this.events.length;
    if (event.seq !== n) {
      throw new ProtocolError(
        `event out of order: field "seq" is ${event.seq}, expected ${n} (seq has no gaps and starts at 0)`,
        'seq',
      );
    }
    const prev = this.events[n - 1];
    if (prev !== undefined && event.t < prev.t) {
      throw new ProtocolError(
        `time went backwards: field "t" of seq ${event.seq} is ${event.t}, before ${prev.t}`,
        't',
      );
    }
    this.events.push(event);
    this.last = apply(this.last, event);
    if ((n + 1) % this.interval === 0) this.keyframes.push(this.last);
    return this.last;
  }

  event(seq: number): SlowmoEvent | undefined {
    return this.events[seq];
  }

  /** Events from seq `from` (inclusive) to `to` (exclusive). */
  slice(from = 0, to = this.events.length): SlowmoEvent[] {
    return this.events.slice(from, to);
  }

  /** The state right after event `seq`; -1 gives the state before the first event. */
  stateAt(seq: number): SchedState {
    const n = this.events.length;
    if (!Number.isInteger(seq) || seq < -1 || seq >= n) {
      throw new RangeError(`seq ${seq} is outside the recording (-1 .. ${n - 1})`);
    }
    if (seq === n - 1) return this.last;
    const k = Math.floor((seq + 1) / this.interval) - 1;
    let state = k >= 0 ? (this.keyframes[k] as SchedState) : initialState();
    for (let i = (k + 1) * this.interval; i <= seq; i++) {
      state = apply(state, this.events[i] as SlowmoEvent);
    }
    return state;
  }

  /** The last seq whose time is at or before `t` (ns), -1 if none. */
  seqAtTime(t: number): number {
    let lo = 0;
    let hi = this.events.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.events[mid] as SlowmoEvent).t <= t) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** The seq of the next event of one of `kinds` after `seq`, or -1. */
  nextOfKind(seq: number, kinds: readonly EventKind[]): number {
    for (let i = Math.max(seq + 1, 0); i < this.events.length; i++) {
      if (kinds.includes((this.events[i] as SlowmoEvent).kind)) return i;
    }
    return -1;
  }

  /** The seq of the previous event of one of `kinds` before `seq`, or -1. */
  prevOfKind(seq: number, kinds: readonly EventKind[]): number {
    for (let i = Math.min(seq - 1, this.events.length - 1); i >= 0; i--) {
      if (kinds.includes((this.events[i] as SlowmoEvent).kind)) return i;
    }
    return -1;
  }
}
