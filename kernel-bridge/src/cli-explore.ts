/**
 * `slowmo explore FILE.go... --runs N [--procs 1,2,4] [--go 1.22,1.27]`: the
 * interleaving explorer from a terminal (explore.ts does the runs). Text
 * tells the distinct outcomes with their frequencies; JSON is the
 * Exploration (protocol/analysis/schedule.ts) as it is.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Bridge } from './bridge';
import { makeConfig, type BridgeConfigInput } from './config';
import { goVersionsOf, perturbationsOf, procsOf } from './cli-settings';
import { explore, EXPLORE_RUNS_MAX, ExploreError } from './explore';
import {
  BACKEND_CHOICES,
  PERTURB_MAX,
  PERTURB_SHARE_DEFAULT,
  perturbLabel,
  type BackendChoice,
  type Perturbation,
} from './protocol';
import { perturbedWords, type Exploration, type OutcomeGroup } from './protocol/analysis/schedule';
import { diagnosticLines } from './record';
import { escapeControls } from './text-output';
import { GoVersionError, resolveToolchain } from './toolchains';

export const EXPLORE_USAGE = `usage: slowmo explore FILE.go... --runs N [options]

Runs the program N times (per GOMAXPROCS value and Go version asked) and
groups the runs by outcome (what it printed and its exit code) and by
schedule (the order of its own goroutines' creations, first runs, parks,
wakes and exits). Exit code 0 when the runs were made, 2 for bad input, a
compile error or a run the bridge refused, 1 when the bridge failed.

options:
  --runs N         runs per GOMAXPROCS value and Go version, 1 to ${EXPLORE_RUNS_MAX} (default 10)
  --procs LIST     GOMAXPROCS values, e.g. 1,2,4 (default: the machine's)
  --go LIST        Go versions, e.g. 1.22,1.27 (default: the newest installed)
  --backend B      auto (default), ebpf (needs privilege) or trace
  --perturb SPEC   perturb the schedule in a share of the runs, to make a rare
                   interleaving happen: at the start of the statement on a line
                   the program yields (runtime.Gosched) or pauses. SPEC is
                   LINE[:yield|:sleep=DURATION] (yield by default; a pause of
                   e.g. 1ms or 200us, at most 1s), after FILE: for another file
                   than the first; repeat the flag for several lines (up to ${PERTURB_MAX}).
                   The call goes on the same line: every line keeps its number
  --perturb-share S  the share of runs perturbed, over 0 up to 1 (default ${PERTURB_SHARE_DEFAULT}:
                   perturbed and unperturbed runs side by side)
  --format F       text (default): the distinct outcomes, with how often each came
                   (and how many of their runs were perturbed);
                   json: {runs, outcomes, schedules}, every run with its id,
                   GOMAXPROCS, Go version, outcome and schedule signature (and
                   perturbed: true|false; each group's perturbedRuns)
  -h, --help       this help
`;

class ExploreUsage extends Error {}

interface Parsed {
  files: Record<string, string>;
  runs: number;
  procs: (number | undefined)[];
  goVersions: (string | undefined)[];
  backend: BackendChoice;
  format: 'json' | 'text';
  perturb?: Perturbation[];
  perturbShare?: number;
}

const usage = (message: string): never => {
  throw new ExploreUsage(message);
};

function parseProcs(value: string | undefined): (number | undefined)[] {
  return value === undefined ? [undefined] : procsOf(value, usage);
}

function parseGo(value: string | undefined): (string | undefined)[] {
  return value === undefined ? [undefined] : goVersionsOf(value, usage);
}

function parse(argv: string[]): Parsed | null {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      runs: { type: 'string', default: '10' },
      procs: { type: 'string' },
      go: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      format: { type: 'string', default: 'text' },
      perturb: { type: 'string', multiple: true },
      'perturb-share': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  if (positionals.length === 0)
    throw new ExploreUsage('name the Go file(s) to explore: slowmo explore main.go --runs 20');
  const runs = Number(values.runs);
  if (!/^\d+$/.test(values.runs) || runs < 1 || runs > EXPLORE_RUNS_MAX)
    throw new ExploreUsage(
      `--runs ${values.runs}: give a whole number from 1 to ${EXPLORE_RUNS_MAX}`,
    );
  if (!(BACKEND_CHOICES as readonly string[]).includes(values.backend))
    throw new ExploreUsage(`--backend ${values.backend}: use auto, ebpf or trace`);
  if (values.format !== 'json' && values.format !== 'text')
    throw new ExploreUsage(`--format ${values.format}: use json or text`);
  const files = readFiles(positionals);
  return {
    files,
    runs,
    procs: parseProcs(values.procs),
    goVersions: parseGo(values.go),
    backend: values.backend as BackendChoice,
    format: values.format,
    ...parsePerturb(values.perturb, values['perturb-share'], files),
  };
}

/** --perturb (each for a file of the program; the first when unnamed) and --perturb-share. */
function parsePerturb(
  specs: string[] | undefined,
  share: string | undefined,
  files: Record<string, string>,
): Pick<Parsed, 'perturb' | 'perturbShare'> {
  if (!specs || specs.length === 0) {
    if (share !== undefined) throw new ExploreUsage('--perturb-share: give --perturb LINE too');
    return {};
  }
  const perturb = perturbationsOf(specs, files, usage);
  if (share === undefined) return { perturb };
  const n = Number(share);
  if (!/^(0|1)?(\.\d+)?$/.test(share) || !(n > 0 && n <= 1))
    throw new ExploreUsage(
      `--perturb-share ${share}: give the share of runs to perturb, over 0 up to 1 (e.g. 0.5)`,
    );
  return { perturb, perturbShare: n };
}

