/**
 * The interleaving explorer: one program run many times (per GOMAXPROCS
 * value and Go version asked), through the bridge's own session code, and
 * its runs grouped by outcome and by schedule signature
 * (protocol/analysis/schedule.ts). A concurrent program is not one run but
 * a set of possible runs; this shows the set.
 */
import type { Bridge } from './bridge';
import {
  exploredRun,
  groupRuns,
  type Exploration,
  type ExploredRun,
} from './protocol/analysis/schedule';
import {
  perturbLabel,
  PERTURB_SHARE_DEFAULT,
  RunRequestSchema,
  type BackendChoice,
  type Diagnostic,
  type Perturbation,
  type RunRequest,
  whichPerturbed,
} from './protocol';
import { recordRun } from './record';

export { EXPLORE_RUNS_MAX } from './protocol';

export interface ExploreOptions {
  /** The program's files by name, as a run request carries them. */
  files: Record<string, string>;
  /** Runs per GOMAXPROCS value and Go version, 1 to EXPLORE_RUNS_MAX. */
  runs: number;
  /** GOMAXPROCS values; undefined: the machine's default. */
  procs: readonly (number | undefined)[];
  /** Go versions; undefined: the newest installed. */
  goVersions: readonly (string | undefined)[];
  backend: BackendChoice;
  /** Schedule perturbations (protocol/perturb.ts) made in a share of the runs. */
  perturb?: readonly Perturbation[];
  /** The share of the runs (per GOMAXPROCS value and Go version) perturbed, over 0 to 1; default 0.5. */
  perturbShare?: number;
  /** After each run, in the order they end: how many have ended, of how many. */
  onRun?: (done: number, total: number, run: ExploredRun) => void;
}

/** The runs could not be made: the program does not compile, or the bridge refused or failed a run. */
export class ExploreError extends Error {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[] = [],
    /** The bridge itself failed (not the request: exit 1, not 2). */
    readonly internal = false,
  ) {
    super(message);
  }
}

interface Job {
  id: string;
  request: RunRequest;
  /** Whether the exploration perturbed some runs (undefined: none), and this one. */
  perturbed?: boolean;
}

function jobs(opts: ExploreOptions): Job[] {
  const out: Job[] = [];
  const perturb = opts.perturb && opts.perturb.length > 0 ? opts.perturb : undefined;
  const which = whichPerturbed(opts.runs, opts.perturbShare ?? PERTURB_SHARE_DEFAULT);
  for (const goVersion of opts.goVersions) {
    for (const gomaxprocs of opts.procs) {
      for (let i = 0; i < opts.runs; i++) {
        const id = `r${out.length + 1}`;
        const perturbed = perturb && which[i];
        const request = RunRequestSchema.parse({
          type: 'run',
          id: `explore-${id}`,
          files: opts.files,
          backend: opts.backend,
          mode: 'record',
          ...(goVersion ? { goVersion } : {}),
          ...(gomaxprocs ? { gomaxprocs } : {}),
          ...(perturbed ? { perturb } : {}),
        });
        out.push({ id, request, ...(perturb ? { perturbed: which[i] } : {}) });
      }
    }
  }
  return out;
}

async function runOne(bridge: Bridge, job: Job): Promise<ExploredRun> {
  const ran = await recordRun(bridge, job.request);
  const where = job.request.goVersion ? ` with Go ${job.request.goVersion}` : '';
  const perturb = job.request.perturb;
  if (ran.diagnostics && perturb) {
    // A line that cannot be perturbed, or (when every run is perturbed) the program's own errors.
    const what = perturb.map(perturbLabel).join(', ');
    throw new ExploreError(`it cannot be built perturbed (${what})${where}`, ran.diagnostics);
  }
  if (ran.diagnostics) throw new ExploreError(`it does not compile${where}`, ran.diagnostics);
  if (ran.error) {
    const why = `run ${job.id}${where} did not run: ${ran.error}`;
    throw new ExploreError(why, [], ran.errorCode === 'internal');
  }
  return exploredRun(job.id, ran.events, job.request, job.perturbed);
}

/**
 * Makes the runs, as many at once as the bridge runs (its `parallel`), the
 * first alone so that its build is cached for the others and a compile
 * error stops the exploration before it starts them (and so the first
 * perturbed run too: a line that cannot be perturbed stops it as early).
 */
export async function explore(bridge: Bridge, opts: ExploreOptions): Promise<Exploration> {
  const todo = jobs(opts);
  const results = new Array<ExploredRun>(todo.length);
  // Job indices in the order they start: the leaders (the first run, the first perturbed) alone.
  const lead = [0, todo.findIndex((j) => j.perturbed)].filter((i, k) => i > 0 || k === 0);
  const order = [...new Set([...lead, ...todo.keys()])].slice(0, todo.length);
  let done = 0;
  let next = 0;
  let failed: unknown;
  const one = async (): Promise<void> => {
    const i = order[next++] as number;
    const run = await runOne(bridge, todo[i] as Job);
    results[i] = run;
    opts.onRun?.(++done, todo.length, run);
  };
  const worker = async (): Promise<void> => {
    while (next < order.length && failed === undefined) {
      try {
        await one();
      } catch (err) {
        failed ??= err;
      }
    }
  };
  while (next < Math.min(lead.length, order.length)) await one();
  const width = Math.max(1, Math.min(bridge.config.parallel, todo.length - next));
  await Promise.all(Array.from({ length: width }, worker));
  if (failed !== undefined) throw failed;
  const perturb = opts.perturb && opts.perturb.length > 0 ? opts.perturb : undefined;
  return groupRuns(
    results,
    perturb && { at: [...perturb], share: opts.perturbShare ?? PERTURB_SHARE_DEFAULT },
  );
}
