#!/usr/bin/env node
/**
 * The `slowmo` command: the bridge's session code without a server.
 *
 *   slowmo run FILE.go... [--go VER] [--procs N] [--backend auto|ebpf|trace]
 *                         [--format ndjson|text|chrome] [--summary] [--runtime] [--race] [--timeout S]
 *   slowmo export RECORDING.ndjson [--format chrome|text] [--runtime]
 *   slowmo serve [--host H] [--port P] [--token T] [--parallel N] [--work-dir DIR]
 *   slowmo check NOTEBOOK.ipynb... [--json] [--backend auto|ebpf|trace]
 *   slowmo explore FILE.go... --runs N [--procs LIST] [--go LIST] [--format text|json]
 *   slowmo diff A.ndjson B.ndjson | FILE.go... (--procs X,Y | --go X,Y) [--format text|json]
 *
 * `--format text` tells the run as a learner reads it: the runtime's own
 * goroutines and its start-up are left out (counted, and shown with
 * --runtime), the program's output is marked and its control characters
 * shown (text-output.ts), and a run that ends badly ends with what happened
 * and where.
 *
 * Exit codes: 0 the run was recorded (the program's own exit code is in
 * run.end), 2 bad input or a compile error, 1 the bridge failed.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Bridge, type RunObserver } from './bridge';
import { checkNotebooks, formatReport } from './check';
import { diffCommand } from './cli-diff';
import { classCommand } from './cli-class';
import { exploreCommand } from './cli-explore';
import { perturbationsOf } from './cli-settings';
import { chromeJson, readRecording, RecordingError, summaryText } from './cli-analysis';
import { makeConfig, type BridgeConfigInput } from './config';
import {
  apply,
  explainEnding,
  initialState,
  isFolded,
  isRuntimeEvent,
  isUserCodeEvent,
  mainStart,
  narrate,
  ProtocolError,
  RunRequestSchema,
  type Ending,
  type EventOf,
  type HitLimit,
  type SchedState,
  type SlowmoEvent,
} from './protocol';
import { BlockTracker, failureLens, failureLensText } from './protocol/analysis/blocked';
import { startServer } from './server/app';
import { escapeControls, ProgramOutput, type Sink } from './text-output';

const USAGE = `usage:
  slowmo run FILE.go... [--go VER] [--procs N] [--backend auto|ebpf|trace] [--format ndjson|text|chrome] [--summary] [--runtime] [--race] [--timeout S] [--gc [--gc-experiment nogreenteagc]] [--godebug SETTINGS] [--profile DIR] [--leak-profile] [--perturb LINE[:yield|:sleep=D]]
  slowmo export RECORDING.ndjson [--format chrome|text] [--runtime]
  slowmo serve [--host H] [--port P] [--token T] [--parallel N] [--work-dir DIR]
  slowmo check NOTEBOOK.ipynb... [--json] [--backend auto|ebpf|trace]
  slowmo explore FILE.go... --runs N [--procs 1,2,4] [--go 1.22,1.27] [--backend B] [--format text|json]
  slowmo diff A.ndjson B.ndjson | FILE.go... (--procs 1,4 | --go 1.25,1.26) [--format text|json]
slowmo COMMAND --help tells more about one command.
`;

const RUN_USAGE = `usage: slowmo run FILE.go... [options]

Builds the Go program (one main package, in one or more files), runs it under
the probes, and writes its scheduler events. Exit code 0 when it was recorded
(the program's own exit code is in run.end), 2 for bad input or a compile
error (file:line:col: message on stderr), 1 when the bridge failed.

options:
  --go VER         the Go version to build with (default: the newest installed)
  --procs N        GOMAXPROCS for the program
  --backend B      auto (default), ebpf (needs privilege) or trace (the execution tracer)
  --format F       ndjson (default): one event per line;
                   text: a narration, the program's output on lines marked
                   "stdout │" and "stderr │" (control characters shown, as \\x1b),
                   and how it ended;
                   chrome: the recording as Chrome Trace Event JSON, which
                   Perfetto UI (ui.perfetto.dev) and chrome://tracing open
  --summary        with --format text, end with the goroutine analysis (each
                   goroutine's running, runnable and waiting time) and the
                   patterns found (Ps idle beside queued work, long waits…)
  --runtime        with --format text, also tell the runtime's own goroutines and start-up
  --race           build with the race detector (go build -race): each data race
                   it reports comes as a race event naming the two accesses, their
                   goroutines and lines (the report stays in the program's stderr;
                   a program that raced exits with 66). Where the bridge cannot
                   build so, it says why (slowmo serve's /api/info: race.why)
  --timeout S      stop the program after S seconds (default: the bridge's time limit)
  --gc             the GC lens: also record the heap's objects as the collector
                   marks (grey, black: by its marking, the write barrier or
                   at birth) and sweeps them (eBPF); on the trace backend,
                   which cannot see marking, the heap reconstructed from heap
                   dumps the program takes (as main begins and returns, around
                   each runtime.GC() call, soon after each other cycle) and
                   the heap's size and goal
  --gc-experiment nogreenteagc
                   build with the per-object collector: from Go 1.26 the
                   default (Green Tea) marks small objects a span at a time
  --godebug SETTINGS
                   GODEBUG for the program, e.g. schedtrace=100,scheddetail=1,gctrace=1:
                   the runtime's lines stay in its stderr, and schedtrace and
                   gctrace lines also come as schedtrace and gctrace events.
                   Allowed: schedtrace=N (ms, 1-60000), scheddetail=1, gctrace=1,
                   asyncpreemptoff=1, gcstoptheworld=1|2, inittrace=1,
                   tracebackancestors=N (1-100)
  --profile DIR    also collect the runtime's own profiles of the program and
                   write them into DIR (made if missing) as cpu.pprof,
                   block.pprof, mutex.pprof, goroutine.pprof and wall.pprof
                   (read them with go tool pprof); the events get one
                   profile event each before run.end. Collected when main
                   returns: none if the program ends by os.Exit or a crash
  --leak-profile   also ask the runtime's own goroutine leak detector as main
                   returns (Go 1.26, built with GOEXPERIMENT=goroutineleakprofile,
                   or 1.27): a leak.report event before run.end lists the
                   goroutines it found leaked; with --format text, beside the
                   leak lens. Before Go 1.26 the report says it is unavailable
  --perturb [FILE:]LINE[:yield|:sleep=D]
                   perturb the schedule: a runtime.Gosched() (yield, the
                   default) or a pause (sleep=1ms) at the start of the
                   statement on that line, each time it runs; no line moves.
                   Repeat it for several lines. slowmo explore --perturb does
                   it in a share of many runs, to compare
  -h, --help       this help
`;

const EXPORT_USAGE = `usage: slowmo export RECORDING.ndjson [options]

Reads a recording (the NDJSON that slowmo run writes, gzipped when its name
ends in .gz) and writes it in another form on stdout. Exit code 2 for a file
that is not a recording, naming the line and what is wrong with it.

options:
  --format F       chrome (default): Chrome Trace Event JSON, for Perfetto UI
                   (ui.perfetto.dev) and chrome://tracing;
                   text: the goroutine analysis and the patterns found
  --runtime        with --format text, also list the runtime's own goroutines
  -h, --help       this help
`;

const SERVE_USAGE = `usage: slowmo serve [options]

Starts the bridge: HTTP and WebSocket, the API the JupyterLab extension uses.

options:
  --host H           the address to listen on (default 127.0.0.1; beyond this machine a token is required)
  --port P           the port (default 8765; 0 picks a free one)
  --token T          the token clients must present (default: $SLOWMO_TOKEN, or a new one off loopback)
  --parallel N       runs built or running at once
  --allow-origin O   an origin allowed besides the bridge's own (repeatable)
  --work-dir DIR     where builds and the Go build cache live (default: $SLOWMO_WORK_DIR)
  -h, --help         this help

environment:
  SLOWMO_WALL_SECONDS  the time a program may run (default 20; a slow-motion run
                       counts only the time the learner lets it run)
  SLOWMO_IDLE_SECONDS  the time a slow-motion run may wait paused with nobody
                       touching it (default 900)
  SLOWMO_BINARY_MIB    the largest program binary a build may make (default 64)
  SLOWMO_BINARY_CACHE_MIB, SLOWMO_BUILD_CACHE_MIB
                       the bytes of binaries kept for reuse (default 2048) and
                       of the Go build cache (default 4096)
  SLOWMO_UID_BASE      the first uid of the host-wide pool programs run as
                       (default 1879048192); a root bridge in a user namespace
                       that maps fewer uids (rootless podman) needs a mapped one
`;

const CHECK_USAGE = `usage: slowmo check NOTEBOOK.ipynb... [options]
       slowmo check --class DIR [--out DIR] [options]

Runs every Go-slowmo cell of the notebooks, in order, and evaluates their
checkpoints (predictions are reported apart and fail nothing). Exit code 0
when all pass, 1 when one fails, 2 for bad input.

With --class, grades a folder of submitted notebooks, one learner each
(DIR/<learner>/.../*.ipynb or DIR/<learner>.ipynb), several at once, into
<DIR>-grades.csv and <DIR>-junit.xml (per learner and checkpoint, predictions
included), and prints the most missed checkpoints and the most common wrong
predictions. A learner's malformed notebook is reported, and the class goes
on. Exit code 0 when the files were written.

options:
  --json           the full report as JSON on stdout
  --backend B      auto (default), ebpf or trace
  --class DIR      grade the class folder DIR
  --out DIR        where --class writes its files (default: beside DIR)
  -h, --help       this help
`;

/** Start-up events held back, at most, while waiting for the learner's code to show. */
const STARTUP_MAX = 20_000;

