/**
 * narrate(event, before?, context?): one short English sentence per event,
 * for people: the widget's caption under the picture and the CLI's
 * `--format text`. With the state before the event it can say what the
 * event implies without the reader knowing the runtime's rules: why a
 * goroutine runs now, who woke it, whom a runnext put kicked out, that a
 * full local queue spilled half of itself. Goroutines are named by their
 * function where the state knows it ("g7 (worker)"), runtime words get a
 * plain gloss, and "no P" is said in words, never as P-1.
 *
 * Folding: an overflow (runqputslow) moves half a local queue, 128
 * goroutines, to the global queue, and the stream has one g.runnable per
 * goroutine moved. The sentence is said once, at the put that overflowed
 * (or at the first moved goroutine when that put was not seen); the rest are
 * `isFolded`: a view skips them or shows their short "…" sentence.
 */
import type { DumpMoment, EndReason, EventKind, EventOf, SlowmoEvent } from './events';
import {
  functionName,
  goroutineName,
  isLearnerFile,
  isRuntimeFunction,
  learnerFunction,
} from './goroutines';
import type { GState, SchedState, SourcePos } from './state';
import type { RaceAccess } from './race';
import { wakeText, type SourceLookup } from './wake';
import { whyRunning, whyRunningText } from './why';
import { fileWords, lossWords, throttleWords, waitWords } from './words';

/** What narration can use besides the state: each part optional, each makes a sentence exact. */
export interface NarrateContext {
  /** The event just before this one (folds an overflow's later goroutines into its first). */
  previous?: SlowmoEvent;
  /** The latest steal before this event (names the P a stolen goroutine came from). */
  lastSteal?: EventOf<'steal'>;
  /** The learner's source lines (tells a send from a close, a Done from an Unlock). */
  source?: SourceLookup;
}

const LIST_MAX = 5;
const LOCAL_QUEUE_CAPACITY = 256;
/** How far back narrationContext looks for a steal: the stolen goroutine runs a few events later. */
const STEAL_LOOKBACK = 64;

