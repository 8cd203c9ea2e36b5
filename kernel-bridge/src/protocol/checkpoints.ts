/**
 * Checkpoints: what a lesson asks of a learner's run, written as JSON (no
 * code, so a notebook from anywhere can carry them safely), and checked on
 * the recorded events with the same reducer the picture uses.
 *
 * The language, by example:
 *   {"type": "event", "kind": "steal", "where": {"thief": 1}}            an event like this happened
 *   {"type": "event", "kind": "g.create", "min": 10}                     ... at least 10 times
 *   {"type": "state", "metric": {"name": "runqLength", "p": 0}, "op": ">=", "value": 3}
 *                                                                         at some point P0 held 3 queued Gs
 *   {"type": "goroutine", "createdAt": {"line": 12}, "metric": "distinctPs", "op": ">", "value": 1}
 *                                                                         a G created at line 12 ran on 2+ Ps
 *   {"type": "sequence", "steps": [{"kind": "g.create", "where": {"goid": {"var": "g"}}},
 *                                  {"kind": "steal", "where": {"goids": {"contains": {"var": "g"}}}}]}
 *                                                                         in order: A then B (same G)
 *   {"type": "pattern", "pattern": "idle-while-runnable"}                 the run showed this pattern
 *                                                                         (analysis/patterns.ts; min/max as for events)
 *   {"type": "all" | "any", "of": [...]}, {"type": "not", "check": {...}}
 * and the checks of checks/ (each module says what it measures):
 *   {"type": "exit"}                                                      the program ended by itself, exit code 0
 *   {"type": "goroutines", "fn": "main.work", "metric": "finished"}      every goroutine of a function did this
 *   {"type": "parallel", "fn": "main.count", "value": 2, "forMs": 5}     2 Ps ran its goroutines at once, for 5 ms
 *   {"type": "call", "fn": "runtime.GC"}                                  a call seen from the recorded frames
 *   {"type": "source", "contains": [".Lock()"]}                          a source check, said to be one
 *   {"type": "order", "first": "main.first", "then": "main.second"}     whose goroutine ran first
 *   {"type": "output", "lines": ["ping 1", "pong 1"]}                   what stdout says, line by line
 *                                                                         (or "match": "start"; "count": "a", "op", "value")
 *   {"type": "overflow", "min": 129}, {"type": "fairness", "via": "overflow"}, {"type": "batch"}
 *                                                                         the queues' rules, shown happening
 *   {"type": "goVersion", "op": ">=", "value": "1.26"}                   for a claim that holds from a release on
 *   {"type": "heap", "claim": "freed", "site": {"fn": "main.drop"}, "byCycle": 2}
 *                                                                         the GC lens's heap: freed, neverWhite,
 *                                                                         barrier, bornBlack (checks/heap.ts)
 *   {"type": "profile", "profile": "block", "lead": {"line": 23}}        the runtime's profiles: what leads
 *                                                                         (a line or a function; checks/profile.ts)
 *   {"type": "predict", "question": "...", "choices": [{"id", "label", "check"}, ...], "answers": ["a"]}
 *                                                                         predict, then reveal (checks/predict.ts)
 * Field matchers: a plain value (a `file` matches by its last path parts),
 * {"op": ">=", "value": 3}, {"in": [...]}, {"contains": x} for lists,
 * {"length": {"op": ..., "value": ...}} for lists, {"var": "name"} to bind
 * a value in one step of a sequence and require it in later ones.
 */
import { z } from 'zod';
import { findPatterns, PATTERN_KINDS } from './analysis/patterns';
import {
  countSentence,
  patternSentence,
  patternVars,
  stepSentence,
  type VarContext,
} from './checkwords';
import { EVENT_KINDS, type EventKind, type SlowmoEvent } from './events';
import { toProtocolError } from './parse';
import { EXTRA_CHECK_SCHEMAS, evaluateExtra, type CheckContext } from './checks';
import { compare, COMPARE_OPS } from './checks/compare';
import {
  evalPredict,
  PREDICT_ANSWERS_MAX,
  PREDICT_CHOICES_MAX,
  refinePredict,
  type Prediction,
} from './checks/predict';
import { apply } from './reducer';
import { G_STATUSES, initialState, type SchedState } from './state';
import { comparisonWords, eventNumber, joinWords, plural, waitWords } from './words';

