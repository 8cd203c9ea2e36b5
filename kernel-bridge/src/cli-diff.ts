/**
 * `slowmo diff`: two runs of one program side by side, from a terminal. Either two recordings
 * (`slowmo run --format ndjson` files, gzipped or not) or a program and the two settings to run
 * it with (`--procs 1,4` or `--go 1.25,1.26`); protocol/analysis/run-diff.ts compares them.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Bridge } from './bridge';
import { readRecording } from './cli-analysis';
import { makeConfig, type BridgeConfigInput } from './config';
import {
  BACKEND_CHOICES,
  diffDuration,
  diffRuns,
  RunRequestSchema,
  type BackendChoice,
  type RunDiff,
  type RunDifference,
  type SlowmoEvent,
} from './protocol';
import { goVersionsOf, procsOf } from './cli-settings';
import { diagnosticLines, recordRun } from './record';
import { escapeControls } from './text-output';

export const DIFF_USAGE = `usage: slowmo diff A.ndjson B.ndjson [--format text|json]
       slowmo diff FILE.go... (--procs X,Y | --go X,Y) [--backend B] [--format text|json]

Compares two runs of one program: two recordings (slowmo run's NDJSON), or
the program run once with each of two settings; the first is "before", the
second "now". Lists what differs first
(settings, output, goroutines, steals, preemptions, system calls and
hand-offs, GC cycles, waits, and times where they differ by more than a
quarter), then what was the same. Exit code 0 when compared, 2 for bad
input or a program that does not compile, 1 when the bridge failed.

options:
  --procs X,Y      run with GOMAXPROCS X, then Y
  --go X,Y         run with Go X, then Go Y
  --backend B      auto (default), ebpf (needs privilege) or trace
  --format F       text (default), or json: {a, b, differences, same}
  -h, --help       this help
`;

class DiffUsage extends Error {}

/** The bridge could not make a run (exit 1), or the program is wrong (exit 2). */
class DiffRunError extends Error {
  constructor(
    message: string,
    readonly internal: boolean,
  ) {
    super(message);
  }
}

interface Parsed {
  format: 'text' | 'json';
  /** Two recordings to read, or a program and two runs to make. */
  recordings?: [string, string];
  program?: {
    files: Record<string, string>;
    settings: [Setting, Setting];
    backend: BackendChoice;
  };
}

interface Setting {
  gomaxprocs?: number;
  goVersion?: string;
}

const usage = (message: string): never => {
  throw new DiffUsage(message);
};

function pair<T>(flag: string, value: string, values: T[]): [T, T] {
  if (values.length !== 2) usage(`${flag} ${value}: give exactly two values, like ${flag} 1,4`);
  return values as [T, T];
}

function settings(procs: string | undefined, go: string | undefined): [Setting, Setting] {
  if ((procs === undefined) === (go === undefined))
    usage('say what differs between the two runs: --procs X,Y or --go X,Y (one of them)');
  if (procs !== undefined) {
    const [x, y] = pair('--procs', procs, procsOf(procs, usage));
    return [{ gomaxprocs: x }, { gomaxprocs: y }];
  }
  const [x, y] = pair('--go', go as string, goVersionsOf(go as string, usage));
  return [{ goVersion: x }, { goVersion: y }];
}

