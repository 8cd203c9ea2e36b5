/**
 * The GODEBUG settings a learner may give their program (a run request's `godebug`, `slowmo run
 * --godebug`, a cell's metadata): the runtime's own ways of looking at the scheduler and the
 * collector, and a few that change them in ways a lesson may want to show. Anything else is
 * refused, by name: a GODEBUG setting can also change what the program is allowed to do (cgo
 * checks, the HTTP stack's security defaults) or make the probe's picture wrong
 * (traceadvanceperiod, which the trace backend sets itself).
 */
import { z } from 'zod';

interface Allowed {
  /** The values it takes, in words for the refusal. */
  values: string;
  /** How the list of allowed settings shows it. */
  form: string;
  ok: (value: string) => boolean;
  /** What it does, for the docs and the UI. */
  what: string;
}

const intIn = (lo: number, hi: number) => (v: string) =>
  /^\d+$/.test(v) && Number(v) >= lo && Number(v) <= hi;

/**
 * Each allowed setting with its values. schedtrace's period is at least 1 ms (the runtime's
 * unit) and at most a minute; a run's output limit bounds how much a short period prints.
 */
export const GODEBUG_ALLOWED: Record<string, Allowed> = {
  schedtrace: {
    form: 'schedtrace=N (ms, 1-60000)',
    values: 'a period in ms, 1 to 60000',
    ok: intIn(1, 60_000),
    what: "every N ms, a line with idle Ps, spinning Ms, the global and each P's run queue length",
  },
  scheddetail: {
    form: 'scheddetail=1',
    values: '1 (with schedtrace)',
    ok: (v) => v === '1',
    what: 'schedtrace prints a line per P, M and goroutine as well',
  },
  gctrace: {
    form: 'gctrace=1',
    values: '1',
    ok: (v) => v === '1',
    what: 'a line per GC cycle: heap before, after and live, the goal, phase times, CPU',
  },
  asyncpreemptoff: {
    form: 'asyncpreemptoff=1',
    values: '1',
    ok: (v) => v === '1',
    what: 'no preemption by signal: a goroutine in a loop without calls keeps its P',
  },
  gcstoptheworld: {
    form: 'gcstoptheworld=1|2',
    values: '1 or 2',
    ok: (v) => v === '1' || v === '2',
    what: 'the collector stops the world for the whole mark (2: and the sweep)',
  },
  inittrace: {
    form: 'inittrace=1',
    values: '1',
    ok: (v) => v === '1',
    what: "a line per package's init: its time and allocations",
  },
  tracebackancestors: {
    form: 'tracebackancestors=N (1-100)',
    values: 'a depth, 1 to 100',
    ok: intIn(1, 100),
    what: "a crash's tracebacks name the goroutines that created each goroutine",
  },
};

const allowedList = () =>
  Object.entries(GODEBUG_ALLOWED)
    .map(([, a]) => a.form)
    .join(', ');

/** Why `godebug` is refused, or undefined when it is allowed. */
export function godebugProblem(godebug: string): string | undefined {
  const seen = new Set<string>();
  for (const raw of godebug.split(',')) {
    const item = raw.trim();
    const eq = item.indexOf('=');
    if (eq <= 0) {
      return `"${item}" is not a setting: give name=value settings separated by commas, e.g. schedtrace=100,gctrace=1`;
    }
    const name = item.slice(0, eq);
    const value = item.slice(eq + 1);
    const allowed = Object.prototype.hasOwnProperty.call(GODEBUG_ALLOWED, name)
      ? GODEBUG_ALLOWED[name]
      : undefined;
    if (!allowed) return `GODEBUG setting "${name}" is not allowed here; allowed: ${allowedList()}`;
    if (!allowed.ok(value)) return `GODEBUG ${name}=${value}: ${name} takes ${allowed.values}`;
    if (seen.has(name)) return `GODEBUG setting "${name}" is given twice`;
    seen.add(name);
  }
  if (seen.has('scheddetail') && !seen.has('schedtrace')) {
    return 'scheddetail=1 details the schedtrace lines: give schedtrace=N too, e.g. schedtrace=100,scheddetail=1';
  }
  return undefined;
}

/** `schedtrace=100,scheddetail=1,gctrace=1`: the settings, spaces around items dropped. */
export const GodebugSchema = z
  .string()
  .max(200)
  .superRefine((s, ctx) => {
    const problem = godebugProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((s) =>
    s
      .split(',')
      .map((item) => item.trim())
      .join(','),
  );