export { compare, COMPARE_OPS, type CompareOp } from './checks/compare';
export {
  PREDICTION_STATUSES,
  uncheckedPrediction,
  type Prediction,
  type PredictionStatus,
} from './checks/predict';
export type { CheckContext } from './checks';
export {
  isOwnFrame,
  PROFILE_MEASURE,
  profileLeaders,
  profileName,
  profileValueWords,
  type ProfileLeader,
} from './checks';

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const VarRef = z.object({ var: z.string().min(1) }).strict();
const Comparison = z.object({ op: z.enum(COMPARE_OPS), value: z.number() }).strict();

export const FieldMatcherSchema = z.union([
  Scalar,
  VarRef,
  Comparison,
  z.object({ in: z.array(Scalar).min(1) }).strict(),
  z.object({ contains: z.union([z.number(), VarRef]) }).strict(),
  z.object({ length: Comparison }).strict(),
]);

export const EventPatternSchema = z.object({
  kind: z.enum(EVENT_KINDS as [EventKind, ...EventKind[]]),
  where: z.record(z.string(), FieldMatcherSchema).optional(),
});

export const StateMetricSchema = z.discriminatedUnion('name', [
  /** Gs in one P's local queue plus its runnext; without `p`, the largest over all Ps. */
  z.object({ name: z.literal('runqLength'), p: z.number().int().min(0).optional() }),
  z.object({ name: z.literal('globalqLength') }),
  /** How many goroutines there are, or how many with one status. */
  z.object({ name: z.literal('goroutines'), status: z.enum(G_STATUSES).optional() }),
  /** How many Ps run a goroutine at once: parallelism. */
  z.object({ name: z.literal('runningPs') }),
  /** How many goroutines are parked, or parked for one wait reason. */
  z.object({ name: z.literal('waiting'), reason: z.string().optional() }),
  /** How many goroutines are inside one of the program's regions, or inside one of that name. */
  z.object({ name: z.literal('inRegion'), region: z.string().optional() }),
  /** How many of the program's tasks have begun and not ended. */
  z.object({ name: z.literal('openTasks') }),
]);

export const GOROUTINE_METRICS = [
  'distinctPs',
  'distinctMs',
  'runs',
  'parks',
  'preemptions',
  'steals',
] as const;

const ComparisonFields = { op: z.enum(COMPARE_OPS), value: z.number() };

/**
 * One answer a prediction offers: its words, and the check that makes it true
 * of a run; `line`, when the answer is a line of the cell's code ("which
 * line prints first?"), lets the learner pick it there, beside the line.
 */
const PredictChoiceSchema = z.object({
  id: z.string().min(1).max(64),
  label: z.string().min(1).max(200),
  line: z.number().int().min(1).optional(),
  get check() {
    return CheckSchema;
  },
});

