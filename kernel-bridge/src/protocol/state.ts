/**
 * The scheduler picture that the reducer builds from the event stream: each P
 * with its M, running G, runnext and local run queue; the global queue; every
 * G with its status, place, wait reason, creation site and current line; the
 * Ms; GC phase and stop-the-world.
 *
 * Every object here is immutable. States share structure (see IntMap), so a
 * new state per event costs a few small allocations, and keeping old states as
 * keyframes costs little memory.
 */
import type { EventOf, GcPhase, MStateName, PStateName, QueueName } from './events';
import type { HeapModel } from './heap';
import { IntMap } from './intmap';

export const G_STATUSES = ['runnable', 'running', 'waiting', 'syscall', 'dead'] as const;
export type GStatus = (typeof G_STATUSES)[number];

/** Where a goroutine was created: the `go` statement's site, and by whom. */
export interface GSite {
  readonly parent: number;
  readonly fn: string;
  readonly file: string;
  readonly line: number;
  /** The seq of its g.create event. */
  readonly seq: number;
}

export interface SourcePos {
  readonly file: string;
  readonly line: number;
}

export interface GWait {
  /** The runtime's wait reason text, e.g. "chan receive". */
  readonly reason: string;
  /** Where in user code it parked, when known. */
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly since: number;
}

export class GState {
  constructor(
    readonly goid: number,
    /** Null for goroutines whose creation was not seen (g1, runtime workers). */
    readonly site: GSite | null,
    readonly status: GStatus,
    /** Which queue holds it while runnable; null when in no queue (just created, being handed over). */
    readonly queue: QueueName | null,
    /** The P owning that queue, or the P it is being handed to; -1 for none or the global queue. */
    readonly qp: number,
    /** The M it runs (or last ran) on, -1 if never. */
    readonly m: number,
    /** The P it runs (or last ran, or entered its syscall) on, -1 if never. */
    readonly p: number,
    readonly wait: GWait | null,
    /** Its current user source line (paced mode `line` events). */
    readonly at: SourcePos | null,
    /**
     * The last user line it is known to have been at, from any event: a line
     * event, where it parked, where it made another goroutine (`go`) or woke
     * one. Record mode has no line events; this is what it can say.
     */
    readonly seen: SourcePos | null = null,
  ) {}
}

export class PState {
  constructor(
    readonly id: number,
    readonly state: PStateName,
    /** The M holding it, -1 for none. */
    readonly m: number,
    /** The goid running on it, 0 for none. */
    readonly running: number,
    /** The goid in its runnext slot, 0 for none. */
    readonly runnext: number,
    /** Its local run queue, head first (at most 256). */
    readonly runq: readonly number[],
  ) {}
}

export class MState {
  constructor(
    readonly id: number,
    readonly state: MStateName,
    /** The P it holds, -1 for none. */
    readonly p: number,
  ) {}
}

/** A task of the program's own (runtime/trace.NewTask), open or ended. */
export interface UserTask {
  readonly id: number;
  /** The name it was given ("" when its begin was not seen). */
  readonly name: string;
  /** Its parent task, 0 for none. */
  readonly parent: number;
  /** The goroutine that began it (or ended it, when its begin was not seen). */
  readonly g: number;
  /** The seq of its begin (of its end, when its begin was not seen). */
  readonly seq: number;
  /** The seq of its end; null while it is open. */
  readonly ended: number | null;
}

/** A region open on a goroutine (runtime/trace.WithRegion or StartRegion). */
export interface UserRegion {
  readonly task: number;
  readonly name: string;
  /** The seq of its begin. */
  readonly seq: number;
}

type Fields<E> = Omit<E, 'seq' | 't' | 'm' | 'p' | 'g' | 'kind' | 'inferred'>;
export type RunInfo = Fields<EventOf<'run.start'>>;
export type RunEndInfo = Fields<EventOf<'run.end'>>;

export interface SchedState {
  /** The seq of the last event applied, -1 before any. */
  readonly seq: number;
  /** Its time, ns since the run started. */
  readonly t: number;
  readonly run: RunInfo | null;
  /** Indexed by P id. */
  readonly procs: readonly PState[];
  /** The global run queue, head first. */
  readonly globalq: readonly number[];
  /** Goroutines queued globally beyond `globalq` (a truncated snapshot). */
  readonly globalqMore: number;
  readonly gs: IntMap<GState>;
  readonly ms: IntMap<MState>;
  readonly gc: GcPhase;
  /** The reason of the stop-the-world in force, null when the world runs. */
  readonly stw: string | null;
  readonly end: RunEndInfo | null;
  /**
   * The program's tasks by id: every task seen, open or ended (a later region or log may
   * still name an ended one).
   */
  readonly tasks: IntMap<UserTask>;
  /** The regions open on each goroutine, outermost first (a goroutine with none may be absent). */
  readonly regions: IntMap<readonly UserRegion[]>;
  /** The GC lens's heap model (heap.ts); null when the run has no heap events. */
  readonly heap: HeapModel | null;
}

const INITIAL: SchedState = Object.freeze({
  seq: -1,
  t: 0,
  run: null,
  procs: Object.freeze([]) as readonly PState[],
  globalq: Object.freeze([]) as readonly number[],
  globalqMore: 0,
  gs: IntMap.empty<GState>(),
  ms: IntMap.empty<MState>(),
  gc: 'off',
  stw: null,
  end: null,
  tasks: IntMap.empty<UserTask>(),
  regions: IntMap.empty<readonly UserRegion[]>(),
  heap: null,
});

/** The state before the first event of a run. */
export function initialState(): SchedState {
  return INITIAL;
}
