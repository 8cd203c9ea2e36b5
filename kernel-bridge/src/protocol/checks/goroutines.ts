/**
 * `{"type": "goroutines", "fn": "main.work", "metric": "finished"}`: what the
 * goroutines running one function did, each measured and compared (all of
 * them by default, or any one), bound by function rather than by line so a
 * learner's edit cannot move them out of reach; `count` says how many of them
 * there must be. `main.main` is g1.
 */
import { z } from 'zod';
import type { SlowmoEvent } from '../events';
import { functionName } from '../goroutines';
import { comparisonWords, eventNumber, plural } from '../words';
import { compare, COMPARE_OPS, ComparisonSchema, type Found } from './compare';
import { factsOf, type GoroutineFacts } from './facts';

export const GOROUTINES_METRICS = [
  'finished',
  'runs',
  'distinctPs',
  'parks',
  'parkedMs',
  'preemptions',
  'yields',
  'steals',
  'syscalls',
  'longestSyscallMs',
  'parkedShare',
  'yieldShare',
  'lateYields',
] as const;
type Metric = (typeof GOROUTINES_METRICS)[number];

/** Which parks `parks` and `parkedMs` count, by the runtime's wait reason. */
const ReasonsSchema = z.union([
  z.object({ in: z.array(z.string()).min(1) }).strict(),
  z.object({ notIn: z.array(z.string()).min(1) }).strict(),
]);

export const GoroutinesCheckSchema = z.object({
  type: z.literal('goroutines'),
  fn: z.string().min(1),
  metric: z.enum(GOROUTINES_METRICS),
  quantifier: z.enum(['any', 'all']).default('all'),
  op: z.enum(COMPARE_OPS).default('>='),
  value: z.number().default(1),
  reasons: ReasonsSchema.optional(),
  /** How many goroutines of `fn` there must be (at least one, always). */
  count: ComparisonSchema.optional(),
});
export type GoroutinesCheck = z.infer<typeof GoroutinesCheckSchema>;

function counted(check: GoroutinesCheck, reason: string): boolean {
  const r = check.reasons;
  if (r === undefined) return true;
  return 'in' in r ? r.in.includes(reason) : !r.notIn.includes(reason);
}

/**
 * Yields in the second half of its running time: counted, not timed, so a
 * loaded machine (which stretches turns, not their number) cannot move it; a
 * goroutine that yields only before its work and then hogs the P has none.
 */
function lateYields(f: GoroutineFacts): number {
  const total = f.turns.reduce((a, t) => a + (t.end - t.start), 0);
  let ran = 0;
  let late = 0;
  for (const t of f.turns) {
    ran += t.end - t.start;
    if (t.how === 'yield' && ran >= total / 2) late++;
  }
  return late;
}

function value(check: GoroutinesCheck, f: GoroutineFacts): number {
  const parks = () => f.parks.filter((p) => counted(check, p.reason));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  switch (check.metric as Metric) {
    case 'finished':
      return f.finished ? 1 : 0;
    case 'runs':
      return f.turns.length;
    case 'distinctPs':
      return f.ps.size;
    case 'parks':
      return parks().length;
    case 'parkedMs':
      return sum(parks().map((p) => p.end - p.start)) / 1e6;
    case 'preemptions':
      return f.preemptions;
    case 'yields':
      return f.yields;
    case 'steals':
      return f.steals;
    case 'syscalls':
      return f.syscalls.length;
    case 'longestSyscallMs':
      return Math.max(0, ...f.syscalls) / 1e6;
    case 'parkedShare': {
      const parked = sum(f.parks.map((p) => p.end - p.start));
      const waited = parked + sum(f.syscalls);
      return waited > 0 ? Math.round((100 * parked) / waited) : 0;
    }
    case 'lateYields':
      return lateYields(f);
    case 'yieldShare': {
      const all = sum(f.turns.map((t) => t.end - t.start));
      const yielded = sum(f.turns.filter((t) => t.how === 'yield').map((t) => t.end - t.start));
      return all > 0 ? Math.round((100 * yielded) / all) : 0;
    }
  }
}

function reasonWords(check: GoroutinesCheck): string {
  const r = check.reasons;
  if (r === undefined) return '';
  return 'in' in r ? ` (${r.in.join(' or ')})` : ` for anything but ${r.notIn.join(' or ')}`;
}

