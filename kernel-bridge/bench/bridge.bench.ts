/**
 * `make bench` for the bridge, measured side by side in one run:
 *
 * 1. Latency: from sending a small program to the first event at the client,
 *    with a warm Go build cache (each iteration is a new variant, so it is
 *    really compiled), against `go build && ./prog` of the same variant with
 *    the same toolchain and a warm cache of its own. Goal: under 1.3x of it,
 *    and under 500 ms median. Between runs the bridge loads a recorder for
 *    the next one (backends/probe-spare.ts), as it does while a learner reads
 *    or edits; each measurement starts once that load is over, so that it
 *    slows neither side. Also where the time goes (queue, build, recorder
 *    start to first event), the same run without a recorder loaded before
 *    (a bridge's first run: the load overlaps the build), and the rerun of an
 *    unchanged program.
 * 2. Throughput: 20 clients at once, each running small programs back to
 *    back; runs per second and every run's end reason.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { makeConfig } from '../src/config';
import { parseServerMessage } from '../src/protocol';
import { startServer, type BridgeServer } from '../src/server/app';
import { resolveToolchain, findToolchains } from '../src/toolchains';
import { REPO_DIR } from '../src/paths';

const ROUNDS = 21;
const GOAL_RATIO = 1.3;
const GOAL_MS = 500;
const CLIENTS = 20;
const RUNS_PER_CLIENT = 3;

const program = (tag: string): string => `package main

import "fmt"

func main() {
	done := make(chan int)
	go func() { done <- 42 }()
	fmt.Println("${tag}", <-done)
}
`;

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function row(name: string, value: string, note: string): void {
  console.log(`${name.padEnd(46)} ${value.padStart(12)}   ${note}`);
}

interface Timed {
  /** ms from sending the run to its status compiling, to running (the build done), to its first event. */
  compilingMs: number;
  runningMs: number;
  firstEventMs: number;
  endMs: number;
  reason: string;
}

