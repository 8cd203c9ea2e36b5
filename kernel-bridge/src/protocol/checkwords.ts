/**
 * Checkpoint patterns in words: `{"kind": "g.create", "where": {"fn":
 * "main.hello"}}` with a count of 3 reads "3 goroutines running main.hello
 * were created"; a sequence step `{"kind": "steal", "where": {"goids":
 * {"contains": {"var": "g"}}}}` reads "a steal taking g7 happened" once g is
 * known. A learner reads these in checkpoint results: never the JSON.
 */
import type { EventKind } from './events';
import { comparisonWords, eventNumber, waitWords } from './words';

/** The part of a checkpoint pattern this module reads (checkpoints.ts owns the schema). */
export interface PatternLike {
  kind: EventKind;
  where?: Record<string, unknown>;
}

/** Values bound to a sequence's variables so far, and the variables named by earlier steps. */
export interface VarContext {
  values: ReadonlyMap<string, unknown>;
  named: ReadonlySet<string>;
  /** Whether a variable's first use is said ("a goroutine (call it g)"): only sequences refer back. */
  introduce?: boolean;
}

const NO_VARS: VarContext = { values: new Map(), named: new Set() };
/** Fields whose values are words already ("chan receive", "idle", "main.hello"). */
const WORD_FIELDS = new Set(['reason', 'fn', 'file', 'state', 'phase', 'stream', 'queue']);

interface Phrase {
  /** Singular, without article: "goroutine running main.hello", or a name: "g7". */
  noun: string;
  nouns: string;
  /** Names one thing (g7, P0, the global run queue): no article, and counts are "times". */
  proper: boolean;
  /** Singular and plural verb: "was created" / "were created". */
  verb: readonly [string, string];
  /** Qualifiers after the verb: " at main.go:12". */
  tail: string;
  /** Counting things (goroutines created, steals) rather than times something happened. */
  things: boolean;
}

const GOID_FIELDS = new Set(['goid', 'parent', 'runnext', 'by', 'g']);
const P_FIELDS = new Set(['p', 'qp', 'thief', 'victim']);
const M_FIELDS = new Set(['m', 'pm']);

function scalar(field: string, v: unknown): string {
  if (typeof v === 'number') {
    if (GOID_FIELDS.has(field)) return v === 0 ? 'no goroutine' : `g${v}`;
    if (P_FIELDS.has(field)) return v < 0 ? 'no P' : `P${v}`;
    if (M_FIELDS.has(field)) return v < 0 ? 'no M' : `M${v}`;
    return String(v);
  }
  if (typeof v === 'string') return WORD_FIELDS.has(field) ? v : JSON.stringify(v);
  return String(v);
}

function isObject(m: unknown): m is Record<string, unknown> {
  return typeof m === 'object' && m !== null && !Array.isArray(m);
}

/** A variable: its value when bound, else its name ("g"), introduced or referred to. */
function variable(field: string, name: string, vars: VarContext): string {
  if (vars.values.has(name)) return scalar(field, vars.values.get(name));
  const what = GOID_FIELDS.has(field) ? 'goroutine' : P_FIELDS.has(field) ? 'P' : field;
  if (vars.named.has(name)) return `the same ${what} (${name})`;
  return vars.introduce === false ? '' : `a ${what} (call it ${name})`;
}

/** One matcher as words: "main.hello", "P0 or P1", "more than 15", "g (the same goroutine)". */
function matcherWords(field: string, m: unknown, vars: VarContext): string {
  if (!isObject(m)) return scalar(field, m);
  if (typeof m.var === 'string') return variable(field, m.var, vars);
  if (typeof m.op === 'string' && typeof m.value === 'number') {
    const words = comparisonWords(m.op, m.value);
    return GOID_FIELDS.has(field) || P_FIELDS.has(field) ? `${field} ${words}` : words;
  }
  if (Array.isArray(m.in)) {
    const options = m.in.map((v) => scalar(field, v));
    return options.length > 1
      ? `${options.slice(0, -1).join(', ')} or ${options[options.length - 1]}`
      : (options[0] ?? '');
  }
  if ('contains' in m) {
    const c = m.contains;
    return isObject(c) && typeof c.var === 'string'
      ? variable('goid', c.var, vars)
      : scalar('goid', c);
  }
  if (isObject(m.length) && typeof m.length.op === 'string' && typeof m.length.value === 'number') {
    return comparisonWords(m.length.op, m.length.value);
  }
  return JSON.stringify(m);
}

