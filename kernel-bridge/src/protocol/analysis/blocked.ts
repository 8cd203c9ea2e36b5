/**
 * The failure lenses: what the learner's goroutines were blocked on when a
 * run ended badly.
 *
 * - Deadlock: the runtime's detector fired ("all goroutines are asleep"),
 *   or the run was stopped with every goroutine of the learner blocked (a
 *   deadlock the detector could not see: a timer or the network poller
 *   keeps the runtime from calling it one). Each blocked goroutine with
 *   what it waits on and its line, who could release it, and the wait-for
 *   cycle when there is one (goroutine → object → goroutine).
 * - Leak: main returned while goroutines of the learner were still blocked:
 *   grouped by line, with the ones parked once and never woken again.
 *
 * What the recording knows: each park's reason and line, and who woke whom
 * where (`g.runnable`'s `by`). What it does not: which channel or mutex (no
 * event carries an address) and who holds a mutex (an uncontended Lock makes
 * no event). Objects are named by the source line's expression and holders
 * inferred from each goroutine's function text (source-scan.ts); every
 * inference says its basis, and where nothing can be known it says so.
 */
import type { EventOf, SlowmoEvent } from '../events';
import type { Ending } from '../endings';
import { goroutineName, isRuntimeGoroutine } from '../goroutines';
import type { GState, SchedState } from '../state';
import { baseName, waitWords } from '../words';
import {
  holds,
  objectOf,
  stillDoes,
  willDone,
  willReceive,
  willSend,
  willSignal,
  type SourceLookup,
  type WaitOp,
} from './source-scan';
import { compareRuntimeLeaks, runtimeLeakText, type RuntimeLeakView } from './leak-compare';

export type WaitKind =
  'channel' | 'mutex' | 'waitgroup' | 'cond' | 'select' | 'timer' | 'io' | 'other';

/** What a goroutine's release rests on: the recording's events, or the source's text. */
export type Basis = 'recording' | 'source';

export interface Releaser {
  goid: number;
  name: string;
  /** "holds mu (locked at main.go:15)", "could send on results (main.go:10)". */
  how: string;
  basis: Basis;
  /** Its place in the source, when the words name one. */
  line?: number;
  /** Whether it is itself blocked at the end (finished goroutines release nothing). */
  blocked: boolean;
}

export interface BlockedGoroutine {
  goid: number;
  name: string;
  reason: string;
  /** The reason in words: "waiting to lock a mutex someone else holds". */
  words: string;
  file?: string;
  line?: number;
  /** The seq of its last park: the moment it blocked. */
  seq: number;
  kind: WaitKind;
  /** The object by the source line's expression (`mu`, `results`), null when unknown. */
  object: string | null;
  /** Who could release it, as far as can be known. */
  releasers: Releaser[];
  /** One sentence on who could release it, saying plainly when it cannot be known. */
  release: string;
  /** Who last woke it from this same line, from the recording (the other party last seen). */
  lastParty?: { goid: number; name: string; file?: string; line?: number; seq: number };
  /** How many times it parked in its life. */
  parks: number;
  /** Parked once and never runnable again. */
  neverWoken: boolean;
}

export interface WaitEdge {
  /** The blocked goroutine. */
  from: number;
  /** What it waits on: "mu", "results", or the reason when the object is unknown. */
  object: string;
  /** The blocked goroutine that could release it. */
  to: number;
  how: string;
  basis: Basis;
}

export interface LeakGroup {
  file?: string;
  line?: number;
  reason: string;
  words: string;
  goids: number[];
  /** Of goids, those parked once and never woken. */
  neverWoken: number[];
}

export const LENS_KINDS = ['deadlock', 'stuck', 'leak'] as const;
export type LensKind = (typeof LENS_KINDS)[number];

export interface FailureLens {
  /** deadlock: the runtime's detector fired; stuck: stopped with every goroutine blocked; leak: main returned. */
  kind: LensKind;
  title: string;
  detail: string;
  blocked: BlockedGoroutine[];
  edges: WaitEdge[];
  /** A wait-for cycle, goroutine by goroutine (its last waits on the first), or null. */
  cycle: number[] | null;
  /** The blocked goroutines grouped by the line they wait at, biggest group first. */
  groups: LeakGroup[];
  /** A leak only: the runtime's own detector beside the groups (leak-compare.ts). */
  runtime?: RuntimeLeakView;
}

interface Track {
  parks: number;
  woken: number;
  place: { file?: string; line?: number } | null;
  lastParty: Map<string, BlockedGoroutine['lastParty']>;
}

