/**
 * What each goroutine of one function did, read from a recording in one pass:
 * the facts the function-bound checks measure. A goroutine belongs to a
 * function by its `g.create` (the `go` statement, as the learner wrote it:
 * the trace backend's renamed main is undone), so a check never depends on
 * line numbers a learner's edit moves; `main.main` is g1, whose creation
 * names only `runtime.main`.
 */
import type { SlowmoEvent } from '../events';
import { isLearnerFile, learnerFunction } from '../goroutines';

/** How a turn on a P ended. */
export type TurnEnd = 'yield' | 'preempt' | 'park' | 'syscall' | 'exit' | 'other' | 'open';

export interface Turn {
  start: number;
  end: number;
  how: TurnEnd;
}

export interface GoroutineFacts {
  goid: number;
  /** The seq of its creation, -1 for g1 when its creation was not recorded. */
  created: number;
  /**
   * It ran to its end: it exited, or it had just woken another goroutine (its
   * wg.Done, its last send) and did not park again before the program ended by
   * itself; such a goroutine is cut off on its way out, its work done.
   */
  finished: boolean;
  ps: Set<number>;
  turns: Turn[];
  /** Each park: why, where, and for how long (ns; to the end of the recording if never woken). */
  parks: { reason: string; seq: number; start: number; end: number }[];
  preemptions: number;
  yields: number;
  steals: number;
  /** Each system call's length in ns (to the end of the recording if it never returned). */
  syscalls: number[];
}

/** Whether a goroutine created to run `created` (or g1) is one of function `fn`'s. */
export function runsFunction(fn: string, goid: number, created: string | undefined): boolean {
  if (fn === 'main.main' && goid === 1) return true;
  return created !== undefined && learnerFunction(created) === fn;
}

function fresh(goid: number, created: number): GoroutineFacts {
  return {
    goid,
    created,
    finished: false,
    ps: new Set(),
    turns: [],
    parks: [],
    preemptions: 0,
    yields: 0,
    steals: 0,
    syscalls: [],
  };
}

interface Open {
  turn: number | null;
  park: GoroutineFacts['parks'][number] | null;
  syscall: number | null;
  /** It woke another goroutine and has not parked since. */
  woke: boolean;
}

/** Ends the goroutine's open turn (and park and syscall) at `t`, saying how the turn ended. */
function close(f: GoroutineFacts, o: Open, t: number, how: TurnEnd) {
  if (o.turn !== null) f.turns.push({ start: o.turn, end: t, how });
  o.turn = null;
}

function onGoroutineEvent(f: GoroutineFacts, o: Open, e: SlowmoEvent) {
  const endPark = () => {
    if (o.park) o.park.end = e.t;
    o.park = null;
  };
  const endSyscall = () => {
    if (o.syscall !== null) f.syscalls.push(e.t - o.syscall);
    o.syscall = null;
  };
  switch (e.kind) {
    case 'g.running':
      endPark();
      close(f, o, e.t, 'other');
      o.turn = e.t;
      if (e.p >= 0) f.ps.add(e.p);
      return;
    case 'g.runnable': {
      endPark();
      endSyscall();
      if (e.reason === 'preempt') f.preemptions++;
      if (e.reason === 'yield') f.yields++;
      const how = e.reason === 'yield' ? 'yield' : e.reason === 'preempt' ? 'preempt' : 'other';
      close(f, o, e.t, how);
      return;
    }
    case 'g.waiting':
      o.woke = false;
      close(f, o, e.t, 'park');
      endSyscall();
      o.park = { reason: e.reason, seq: e.seq, start: e.t, end: e.t };
      // g1 parks while the runtime starts up (gcenable waits for the sweeper, in
      // no frame of the learner's code): those are not main.main's parks.
      if (f.goid !== 1 || isLearnerFile(e.file)) f.parks.push(o.park);
      return;
    case 'g.syscall':
      o.syscall = e.t;
      return;
    case 'g.syscall.exit':
      endSyscall();
      return;
    case 'g.exit':
      close(f, o, e.t, 'exit');
      endSyscall();
      f.finished = true;
      return;
    default:
      return;
  }
}

/** The facts of every goroutine of `fn`, in order of creation. */
export function factsOf(fn: string, events: readonly SlowmoEvent[]): GoroutineFacts[] {
  const facts = new Map<number, GoroutineFacts>();
  const open = new Map<number, Open>();
  const track = (goid: number, created: number) => {
    const f = fresh(goid, created);
    facts.set(goid, f);
    open.set(goid, { turn: null, park: null, syscall: null, woke: false });
  };
  if (fn === 'main.main') track(1, -1);
  let last = 0;
  let clean = false;
  for (const e of events) {
    last = e.t;
    if (e.kind === 'run.end') clean = e.reason === 'exit' && e.exitCode === 0;
    if (e.kind === 'g.runnable' && e.by !== undefined && e.by !== e.goid) {
      const waker = open.get(e.by);
      if (waker) waker.woke = true;
    }
    if (e.kind === 'g.create') {
      if (e.goid !== 1 && runsFunction(fn, e.goid, e.fn)) track(e.goid, e.seq);
      else if (e.goid === 1 && facts.has(1)) (facts.get(1) as GoroutineFacts).created = e.seq;
      continue;
    }
    if (e.kind === 'steal') {
      for (const goid of e.goids) {
        const f = facts.get(goid);
        if (f) f.steals++;
      }
      continue;
    }
    if (!('goid' in e)) continue;
    const f = facts.get(e.goid);
    if (f) onGoroutineEvent(f, open.get(e.goid) as Open, e);
  }
  // What is still open runs to the end of the recording.
  for (const [goid, o] of open) {
    const f = facts.get(goid) as GoroutineFacts;
    if (!f.finished && o.woke && clean) f.finished = true;
    close(f, o, last, 'open');
    if (o.park) o.park.end = last;
    if (o.syscall !== null) f.syscalls.push(last - o.syscall);
  }
  return [...facts.values()];
}
