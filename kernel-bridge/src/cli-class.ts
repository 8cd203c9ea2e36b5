/**
 * `slowmo check --class DIR [--out DIR]`: grades a class folder (class.ts)
 * and writes `<class>-grades.csv` and `<class>-junit.xml` (class-report.ts)
 * into --out, by default beside the class folder, then prints the summary.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Bridge } from './bridge';
import { gradeClass } from './class';
import { classSummary, gradeRows, gradesCsv, gradesJunit } from './class-report';
import { makeConfig, type BridgeConfigInput } from './config';
import { BACKEND_CHOICES, type BackendChoice } from './protocol';

class ClassUsage extends Error {}

function options(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      class: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      backend: { type: 'string' },
    },
  });
  const dir = values.class;
  if (!dir) throw new ClassUsage('--class: name the folder of submitted notebooks');
  if (positionals.length > 0)
    throw new ClassUsage(`--class grades a folder: leave out ${positionals.join(' ')}`);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new ClassUsage(`--class ${dir}: not a folder`);
  const backend = values.backend;
  if (backend !== undefined && !(BACKEND_CHOICES as readonly string[]).includes(backend))
    throw new ClassUsage(`--backend ${backend}: use auto, ebpf or trace`);
  const abs = path.resolve(dir);
  const out = values.out ?? path.dirname(abs);
  if (existsSync(out) && !statSync(out).isDirectory())
    throw new ClassUsage(`--out ${out}: not a folder`);
  return { dir: abs, out, json: values.json, backend: backend as BackendChoice | undefined };
}

/** 0 when the class was graded and the files written (failing learners included), 2 for bad input. */
export async function classCommand(argv: string[], env: BridgeConfigInput): Promise<number> {
  let opts;
  try {
    opts = options(argv);
  } catch (err) {
    if (
      err instanceof ClassUsage ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`slowmo: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
  const bridge = await Bridge.create(makeConfig({ ...env, logLevel: 'silent' }));
  let report;
  try {
    report = await gradeClass(bridge, opts.dir, {
      ...(opts.backend ? { backend: opts.backend } : {}),
      onLearner: (l) =>
        process.stderr.write(`slowmo: ${l.learner}: ${l.passed ? 'passed' : 'did not pass'}\n`),
    });
  } finally {
    await bridge.close();
  }
  const rows = gradeRows(report);
  const name = path.basename(opts.dir);
  mkdirSync(opts.out, { recursive: true });
  const csv = path.join(opts.out, `${name}-grades.csv`);
  const junit = path.join(opts.out, `${name}-junit.xml`);
  writeFileSync(csv, gradesCsv(rows));
  writeFileSync(junit, gradesJunit(report, rows));
  if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${classSummary(report, rows)}wrote ${csv} and ${junit}\n`);
  return 0;
}