/** "g1", "g1 and g2", "g1, g2 and g3", "g1, g2, g3, g4, g5 and 7 more". */
export function goroutineList(goids: readonly number[], more = 0): string {
  if (goids.length === 0) return more > 0 ? `${more} goroutines` : 'nothing';
  const shown = goids.slice(0, LIST_MAX).map((id) => `g${id}`);
  const extra = goids.length - shown.length + more;
  if (extra > 0) return `${shown.join(', ')} and ${extra} more`;
  if (shown.length === 1) return shown[0] as string;
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

/** Events by seq: an array, or a Timeline (which the widget holds, and need not copy). */
export type EventsBySeq = readonly SlowmoEvent[] | { event(seq: number): SlowmoEvent | undefined };

/**
 * The context for narrating event `index` in a view that can jump
 * anywhere (the widget): the previous event and the latest recent steal.
 */
export function narrationContext(
  events: EventsBySeq,
  index: number,
  source?: SourceLookup,
): NarrateContext {
  const at = (i: number): SlowmoEvent | undefined =>
    'event' in events ? events.event(i) : events[i];
  const context: NarrateContext = {};
  const previous = at(index - 1);
  if (previous) context.previous = previous;
  for (let i = index - 1; i >= 0 && i >= index - STEAL_LOOKBACK; i--) {
    const e = at(i);
    if (e?.kind === 'steal') {
      context.lastSteal = e;
      break;
    }
  }
  if (source) context.source = source;
  return context;
}

/** Names goroutines as goroutineName does, in the state before the event. */
function namer(before: SchedState | undefined): (goid: number) => string {
  return (goid) => goroutineName(before, goid);
}

/** The last learner line the state knows for a goroutine (where it was last seen, or its line). */
function lastSeen(g: GState | undefined): SourcePos | null {
  if (!g) return null;
  const seen = (g as { seen?: SourcePos | null }).seen;
  return seen ?? g.at;
}

/**
 * A place in code: "at main.go:12" for the learner's files; otherwise what
 * the file belongs to, and the goroutine's last learner line when known.
 */
function codeAt(file: string | undefined, line: number | undefined, g?: GState): string {
  if (!file) return '';
  const words = fileWords(file, line);
  // The learner's files (or a path outside Go's installation): "at main.go:12".
  if (isLearnerFile(file) || !/^(generated code|the runtime|the standard library)/.test(words)) {
    return ` at ${words}`;
  }
  const seen = lastSeen(g);
  const mapped =
    seen && isLearnerFile(seen.file) ? `, last seen at ${fileWords(seen.file, seen.line)}` : '';
  return ` in ${words}${mapped}`;
}

function place(queue: EventOf<'g.runnable'>['queue'], qp: number): string {
  if (queue === 'global' || qp < 0) return 'the global run queue';
  if (queue === 'runnext') return `P${qp}'s runnext slot`;
  return `the tail of P${qp}'s local run queue`;
}

/**
 * Whether the sentence of `e` was already said by an earlier event: the
 * second and later goroutines moved by one overflow. The CLI prints nothing
 * for them; the widget may step over them.
 */
export function isFolded(e: SlowmoEvent, before?: SchedState, previous?: SlowmoEvent): boolean {
  if (e.kind !== 'g.runnable' || e.reason !== 'overflow') return false;
  if (previous?.kind === 'g.runnable' && previous.reason === 'overflow') return true;
  // The put that overflowed moved it already (the reducer models runqputslow), and said so.
  return before?.gs.get(e.goid)?.queue === 'global';
}

/** When a put to P `qp` overflows its local queue: how many goroutines move with the new one. */
function spill(before: SchedState | undefined, qp: number): number {
  const runq = qp >= 0 ? before?.procs[qp]?.runq : undefined;
  return runq && runq.length >= LOCAL_QUEUE_CAPACITY ? runq.length / 2 : 0;
}

function overflowText(e: EventOf<'g.runnable'>, before: SchedState | undefined): string {
  const g = before?.gs.get(e.goid);
  const from = g && g.queue === 'local' ? g.qp : -1;
  if (from < 0) return `A local run queue was full: g${e.goid} moves to the global run queue`;
  const half = Math.floor((before?.procs[from]?.runq.length ?? 0) / 2);
  return `P${from}'s local queue is full: half of it (${half} goroutines) moves to the global run queue`;
}

function runnable(
  e: EventOf<'g.runnable'>,
  before: SchedState | undefined,
  ctx: NarrateContext,
): string {
  const name = namer(before);
  const where = place(e.queue, e.qp);
  const g = name(e.goid);
  if (e.reason === 'overflow') {
    return isFolded(e, before, ctx.previous)
      ? `… g${e.goid} moves to the global run queue with them`
      : overflowText(e, before);
  }
  const kicked = e.queue === 'runnext' ? (before?.procs[e.qp]?.runnext ?? 0) : 0;
  const kicks = kicked !== 0 && kicked !== e.goid;
  // The put that overflows: the new goroutine (or the one it kicks out of runnext) finds the local queue full.
  const moved = e.queue === 'local' || kicks ? spill(before, e.qp) : 0;
  let text: string;
  switch (e.reason) {
    case 'create':
      text = `New ${g} goes to ${where}`;
      break;
    case 'ready':
      text =
        wakeText(e, before, name, where, ctx.source) ?? `${g} is woken up and goes to ${where}`;
      break;
    case 'preempt':
      text = `${g} is preempted and goes to ${where}`;
      break;
    case 'yield':
      text = `${g} yields (Gosched) and goes to ${where}`;
      break;
    case 'steal':
      text = `${g} is stolen and goes to ${where}`;
      break;
    case 'netpoll':
      text = `The network poller wakes ${g}; it goes to ${where}`;
      break;
    case 'syscall':
      text = `${g} left its system call and found no free P; it goes to ${where}`;
      break;
    default:
      text = `${g} becomes runnable in ${where}`;
  }
  if (moved > 0 && !kicks) {
    return `${text}, but P${e.qp}'s local queue is full: half of it (${moved} goroutines) and ${g} move to the global run queue`;
  }
  if (kicks) {
    text += `, kicking ${name(kicked)} to P${e.qp}'s local queue`;
    if (moved > 0) {
      text += `; P${e.qp}'s local queue is full: half of it (${moved} goroutines) and g${kicked} move to the global run queue`;
    }
  }
  return text;
}

function running(
  e: EventOf<'g.running'>,
  before: SchedState | undefined,
  ctx: NarrateContext,
): string {
  if (before === undefined) {
    return e.p >= 0
      ? `P${e.p} runs g${e.goid} on M${e.m}${e.inheritTime ? ' (in the same time slice)' : ''}`
      : `g${e.goid} runs on M${e.m} without a P`;
  }
  return whyRunningText(whyRunning(before, e, ctx.lastSteal), e, namer(before)(e.goid));
}

function created(e: EventOf<'g.create'>, before: SchedState | undefined): string {
  const by = e.parent === 0 ? 'The runtime' : namer(before)(e.parent);
  if (e.goid === 1) return `${by} created g1 to run main.main`;
  const fn = learnerFunction(e.fn);
  if (isRuntimeFunction(fn)) {
    return `${by} created g${e.goid} to run ${fn || 'runtime code'}, one of the runtime's own goroutines (${functionName(fn)})`;
  }
  const at = !e.file
    ? ''
    : isLearnerFile(e.file)
      ? ` (${fileWords(e.file, e.line)})`
      : ` (in ${fileWords(e.file, e.line)})`;
  return `${by} created g${e.goid} to run ${fn}${at}`;
}

const END_WORDS: Record<EndReason, string> = {
  exit: 'exited',
  signal: 'was killed by a signal',
  stopped: 'was stopped',
  timeout: 'was stopped: time limit reached',
  'cpu-limit': 'was stopped: CPU time limit reached',
  'memory-limit': 'was stopped: memory limit reached',
  'process-limit': 'was stopped: too many processes or threads',
  'output-limit': 'was stopped: too much output',
  'event-limit': 'was stopped: too many scheduler events',
  idle: 'was stopped: left paused or unread too long',
  'probe-error': 'was stopped: the probe failed',
};

function quote(data: string): string {
  const cut = data.length > 60 ? `${data.slice(0, 60)}…` : data;
  return JSON.stringify(cut);
}

/** A task by its name as the state knows it: 'task "request 3"', or "task 7" when unnamed. */
function taskWords(id: number, before: SchedState | undefined, name?: string): string {
  const known = name || before?.tasks.get(id)?.name;
  return known ? `task ${quote(known)}` : `task ${id}`;
}

/** ' in task "request 3"' for work in a task; nothing for the background task (0). */
function inTask(id: number, before: SchedState | undefined): string {
  return id === 0 ? '' : ` in ${taskWords(id, before)}`;
}

function userTask(e: EventOf<'user.task'>, before: SchedState | undefined, g: string): string {
  const task = taskWords(e.task, before, e.name);
  if (!e.begin) return `${g} ends ${task}`;
  return `${g} begins ${task}${e.parent !== 0 ? `, part of ${taskWords(e.parent, before)}` : ''}`;
}

/** "g7 begins region "fetch" in task "request 3", inside region "handle"". */
function userRegion(e: EventOf<'user.region'>, before: SchedState | undefined, g: string): string {
  const region = `region ${quote(e.name)}${inTask(e.task, before)}`;
  if (!e.begin) return `${g} ends ${region}`;
  const outer = e.depth > 0 ? before?.regions.get(e.g)?.[e.depth - 1] : undefined;
  return `${g} begins ${region}${outer ? `, inside region ${quote(outer.name)}` : ''}`;
}

function userLog(e: EventOf<'user.log'>, before: SchedState | undefined, g: string): string {
  const category = e.category ? ` (${quote(e.category)})` : '';
  return `${g} logs ${quote(e.message)}${category}${inTask(e.task, before)}`;
}

/**
 * One sentence for one event; `before` is the state just before it, when
 * the caller has it, and `context` what else it knows (see NarrateContext).
 */
export function narrate(
  event: SlowmoEvent,
  before?: SchedState,
  context: NarrateContext = {},
): string {
  const say = SENTENCES[event.kind] as Sentence<SlowmoEvent>;
  return say(event, before, context, namer(before));
}

type Sentence<E> = (
  e: E,
  before: SchedState | undefined,
  context: NarrateContext,
  name: (goid: number) => string,
) => string;

/** Each kind's sentence. */
const SENTENCES: { [K in EventKind]: Sentence<EventOf<K>> } = {
  'run.start': (e) => {
    const blind = [
      !e.fidelity.runq && 'run queue contents',
      !e.fidelity.runnext && 'runnext',
      !e.fidelity.steals && 'steals',
    ].filter(Boolean);
    const backend = e.backend === 'ebpf' ? 'eBPF probes' : 'the execution tracer';
    const note = blind.length ? ` (it cannot see ${blind.join(', ')}; those are inferred)` : '';
    return `Run started: ${e.goVersion}, GOMAXPROCS=${e.gomaxprocs}, watched by ${backend}${note}`;
  },
  'g.create': (e, before) => created(e, before),
  'g.runnable': (e, before, context) => runnable(e, before, context),
  'g.running': (e, before, context) => running(e, before, context),
  'g.waiting': (e, before, _context, name) =>
    `${name(e.goid)} parked${codeAt(e.file, e.line, before?.gs.get(e.goid))}: ${waitWords(e.reason)}`,
  'g.syscall': (e, _before, _context, name) =>
    e.m >= 0
      ? `${name(e.goid)} entered a system call on M${e.m}`
      : `${name(e.goid)} entered a system call`,
  'g.syscall.exit': (e, _before, _context, name) =>
    e.p >= 0
      ? `${name(e.goid)} returned from its system call and runs on P${e.p}`
      : `${name(e.goid)} returned from its system call and waits for a free P`,
  'g.exit': (e, _before, _context, name) => `${name(e.goid)} finished`,
  steal: (e, _before, _context, name) => {
    const what = e.goids.length === 1 ? name(e.goids[0] as number) : goroutineList(e.goids);
    return `P${e.thief} stole ${what} from P${e.victim}`;
  },
  'p.state': (e) => {
    const p = e.p >= 0 ? `P${e.p}` : 'A P';
    switch (e.state) {
      case 'idle':
        return `${p} is idle`;
      case 'running':
        return e.pm >= 0 ? `${p} is held by M${e.pm}` : `${p} is running`;
      case 'syscall':
        return `${p} waits while its M is in a system call`;
      default:
        return `${p} stops for the garbage collector`;
    }
  },
  'm.state': (e) => {
    const m = e.m >= 0 ? `M${e.m}` : 'An M';
    switch (e.state) {
      case 'spinning':
        return `${m} is spinning, looking for work`;
      case 'running':
        return `${m} is running`;
      case 'idle':
        return `${m} has nothing to do and sleeps`;
      default:
        return `${m} is a new OS thread`;
    }
  },
  runq: (e) => {
    if (e.runnext === 0 && e.goids.length === 0) return `P${e.qp}'s run queue is empty`;
    const next = e.runnext !== 0 ? `runnext g${e.runnext}` : 'runnext empty';
    const queue = e.goids.length ? `, queue ${goroutineList(e.goids)}` : ', queue empty';
    return `P${e.qp}: ${next}${queue}`;
  },
  globalq: (e) =>
    e.goids.length === 0 && !e.more
      ? 'The global run queue is empty'
      : `Global run queue: ${goroutineList(e.goids, e.more ?? 0)}`,
  gc: (e) => GC_PHASE_WORDS[e.phase] ?? 'Garbage collection is over',
  stw: (e) =>
    e.begin ? `The world stops${e.reason ? `: ${e.reason}` : ''}` : 'The world starts again',
  line: (e, before, _context, name) =>
    `${name(e.goid)} is${codeAt(e.file, e.line, before?.gs.get(e.goid))}`,
  output: (e) => `The program wrote ${quote(e.data)} to ${e.stream}`,
  'user.task': (e, before, _context, name) => userTask(e, before, name(e.g)),
  'user.region': (e, before, _context, name) => userRegion(e, before, name(e.g)),
  'user.log': (e, before, _context, name) => userLog(e, before, name(e.g)),
  'heap.alloc': (e) =>
    `${objectName(e.addr)} (${e.size} bytes${e.noscan ? ', no pointers' : ''}) ${e.dump ? `is in heap dump ${e.dump}, allocated since the dump before` : 'is allocated'}${e.file && e.line ? ` at ${e.file}:${e.line}` : ''}`,
  'gc.color': (e) => `${objectName(e.addr)} turns ${e.color}${SHADER_WORDS[e.by]}${edgeWords(e)}`,
  'heap.edge': (e) =>
    e.dump
      ? `Heap dump ${e.dump} holds a pointer to ${objectName(e.to)}${edgeWords(e)}`
      : `The collector finds another pointer to ${objectName(e.to)}${edgeWords(e)}`,
  'gc.span': (e) =>
    `The collector scans a span of ${e.size}-byte objects at ${hex(e.base)}: ${e.objects.length} of them turn black together`,
  'heap.free': (e) =>
    e.dump
      ? `${objectName(e.addr)} (${e.size} bytes) is gone from heap dump ${e.dump}: freed since the dump before`
      : `The sweeper frees ${objectName(e.addr)} (${e.size} bytes): it stayed white`,
  'heap.limit': (e) =>
    `The GC lens stops following the heap: the program made more than ${e.objects} allocations`,
  'heap.dump': (e) =>
    `Heap dump ${e.n} (${DUMP_MOMENT_WORDS[e.moment]}${e.line ? ` at line ${e.line}` : ''}): ${e.objects} objects, ${e.bytes} bytes`,
  'heap.size': (e) => `The heap holds ${e.live} bytes; the next GC is due at ${e.goal}`,
  profile: (e) =>
    `The runtime's ${e.profile} profile of the run: ${e.samples.length} stacks${e.truncated ? ' (truncated)' : ''}`,
  'leak.report': (e) =>
    e.available
      ? `The runtime's goroutine leak detector, as main returned: ${e.total} goroutine${e.total === 1 ? '' : 's'} leaked${e.goroutines.length > 0 ? ` (${e.goroutines.map((g) => `g${g.goid}`).join(' ')})` : ''}`
      : "The runtime's goroutine leak detector is not in this Go (it needs Go 1.26 or later)",
  schedtrace: (e) =>
    `The runtime's schedtrace at ${e.uptimeMs} ms: ${e.idleprocs} of ${e.gomaxprocs} Ps idle, ${e.spinningthreads} Ms spinning, ${e.runqueue} in the global queue, local queues [${e.runqs.join(' ')}]`,
  gctrace: (e) =>
    `The runtime's gctrace: GC cycle ${e.cycle}${e.forced ? ' (forced)' : ''} took the heap from ${e.heapMB.start} MB to ${e.heapMB.end} MB, ${e.heapMB.live} MB live, goal ${e.goalMB} MB`,
  race: (e) => `The race detector found a data race at ${e.addr}: ${raceWords(e.accesses)}`,
  'run.end': (e) => {
    let text = `The program ${END_WORDS[e.reason]}`;
    if (e.reason === 'exit') text += ` with code ${e.exitCode}`;
    else if (e.signal) text += ` (${e.signal})`;
    const loss = lossWords(e.lost);
    if (loss) text += `; ${loss}`;
    const throttled = throttleWords(e.throttledMs);
    if (throttled) text += `; ${throttled}`;
    return text;
  },
};

function hex(addr: number): string {
  return `0x${addr.toString(16)}`;
}

function objectName(addr: number): string {
  return `Object ${hex(addr)}`;
}

const DUMP_MOMENT_WORDS: Record<DumpMoment, string> = {
  start: 'as main begins',
  'before-gc': 'as runtime.GC() is called, before the collection',
  'after-gc': 'as runtime.GC() returns, the cycle marked and swept',
  cycle: 'soon after a GC cycle ended',
  end: 'as main returns',
};

const SHADER_WORDS: Record<string, string> = {
  mark: '',
  barrier: ' by the write barrier (the program moved a pointer to it)',
  alloc: ': allocated during marking, it is born black',
};

/** Where the pointer to an object was found: ", found in object 0x…", ", found on g5's stack". */
function edgeWords(e: { from?: number; root?: string; rootG?: number }): string {
  if (e.from !== undefined) return `, found in ${hex(e.from)}`;
  if (e.root === 'globals') return ', found in a package variable';
  if (e.root === 'stack') return `, found on ${e.rootG ? `g${e.rootG}'s` : 'a'} stack`;
  if (e.root === 'other') return ', found in a root of the runtime';
  return '';
}

const GC_PHASE_WORDS: Record<string, string> = {
  sweepterm: 'Garbage collection starts (sweep termination)',
  mark: 'Garbage collector is marking',
  marktermination: 'Garbage collector finishes marking',
};

/** "goroutine 8 (g21)": the detector's number, and the picture's goid where it is known. */
export function raceGoroutineWords(a: RaceAccess): string {
  if (a.goroutine === 0 && a.goid === undefined) return 'a thread';
  if (a.goid === 1 && a.created === undefined) return 'the main goroutine (g1)';
  return `goroutine ${a.goroutine}${a.goid !== undefined ? ` (g${a.goid})` : ''}`;
}

/** A race's accesses in words: "goroutine 8 read it at main.go:16, goroutine 7 wrote it at main.go:16 before". */
function raceWords(accesses: readonly RaceAccess[]): string {
  return accesses
    .map(
      (a) =>
        `${raceGoroutineWords(a)} ${a.op === 'read' ? 'read' : 'wrote'} it${a.atomic ? ' atomically' : ''}${a.file ? ` at ${a.file}:${a.line}` : ''}${a.previous ? ' before' : ''}`,
    )
    .join(', ');
}