class UsageError extends Error {}

/**
 * Settings from the environment, for every command: SLOWMO_SANDBOX=none
 * (Binder); SLOWMO_WALL_SECONDS and SLOWMO_IDLE_SECONDS, the time limits
 * (short ones for tests; makeConfig checks their range); SLOWMO_BINARY_MIB,
 * SLOWMO_BINARY_CACHE_MIB and SLOWMO_BUILD_CACHE_MIB, the build's sizes;
 * SLOWMO_UID_BASE, the sandbox uid pool (makeConfig checks its range).
 */
function fromEnv(): BridgeConfigInput {
  const input: BridgeConfigInput = {};
  const sandbox = process.env.SLOWMO_SANDBOX;
  if (sandbox !== undefined && sandbox !== '') {
    if (sandbox !== 'bwrap' && sandbox !== 'none')
      throw new UsageError(`SLOWMO_SANDBOX=${sandbox}: use bwrap or none`);
    input.sandbox = sandbox;
  }
  const limits: NonNullable<BridgeConfigInput['limits']> = {};
  const wall = envSeconds('SLOWMO_WALL_SECONDS');
  if (wall !== undefined) limits.wallSeconds = wall;
  const idle = envSeconds('SLOWMO_IDLE_SECONDS');
  if (idle !== undefined) limits.idleSeconds = idle;
  const binary = envMiB('SLOWMO_BINARY_MIB');
  if (binary !== undefined) limits.binaryBytes = binary;
  if (Object.keys(limits).length > 0) input.limits = limits;
  const binaryCache = envMiB('SLOWMO_BINARY_CACHE_MIB');
  if (binaryCache !== undefined) input.binaryCacheBytes = binaryCache;
  const buildCache = envMiB('SLOWMO_BUILD_CACHE_MIB');
  if (buildCache !== undefined) input.buildCacheBytes = buildCache;
  const uidBase = process.env.SLOWMO_UID_BASE;
  if (uidBase !== undefined && uidBase !== '') {
    if (!/^\d+$/.test(uidBase))
      throw new UsageError(`SLOWMO_UID_BASE=${uidBase}: give a uid, a whole number`);
    input.uidBase = Number(uidBase);
  }
  return input;
}

