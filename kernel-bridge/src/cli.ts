#!/usr/bin/env node
/**
 * The `slowmo` command: the bridge's session code without a server.
 *
 *   slowmo run FILE.go... [--go VER] [--procs N] [--backend auto|ebpf|trace]
 *                         [--format ndjson|text] [--timeout S]
 *   slowmo serve [--host H] [--port P] [--token T] [--parallel N] [--work-dir DIR]
 *
 * Exit codes: 0 the run was recorded (the program's own exit code is in
 * run.end), 2 bad input or a compile error, 1 the bridge failed.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Bridge } from './bridge';
import { checkNotebooks, formatReport } from './check';
import { makeConfig, type BridgeConfigInput } from './config';
import {
  apply,
  initialState,
  narrate,
  ProtocolError,
  RunRequestSchema,
  type SlowmoEvent,
} from './protocol';
import { startServer } from './server/app';

const USAGE = `usage:
  slowmo run FILE.go... [--go VER] [--procs N] [--backend auto|ebpf|trace] [--format ndjson|text] [--timeout S]
  slowmo serve [--host H] [--port P] [--token T] [--parallel N] [--work-dir DIR]
  slowmo check NOTEBOOK.ipynb... [--json] [--backend auto|ebpf|trace]
`;

class UsageError extends Error {}

/** Settings from the environment, for every command: SLOWMO_SANDBOX=none (Binder). */
function fromEnv(): BridgeConfigInput {
  const sandbox = process.env.SLOWMO_SANDBOX;
  if (sandbox === undefined || sandbox === '') return {};
  if (sandbox !== 'bwrap' && sandbox !== 'none')
    throw new UsageError(`SLOWMO_SANDBOX=${sandbox}: use bwrap or none`);
  return { sandbox };
}

function fail(message: string, code = 2): never {
  process.stderr.write(`slowmo: ${message}\n`);
  process.exit(code);
}

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} ${value}: give a number`);
  return n;
}

/** Milliseconds as the text format shows them: `   12.345 ms`. */
function stamp(ns: number): string {
  return `${(ns / 1e6).toFixed(3).padStart(10)} ms`;
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      go: { type: 'string' },
      procs: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      format: { type: 'string', default: 'ndjson' },
      timeout: { type: 'string' },
    },
  });
  if (positionals.length === 0)
    throw new UsageError('name the Go file(s) to run: slowmo run main.go');
  if (values.format !== 'ndjson' && values.format !== 'text') {
    throw new UsageError(`--format ${values.format}: use ndjson or text`);
  }
  const files: Record<string, string> = {};
  for (const file of positionals) {
    try {
      files[path.basename(file)] = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(
        `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  }
  const parsed = RunRequestSchema.safeParse({
    type: 'run',
    id: 'cli',
    files,
    goVersion: values.go,
    gomaxprocs: number('procs', values.procs),
    backend: values.backend,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field =
      issue?.path[0] === 'gomaxprocs'
        ? '--procs'
        : issue?.path[0] === 'goVersion'
          ? '--go'
          : `--${String(issue?.path[0] ?? '')}`;
    throw new UsageError(`${field}: ${issue?.message ?? 'invalid'}`);
  }
  const timeout = number('timeout', values.timeout);
  const input: BridgeConfigInput = { ...fromEnv(), logLevel: 'silent', parallel: 1 };
  if (timeout !== undefined) input.limits = { wallSeconds: timeout };
  const bridge = await Bridge.create(makeConfig(input));

  const text = values.format === 'text';
  let state = initialState();
  let exit = 0;
  const out = process.stdout;
  const handle = bridge.run(parsed.data, {
    status: (phase, position) => {
      if (text && phase !== 'done') {
        process.stderr.write(
          `slowmo: ${phase}${position ? ` (position ${position} in the queue)` : ''}\n`,
        );
      }
    },
    compileError: (diagnostics) => {
      for (const d of diagnostics) {
        const where = d.file ? `${d.file}:${d.line}:${d.column}: ` : '';
        process.stderr.write(`${where}${d.message}\n`);
      }
      exit = 2;
    },
    event: (e: SlowmoEvent) => {
      if (out.destroyed) return;
      if (!text) {
        out.write(`${JSON.stringify(e)}\n`);
        return;
      }
      if (e.kind === 'output') {
        (e.stream === 'stderr' ? process.stderr : out).write(e.data);
      } else {
        out.write(`${stamp(e.t)}  ${narrate(e, state)}\n`);
      }
      state = apply(state, e);
    },
    end: () => {},
    error: (code, message) => {
      process.stderr.write(`slowmo: ${message}\n`);
      exit = code === 'internal' ? 1 : 2;
    },
  });
  // A reader that goes away (`| head`) ends the run, quietly.
  out.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') handle.stop();
  });
  const onSignal = (): void => handle.stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await handle.done;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return exit;
}

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8765' },
      token: { type: 'string' },
      parallel: { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      'work-dir': { type: 'string' },
    },
  });
  let token = values.token ?? process.env.SLOWMO_TOKEN;
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(values.host);
  if (!token && !loopback) {
    token = randomBytes(24).toString('hex');
    process.stderr.write(
      `slowmo: listening beyond this machine: clients need the token ${token}\n`,
    );
  }
  const input: BridgeConfigInput = {
    ...fromEnv(),
    host: values.host,
    port: number('port', values.port),
    token,
    allowedOrigins: values['allow-origin'] ?? [],
  };
  const parallel = number('parallel', values.parallel);
  if (parallel !== undefined) input.parallel = parallel;
  const workDir = values['work-dir'] ?? process.env.SLOWMO_WORK_DIR;
  if (workDir) input.workDir = workDir;
  const server = await startServer(makeConfig(input));
  process.stderr.write(`slowmo: the bridge listens on ${server.url}\n`);
  const shutdown = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** `slowmo check`: exit 0 when every checkpoint passes, 1 when one fails, 2 for bad input. */
async function check(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, backend: { type: 'string' } },
  });
  if (positionals.length === 0)
    throw new UsageError('name the notebooks to check: slowmo check lesson.ipynb');
  const backend = values.backend;
  if (backend !== undefined && !['auto', 'ebpf', 'trace'].includes(backend)) {
    throw new UsageError(`--backend ${backend}: use auto, ebpf or trace`);
  }
  const bridge = await Bridge.create(makeConfig({ ...fromEnv(), logLevel: 'silent', parallel: 1 }));
  const report = await checkNotebooks(bridge, positionals, {
    ...(backend ? { backend: backend as 'auto' | 'ebpf' | 'trace' } : {}),
    onCell: values.json
      ? undefined
      : (nb, c) =>
          process.stderr.write(`slowmo: ${nb} cell ${c.cell}: ${c.passed ? 'passed' : 'failed'}\n`),
  });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  if (report.notebooks.some((n) => n.problem)) return 2;
  return report.passed ? 0 : 1;
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  try {
    switch (command) {
      case 'run':
        process.exitCode = await run(rest);
        break;
      case 'serve':
        await serve(rest);
        break;
      case 'check':
        process.exitCode = await check(rest);
        break;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(USAGE);
        break;
      default:
        throw new UsageError(`unknown command "${command}"\n${USAGE}`);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof ProtocolError) fail(err.message);
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) fail((err as Error).message);
    fail((err as Error).message, 1);
  }
}

void main();