/**
 * Follows a recording for the lenses: each goroutine's parks and wakes and
 * who woke it from which line. Feed it every event in order (it keeps a few
 * numbers per goroutine, not the events).
 */
export class BlockTracker {
  private readonly gs = new Map<number, Track>();
  /** The runtime's own leak report, when the run has one. */
  leakReport: EventOf<'leak.report'> | undefined;

  private track(goid: number): Track {
    let t = this.gs.get(goid);
    if (t === undefined) {
      t = { parks: 0, woken: 0, place: null, lastParty: new Map() };
      this.gs.set(goid, t);
    }
    return t;
  }

  add(e: SlowmoEvent, before?: SchedState): void {
    if (e.kind === 'leak.report') {
      this.leakReport = e;
    } else if (e.kind === 'g.waiting') {
      const t = this.track(e.goid);
      t.parks++;
      t.place = { file: e.file, line: e.line };
    } else if (e.kind === 'g.runnable' && e.reason !== 'create') {
      const t = this.gs.get(e.goid);
      if (t === undefined || t.parks === 0) return;
      t.woken++;
      if (e.by !== undefined && t.place?.line) {
        t.lastParty.set(`${t.place.file}:${t.place.line}`, {
          goid: e.by,
          name: goroutineName(before, e.by),
          file: e.file,
          line: e.line,
          seq: e.seq,
        });
      }
    }
  }

  get(goid: number): Track | undefined {
    return this.gs.get(goid);
  }
}

function kindOf(reason: string): { kind: WaitKind; op: WaitOp } {
  const r = reason.replace(/ \(durable\)$/, '');
  if (r.startsWith('chan receive')) return { kind: 'channel', op: 'receive' };
  if (r.startsWith('chan send')) return { kind: 'channel', op: 'send' };
  if (r === 'sync.Mutex.Lock' || r === 'sync.RWMutex.Lock') return { kind: 'mutex', op: 'lock' };
  if (r === 'sync.RWMutex.RLock') return { kind: 'mutex', op: 'rlock' };
  if (r === 'sync.WaitGroup.Wait') return { kind: 'waitgroup', op: 'wait' };
  if (r === 'sync.Cond.Wait') return { kind: 'cond', op: 'wait' };
  if (r.startsWith('select')) return { kind: 'select', op: 'other' };
  if (r === 'sleep' || r === 'timer goroutine (idle)') return { kind: 'timer', op: 'other' };
  if (r === 'IO wait') return { kind: 'io', op: 'other' };
  // Before Go 1.24 a Mutex and a WaitGroup both park as "semacquire": the line tells which.
  if (r === 'semacquire') return { kind: 'other', op: 'other' };
  return { kind: 'other', op: 'other' };
}

/** A semacquire (Go before 1.24) told apart by its line: `mu.Lock()` or `wg.Wait()`. */
function refine(
  k: { kind: WaitKind; op: WaitOp },
  reason: string,
  text: string | undefined,
): { kind: WaitKind; op: WaitOp } {
  if (reason !== 'semacquire' || text === undefined) return k;
  if (/\.R?Lock\(\)/.test(text))
    return { kind: 'mutex', op: /\.RLock\(\)/.test(text) ? 'rlock' : 'lock' };
  if (/\.Wait\(\)/.test(text)) return { kind: 'waitgroup', op: 'wait' };
  return k;
}

function place(file: string | undefined, line: number | undefined): string {
  return file && line ? `${baseName(file)}:${line}` : 'a line the recording does not know';
}

interface Candidate {
  g: GState;
  file: string;
  line: number;
  blocked: boolean;
}

/** Where each of the learner's live goroutines stands at the end: its wait line, or its last line seen. */
function standing(end: SchedState): Candidate[] {
  const out: Candidate[] = [];
  end.gs.forEach((g) => {
    if (g.status === 'dead' || isRuntimeGoroutine(g)) return;
    const at = g.status === 'waiting' ? g.wait : (g.seen ?? g.at);
    if (at?.file && at.line)
      out.push({ g, file: at.file, line: at.line, blocked: g.status === 'waiting' });
  });
  return out;
}

