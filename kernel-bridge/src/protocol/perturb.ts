/**
 * Schedule perturbation: a run request may ask that, at the start of the
 * statement on a line of the learner's program, the program yields
 * (runtime.Gosched) or pauses (time.Sleep), so that an interleaving that is
 * rare unperturbed can be made to happen. The build inserts the call on the
 * same line (bpf/internal/perturb), so every event keeps the learner's lines.
 * One definition of the request's field and of the spec a person types
 * (`12`, `12:yield`, `main.go:12:sleep=1ms`), for the CLI and the notebook.
 */
import { z } from 'zod';

export const PERTURB_KINDS = ['yield', 'sleep'] as const;
export type PerturbKind = (typeof PERTURB_KINDS)[number];

/** The most perturbations one run asks for. */
export const PERTURB_MAX = 8;
/** The longest pause, in ns (as the probe's perturb.SleepMax): it runs each time the line does. */
export const PERTURB_SLEEP_MAX_NS = 1_000_000_000;

export const PerturbationSchema = z
  .object({
    /** The file, as the run request names it (`main.go`). */
    file: z.string().min(1).max(200),
    line: z.number().int().min(1),
    kind: z.enum(PERTURB_KINDS),
    /** `sleep` only: the pause in ns, 1 to PERTURB_SLEEP_MAX_NS. */
    sleepNs: z.number().int().min(1).max(PERTURB_SLEEP_MAX_NS).optional(),
  })
  .refine((p) => (p.kind === 'sleep') === (p.sleepNs !== undefined), {
    path: ['sleepNs'],
    message: 'a "sleep" perturbation gives sleepNs (the pause in ns); a "yield" gives none',
  });
export type Perturbation = z.infer<typeof PerturbationSchema>;

/** The default share of runs perturbed: half, so perturbed and unperturbed runs stand side by side. */
export const PERTURB_SHARE_DEFAULT = 0.5;

/**
 * Which of n runs are perturbed: round(n × share) of them (at least one), spread evenly, the
 * first run unperturbed unless all are (its build is the learner's program as written).
 */
export function whichPerturbed(n: number, share: number): boolean[] {
  const k = Math.min(n, Math.max(1, Math.round(n * share)));
  return Array.from(
    { length: n },
    (_, i) => Math.floor(((i + 1) * k) / n) > Math.floor((i * k) / n),
  );
}

const UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9 };

/** `1ms`, `200us`, `1.5ms` -> ns; undefined when it is not such a duration. */
function durationNs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s)$/.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (UNITS[m[2] as string] as number));
}

/** `1ms`, `200µs`: a pause as a person reads it. */
export function formatDurationNs(ns: number): string {
  for (const [unit, size] of [
    ['s', 1e9],
    ['ms', 1e6],
    ['µs', 1e3],
  ] as const) {
    if (ns >= size) return `${Number((ns / size).toPrecision(4))}${unit}`;
  }
  return `${ns}ns`;
}

/**
 * Reads `LINE`, `LINE:yield`, `LINE:sleep=1ms`, each optionally after
 * `FILE:`; the kind defaults to yield and the file to `defaultFile`.
 * Throws an Error that says what to write.
 */
export function parsePerturbSpec(spec: string, defaultFile: string): Perturbation {
  const usage = `"${spec}": give LINE[:yield|:sleep=DURATION], e.g. 12, 12:yield or main.go:12:sleep=1ms`;
  const m = /^(?:(.+\.go):)?(\d+)(?::(yield|sleep=(.+)))?$/.exec(spec.trim());
  if (!m) throw new Error(usage);
  const line = Number(m[2]);
  if (line < 1) throw new Error(`"${spec}": lines count from 1`);
  const file = m[1] ?? defaultFile;
  if (m[4] === undefined) return { file, line, kind: 'yield' };
  const ns = durationNs(m[4]);
  if (ns === undefined || ns < 1 || ns > PERTURB_SLEEP_MAX_NS)
    throw new Error(`"${spec}": the pause is a duration up to 1s, e.g. 1ms or 200us`);
  return { file, line, kind: 'sleep', sleepNs: ns };
}

/** What a perturbation does, where: `yield at main.go:12`, `1ms pause at main.go:12`. */
export function perturbLabel(p: Perturbation): string {
  const what = p.kind === 'sleep' ? `${formatDurationNs(p.sleepNs ?? 0)} pause` : 'yield';
  return `${what} at ${p.file}:${p.line}`;
}

/** The probe's form (slowmo-probe perturb-prepare): `main.go:12:yield`, `main.go:12:sleep=1000000ns`. */
export function perturbArg(p: Perturbation): string {
  return `${p.file}:${p.line}:${p.kind === 'sleep' ? `sleep=${p.sleepNs ?? 0}ns` : 'yield'}`;
}