/** What one goroutine did, with an amount ("3", "at least 10") and whether that amount is one. */
function metricWords(check: GoroutinesCheck, n: string, one: boolean): string {
  const times = one ? 'time' : 'times';
  switch (check.metric as Metric) {
    case 'finished':
      return 'ran to its end';
    case 'runs':
      return `had ${n} ${one ? 'turn' : 'turns'} on a P`;
    case 'distinctPs':
      return `ran on ${n} different ${one ? 'P' : 'Ps'}`;
    case 'parks':
      return `parked ${n} ${times}${reasonWords(check)}`;
    case 'parkedMs':
      return `was parked${reasonWords(check)} for ${n} ms in all`;
    case 'preemptions':
      return `was preempted ${n} ${times}`;
    case 'yields':
      return `yielded ${n} ${times}`;
    case 'steals':
      return `was stolen ${n} ${times}`;
    case 'syscalls':
      return `made ${n} system ${one ? 'call' : 'calls'}`;
    case 'longestSyscallMs':
      return `spent ${n} ms in its longest system call`;
    case 'parkedShare':
      return `spent ${n}% of its waiting time parked (the rest in system calls)`;
    case 'yieldShare':
      return `spent ${n}% of its running time in turns it ended by yielding`;
    case 'lateYields':
      return `yielded ${n} ${times} in the second half of its running time`;
  }
}

function shown(check: GoroutinesCheck, v: number): string {
  if (check.metric === 'finished') return v ? 'yes' : 'no';
  return String(Number(v.toFixed(2)));
}

/** "finished" reads as a yes or no; every other metric with its amount. */
function goal(check: GoroutinesCheck, plural_: boolean): string {
  if (check.metric === 'finished') {
    const yes = compare(1, check.op, check.value) && !compare(0, check.op, check.value);
    const end = plural_ ? 'their end' : 'its end';
    return yes ? `ran to ${end}` : `did not run to ${end}`;
  }
  const words = metricWords(check, comparisonWords(check.op, check.value), check.value === 1);
  // "Was preempted" reads "were preempted", and "its" "their", after a plural subject.
  return plural_ ? words.replace(/^was /, 'were ').replace(/ its /g, ' their ') : words;
}

export function evalGoroutines(check: GoroutinesCheck, events: readonly SlowmoEvent[]): Found {
  const all = factsOf(check.fn, events);
  const who = `goroutines running ${check.fn}`;
  const need = check.count;
  if (all.length === 0)
    return { passed: false, reason: `no goroutine running ${check.fn} was created` };
  if (need && !compare(all.length, need.op, need.value)) {
    return {
      passed: false,
      reason: `${plural(all.length, 'goroutine')} running ${check.fn} ${all.length === 1 ? 'was' : 'were'} created (needed ${comparisonWords(need.op, need.value)})`,
    };
  }
  const values = all.map((f) => ({ f, v: value(check, f) }));
  const ok = values.filter(({ v }) => compare(v, check.op, check.value));
  const detail = values
    .slice(0, 8)
    .map(({ f, v }) => `g${f.goid}: ${shown(check, v)}`)
    .join(', ');
  const more = values.length > 8 ? ', …' : '';
  if (check.quantifier === 'all') {
    const bad = values.find(({ v }) => !compare(v, check.op, check.value));
    if (bad === undefined) {
      const subject =
        all.length === 1 ? `the one goroutine running ${check.fn}` : `all ${all.length} ${who}`;
      return {
        passed: true,
        reason: `${subject} ${goal(check, all.length > 1)} (${detail}${more})`,
      };
    }
    const name = `g${bad.f.goid} (${functionName(check.fn)})`;
    const at = bad.f.created >= 0 ? `, created at event ${eventNumber(bad.f.created)},` : '';
    const did =
      check.metric === 'finished'
        ? bad.v
          ? 'ran to its end'
          : 'did not run to its end'
        : metricWords(check, shown(check, bad.v), bad.v === 1);
    const need = `needed: ${goal(check, false)}`;
    if (all.length === 1) {
      return {
        passed: false,
        reason: `${name}, the one goroutine running ${check.fn}${at} ${did} (${need})`,
      };
    }
    return {
      passed: false,
      reason: `only ${ok.length} of the ${plural(all.length, 'goroutine')} running ${check.fn} ${goal(check, ok.length !== 1)}: ${name}${at} ${did} (${detail}${more})`,
    };
  }
  const hit = ok[0];
  if (hit === undefined)
    return {
      passed: false,
      reason: `no goroutine running ${check.fn} ${goal(check, false)} (${detail}${more})`,
    };
  return {
    passed: true,
    reason: `g${hit.f.goid}, running ${check.fn}, ${metricWords(check, shown(check, hit.v), hit.v === 1)} (needed ${comparisonWords(check.op, check.value)})`,
  };
}