/** The words when who could release it follows from the wait alone, or cannot be known; else null. */
function fixedRelease(b: { kind: WaitKind; object: string | null; reason: string }): string | null {
  if (b.reason.endsWith('(nil chan)')) {
    return 'A nil channel: nothing can ever send or receive on it, so nothing can wake it.';
  }
  if (b.reason === 'select (no cases)') {
    return 'An empty select blocks for ever: nothing can wake it.';
  }
  if (b.kind === 'timer') return 'A timer wakes it by itself.';
  if (b.kind === 'io') {
    return 'The network poller wakes it when its I/O is ready: something outside the program.';
  }
  if (b.kind === 'select' || b.kind === 'other') {
    return 'Who could wake it cannot be known: the recording does not say which channels or locks it waits on.';
  }
  if (b.object === null) {
    return 'Who could release it cannot be known: without the source, the recording does not name the object.';
  }
  return null;
}

function releasersOf(
  b: { goid: number; kind: WaitKind; op: WaitOp; object: string | null; reason: string },
  others: readonly Candidate[],
  end: SchedState,
  source: SourceLookup,
): { releasers: Releaser[]; release: string } {
  const fixed = fixedRelease(b);
  if (fixed !== null) return { releasers: [], release: fixed };
  const o = b.object as string;
  const found: Releaser[] = [];
  const add = (c: Candidate, how: string, line: number) =>
    found.push({
      goid: c.g.goid,
      name: goroutineName(end, c.g.goid),
      how,
      basis: 'source',
      line,
      blocked: c.blocked,
    });
  for (const c of others) {
    if (c.g.goid === b.goid) continue;
    const at = `${baseName(c.file)}:`;
    if (b.kind === 'mutex') {
      const h = holds(source, c.file, c.line, o);
      if (h)
        add(
          c,
          `holds ${o} (locked at ${at}${h.line}, not unlocked before where it stands)`,
          h.line,
        );
    } else if (b.kind === 'channel') {
      const test = b.op === 'receive' ? willSend(o) : willReceive(o);
      const h = stillDoes(source, c.file, c.line, test);
      if (h)
        add(
          c,
          `could ${b.op === 'receive' ? 'send on' : 'receive from'} ${o} (${at}${h.line})`,
          h.line,
        );
    } else if (b.kind === 'waitgroup') {
      const h = stillDoes(source, c.file, c.line, willDone(o));
      if (h) add(c, `could call ${o}.Done() (${at}${h.line})`, h.line);
    } else if (b.kind === 'cond') {
      const h = stillDoes(source, c.file, c.line, willSignal(o));
      if (h) add(c, `could signal ${o} (${at}${h.line})`, h.line);
    }
  }
  if (found.length > 0) {
    const words = found.map(
      (r) => `${r.name} ${r.how}${r.blocked ? ', but is blocked itself' : ''}`,
    );
    return { releasers: found, release: `By the source: ${words.join('; ')}.` };
  }
  const none: Record<WaitKind, string> = {
    mutex: `Who holds ${o} cannot be known from the recording (a Lock that does not wait makes no event), and no live goroutine's code shows it locked: a goroutine that finished may have kept it locked.`,
    channel: `No goroutine still alive ${b.op === 'receive' ? `sends on ${o} or closes it` : `receives from ${o}`} by the source: nothing will ever wake it.`,
    waitgroup: `No goroutine still alive calls ${o}.Done() by the source: the count will never reach zero.`,
    cond: `No goroutine still alive signals ${o} by the source.`,
    select: '',
    timer: '',
    io: '',
    other: '',
  };
  return { releasers: [], release: none[b.kind] };
}