export const CheckSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('event'),
    ...EventPatternSchema.shape,
    min: z.number().int().min(0).default(1),
    max: z.number().int().min(0).optional(),
  }),
  z.object({
    type: z.literal('state'),
    when: z.enum(['ever', 'always', 'end']).default('ever'),
    metric: StateMetricSchema,
    ...ComparisonFields,
  }),
  z.object({
    type: z.literal('goroutine'),
    createdAt: z.object({ line: z.number().int().min(1), file: z.string().optional() }),
    metric: z.enum(GOROUTINE_METRICS),
    quantifier: z.enum(['any', 'all']).default('any'),
    ...ComparisonFields,
  }),
  z.object({ type: z.literal('sequence'), steps: z.array(EventPatternSchema).min(1) }),
  z.object({
    type: z.literal('pattern'),
    pattern: z.enum(PATTERN_KINDS),
    min: z.number().int().min(0).default(1),
    max: z.number().int().min(0).optional(),
  }),
  z.object({
    type: z.literal('all'),
    get of() {
      return z.array(CheckSchema).min(1);
    },
  }),
  z.object({
    type: z.literal('any'),
    get of() {
      return z.array(CheckSchema).min(1);
    },
  }),
  z.object({
    type: z.literal('not'),
    get check() {
      return CheckSchema;
    },
  }),
  /** Predict, then reveal (checks/predict.ts): here, since each choice holds a check. */
  z.object({
    type: z.literal('predict'),
    question: z.string().min(1).max(500),
    get choices() {
      return z.array(PredictChoiceSchema).min(2).max(PREDICT_CHOICES_MAX);
    },
    answers: z.array(z.string()).max(PREDICT_ANSWERS_MAX).default([]),
    explanation: z.string().max(2000).optional(),
  }),
  ...EXTRA_CHECK_SCHEMAS,
]);

/**
 * What a schema cannot say of a prediction, wherever it sits in a check: its
 * choice ids unique, its answers among them (outside the recursive schema,
 * whose types a refinement inside would make circular).
 */
function refinePredictions(
  check: z.infer<typeof CheckSchema>,
  path: PropertyKey[],
  ctx: z.RefinementCtx,
): void {
  if (check.type === 'predict') {
    refinePredict(check, path, ctx);
    check.choices.forEach((c, i) =>
      refinePredictions(c.check, [...path, 'choices', i, 'check'], ctx),
    );
  } else if (check.type === 'all' || check.type === 'any') {
    check.of.forEach((c, i) => refinePredictions(c, [...path, 'of', i], ctx));
  } else if (check.type === 'not') {
    refinePredictions(check.check, [...path, 'check'], ctx);
  }
}

/** A bare check, its predictions refined. */
const RefinedCheckSchema = CheckSchema.superRefine((c, ctx) => refinePredictions(c, [], ctx));

/** A checkpoint as a lesson cell carries it in `metadata.slowmo.checkpoints`. */
export const CheckpointSchema = z
  .object({
    id: z.string().min(1),
    title: z.string().min(1),
    /** Shown when it fails. */
    hint: z.string().optional(),
    check: CheckSchema,
  })
  .superRefine((cp, ctx) => refinePredictions(cp.check, ['check'], ctx));

export type FieldMatcher = z.infer<typeof FieldMatcherSchema>;
export type EventPattern = z.infer<typeof EventPatternSchema>;
export type StateMetric = z.infer<typeof StateMetricSchema>;
export type Check = z.infer<typeof CheckSchema>;
export type CheckInput = z.input<typeof CheckSchema>;
export type Checkpoint = z.infer<typeof CheckpointSchema>;
export type CheckpointInput = z.input<typeof CheckpointSchema>;

export interface CheckResult {
  passed: boolean;
  /** Why, in words a learner can act on; events named as the timeline numbers them (eventNumber). */
  reason: string;
  /** The seq that decided it, when one did (shown to people as eventNumber(seq)). */
  seq?: number;
  /** For a prediction: the learner's answers and what the run showed. */
  prediction?: Prediction;
}

/** Validates a checkpoint (or a bare check); throws a ProtocolError naming the bad field. */
export function parseCheckpoint(spec: unknown): Checkpoint {
  const result = CheckpointSchema.safeParse(spec);
  if (!result.success) throw toProtocolError('checkpoint', result.error);
  return result.data;
}

export function parseCheck(spec: unknown): Check {
  const result = RefinedCheckSchema.safeParse(spec);
  if (!result.success) throw toProtocolError('check', result.error);
  return result.data;
}

type Bindings = ReadonlyMap<string, unknown>;

function sameFile(actual: unknown, wanted: unknown): boolean {
  if (typeof actual !== 'string' || typeof wanted !== 'string') return false;
  return actual === wanted || actual.endsWith(`/${wanted}`);
}