/** A size given in MiB, as bytes. */
function envMiB(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${name}=${raw}: give MiB, 0 or more`);
  return Math.round(n * 1024 * 1024);
}

function envSeconds(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name}=${raw}: give seconds, above 0`);
  return n;
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
  const command = runCommand(argv);
  if (!command) {
    process.stdout.write(RUN_USAGE);
    return 0;
  }
  const { request, files, options, profileDir } = command;
  const timeout = number('timeout', options.timeout);
  const input: BridgeConfigInput = { ...fromEnv(), logLevel: 'silent', parallel: 1 };
  if (timeout !== undefined) input.limits = { ...input.limits, wallSeconds: timeout };
  const config = makeConfig(input);
  const bridge = await Bridge.create(config);
  bridge.spares.between = false; // one run: no recorder loaded for a next

  const out = process.stdout;
  const story = options.format === 'text' ? new Story(out, files, !options.runtime) : null;
  const result: CliResult = { exit: 0 };
  // The Chrome trace and the summary are made from the whole recording, at its end.
  const kept: SlowmoEvent[] | null = options.format === 'chrome' || options.summary ? [] : null;
  const observer = cliObserver(story, result, kept);
  // --profile: whether any profile came, to say so when none did.
  let profiled = false;
  const handle = bridge.run(
    request,
    profileDir === undefined
      ? observer
      : {
          ...observer,
          event: (e, held) => {
            profiled ||= e.kind === 'profile';
            observer.event(e, held);
          },
        },
    profileDir !== undefined ? { profileDir } : {},
  );
  // A reader that goes away (`| head`) ends the run, quietly.
  out.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') handle.stop();
  });
  const onSignal = (): void => handle.stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await handle.done;
  await bridge.close();
  if (profileDir !== undefined && !profiled && result.exit === 0) {
    process.stderr.write(
      `slowmo: --profile: no profiles: they are written as main returns, and this program ended otherwise (os.Exit, a crash, a limit)\n`,
    );
  }
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (story && !out.destroyed)
    story.finish({ limits: config.limits, ...(result.hit ? { limit: result.hit } : {}) });
  if (kept && kept.length > 0 && !out.destroyed) {
    out.write(options.format === 'chrome' ? chromeJson(kept) : summaryText(kept, !options.runtime));
  }
  return result.exit;
}