/** One run on an open socket: ms to each status, to the first event and to the end. */
function timedRun(ws: WebSocket, id: string, code: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const at = { compiling: -1, running: -1, first: -1 };
    const onMessage = (data: WebSocket.RawData): void => {
      const msg = parseServerMessage(data.toString());
      if (msg.id !== id) return;
      const now = performance.now() - t0;
      if (msg.type === 'status' && (msg.phase === 'compiling' || msg.phase === 'running'))
        at[msg.phase] = now;
      if (msg.type === 'events' && at.first < 0) at.first = now;
      if (msg.type === 'end') {
        ws.off('message', onMessage);
        resolve({
          compilingMs: at.compiling,
          runningMs: at.running,
          firstEventMs: at.first,
          endMs: now,
          reason: msg.reason,
        });
      }
      if (msg.type === 'error' || msg.type === 'compile_error') {
        ws.off('message', onMessage);
        reject(new Error(`${id}: ${JSON.stringify(msg)}`));
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ type: 'run', id, code }));
  });
}

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function main(): Promise<void> {
  if (
    spawnSync(path.join(REPO_DIR, 'bpf/bin/slowmo-probe'), ['check']).status !== 0 ||
    process.getuid?.() !== 0
  ) {
    console.log('bridge benchmark: skipped (needs root and eBPF)');
    return;
  }
  const workDir = path.join(tmpdir(), 'slowmo-bridge-bench');
  const server: BridgeServer = await startServer(
    makeConfig({ host: '127.0.0.1', port: 0, workDir, logLevel: 'silent', perConnection: 8 }),
  );
  const url = `${server.url.replace(/^http/, 'ws')}/api/runs`;
  const toolchain = resolveToolchain(
    await findToolchains(path.join(REPO_DIR, 'bpf/go-versions.txt')),
  );
  const goBin = path.join(toolchain.goroot, 'bin', 'go');
  const plainDir = mkdtempSync(path.join(tmpdir(), 'slowmo-plain-'));
  const plainEnv = {
    ...process.env,
    GOTOOLCHAIN: 'local',
    GOCACHE: path.join(tmpdir(), 'slowmo-bench-gocache'),
    GOFLAGS: '-buildvcs=false',
    CGO_ENABLED: '0',
  };
  writeFileSync(path.join(plainDir, 'go.mod'), `module plain\n\ngo 1.22\n`);
  // Not execFileSync: the bridge shares this process, and what it does between
  // runs must go on meanwhile, not pile up into the next run's time.
  const plain = async (code: string): Promise<number> => {
    writeFileSync(path.join(plainDir, 'main.go'), code);
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) =>
      execFile(
        'sh',
        ['-c', `"${goBin}" build -o prog . && ./prog`],
        { cwd: plainDir, env: plainEnv },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
    return performance.now() - t0;
  };

  const ws = await connect(url);
  const tag = `${process.pid}-${Date.now()}`;
  // Warm both caches (std compiled once for each) before measuring.
  await timedRun(ws, 'warm', program(`warm ${tag}`));
  await plain(program(`warm ${tag}`));

  const spares = server.bridge.spares;
  const runs: Timed[] = [];
  const cold: Timed[] = [];
  const plainMs: number[] = [];
  const rerunMs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const code = program(`variant ${tag} ${i}`);
    await spares.ready();
    runs.push(await timedRun(ws, `v${i}`, code));
    await spares.ready();
    plainMs.push(await plain(code));
    await spares.ready();
    rerunMs.push((await timedRun(ws, `r${i}`, code)).firstEventMs);
    // A bridge's first run: no recorder loaded before it.
    await spares.drain();
    cold.push(await timedRun(ws, `c${i}`, program(`cold ${tag} ${i}`)));
  }
  const b = median(runs.map((r) => r.firstEventMs));
  const p = median(plainMs);
  const c = median(cold.map((r) => r.firstEventMs));
  /** x of plain: the median of each round's ratio, the two measured one after the other. */
  const ratio = (ms: number[]): number => median(ms.map((m, i) => m / plainMs[i]!));
  const rb = ratio(runs.map((r) => r.firstEventMs));
  type Mark = 'compilingMs' | 'runningMs' | 'firstEventMs';
  /** The median time between two marks of the runs (from the submit when `from` is null). */
  const span = (from: Mark | null, to: Mark): string =>
    `${median(runs.map((r) => r[to] - (from ? r[from] : 0))).toFixed(0)} ms`;
  console.log(
    `bridge benchmark: ${toolchain.version}, ${ROUNDS} rounds, medians, side by side (ratios: each round's)`,
  );
  row('go build && ./prog (plain, warm cache)', `${p.toFixed(0)} ms`, 'the baseline');
  row(
    'submit -> first event (new variant, warm cache)',
    `${b.toFixed(0)} ms`,
    `x${rb.toFixed(2)} of plain (goal < ${GOAL_RATIO}x: ${rb < GOAL_RATIO ? 'met' : 'NOT met'}; goal < ${GOAL_MS} ms: ${b < GOAL_MS ? 'met' : 'NOT met'})`,
  );
  row('  of which: to compiling (queue)', span(null, 'compilingMs'), '');
  row('  of which: build (compiling -> running)', span('compilingMs', 'runningMs'), '');
  row(
    '  of which: running -> first event',
    span('runningMs', 'firstEventMs'),
    'sandbox and attach, the probes loaded already',
  );
  row(
    'the same, no recorder loaded before (first run)',
    `${c.toFixed(0)} ms`,
    `x${ratio(cold.map((r) => r.firstEventMs)).toFixed(2)} of plain (the load overlaps the build)`,
  );
  row(
    'submit -> first event (unchanged program)',
    `${median(rerunMs).toFixed(0)} ms`,
    `x${ratio(rerunMs).toFixed(2)} of plain (binary reused)`,
  );

  // Throughput: CLIENTS sockets, each running RUNS_PER_CLIENT programs back to back.
  const sockets = await Promise.all(Array.from({ length: CLIENTS }, () => connect(url)));
  const t0 = performance.now();
  const reasons: Record<string, number> = {};
  const ends: number[] = [];
  await Promise.all(
    sockets.map(async (s, c) => {
      for (let r = 0; r < RUNS_PER_CLIENT; r++) {
        const out = await timedRun(s, `c${c}-${r}`, program(`client ${c} run ${r} ${tag}`));
        reasons[out.reason] = (reasons[out.reason] ?? 0) + 1;
        ends.push(out.endMs);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const total = CLIENTS * RUNS_PER_CLIENT;
  row(
    `${CLIENTS} clients x ${RUNS_PER_CLIENT} runs (new programs)`,
    `${(total / seconds).toFixed(1)} runs/s`,
    `${total} runs in ${seconds.toFixed(1)} s on ${server.bridge.config.parallel} slots; median submit->end ${median(ends).toFixed(0)} ms; ends: ${JSON.stringify(reasons)}`,
  );
  for (const s of [...sockets, ws]) s.close();
  await server.close();
  rmSync(plainDir, { recursive: true, force: true });
}

void main().catch((err: Error) => {
  console.error(`bridge benchmark failed: ${err.message}`);
  process.exitCode = 1;
});