function readFiles(paths: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const file of paths) {
    try {
      files[path.basename(file)] = readFileSync(file, 'utf8');
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new ExploreUsage(`cannot read ${file}: ${why}`);
    }
  }
  return files;
}

/** `12 of 30 (40%)` */
function share(count: number, total: number): string {
  return `${count} of ${total} (${Math.round((100 * count) / total)}%)`;
}

function outcomeText(o: OutcomeGroup, total: number): string {
  const ids = o.runs.length > 12 ? `${o.runs.slice(0, 12).join(' ')} …` : o.runs.join(' ');
  const lines = o.stdout === '' ? ['(nothing)'] : o.stdout.replace(/\n$/, '').split('\n');
  const shown = lines.map((l) => `    stdout │ ${escapeControls(l)}`).join('\n');
  const perturbed = perturbedWords(o);
  const runs = `(runs ${ids}${perturbed ? `; ${perturbed}` : ''})`;
  return `  ${share(o.count, total)} runs: exit code ${o.exitCode} ${runs}\n${shown}\n`;
}

/** Which runs were perturbed, and how, said before the outcomes. */
function perturbText(x: Exploration): string {
  if (!x.perturb) return '';
  const ids = x.runs.filter((r) => r.perturbed).map((r) => r.id);
  const shown = ids.length > 12 ? `${ids.slice(0, 12).join(' ')} …` : ids.join(' ');
  const what = x.perturb.at.map(perturbLabel).join(', ');
  return `perturbed: ${ids.length} of ${x.runs.length} runs (${shown}) with ${what}; the others ran as written\n`;
}

/** The exploration as a person reads it: each distinct outcome with its frequency. */
export function explorationText(x: Exploration): string {
  const total = x.runs.length;
  const configs = [...new Set(x.runs.map((r) => `${r.go}, GOMAXPROCS ${r.procs}`))];
  const head = `${total} runs (${configs.join('; ')}): ${x.outcomes.length} distinct outcome${x.outcomes.length === 1 ? '' : 's'}\n`;
  const body = perturbText(x) + x.outcomes.map((o) => outcomeText(o, total)).join('');
  const tail = `${x.schedules.length} distinct schedule${x.schedules.length === 1 ? '' : 's'} (orders of your goroutines' creations, first runs, parks, wakes and exits); --format json lists them\n`;
  return head + body + tail;
}

/** Makes sure every Go version asked for is installed before any run starts. */
function checkVersions(bridge: Bridge, versions: readonly (string | undefined)[]): void {
  for (const v of versions) {
    try {
      resolveToolchain(bridge.toolchains, v);
    } catch (err) {
      if (err instanceof GoVersionError) throw new ExploreUsage(`--go: ${err.message}`);
      throw err;
    }
  }
}

/** `slowmo explore`: 0 when the runs were made, 2 for bad input, a compile error or a refused run, 1 when the bridge failed. */
export async function exploreCommand(argv: string[], env: BridgeConfigInput): Promise<number> {
  let bridge: Bridge | undefined;
  try {
    const opts = parse(argv);
    if (!opts) {
      process.stdout.write(EXPLORE_USAGE);
      return 0;
    }
    bridge = await Bridge.create(makeConfig({ ...env, logLevel: 'silent' }));
    checkVersions(bridge, opts.goVersions);
    const text = opts.format === 'text';
    const x = await explore(bridge, {
      ...opts,
      onRun: text
        ? (k, n, r) =>
            process.stderr.write(
              `slowmo: run ${k} of ${n} (${r.go}, GOMAXPROCS ${r.procs}${r.perturbed ? ', perturbed' : ''})\n`,
            )
        : undefined,
    });
    process.stdout.write(text ? explorationText(x) : `${JSON.stringify(x, null, 2)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ExploreError) {
      for (const line of diagnosticLines(err.diagnostics)) process.stderr.write(`${line}\n`);
      process.stderr.write(`slowmo: ${err.message}\n`);
      return err.internal ? 1 : 2;
    }
    if (
      err instanceof ExploreUsage ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`slowmo: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  } finally {
    await bridge?.close();
  }
}