/** `slowmo run`'s command line as a run request, with the files it read; null for --help. */
function runCommand(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      go: { type: 'string' },
      procs: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      format: { type: 'string', default: 'ndjson' },
      runtime: { type: 'boolean', default: false },
      race: { type: 'boolean', default: false },
      summary: { type: 'boolean', default: false },
      timeout: { type: 'string' },
      gc: { type: 'boolean', default: false },
      'gc-experiment': { type: 'string' },
      profile: { type: 'string' },
      'leak-profile': { type: 'boolean', default: false },
      perturb: { type: 'string', multiple: true },
      godebug: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  if (positionals.length === 0)
    throw new UsageError('name the Go file(s) to run: slowmo run main.go');
  if (!['ndjson', 'text', 'chrome'].includes(values.format)) {
    throw new UsageError(`--format ${values.format}: use ndjson, text or chrome`);
  }
  if (values.summary && values.format !== 'text') {
    throw new UsageError('--summary: use it with --format text');
  }
  const files = readSources(positionals);
  const parsed = RunRequestSchema.safeParse({
    type: 'run',
    id: 'cli',
    files,
    goVersion: values.go,
    gomaxprocs: number('procs', values.procs),
    backend: values.backend,
    ...(values.race ? { race: true } : {}),
    ...(values.gc ? { gc: true } : {}),
    ...(values.profile !== undefined ? { profile: true } : {}),
    ...(values['leak-profile'] ? { leakProfile: true } : {}),
    ...(values.perturb?.length
      ? {
          perturb: perturbationsOf(values.perturb, files, (message) => {
            throw new UsageError(message);
          }),
        }
      : {}),
    gcExperiment: values['gc-experiment'],
    godebug: values.godebug,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field =
      issue?.path[0] === 'gomaxprocs'
        ? '--procs'
        : issue?.path[0] === 'goVersion'
          ? '--go'
          : issue?.path[0] === 'gcExperiment'
            ? '--gc-experiment'
            : `--${String(issue?.path[0] ?? '')}`;
    throw new UsageError(`${field}: ${issue?.message ?? 'invalid'}`);
  }
  const profileDir = values.profile === undefined ? undefined : profileDirectory(values.profile);
  return { request: parsed.data, files, options: values, profileDir };
}

/** --profile DIR: made if missing; refused when it is a file or cannot be made. */
function profileDirectory(dir: string): string {
  if (dir === '') throw new UsageError('--profile: name a directory for the pprof files');
  const abs = path.resolve(dir);
  try {
    mkdirSync(abs, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'EEXIST' || code === 'ENOTDIR'
        ? `--profile ${dir}: not a directory (the profiles go into a directory, as cpu.pprof, block.pprof, …)`
        : `--profile ${dir}: cannot make the directory (${code ?? (err as Error).message})`,
    );
  }
  if (!statSync(abs).isDirectory()) {
    throw new UsageError(
      `--profile ${dir}: not a directory (the profiles go into a directory, as cpu.pprof, block.pprof, …)`,
    );
  }
  return abs;
}

/** The Go files by their base names, as the bridge gets them. */
function readSources(paths: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const file of paths) {
    try {
      files[path.basename(file)] = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(
        `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  }
  return files;
}

/** What `slowmo run` ends with: its exit code, and the limit the run hit if the bridge said one. */
interface CliResult {
  exit: number;
  hit?: HitLimit;
}

/**
 * The run told on the terminal: events on stdout (NDJSON, or the story), the
 * rest on stderr; `kept` collects the events when the output is made from
 * the whole recording at its end (then nothing is written as NDJSON).
 */
function cliObserver(
  story: Story | null,
  result: CliResult,
  kept: SlowmoEvent[] | null = null,
): RunObserver {
  const out = process.stdout;
  return {
    status: (phase, position) => {
      if (story && phase !== 'done') {
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
      result.exit = 2;
    },
    event: (e: SlowmoEvent) => {
      if (out.destroyed) return;
      kept?.push(e);
      if (story) story.event(e);
      else if (kept === null) out.write(`${JSON.stringify(e)}\n`);
    },
    end: (end) => {
      // Which limit the run hit, when the bridge says so (its value beats the configured one).
      result.hit = (end as { limit?: HitLimit }).limit;
    },
    error: (code, message) => {
      process.stderr.write(`slowmo: ${message}\n`);
      result.exit = code === 'internal' ? 1 : 2;
    },
  };
}

/**
 * The text format: each event narrated as it comes, for a learner. The
 * runtime's start-up is held back until the learner's code shows, then
 * folded into one line; events of the runtime's own goroutines and the
 * repeats of one overflow are left out and counted.
 */
class Story {
  private state: SchedState = initialState();
  /** Events held back (with the state before each) until the learner's code shows; null once it has. */
  private startup: { e: SlowmoEvent; before: SchedState }[] | null;
  private previous: SlowmoEvent | undefined;
  private lastSteal: EventOf<'steal'> | undefined;
  private hiddenRuntime = 0;
  /** What explainEnding reads: the program's stderr and the end. */
  private readonly kept: SlowmoEvent[] = [];
  /** What the failure lenses need of the run: parks, wakes and wakers, not the events. */
  private readonly blocks = new BlockTracker();
  private readonly sources = new Map<string, string[]>();
  /** The program's output, marked and escaped; `out` is the narration, which ends its open line. */
  private readonly program: ProgramOutput;
  private readonly out: Sink;

  constructor(
    out: NodeJS.WriteStream,
    files: Record<string, string>,
    private readonly hideRuntime: boolean,
  ) {
    this.program = new ProgramOutput({ stdout: out, stderr: process.stderr });
    this.out = this.program.narration(out);
    for (const [name, source] of Object.entries(files)) this.sources.set(name, source.split('\n'));
    this.startup = hideRuntime ? [] : null;
  }

  event(e: SlowmoEvent): void {
    const before = this.state;
    this.state = apply(before, e);
    this.blocks.add(e, before);
    if ((e.kind === 'output' && e.stream === 'stderr') || e.kind === 'run.end') this.kept.push(e);
    if (this.startup === null || e.kind === 'run.start') {
      this.say(e, before);
      return;
    }
    this.startup.push({ e, before });
    if (isUserCodeEvent(e) || e.kind === 'run.end' || this.startup.length > STARTUP_MAX) {
      this.flushStartup(isUserCodeEvent(e));
    }
  }

  /** Says the held-back events from where main begins, and how many were left out before it. */
  private flushStartup(found: boolean): void {
    const held = this.startup ?? [];
    this.startup = null;
    const start = found ? mainStart(held.map((h) => h.e)) : -1;
    const from = Math.max(
      0,
      held.findIndex((h) => h.e.seq === start),
    );
    for (const { e } of held.slice(0, from)) this.remember(e);
    if (from > 0) {
      const first = held[0] as { e: SlowmoEvent };
      this.out.write(
        `${stamp(first.e.t)}  … runtime start-up: ${from} events hidden (--runtime shows them)\n`,
      );
    }
    for (const { e, before } of held.slice(from)) this.say(e, before);
  }

  private remember(e: SlowmoEvent): void {
    this.previous = e;
    if (e.kind === 'steal') this.lastSteal = e;
  }

  private say(e: SlowmoEvent, before: SchedState): void {
    if (e.kind === 'output') {
      this.program.write(e.stream, e.data);
    } else if (this.hideRuntime && isRuntimeEvent(e, before)) {
      this.hiddenRuntime++;
    } else if (!isFolded(e, before, this.previous)) {
      if (e.kind === 'run.end' && this.hiddenRuntime > 0) {
        this.out.write(
          `${' '.repeat(13)}  … ${this.hiddenRuntime} events of the runtime's own goroutines were hidden (--runtime shows them)\n`,
        );
      }
      const context = {
        previous: this.previous,
        lastSteal: this.lastSteal,
        source: (file: string, line: number) => this.sources.get(file)?.[line - 1],
      };
      this.out.write(`${stamp(e.t)}  ${narrate(e, before, context)}\n`);
    }
    this.remember(e);
  }

  /** After the run: what was left out, and how it ended when it ended badly. */
  finish(opts: Parameters<typeof explainEnding>[2]): void {
    if (this.startup !== null) this.flushStartup(false);
    const ending = explainEnding(this.kept, this.state, opts);
    if (ending) this.out.write(endingText(ending));
    const lens = failureLens(
      this.blocks,
      this.state,
      ending,
      (file, line) => this.sources.get(file)?.[line - 1],
    );
    // Its words quote the learner's source: shown line by line, not obeyed.
    const shown = (text: string) => text.split('\n').map((l) => escapeControls(l, true));
    if (lens) this.out.write(`\n${shown(failureLensText(lens)).join('\n')}`);
    this.program.breakLine();
  }
}