/** Matches one field; returns the bindings extended by it, or null when it does not match. */
function matchField(field: string, actual: unknown, m: FieldMatcher, b: Bindings): Bindings | null {
  if (typeof m !== 'object') {
    if (field === 'file') return sameFile(actual, m) ? b : null;
    return actual === m ? b : null;
  }
  if ('var' in m) {
    if (!b.has(m.var)) return new Map(b).set(m.var, actual);
    return b.get(m.var) === actual ? b : null;
  }
  if ('op' in m) return typeof actual === 'number' && compare(actual, m.op, m.value) ? b : null;
  if ('in' in m) {
    return m.in.some((v) => (field === 'file' ? sameFile(actual, v) : actual === v)) ? b : null;
  }
  if (!Array.isArray(actual)) return null;
  if ('length' in m) return compare(actual.length, m.length.op, m.length.value) ? b : null;
  const want = m.contains;
  if (typeof want === 'number') return actual.includes(want) ? b : null;
  if (b.has(want.var)) return actual.includes(b.get(want.var)) ? b : null;
  // An unbound variable in `contains` cannot pick one element: bind to the first.
  return actual.length > 0 ? new Map(b).set(want.var, actual[0]) : null;
}

function matchEvent(e: SlowmoEvent, pattern: EventPattern, b: Bindings): Bindings | null {
  if (e.kind !== pattern.kind) return null;
  let out: Bindings | null = b;
  if (pattern.where) {
    const record = e as unknown as Record<string, unknown>;
    for (const [field, m] of Object.entries(pattern.where)) {
      out = matchField(field, record[field], m, out);
      if (out === null) return null;
    }
  }
  return out;
}

function evalEvent(check: Extract<Check, { type: 'event' }>, events: readonly SlowmoEvent[]) {
  let count = 0;
  let first = -1;
  const empty: Bindings = new Map();
  for (const e of events) {
    if (matchEvent(e, check, empty) !== null) {
      if (count === 0) first = e.seq;
      count++;
    }
  }
  const okMin = count >= check.min;
  const okMax = check.max === undefined || count <= check.max;
  const what = countSentence(check, count);
  const need =
    check.max === undefined
      ? comparisonWords('>=', check.min)
      : check.min === check.max
        ? comparisonWords('==', check.max)
        : check.min === 0
          ? comparisonWords('<=', check.max)
          : `between ${check.min} and ${check.max}`;
  const result: CheckResult = {
    passed: okMin && okMax,
    reason:
      count === 0
        ? `${what} (needed ${need})`
        : `${what}, the first at event ${eventNumber(first)} (needed ${need})`,
  };
  if (first >= 0) result.seq = first;
  return result;
}

const SEARCH_BUDGET = 2_000_000;

function evalSequence(
  check: Extract<Check, { type: 'sequence' }>,
  events: readonly SlowmoEvent[],
): CheckResult {
  let budget = SEARCH_BUDGET;
  let deepest = 0;
  let bound: Bindings = new Map();
  // Backtracking: a variable bound by an early step may need a later candidate.
  const search = (step: number, from: number, b: Bindings): number[] | null => {
    if (step === check.steps.length) {
      bound = b;
      return [];
    }
    const pattern = check.steps[step] as EventPattern;
    for (let i = from; i < events.length && budget > 0; i++, budget--) {
      const e = events[i] as SlowmoEvent;
      const next = matchEvent(e, pattern, b);
      if (next === null) continue;
      deepest = Math.max(deepest, step + 1);
      const rest = search(step + 1, i + 1, next);
      if (rest) return [e.seq, ...rest];
      // Without variables, a later match of this step cannot do better than this one.
      if (next === b) return null;
    }
    return null;
  };
  const found = search(0, 0, new Map());
  if (found) {
    // Said with the values found: "g7 was created (event 4), then P1 stole g7 (event 12)".
    const vars: VarContext = { values: bound, named: new Set(bound.keys()) };
    const steps = check.steps.map(
      (step, i) => `${stepSentence(step, vars)} (event ${eventNumber(found[i] as number)})`,
    );
    return {
      passed: true,
      reason: `in order: ${steps.join(', then ')}`,
      seq: found[found.length - 1] as number,
    };
  }
  if (budget <= 0) {
    return { passed: false, reason: 'the sequence is too costly to search in this recording' };
  }
  const missing = check.steps[deepest] as EventPattern;
  const named = new Set(check.steps.slice(0, deepest).flatMap(patternVars));
  const vars: VarContext = { values: new Map(), named };
  const done = check.steps.slice(0, deepest).map((step, i) =>
    stepSentence(step, {
      values: new Map(),
      named: new Set(check.steps.slice(0, i).flatMap(patternVars)),
    }),
  );
  return {
    passed: false,
    reason:
      deepest === 0
        ? countSentence(missing, 0)
        : `${joinWords(done)}${done.length > 1 ? ', in that order' : ''}, but then ${countSentence(missing, 0, vars)}`,
  };
}