/** Reads `where` field by field; what the kind's template does not use is said generically. */
class Fields {
  private readonly used = new Set<string>();

  constructor(
    private readonly where: Record<string, unknown>,
    private readonly vars: VarContext,
  ) {}

  has(field: string): boolean {
    return field in this.where;
  }

  raw(field: string): unknown {
    this.used.add(field);
    return this.where[field];
  }

  /** The field in words, or undefined when the pattern does not constrain it. */
  get(field: string): string | undefined {
    if (!this.has(field)) return undefined;
    this.used.add(field);
    return matcherWords(field, this.where[field], this.vars) || undefined;
  }

  /** A plain value bound or given for a goroutine/P field makes the subject a name ("g7"). */
  name(field: string): string | undefined {
    if (!this.has(field)) return undefined;
    const m = this.where[field];
    const value = isObject(m) && typeof m.var === 'string' ? this.vars.values.get(m.var) : m;
    if (typeof value !== 'number' || isObject(value)) return undefined;
    this.used.add(field);
    return scalar(field, value);
  }

  rest(): string {
    const parts: string[] = [];
    for (const field of Object.keys(this.where)) {
      if (this.used.has(field)) continue;
      const words = matcherWords(field, this.where[field], this.vars);
      if (words) parts.push(`${field} ${words}`);
    }
    return parts.length ? ` (with ${parts.join(', ')})` : '';
  }
}

const RUNNABLE_VERBS: Record<string, readonly [string, string]> = {
  create: ['was queued on creation', 'were queued on creation'],
  ready: ['was woken up', 'were woken up'],
  preempt: ['was preempted', 'were preempted'],
  yield: ['yielded', 'yielded'],
  overflow: ['was moved out by an overflow', 'were moved out by an overflow'],
  steal: ['was stolen', 'were stolen'],
  netpoll: ['was woken by the network poller', 'were woken by the network poller'],
  syscall: ['came back from a system call', 'came back from a system call'],
  other: ['became runnable', 'became runnable'],
};

function runnableVerb(f: Fields): readonly [string, string] {
  const reason = f.has('reason') ? f.raw('reason') : undefined;
  if (typeof reason === 'string') return RUNNABLE_VERBS[reason] ?? RUNNABLE_VERBS.other!;
  if (isObject(reason) && Array.isArray(reason.in)) {
    const verbs = reason.in.map((r) => RUNNABLE_VERBS[String(r)] ?? RUNNABLE_VERBS.other!);
    const join = (i: 0 | 1) => verbs.map((v) => v[i]).join(' or ');
    return [join(0), join(1)];
  }
  return ['became runnable', 'became runnable'];
}

function queueTail(f: Fields): string {
  const queue = f.has('queue') ? f.raw('queue') : undefined;
  const qp = f.get('qp');
  const owner = qp ? `${qp}'s` : 'a';
  if (queue === 'global') return ' into the global run queue';
  if (queue === 'runnext') return ` into ${owner} runnext slot`;
  if (queue === 'local') return ` into ${owner} local run queue`;
  if (queue !== undefined) return ` into the ${matcherWords('queue', queue, NO_VARS)} queue`;
  return qp ? ` on ${qp}` : '';
}

/** The subject for goroutine events: "g7", or "goroutine running main.hello". */
function goroutine(f: Fields, fnToo: boolean): Pick<Phrase, 'noun' | 'nouns' | 'proper'> {
  const named = f.name('goid');
  if (named) return { noun: named, nouns: named, proper: true };
  const id = f.get('goid');
  const fn = fnToo ? f.get('fn') : undefined;
  const running = fn ? ` running ${fn}` : '';
  if (id?.startsWith('the same '))
    return { noun: `${id}${running}`, nouns: `${id}${running}`, proper: true };
  if (id?.startsWith('a ')) {
    return { noun: `${id.slice(2)}${running}`, nouns: `goroutines${running}`, proper: false };
  }
  const extra = id ? ` (${id})` : '';
  return {
    noun: `goroutine${running}${extra}`,
    nouns: `goroutines${running}${extra}`,
    proper: false,
  };
}

function at(f: Fields): string {
  const file = f.get('file');
  const line = f.get('line');
  if (file && line && !/\s/.test(line)) return ` at ${file}:${line}`;
  return `${file ? ` in ${file}` : ''}${line ? ` at line ${line}` : ''}`;
}