/** An ending for a terminal: the title, what happened, and the lines involved. */
function endingText(ending: Ending): string {
  // The title and detail quote the program's stderr (a panic's message): shown, not obeyed.
  const shown = (s: string): string => escapeControls(s, true);
  const places = ending.lines.map((l) => shown(`${l.file}:${l.line}`));
  const width = Math.max(0, ...places.map((p) => p.length));
  const lines = ending.lines.map(
    (l, i) => `  ${(places[i] as string).padEnd(width)}  g${l.goid}: ${shown(l.note)}\n`,
  );
  return `\n${shown(ending.title)}\n${shown(ending.detail)}\n${lines.join('')}`;
}

/** `slowmo export`: a recording file as a Chrome trace (or the summary); exit 2 for a bad file. */
function exportRecording(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'chrome' },
      runtime: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(EXPORT_USAGE);
    return 0;
  }
  const [file, ...more] = positionals;
  if (file === undefined || more.length > 0) {
    throw new UsageError('name one recording: slowmo export run.ndjson --format chrome');
  }
  if (values.format !== 'chrome' && values.format !== 'text') {
    throw new UsageError(`--format ${values.format}: use chrome or text`);
  }
  const events = readRecording(file);
  const text =
    values.format === 'chrome' ? chromeJson(events) : summaryText(events, !values.runtime);
  process.stdout.write(text);
  return 0;
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
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(SERVE_USAGE);
    return;
  }
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
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(CHECK_USAGE);
    return 0;
  }
  if (argv.some((a) => a === '--class' || a.startsWith('--class=')))
    return classCommand(argv, fromEnv());
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      backend: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(CHECK_USAGE);
    return 0;
  }
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
  await bridge.close();
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
      case 'export':
        process.exitCode = exportRecording(rest);
        break;
      case 'serve':
        await serve(rest);
        break;
      case 'check':
        process.exitCode = await check(rest);
        break;
      case 'explore':
        process.exitCode = await exploreCommand(rest, fromEnv());
        break;
      case 'diff':
        process.exitCode = await diffCommand(rest, fromEnv());
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
    if (err instanceof UsageError || err instanceof ProtocolError || err instanceof RecordingError)
      fail(err.message);
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) fail((err as Error).message);
    fail((err as Error).message, 1);
  }
}

void main();