export function measure(state: SchedState, metric: StateMetric): number {
  switch (metric.name) {
    case 'runqLength': {
      const len = (p: SchedState['procs'][number]) => p.runq.length + (p.runnext !== 0 ? 1 : 0);
      if (metric.p !== undefined) {
        const p = state.procs[metric.p];
        return p ? len(p) : 0;
      }
      return state.procs.reduce((max, p) => Math.max(max, len(p)), 0);
    }
    case 'globalqLength':
      return state.globalq.length + state.globalqMore;
    case 'goroutines': {
      if (metric.status === undefined) return state.gs.size;
      let n = 0;
      state.gs.forEach((g) => {
        if (g.status === metric.status) n++;
      });
      return n;
    }
    case 'runningPs':
      return state.procs.reduce((n, p) => n + (p.running !== 0 ? 1 : 0), 0);
    case 'waiting': {
      let n = 0;
      state.gs.forEach((g) => {
        if (
          g.status === 'waiting' &&
          (metric.reason === undefined || g.wait?.reason === metric.reason)
        )
          n++;
      });
      return n;
    }
    case 'inRegion': {
      const { region } = metric;
      let n = 0;
      state.regions.forEach((open) => {
        if (region === undefined ? open.length > 0 : open.some((r) => r.name === region)) n++;
      });
      return n;
    }
    case 'openTasks': {
      let n = 0;
      state.tasks.forEach((t) => {
        if (t.ended === null) n++;
      });
      return n;
    }
  }
}

function metricName(metric: StateMetric): string {
  switch (metric.name) {
    case 'runqLength':
      return metric.p === undefined
        ? 'the longest local run queue'
        : `P${metric.p}'s run queue length`;
    case 'globalqLength':
      return 'the global run queue length';
    case 'goroutines':
      return metric.status
        ? `the number of ${metric.status} goroutines`
        : 'the number of goroutines';
    case 'runningPs':
      return 'the number of Ps running at once';
    case 'waiting':
      return metric.reason
        ? `the number of goroutines ${waitWords(metric.reason)}`
        : 'the number of parked goroutines';
    case 'inRegion':
      return metric.region === undefined
        ? 'the number of goroutines inside a region'
        : `the number of goroutines inside region ${JSON.stringify(metric.region)}`;
    case 'openTasks':
      return 'the number of open tasks';
  }
}

