/**
 * `make bench`, the acceptance corpus (bench/corpus.ts) side by side in one
 * run: each program plain (the built binary alone, no probe, no sandbox),
 * then recorded through a real bridge under eBPF and under the tracer, round
 * after round, medians reported. Per program and backend: wall time and its
 * ratio to plain, events, lost, time the probe held the program stopped
 * (throttledMs, when the probe reports it), the share of `runq` snapshots,
 * whether the reducer agreed with every snapshot, and how the run ended.
 * Then issue 15's goals beside their figures.
 *
 * Wall time recorded is run.start to run.end (the probe starts its clock just
 * before it lets the program go), so it includes starting the sandbox and
 * draining the last events; plain is spawn to exit.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { makeConfig } from '../src/config';
import {
  parseServerMessage,
  type EndMessage,
  type ServerMessage,
  type SlowmoEvent,
} from '../src/protocol';
import { REPO_DIR } from '../src/paths';
import { startServer } from '../src/server/app';
import { findToolchains, resolveToolchain } from '../src/toolchains';
import {
  checkRecording,
  CORPUS,
  CORPUS_PROCS,
  corpusSource,
  type CorpusProgram,
  type RecordingCheck,
} from './corpus';

/** Rounds of plain, eBPF and trace runs of every program; medians are reported. */
const ROUNDS = Number(process.env.SLOWMO_CORPUS_ROUNDS ?? 3);
const BACKENDS = ['ebpf', 'trace'] as const;
type Backend = (typeof BACKENDS)[number];

/** Issue 15's goals. */
const GOAL = {
  ebpfMedianRatio: 2,
  ebpfSlowestRatio: 4,
  traceRatio: 3,
  snapshotShare: 0.05,
  lost: 0,
};

interface PlainRun {
  ms: number;
  exitCode: number | null;
  stdout: string;
}

interface RecordedRun {
  check: RecordingCheck;
  end: EndMessage | null;
  /** What went wrong before any event: a refusal or a compile error. */
  failed: string | null;
  stdout: string;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function runPlain(binary: string): Promise<PlainRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(binary, [], {
      env: { ...process.env, GOMAXPROCS: String(CORPUS_PROCS) },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - t0, exitCode: code, stdout }));
  });
}

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** One run through the bridge, every message parsed by the protocol's schemas. */
function record(ws: WebSocket, id: string, code: string, backend: Backend): Promise<RecordedRun> {
  return new Promise((resolve) => {
    const events: SlowmoEvent[] = [];
    const finish = (end: EndMessage | null, failed: string | null): void => {
      ws.off('message', onMessage);
      const stdout = events
        .map((e) => (e.kind === 'output' && e.stream === 'stdout' ? e.data : ''))
        .join('');
      resolve({ check: checkRecording(events), end, failed, stdout });
    };
    const onMessage = (data: WebSocket.RawData): void => {
      const msg: ServerMessage = parseServerMessage(data.toString());
      if (msg.id !== id) return;
      if (msg.type === 'events') events.push(...msg.events);
      else if (msg.type === 'end') finish(msg, null);
      else if (msg.type === 'error') finish(null, `${msg.code}: ${msg.message}`);
      else if (msg.type === 'compile_error') finish(null, JSON.stringify(msg.diagnostics));
    };
    ws.on('message', onMessage);
    ws.send(
      JSON.stringify({ type: 'run', id, code, backend, gomaxprocs: CORPUS_PROCS, mode: 'record' }),
    );
  });
}

/** The program's own ending, or what it ended with instead. */
function ending(run: RecordedRun, program: CorpusProgram): { own: boolean; text: string } {
  if (run.failed) return { own: false, text: `failed: ${run.failed}` };
  const end = run.check.end;
  if (!end) return { own: false, text: 'no run.end' };
  const text = end.reason === 'exit' ? `exit ${end.exitCode}` : end.reason;
  if (end.reason !== 'exit' || end.exitCode !== program.exitCode)
    return { own: false, text: `${text} (wants exit ${program.exitCode})` };
  if (run.end?.reason !== end.reason || run.end.exitCode !== end.exitCode)
    return { own: false, text: `${text}, but the end message says ${JSON.stringify(run.end)}` };
  if (run.stdout !== program.stdout)
    return {
      own: false,
      text: `${text}, other stdout: ${JSON.stringify(run.stdout.slice(0, 80))}`,
    };
  return { own: true, text };
}