/** A cycle in the wait-for graph among blocked goroutines (the first found from the lowest goid). */
function findCycle(edges: readonly WaitEdge[]): number[] | null {
  const next = new Map<number, number[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const starts = [...next.keys()].sort((a, b) => a - b);
  const done = new Set<number>();
  for (const s of starts) {
    const path: number[] = [];
    const onPath = new Set<number>();
    const walk = (g: number): number[] | null => {
      if (onPath.has(g)) return path.slice(path.indexOf(g));
      if (done.has(g)) return null;
      path.push(g);
      onPath.add(g);
      for (const n of next.get(g) ?? []) {
        const c = walk(n);
        if (c) return c;
      }
      path.pop();
      onPath.delete(g);
      done.add(g);
      return null;
    };
    const c = walk(s);
    if (c) return c;
  }
  return null;
}

function lensKind(
  end: SchedState,
  ending: Ending | null,
  blocked: readonly BlockedGoroutine[],
): LensKind | null {
  if (blocked.length === 0) return null;
  if (ending?.kind === 'deadlock') return 'deadlock';
  const reason = end.end?.reason;
  if (reason === undefined) return null;
  // A goroutine asleep on a timer when main returned would have woken: not a leak.
  if (reason === 'exit' && ending === null) {
    return blocked.some((b) => b.kind !== 'timer') ? 'leak' : null;
  }
  if (ending?.kind === 'timeout' || ending?.kind === 'stopped' || ending?.kind === 'limit') {
    let active = false;
    end.gs.forEach((g) => {
      if (
        !isRuntimeGoroutine(g) &&
        (g.status === 'running' || g.status === 'runnable' || g.status === 'syscall')
      )
        active = true;
    });
    // Someone blocked for good, not only sleepers and network waiters, which could still wake.
    if (!active && blocked.some((b) => b.kind !== 'timer' && b.kind !== 'io')) return 'stuck';
  }
  return null;
}

function groupsOf(blocked: readonly BlockedGoroutine[]): LeakGroup[] {
  const by = new Map<string, LeakGroup>();
  for (const b of blocked) {
    const key = `${b.file}:${b.line}:${b.reason}`;
    let g = by.get(key);
    if (g === undefined) {
      g = {
        file: b.file,
        line: b.line,
        reason: b.reason,
        words: b.words,
        goids: [],
        neverWoken: [],
      };
      by.set(key, g);
    }
    g.goids.push(b.goid);
    if (b.neverWoken) g.neverWoken.push(b.goid);
  }
  return [...by.values()].sort(
    (a, b) => b.goids.length - a.goids.length || (a.line ?? 0) - (b.line ?? 0),
  );
}

function describe(
  kind: LensKind,
  blocked: readonly BlockedGoroutine[],
  cycle: number[] | null,
  groups: readonly LeakGroup[],
  end: SchedState,
): { title: string; detail: string } {
  const n = blocked.length;
  const gs = `${n} goroutine${n === 1 ? '' : 's'}`;
  if (kind === 'leak') {
    const never = blocked.filter((b) => b.neverWoken).length;
    return {
      title: `Leak: ${gs} still blocked when main returned`,
      detail: `main returned while ${gs} of the program ${n === 1 ? 'was' : 'were'} blocked, at ${groups.length} line${groups.length === 1 ? '' : 's'}; ${never} of them parked once and were never woken. In a program that goes on (a server), each would hold its stack and what it points to for ever.`,
    };
  }
  const cyc = cycle
    ? ` The wait-for cycle: ${[...cycle, cycle[0] as number].map((g) => goroutineName(end, g)).join(' → ')}: each waits for the next to release something it holds or will do.`
    : ' There is no wait-for cycle among them: at least one waits for something no live goroutine will do.';
  if (kind === 'deadlock') {
    return {
      title: `Deadlock: ${gs} blocked for ever`,
      detail: `The runtime's detector saw that no goroutine could run.${cyc}`,
    };
  }
  return {
    title: `Stuck: ${gs} blocked and the runtime did not call it a deadlock`,
    detail: `The run was stopped with every goroutine of the program blocked. The runtime calls a deadlock only when nothing could ever wake a goroutine again, and here something could: ${wakers(blocked, end)}. So its detector stayed silent.${cyc}`,
  };
}

/** What kept the runtime's detector quiet, as far as the recording shows it. */
function wakers(blocked: readonly BlockedGoroutine[], end: SchedState): string {
  const said: string[] = [];
  const of = (kind: WaitKind) => blocked.filter((b) => b.kind === kind).map((b) => b.name);
  const timers = of('timer');
  const io = of('io');
  if (timers.length > 0) said.push(`${timers.join(', ')} sleeping on a timer`);
  if (io.length > 0) said.push(`${io.join(', ')} waiting for the network (the poller)`);
  if (end.run?.backend === 'trace') said.push("the tracer's own goroutines, which wake on a timer");
  if (said.length === 0) said.push('a timer or the network poller of the runtime');
  return said.join('; ');
}

/**
 * The failure lens of a run that ended: `tracker` fed the whole recording,
 * `end` the state after it, `ending` explainEnding's answer, `source` the
 * learner's lines (without it, objects and releasers are unknown and the
 * lens says so). Null when the run did not end with goroutines of the
 * learner blocked.
 */
export function failureLens(
  tracker: BlockTracker,
  end: SchedState,
  ending: Ending | null,
  source: SourceLookup = () => undefined,
): FailureLens | null {
  const blocked: BlockedGoroutine[] = [];
  end.gs.forEach((g) => {
    if (g.status !== 'waiting' || isRuntimeGoroutine(g) || g.wait === null) return;
    const { reason, file, line, since } = g.wait;
    const text = file && line ? source(file, line) : undefined;
    const k = refine(kindOf(reason), reason, text);
    const t = tracker.get(g.goid);
    const last = file && line ? t?.lastParty.get(`${file}:${line}`) : undefined;
    blocked.push({
      goid: g.goid,
      name: goroutineName(end, g.goid),
      reason,
      words: waitWords(reason),
      ...(file ? { file } : {}),
      ...(line ? { line } : {}),
      seq: since,
      kind: k.kind,
      object: text !== undefined ? objectOf(text, k.op) : null,
      releasers: [],
      release: '',
      ...(last ? { lastParty: last } : {}),
      parks: t?.parks ?? 1,
      neverWoken: (t?.parks ?? 1) <= 1 && (t?.woken ?? 0) === 0,
    });
  });
  blocked.sort((a, b) => a.goid - b.goid);
  const others = standing(end);
  for (const b of blocked) {
    const { releasers, release } = releasersOf({ ...b, op: opOf(b, source) }, others, end, source);
    b.releasers = releasers;
    b.release = release;
  }
  const ending0 = ending;
  const kind = lensKind(end, ending0, blocked);
  if (kind === null) return null;
  const edges: WaitEdge[] = [];
  for (const b of blocked) {
    for (const r of b.releasers) {
      if (!r.blocked) continue;
      edges.push({
        from: b.goid,
        object: b.object ?? b.reason,
        to: r.goid,
        how: r.how,
        basis: r.basis,
      });
    }
  }
  const cycle = kind === 'leak' ? null : findCycle(edges);
  const shown = kind === 'leak' ? blocked.filter((b) => b.kind !== 'timer') : blocked;
  const groups = groupsOf(shown);
  return {
    kind,
    ...describe(kind, shown, cycle, groups, end),
    blocked: shown,
    edges,
    cycle,
    groups,
    ...(kind === 'leak'
      ? { runtime: compareRuntimeLeaks(groups, tracker.leakReport, end.run?.goVersion) }
      : {}),
  };
}

function opOf(b: BlockedGoroutine, source: SourceLookup): WaitOp {
  const text = b.file && b.line ? source(b.file, b.line) : undefined;
  return refine(kindOf(b.reason), b.reason, text).op;
}

/** The lens of a whole recording, for tests and tools that hold every event. */
export function analyzeFailure(
  events: readonly SlowmoEvent[],
  end: SchedState,
  ending: Ending | null,
  source?: SourceLookup,
): FailureLens | null {
  const tracker = new BlockTracker();
  for (const e of events) tracker.add(e);
  return failureLens(tracker, end, ending, source);
}

/** The lens as text for a terminal: each blocked goroutine, the cycle, or the leak's groups. */
export function failureLensText(lens: FailureLens): string {
  const out = [`${lens.title}`, lens.detail];
  if (lens.kind === 'leak') {
    for (const g of lens.groups) {
      const never =
        g.neverWoken.length > 0
          ? `, never woken: ${g.neverWoken.map((id) => `g${id}`).join(' ')}`
          : '';
      out.push(
        `  ${place(g.file, g.line)}  ${g.goids.length} × ${g.words} (${g.goids.map((id) => `g${id}`).join(' ')}${never})`,
      );
    }
    if (lens.runtime) out.push(...runtimeLeakText(lens.runtime, lens.groups));
    return `${out.join('\n')}\n`;
  }
  for (const b of lens.blocked) {
    const what = b.object ? `${b.words}: ${b.object}` : b.words;
    out.push(`  ${b.name} at ${place(b.file, b.line)}: ${what}`);
    out.push(`      ${b.release}`);
    if (b.lastParty) {
      out.push(
        `      Last woken here by ${b.lastParty.name}${b.lastParty.line ? ` at ${place(b.lastParty.file, b.lastParty.line)}` : ''} (the recording).`,
      );
    }
  }
  if (lens.cycle) {
    const steps = lens.cycle.map((g, i) => {
      const to = lens.cycle?.[(i + 1) % (lens.cycle?.length ?? 1)] as number;
      const e = lens.edges.find((x) => x.from === g && x.to === to);
      return `g${g} —${e?.object ?? '?'}→ `;
    });
    out.push(`  cycle: ${steps.join('')}g${lens.cycle[0]}`);
  }
  return `${out.join('\n')}\n`;
}