function evalState(check: Extract<Check, { type: 'state' }>, events: readonly SlowmoEvent[]) {
  const name = metricName(check.metric);
  const wanted = comparisonWords(check.op, check.value);
  const goal = `${name} was ${wanted}`;
  let state = initialState();
  let lo = Infinity;
  let hi = -Infinity;
  for (const e of events) {
    state = apply(state, e);
    if (check.when === 'end') continue;
    const v = measure(state, check.metric);
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    const ok = compare(v, check.op, check.value);
    if (check.when === 'ever' && ok) {
      return {
        passed: true,
        reason: `${goal} at event ${eventNumber(e.seq)} (it was ${v})`,
        seq: e.seq,
      };
    }
    if (check.when === 'always' && !ok) {
      return {
        passed: false,
        reason: `${name} was not ${wanted} at event ${eventNumber(e.seq)} (it was ${v})`,
        seq: e.seq,
      };
    }
  }
  if (check.when === 'end') {
    const v = measure(state, check.metric);
    const ok = compare(v, check.op, check.value);
    return {
      passed: ok,
      reason: `at the end ${name} was ${v} (needed ${wanted})`,
    };
  }
  if (check.when === 'always') {
    return events.length === 0
      ? { passed: false, reason: 'the recording is empty' }
      : {
          passed: true,
          reason: `${name} was ${wanted} throughout (it ranged from ${lo} to ${hi})`,
        };
  }
  const range = events.length ? ` (it ranged from ${lo} to ${hi})` : ' (the recording is empty)';
  return { passed: false, reason: `${name} was never ${wanted}${range}` };
}

interface GoroutineFacts {
  goid: number;
  file: string;
  line: number;
  ps: Set<number>;
  ms: Set<number>;
  runs: number;
  parks: number;
  preemptions: number;
  steals: number;
}

function goroutineValue(f: GoroutineFacts, metric: (typeof GOROUTINE_METRICS)[number]): number {
  switch (metric) {
    case 'distinctPs':
      return f.ps.size;
    case 'distinctMs':
      return f.ms.size;
    default:
      return f[metric];
  }
}

/** What a goroutine did, with an amount ("2", "more than 1") and whether that amount is one. */
const METRIC_WORDS: Record<
  (typeof GOROUTINE_METRICS)[number],
  (amount: string, one: boolean) => string
> = {
  distinctPs: (n, one) => `ran on ${n} different ${one ? 'P' : 'Ps'}`,
  distinctMs: (n, one) => `ran on ${n} different ${one ? 'M' : 'Ms'}`,
  runs: (n, one) => `had ${n} ${one ? 'turn' : 'turns'} on a P`,
  parks: (n, one) => `parked ${n} ${one ? 'time' : 'times'}`,
  preemptions: (n, one) => `was preempted ${n} ${one ? 'time' : 'times'}`,
  steals: (n, one) => `was stolen ${n} ${one ? 'time' : 'times'}`,
};