function parse(argv: string[]): Parsed | null {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      procs: { type: 'string' },
      go: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      format: { type: 'string', default: 'text' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  if (values.format !== 'json' && values.format !== 'text')
    throw new DiffUsage(`--format ${values.format}: use text or json`);
  const format = values.format;
  if (positionals.length > 0 && positionals.every((p) => !p.endsWith('.go'))) {
    if (positionals.length !== 2)
      throw new DiffUsage(
        `give two recordings to compare (got ${positionals.length})\n${DIFF_USAGE}`,
      );
    if (values.procs !== undefined || values.go !== undefined)
      throw new DiffUsage(
        '--procs and --go are for a program; two recordings are compared as they are',
      );
    return { format, recordings: positionals as [string, string] };
  }
  if (positionals.length === 0) throw new DiffUsage(`nothing to compare\n${DIFF_USAGE}`);
  if (!(BACKEND_CHOICES as readonly string[]).includes(values.backend))
    throw new DiffUsage(`--backend ${values.backend}: use auto, ebpf or trace`);
  // The settings first: a mistyped flag is said before any file is read.
  const pairOfSettings = settings(values.procs, values.go);
  const files: Record<string, string> = {};
  for (const file of positionals) {
    if (!file.endsWith('.go'))
      throw new DiffUsage(`${file}: give either .go files or two recordings, not both`);
    try {
      files[path.basename(file)] = readFileSync(file, 'utf8');
    } catch (err) {
      throw new DiffUsage(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
  }
  return {
    format,
    program: {
      files,
      settings: pairOfSettings,
      backend: values.backend as BackendChoice,
    },
  };
}

function describe(s: Setting): string {
  return s.goVersion !== undefined ? `Go ${s.goVersion}` : `GOMAXPROCS ${s.gomaxprocs}`;
}

async function record(
  bridge: Bridge,
  program: NonNullable<Parsed['program']>,
  s: Setting,
  k: number,
): Promise<SlowmoEvent[]> {
  const request = RunRequestSchema.parse({
    type: 'run',
    id: `diff-${k}`,
    files: program.files,
    backend: program.backend,
    mode: 'record',
    ...s,
  });
  const ran = await recordRun(bridge, request);
  if (ran.diagnostics) {
    for (const line of diagnosticLines(ran.diagnostics)) process.stderr.write(`${line}\n`);
    throw new DiffRunError(`it does not compile with ${describe(s)}`, false);
  }
  if (ran.error)
    throw new DiffRunError(
      `the run with ${describe(s)} did not run: ${ran.error}`,
      ran.errorCode === 'internal',
    );
  return ran.events;
}

function value(v: string | number, unit: RunDifference['unit']): string {
  if (unit === 'ns') return diffDuration(Number(v));
  return typeof v === 'string' ? escapeControls(JSON.stringify(v)) : String(v);
}

/** The comparison as a person reads it: the differences, each in words, then what was the same. */
export function diffText(d: RunDiff, labels: [string, string]): string {
  const head = `before: ${labels[0]} (Go ${d.a.goVersion}, GOMAXPROCS ${d.a.gomaxprocs}, ${d.a.backend})\nnow:    ${labels[1]} (Go ${d.b.goVersion}, GOMAXPROCS ${d.b.gomaxprocs}, ${d.b.backend})\n`;
  const width = Math.max(0, ...d.differences.map((x) => x.what.length));
  const rows = d.differences.map(
    (x) =>
      `  ${x.what.padEnd(width)}  before ${value(x.a, x.unit)}  now ${value(x.b, x.unit)}\n  ${' '.repeat(width)}  ${escapeControls(x.words)}\n`,
  );
  const diffs =
    d.differences.length === 0
      ? 'no difference found\n'
      : `${d.differences.length} difference${d.differences.length === 1 ? '' : 's'}:\n${rows.join('')}`;
  return `${head}${diffs}the same: ${d.same.join(', ') || 'nothing'}\n`;
}

/** `slowmo diff`: 0 when compared, 2 for bad input or a program that does not compile, 1 when the bridge failed. */
export async function diffCommand(argv: string[], env: BridgeConfigInput): Promise<number> {
  let bridge: Bridge | undefined;
  try {
    const opts = parse(argv);
    if (!opts) {
      process.stdout.write(DIFF_USAGE);
      return 0;
    }
    let runs: [SlowmoEvent[], SlowmoEvent[]];
    let labels: [string, string];
    if (opts.recordings) {
      runs = [readRecording(opts.recordings[0]), readRecording(opts.recordings[1])];
      labels = opts.recordings;
    } else {
      const program = opts.program as NonNullable<Parsed['program']>;
      bridge = await Bridge.create(makeConfig({ ...env, logLevel: 'silent' }));
      const [x, y] = program.settings;
      process.stderr.write(`slowmo: run 1 of 2 (${describe(x)})\n`);
      const a = await record(bridge, program, x, 1);
      process.stderr.write(`slowmo: run 2 of 2 (${describe(y)})\n`);
      runs = [a, await record(bridge, program, y, 2)];
      labels = [describe(x), describe(y)];
    }
    const d = diffRuns(runs[0], runs[1]);
    process.stdout.write(
      opts.format === 'text' ? diffText(d, labels) : `${JSON.stringify(d, null, 2)}\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof DiffRunError) {
      process.stderr.write(`slowmo: ${err.message}\n`);
      return err.internal ? 1 : 2;
    }
    if (err instanceof DiffUsage || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`slowmo: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  } finally {
    await bridge?.close();
  }
}