interface Figures {
  program: CorpusProgram;
  backend: Backend;
  ms: number;
  ratio: number;
  events: number;
  lost: number | null;
  throttledMs: number | null;
  runq: number;
  share: number;
  disagreements: number;
  runqDisagreements: number;
  firstDisagreement: string | undefined;
  ends: string[];
  own: boolean;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const times = (x: number): string => `x${x.toFixed(2)}`;
const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');

function line(cols: string[]): void {
  const widths = [11, 6, 9, 8, 9, 8, 10, 7, 18];
  console.log(
    cols
      .map((c, i) =>
        i === 0 || i === 1 || i >= 8 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i]!),
      )
      .join(' '),
  );
}

function goal(name: string, figure: string, target: string, met: boolean, note = ''): void {
  console.log(
    `${name.padEnd(48)} ${figure.padStart(10)}   goal ${target.padEnd(8)} ${verdict(met)}${note ? `   ${note}` : ''}`,
  );
}

async function main(): Promise<void> {
  if (!Number.isInteger(ROUNDS) || ROUNDS < 1)
    throw new Error(
      `SLOWMO_CORPUS_ROUNDS=${process.env.SLOWMO_CORPUS_ROUNDS}: give a whole number of rounds, 1 or more`,
    );
  const probe = path.join(REPO_DIR, 'bpf/bin/slowmo-probe');
  if (spawnSync(probe, ['check']).status !== 0 || process.getuid?.() !== 0) {
    console.log('corpus benchmark: skipped (needs root and eBPF)');
    return;
  }
  const toolchain = resolveToolchain(
    await findToolchains(path.join(REPO_DIR, 'bpf/go-versions.txt')),
  );
  const minor = /^go(1\.\d+)/.exec(toolchain.version)?.[1] ?? '1.22';
  const work = mkdtempSync(path.join(tmpdir(), 'slowmo-corpus-bench-'));
  const binaries = new Map<string, string>();
  for (const program of CORPUS) {
    const dir = path.join(work, program.name);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'main.go'), corpusSource(program.name));
    writeFileSync(path.join(dir, 'go.mod'), `module slowmo\n\ngo ${minor}\n`);
    execFileSync(path.join(toolchain.goroot, 'bin', 'go'), ['build', '-o', 'prog', '.'], {
      cwd: dir,
      env: {
        ...process.env,
        GOTOOLCHAIN: 'local',
        GOFLAGS: '-buildvcs=false',
        CGO_ENABLED: '0',
        GOCACHE: path.join(tmpdir(), 'slowmo-bench-gocache'),
      },
    });
    binaries.set(program.name, path.join(dir, 'prog'));
  }

  // One run at a time, so that the runs measured do not share the machine with each other.
  const server = await startServer(
    makeConfig({
      host: '127.0.0.1',
      port: 0,
      workDir: path.join(tmpdir(), 'slowmo-bridge-bench'),
      logLevel: 'silent',
      parallel: 1,
      perConnection: 2,
    }),
  );
  const ws = await connect(`${server.url.replace(/^http/, 'ws')}/api/runs`);
  const started = performance.now();
  const plain = new Map<string, PlainRun[]>();
  const recorded = new Map<string, RecordedRun[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const program of CORPUS) {
      const runs = plain.get(program.name) ?? [];
      runs.push(await runPlain(binaries.get(program.name)!));
      plain.set(program.name, runs);
      for (const backend of BACKENDS) {
        const key = `${program.name} ${backend}`;
        const done = recorded.get(key) ?? [];
        // A run that hit a limit shows what it shows once; its rounds would only cost time.
        if (done.some((r) => r.check.end?.reason !== 'exit')) continue;
        const code = corpusSource(program.name);
        done.push(await record(ws, `${key} ${round}`.replace(/ /g, '-'), code, backend));
        recorded.set(key, done);
      }
    }
  }
  ws.close();
  await server.close();
  rmSync(work, { recursive: true, force: true });

  console.log(
    `corpus benchmark: ${CORPUS.length} programs, ${toolchain.version}, GOMAXPROCS=${CORPUS_PROCS}, ` +
      `${ROUNDS} rounds side by side, medians (${((performance.now() - started) / 1000).toFixed(0)} s)`,
  );
  console.log(
    '  plain: the binary alone; recorded: run.start to run.end through the bridge (sandbox start and drain included)',
  );
  line([
    'program',
    'run',
    'wall ms',
    'x plain',
    'events',
    'lost',
    'throttled',
    'runq %',
    'reducer',
    'ended',
  ]);
  const figures: Figures[] = [];
  let plainProblems = 0;
  for (const program of CORPUS) {
    const p = plain.get(program.name)!;
    const plainMs = median(p.map((r) => r.ms));
    const plainOwn = p.every((r) => r.exitCode === program.exitCode && r.stdout === program.stdout);
    if (!plainOwn) plainProblems++;
    line([
      program.name,
      'plain',
      plainMs.toFixed(0),
      '',
      '',
      '',
      '',
      '',
      '',
      plainOwn
        ? `exit ${program.exitCode}`
        : `NOT its own: ${JSON.stringify(p.map((r) => [r.exitCode, r.stdout]))}`,
    ]);
    for (const backend of BACKENDS) {
      const runs = recorded.get(`${program.name} ${backend}`)!;
      const checks = runs.map((r) => r.check);
      const ms = median(checks.map((c) => c.wallMs ?? Infinity));
      const lost = checks.some((c) => c.end?.lost === null)
        ? null
        : Math.max(...checks.map((c) => c.end?.lost ?? 0));
      const throttled = checks.every((c) => c.throttledMs === null)
        ? null
        : median(checks.map((c) => c.throttledMs ?? 0));
      const events = median(checks.map((c) => c.events));
      const runq = median(checks.map((c) => c.runq));
      const ends = runs.map((r) => ending(r, program));
      const f: Figures = {
        program,
        backend,
        ms,
        ratio: ms / plainMs,
        events,
        lost,
        throttledMs: throttled,
        runq,
        share: median(checks.map((c) => c.runq / Math.max(1, c.events))),
        disagreements: Math.max(...checks.map((c) => c.disagreements)),
        runqDisagreements: Math.max(...checks.map((c) => c.runqDisagreements)),
        firstDisagreement: checks.find((c) => c.disagreements > 0)?.firstDisagreements[0],
        ends: [...new Set(ends.map((e) => e.text))],
        own: ends.every((e) => e.own),
      };
      figures.push(f);
      const agreed =
        backend === 'trace' && checks.every((c) => c.runq + c.globalq === 0)
          ? 'no snapshots'
          : f.disagreements === 0
            ? 'agreed'
            : `${f.disagreements} off${f.runqDisagreements < f.disagreements ? ` (${f.runqDisagreements} runq)` : ''}`;
      line([
        '',
        backend,
        ms.toFixed(0),
        `${times(f.ratio)}${program.fixedTime ? '*' : ''}`,
        String(events),
        lost === null ? 'unknown' : String(lost),
        throttled === null ? '-' : `${throttled.toFixed(0)} ms`,
        backend === 'ebpf' ? pct(f.share) : '-',
        agreed,
        `${f.ends.join(', ')}${runs.length < ROUNDS ? ` (${runs.length} of ${ROUNDS} rounds)` : ''}`,
      ]);
    }
  }
  console.log(
    '  * runs for a fixed 1 s: a slower recording does less work in it, so its ratio understates the cost',
  );
  for (const f of figures.filter((x) => x.firstDisagreement))
    console.log(
      `  ${f.program.name} under ${f.backend}: first disagreement ${f.firstDisagreement}`,
    );

  const ebpf = figures.filter((f) => f.backend === 'ebpf');
  const trace = figures.filter((f) => f.backend === 'trace');
  const slowest = (fs: Figures[]): Figures => fs.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const ebpfMedian = median(ebpf.map((f) => f.ratio));
  const ebpfSlowest = slowest(ebpf);
  const traceSlowest = slowest(trace);
  const events = ebpf.reduce((n, f) => n + f.events, 0);
  const runqs = ebpf.reduce((n, f) => n + f.runq, 0);
  const share = runqs / Math.max(1, events);
  const mostSnapshots = ebpf.reduce((a, b) => (b.share > a.share ? b : a));
  const lostRuns = figures.filter((f) => f.lost !== 0);
  const lostTotal = lostRuns.reduce((n, f) => n + (f.lost ?? 0), 0);
  const off = figures.filter((f) => f.disagreements > 0);
  const notOwn = figures.filter((f) => !f.own);
  const throttled = figures.filter((f) => f.throttledMs !== null);
  console.log('\ncorpus goals (issue 15), from the runs above:');
  goal(
    'eBPF: recorded / plain wall time, median',
    times(ebpfMedian),
    `<= ${GOAL.ebpfMedianRatio}x`,
    ebpfMedian <= GOAL.ebpfMedianRatio,
  );
  goal(
    'eBPF: recorded / plain wall time, slowest',
    times(ebpfSlowest.ratio),
    `<= ${GOAL.ebpfSlowestRatio}x`,
    ebpfSlowest.ratio <= GOAL.ebpfSlowestRatio,
    ebpfSlowest.program.name,
  );
  goal(
    'trace: recorded / plain wall time, slowest',
    times(traceSlowest.ratio),
    `<= ${GOAL.traceRatio}x`,
    traceSlowest.ratio <= GOAL.traceRatio,
    `${traceSlowest.program.name}; over: ${
      trace
        .filter((f) => f.ratio > GOAL.traceRatio)
        .map((f) => f.program.name)
        .join(', ') || 'none'
    }`,
  );
  goal(
    'eBPF: runq snapshots / events, whole corpus',
    pct(share),
    `<= ${pct(GOAL.snapshotShare)}`,
    share <= GOAL.snapshotShare,
    `most: ${mostSnapshots.program.name} ${pct(mostSnapshots.share)}`,
  );
  goal(
    'events lost, every run',
    lostRuns.some((f) => f.lost === null) ? 'unknown' : String(lostTotal),
    String(GOAL.lost),
    lostRuns.length === 0,
    lostRuns.map((f) => `${f.program.name}/${f.backend} ${f.lost ?? 'unknown'}`).join(', '),
  );
  goal(
    'snapshots the reducer did not model',
    String(off.reduce((n, f) => n + f.disagreements, 0)),
    '0',
    off.length === 0,
    off.map((f) => `${f.program.name}/${f.backend} ${f.disagreements}`).join(', '),
  );
  goal(
    "runs not ending with the program's own status",
    String(notOwn.length + plainProblems),
    '0',
    notOwn.length + plainProblems === 0,
    notOwn.map((f) => `${f.program.name}/${f.backend} ${f.ends.join(', ')}`).join('; '),
  );
  console.log(
    `${'time held stopped to record everything'.padEnd(48)} ${
      throttled.length === 0
        ? 'not reported by this probe (run.end has no throttledMs)'
        : `${throttled.reduce((n, f) => n + (f.throttledMs ?? 0), 0).toFixed(0)} ms over the corpus (medians)`
    }`,
  );
}

void main().catch((err: Error) => {
  console.error(`corpus benchmark failed: ${err.message}`);
  process.exitCode = 1;
});