/** " goroutines" after a count of goroutines ("at least 64"), nothing after a name ("g7"). */
function counted(words: string): string {
  return /^(\d|at |more |less |exactly |other )/.test(words) ? ' goroutines' : '';
}

const STATE_VERBS: Record<string, string> = {
  idle: 'became idle',
  running: 'was taken by an M to run goroutines',
  syscall: 'entered the syscall state',
  gcstop: 'stopped for the garbage collector',
  spinning: 'started spinning (looking for work)',
  new: 'was created',
};

function phraseOf(pattern: PatternLike, vars: VarContext): Phrase {
  const f = new Fields(pattern.where ?? {}, vars);
  const phrase = PHRASES[pattern.kind](f, vars, pattern.kind);
  return { ...phrase, tail: `${phrase.tail}${f.rest()}` };
}

/** Kinds whose subject is the event itself: "a steal by P1 happened", "2 steals … happened". */
function eventPhrase(noun: string, nouns: string, qualifiers = ''): Phrase {
  return {
    noun: `${noun}${qualifiers}`,
    nouns: `${nouns}${qualifiers}`,
    proper: false,
    verb: ['happened', 'happened'],
    tail: '',
    things: true,
  };
}

/** A goroutine that did something: "goroutine (g7) entered a system call". */
function goroutineDid(f: Fields, verb: string, tail = '', things = false): Phrase {
  return { ...goroutine(f, false), verb: [verb, verb], tail, things };
}