function evalGoroutine(
  check: Extract<Check, { type: 'goroutine' }>,
  events: readonly SlowmoEvent[],
): CheckResult {
  const facts = new Map<number, GoroutineFacts>();
  const want = check.createdAt;
  for (const e of events) {
    if (e.kind === 'g.create') {
      if (e.line === want.line && (want.file === undefined || sameFile(e.file, want.file))) {
        facts.set(e.goid, {
          goid: e.goid,
          file: e.file,
          line: e.line,
          ps: new Set(),
          ms: new Set(),
          runs: 0,
          parks: 0,
          preemptions: 0,
          steals: 0,
        });
      }
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
    if (!f) continue;
    if (e.kind === 'g.running') {
      f.runs++;
      if (e.p >= 0) f.ps.add(e.p);
      if (e.m >= 0) f.ms.add(e.m);
    } else if (e.kind === 'g.waiting') {
      f.parks++;
    } else if (e.kind === 'g.runnable' && e.reason === 'preempt') {
      f.preemptions++;
    }
  }
  const where = `line ${want.line}${want.file ? ` of ${want.file}` : ''}`;
  const words = METRIC_WORDS[check.metric];
  const goal = words(comparisonWords(check.op, check.value), check.value === 1);
  // "Was preempted" reads "were preempted" after a plural subject.
  const goals = goal.replace(/^was /, 'were ');
  if (facts.size === 0) return { passed: false, reason: `no goroutine was created at ${where}` };
  const all = [...facts.values()];
  const ok = all.filter((f) => compare(goroutineValue(f, check.metric), check.op, check.value));
  const values = all.map((f) => `g${f.goid}: ${goroutineValue(f, check.metric)}`).slice(0, 8);
  const detail = `${values.join(', ')}${all.length > 8 ? ', …' : ''}`;
  if (check.quantifier === 'all') {
    return ok.length === all.length
      ? {
          passed: true,
          reason: `all ${plural(all.length, 'goroutine')} created at ${where} ${all.length === 1 ? goal : goals} (${detail})`,
        }
      : {
          passed: false,
          reason: `only ${ok.length} of the ${plural(all.length, 'goroutine')} created at ${where} ${ok.length === 1 ? goal : goals} (${detail})`,
        };
  }
  const hit = ok[0];
  return hit
    ? {
        passed: true,
        reason: `g${hit.goid}, created at ${where}, ${words(String(goroutineValue(hit, check.metric)), goroutineValue(hit, check.metric) === 1)} (needed ${comparisonWords(check.op, check.value)})`,
      }
    : { passed: false, reason: `no goroutine created at ${where} ${goal} (${detail})` };
}

/** How many times a run showed one of the patterns, with the first one's sentence. */
function evalPattern(
  check: Extract<Check, { type: 'pattern' }>,
  events: readonly SlowmoEvent[],
): CheckResult {
  const notes = findPatterns(events).filter((n) => n.kind === check.pattern);
  const first = notes[0];
  const okMax = check.max === undefined || notes.length <= check.max;
  const result: CheckResult = {
    passed: notes.length >= check.min && okMax,
    reason: patternSentence(
      check,
      notes.length,
      first && { seq: first.startSeq, text: first.text },
    ),
  };
  if (first !== undefined) result.seq = first.startSeq;
  return result;
}

function evaluate(check: Check, events: readonly SlowmoEvent[], ctx: CheckContext): CheckResult {
  switch (check.type) {
    case 'event':
      return evalEvent(check, events);
    case 'sequence':
      return evalSequence(check, events);
    case 'state':
      return evalState(check, events);
    case 'goroutine':
      return evalGoroutine(check, events);
    case 'pattern':
      return evalPattern(check, events);
    case 'all': {
      const reasons: string[] = [];
      for (const c of check.of) {
        const r = evaluate(c, events, ctx);
        if (!r.passed) return r;
        reasons.push(r.reason);
      }
      // Each condition's own words: a worked example's checkpoint shows what it claims.
      return { passed: true, reason: reasons.join('; and ') };
    }
    case 'any': {
      const reasons: string[] = [];
      for (const c of check.of) {
        const r = evaluate(c, events, ctx);
        if (r.passed) return r;
        reasons.push(r.reason);
      }
      const distinct = [...new Set(reasons)];
      return { passed: false, reason: `none of the conditions held: ${distinct.join('; ')}` };
    }
    case 'not': {
      const r = evaluate(check.check, events, ctx);
      const result: CheckResult = {
        passed: !r.passed,
        reason: r.passed ? `it should not have happened: ${r.reason}` : r.reason,
      };
      if (r.seq !== undefined) result.seq = r.seq;
      return result;
    }
    case 'predict':
      return evalPredict(
        check,
        check.choices.map((c) => evaluate(c.check, events, ctx)),
      );
    default:
      return evaluateExtra(check, events, ctx);
  }
}

/**
 * Checks a recording against a checkpoint (or a bare check). The spec is
 * validated first: a malformed one throws a ProtocolError naming its bad field,
 * so a lesson author's mistake is never reported as the learner's failure.
 * `ctx` gives what a check reads besides the events (a source check, the code).
 */
export function evaluateCheckpoint(
  spec: CheckpointInput | CheckInput,
  events: readonly SlowmoEvent[],
  ctx: CheckContext = {},
): CheckResult {
  const check =
    typeof spec === 'object' && spec !== null && 'check' in spec && !('type' in spec)
      ? parseCheckpoint(spec).check
      : parseCheck(spec);
  return evaluate(check, events, ctx);
}