/** Each kind's words, from the pattern's fields. */
const PHRASES: Record<EventKind, (f: Fields, vars: VarContext, kind: EventKind) => Phrase> = {
  'g.create': (f) => {
    const by = f.get('parent');
    return {
      ...goroutine(f, true),
      verb: ['was created', 'were created'],
      tail: `${at(f)}${by ? ` by ${by}` : ''}`,
      things: true,
    };
  },
  'g.runnable': (f) => ({
    ...goroutine(f, false),
    verb: runnableVerb(f),
    tail: queueTail(f),
    things: false,
  }),
  'g.running': (f) => {
    const p = f.get('p');
    const m = f.get('m');
    return goroutineDid(f, 'started running', `${p ? ` on ${p}` : ''}${m ? ` on ${m}` : ''}`);
  },
  'g.waiting': (f) => {
    const reason = f.has('reason') ? f.raw('reason') : undefined;
    const why =
      typeof reason === 'string'
        ? `, ${waitWords(reason)}`
        : isObject(reason) && Array.isArray(reason.in)
          ? `, ${reason.in.map((r) => waitWords(String(r))).join(' or ')}`
          : '';
    return goroutineDid(f, 'parked', `${at(f)}${why}`);
  },
  'g.syscall': (f) => goroutineDid(f, 'entered a system call'),
  'g.syscall.exit': (f) => goroutineDid(f, 'returned from a system call'),
  'g.exit': (f) => goroutineDid(f, 'finished', '', true),
  line: (f) => goroutineDid(f, 'reached a line', at(f)),
  steal: (f) => {
    const thief = f.get('thief');
    const victim = f.get('victim');
    const goids = f.get('goids');
    const taking = goids ? ` taking ${goids}${counted(goids)}` : '';
    return eventPhrase(
      'steal',
      'steals',
      `${thief ? ` by ${thief}` : ''}${victim ? ` from ${victim}` : ''}${taking}`,
    );
  },
  'p.state': (f, vars, kind) => stateChange(f, vars, kind),
  'm.state': (f, vars, kind) => stateChange(f, vars, kind),
  runq: (f) => {
    // A snapshot of one P's queue: "P0's local run queue was seen holding at least 2 goroutines".
    const p = f.get('qp');
    const next = f.get('runnext');
    const goids = f.get('goids');
    const seen = `was seen${goids ? ` holding ${goids}${counted(goids)}` : ''}${next ? ` with ${next} in runnext` : ''}`;
    return p
      ? {
          noun: `${p}'s local run queue`,
          nouns: '',
          proper: true,
          verb: [seen, seen],
          tail: '',
          things: false,
        }
      : {
          noun: 'local run queue',
          nouns: 'local run queues',
          proper: false,
          verb: [seen, seen.replace(/^was/, 'were')],
          tail: '',
          things: false,
        };
  },
  globalq: (f) => {
    const goids = f.get('goids');
    const holding = goids ? ` holding ${goids}${counted(goids)}` : '';
    return thing('the global run queue', `was seen${holding}`);
  },
  gc: (f) => {
    const phase = f.get('phase');
    return thing('the garbage collector', phase ? `entered its ${phase} phase` : 'changed phase');
  },
  stw: (f) => {
    const begin = f.has('begin') ? f.raw('begin') : true;
    const reason = f.get('reason');
    const why = reason ? ` for ${reason}` : '';
    return begin === false
      ? eventPhrase('restart of the world', 'restarts of the world', why)
      : eventPhrase('stop of the world', 'stops of the world', why);
  },
  output: (f) => {
    const stream = f.get('stream');
    const data = f.get('data');
    const to = stream ? ` to ${stream.replace(/"/g, '')}` : '';
    return eventPhrase('write', 'writes', `${to}${data ? ` of ${data}` : ''}`);
  },
  'user.task': (f) => annotation(f, 'task', 'tasks'),
  'user.region': (f) => annotation(f, 'region', 'regions'),
  'user.log': (f) => {
    const category = f.get('category');
    const message = f.get('message');
    const task = f.get('task');
    return {
      noun: 'log message',
      nouns: 'log messages',
      proper: false,
      verb: ['was logged', 'were logged'],
      tail: `${message ? ` reading ${message}` : ''}${category ? ` in category ${category}` : ''}${task ? ` in task ${task}` : ''}`,
      things: true,
    };
  },
  'heap.alloc': (f) => eventPhrase('allocation', 'allocations', at(f)),
  'gc.color': (f) => {
    const color = f.get('color');
    const by = f.get('by');
    const addr = f.get('addr');
    return {
      noun: addr ? `object ${addr}` : 'object',
      nouns: 'objects',
      proper: false,
      verb: color ? [`turned ${color}`, `turned ${color}`] : ['changed colour', 'changed colour'],
      tail: by ? ` by ${by}` : '',
      things: true,
    };
  },
  'heap.edge': () =>
    eventPhrase('pointer found to a shaded object', 'pointers found to shaded objects'),
  'gc.span': () => eventPhrase('span scan', 'span scans'),
  'heap.free': (f) => {
    const addr = f.get('addr');
    return {
      noun: addr ? `object ${addr}` : 'object',
      nouns: 'objects',
      proper: false,
      verb: ['was freed', 'were freed'],
      tail: '',
      things: true,
    };
  },
  'heap.limit': () => thing('the GC lens', 'stopped following the heap'),
  'heap.dump': () => eventPhrase('heap dump', 'heap dumps'),
  'heap.size': () => eventPhrase('heap size sample', 'heap size samples'),
  profile: (f) => {
    const profile = f.get('profile');
    return eventPhrase(
      profile ? `${profile} profile` : 'profile',
      profile ? `${profile} profiles` : 'profiles',
    );
  },
  'leak.report': () =>
    eventPhrase("runtime's goroutine leak report", "runtime's goroutine leak reports"),
  schedtrace: () => eventPhrase("runtime's schedtrace line", "runtime's schedtrace lines"),
  gctrace: () => eventPhrase("runtime's gctrace line", "runtime's gctrace lines"),
  race: () => eventPhrase('data race', 'data races'),
  'run.start': () => eventPhrase('start of the run', 'starts of the run'),
  'run.end': (f) => {
    const code = f.get('exitCode');
    const reason = f.get('reason');
    return eventPhrase(
      'end of the run',
      'ends of the run',
      `${code ? ` with exit code ${code}` : ''}${reason ? ` (${reason})` : ''}`,
    );
  },
};

/** A task or region of the program's own: "a region named "fetch" began in task 3". */
function annotation(f: Fields, noun: string, nouns: string): Phrase {
  const begin = f.has('begin') ? f.raw('begin') : undefined;
  const verb = begin === true ? 'began' : begin === false ? 'ended' : 'began or ended';
  const name = f.get('name');
  const named = name ? ` named ${name}` : '';
  const task = noun === 'region' ? f.get('task') : undefined;
  return {
    noun: `${noun}${named}`,
    nouns: `${nouns}${named}`,
    proper: false,
    verb: [verb, verb],
    tail: task ? ` in task ${task}` : '',
    things: true,
  };
}

/** The one thing of its kind (the global run queue, the garbage collector) that did something. */
function thing(noun: string, verb: string): Phrase {
  return { noun, nouns: noun, proper: true, verb: [verb, verb], tail: '', things: false };
}

/** A P or an M that changed state: "P0 became idle". */
function stateChange(f: Fields, vars: VarContext, kind: EventKind): Phrase {
  const who = kind === 'p.state' ? (f.name('p') ?? 'P') : (f.name('m') ?? 'M');
  const state = f.has('state') ? f.raw('state') : undefined;
  const verb =
    typeof state === 'string'
      ? (STATE_VERBS[state] ?? `became ${state}`)
      : state !== undefined
        ? `became ${matcherWords('state', state, vars)}`
        : 'changed state';
  const held = f.get('pm');
  return {
    noun: who,
    nouns: `${who}s`,
    proper: who.length > 1,
    verb: [verb, verb],
    tail: held ? ` (held by ${held})` : '',
    things: false,
  };
}

function article(noun: string): string {
  return /^[aeiou]/i.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function never(verb: string): string {
  return verb.startsWith('was ') ? `was never ${verb.slice(4)}` : `never ${verb}`;
}

function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}

/**
 * The pattern as a sentence about `count` matching events: "no goroutine
 * running main.hello was created", "3 goroutines running main.hello were
 * created", "g7 was preempted twice".
 */
export function countSentence(
  pattern: PatternLike,
  count: number,
  vars: VarContext = NO_VARS,
): string {
  const p = phraseOf(pattern, { ...vars, introduce: false });
  const [one, many] = p.verb;
  if (count === 0) {
    return p.proper ? `${p.noun} ${never(one)}${p.tail}` : `no ${p.noun} ${one}${p.tail}`;
  }
  if (p.proper) {
    return `${p.noun} ${one}${count > 1 || !p.things ? ` ${times(count)}` : ''}${p.tail}`;
  }
  if (p.things) {
    return `${count} ${count === 1 ? p.noun : p.nouns} ${count === 1 ? one : many}${p.tail}`;
  }
  return count === 1
    ? `${article(p.noun)} ${one} once${p.tail}`
    : `${p.nouns} ${many} ${times(count)}${p.tail}`;
}

/** The pattern as one happening, for a step of a sequence: "a goroutine (call it g) was created". */
export function stepSentence(pattern: PatternLike, vars: VarContext = NO_VARS): string {
  const p = phraseOf(pattern, vars);
  return `${p.proper ? p.noun : article(p.noun)} ${p.verb[0]}${p.tail}`;
}

/** The variables a pattern binds or uses. */
export function patternVars(pattern: PatternLike): string[] {
  const out: string[] = [];
  for (const m of Object.values(pattern.where ?? {})) {
    if (isObject(m) && typeof m.var === 'string') out.push(m.var);
    if (isObject(m) && isObject(m.contains) && typeof m.contains.var === 'string')
      out.push(m.contains.var);
  }
  return out;
}

/** The patterns of analysis/patterns.ts as a learner reads them in a checkpoint's result. */
const PATTERN_WORDS: Record<string, string> = {
  'few-running': 'many goroutines with few of them running',
  'idle-while-runnable': 'a P idle while goroutines were runnable',
  'long-runnable': 'a goroutine waiting long in the run queue',
  'excessive-switching': 'excessive goroutine switching',
};

/**
 * "the run showed a P idle while goroutines were runnable 2 times, the first
 * at event 120: P1 idle for 8 ms while 12 goroutines were runnable on P0
 * (needed at least 1)", or "the run never showed …".
 */
export function patternSentence(
  check: { pattern: string; min: number; max?: number | undefined },
  count: number,
  first?: { seq: number; text: string },
): string {
  const what = PATTERN_WORDS[check.pattern] ?? check.pattern;
  const { min, max } = check;
  const need =
    max === undefined
      ? comparisonWords('>=', min)
      : min === max
        ? comparisonWords('==', max)
        : min === 0
          ? comparisonWords('<=', max)
          : `between ${min} and ${max}`;
  if (count === 0 || first === undefined) return `the run never showed ${what} (needed ${need})`;
  const n = count === 1 ? 'once' : `${count} times`;
  return `the run showed ${what} ${n}, the first at event ${eventNumber(first.seq)}: ${first.text} (needed ${need})`;
}
