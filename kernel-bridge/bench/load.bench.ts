/**
 * `make bench`: a class on loopback. 50 simulated students, each on a
 * WebSocket of their own, submit small programs for two minutes (a new
 * program most of the time, sometimes the same one again, then a pause to
 * read the picture), against a bridge in a process of its own. Goals:
 * no lost run (every run gets its end), no lost event (seq 0..n-1 without a
 * gap, as many as the end counts, run.end.lost 0), every run ends with a
 * reason, queue positions never go up, and the bridge's memory stays
 * bounded (its resident set from /metrics, sampled every second).
 *
 *   SLOWMO_LOAD_STUDENTS=50 SLOWMO_LOAD_SECONDS=120 node dist/bench/load.bench.js
 */
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { parseServerMessage } from '../src/protocol';
import { REPO_DIR } from '../src/paths';

const STUDENTS = Number(process.env.SLOWMO_LOAD_STUDENTS ?? 50);
const SECONDS = Number(process.env.SLOWMO_LOAD_SECONDS ?? 120);
const THINK_MS = [500, 3000];
const RERUN_SHARE = 0.3;
/** Memory goal: the bridge's resident set at the end within this of its peak after warm-up. */
const MEMORY_GOAL_MIB = 1024;

const program = (tag: string): string => `package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	results := make(chan int, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			results <- n * n
		}(i)
	}
	wg.Wait()
	close(results)
	sum := 0
	for r := range results {
		sum += r
	}
	fmt.Println("${tag}", sum)
}
`;

interface RunResult {
  ms: number;
  reason?: string;
  problem?: string;
  events: number;
  lost: number;
  maxPosition: number;
}

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function row(name: string, value: string, note: string): void {
  console.log(`${name.padEnd(46)} ${value.padStart(12)}   ${note}`);
}

/** One run: checks its own stream as it arrives. */
function run(ws: WebSocket, id: string, code: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let nextSeq = 0;
    let lastPosition = Infinity;
    let maxPosition = 0;
    const problems: string[] = [];
    const onMessage = (data: WebSocket.RawData): void => {
      const msg = parseServerMessage(data.toString());
      if (msg.id !== id) return;
      if (msg.type === 'status' && msg.position !== undefined) {
        if (msg.position > lastPosition)
          problems.push(`queue position went up: ${lastPosition} -> ${msg.position}`);
        lastPosition = msg.position;
        maxPosition = Math.max(maxPosition, msg.position);
      }
      if (msg.type === 'events') {
        for (const e of msg.events) {
          if (e.seq !== nextSeq) problems.push(`seq ${e.seq} where ${nextSeq} was due`);
          nextSeq = e.seq + 1;
        }
      }
      const done = (extra?: string): void => {
        ws.off('message', onMessage);
        ws.off('close', onClose);
        if (extra) problems.push(extra);
        resolve({
          ms: performance.now() - t0,
          reason: msg.type === 'end' ? msg.reason : undefined,
          problem: problems.length ? problems.join('; ') : undefined,
          events: nextSeq,
          lost: msg.type === 'end' ? (msg.lost ?? 0) : 0,
          maxPosition,
        });
      };
      if (msg.type === 'end') {
        if (msg.stats.events !== nextSeq)
          problems.push(`end counts ${msg.stats.events} events, ${nextSeq} arrived`);
        if (msg.lost === null) problems.push('events lost: unknown (the recorder was killed)');
        else if (msg.lost !== 0) problems.push(`${msg.lost} events lost`);
        done();
      } else if (msg.type === 'error' || msg.type === 'compile_error') {
        done(`${msg.type}: ${JSON.stringify(msg).slice(0, 200)}`);
      }
    };
    const onClose = (): void =>
      resolve({ ms: 0, problem: 'socket closed', events: 0, lost: 0, maxPosition });
    ws.on('message', onMessage);
    ws.on('close', onClose);
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

async function rssMiB(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = /^slowmo_bridge_resident_memory_bytes (\d+)$/m.exec(text);
  return m ? Number(m[1]) / 2 ** 20 : NaN;
}

async function main(): Promise<void> {
  if (
    spawnSync(path.join(REPO_DIR, 'bpf/bin/slowmo-probe'), ['check']).status !== 0 ||
    process.getuid?.() !== 0
  ) {
    console.log('load benchmark: skipped (needs root and eBPF)');
    return;
  }
  // The bridge in a process of its own, so its memory is its own.
  const config = {
    host: '127.0.0.1',
    port: 0,
    workDir: path.join(tmpdir(), 'slowmo-bridge-bench'),
    logLevel: 'silent',
    maxQueued: 500,
  };
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const { startServer } = require(${JSON.stringify(path.join(__dirname, '../src/server/app'))});
       const { makeConfig } = require(${JSON.stringify(path.join(__dirname, '../src/config'))});
       startServer(makeConfig(${JSON.stringify(config)})).then((s) => console.log(s.url));`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`the bridge exited (${code})`)));
  });
  try {
    const url = `${base.replace(/^http/, 'ws')}/api/runs`;
    const tag = `${process.pid}-${Date.now()}`;
    // Warm the Go build cache (std) first, as a running class would have.
    const warm = await connect(url);
    await run(warm, 'warm', program(`warm ${tag}`));
    warm.close();

    const rss: number[] = [];
    const sampler = setInterval(() => {
      void rssMiB(base).then((m) => rss.push(m));
    }, 1000);
    const deadline = performance.now() + SECONDS * 1000;
    const results: RunResult[] = [];
    const student = async (s: number): Promise<void> => {
      const ws = await connect(url);
      let last = program(`s${s} 0 ${tag}`);
      for (let i = 0; performance.now() < deadline; i++) {
        const code = i > 0 && Math.random() < RERUN_SHARE ? last : program(`s${s} ${i} ${tag}`);
        last = code;
        results.push(await run(ws, `s${s}-${i}`, code));
        const [lo, hi] = THINK_MS;
        await new Promise((r) => setTimeout(r, lo! + Math.random() * (hi! - lo!)));
      }
      ws.close();
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: STUDENTS }, (_, s) => student(s)));
    const elapsed = (performance.now() - t0) / 1000;
    clearInterval(sampler);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    const endedByMetrics = [...metrics.matchAll(/^slowmo_runs_ended_total\{[^}]*\} (\d+)$/gm)]
      .map((m) => Number(m[1]))
      .reduce((a, b) => a + b, 0);
    const reasons: Record<string, number> = {};
    for (const r of results) reasons[r.reason ?? 'none'] = (reasons[r.reason ?? 'none'] ?? 0) + 1;
    const problems = results.filter((r) => r.problem);
    const withoutReason = results.filter((r) => !r.reason).length;
    const lost = results.reduce((n, r) => n + r.lost, 0);
    const events = results.reduce((n, r) => n + r.events, 0);
    const ms = results.map((r) => r.ms);
    const maxPos = Math.max(...results.map((r) => r.maxPosition));
    const settled = rss.slice(Math.floor(rss.length / 4)).filter(Number.isFinite);
    const peak = Math.max(...settled);
    const lastQuarter = settled.slice(Math.floor((settled.length * 3) / 4));
    const firstQuarter = settled.slice(0, Math.max(1, Math.floor(settled.length / 4)));
    const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

    const noLostRun = endedByMetrics === results.length + 1 && withoutReason === 0;
    const noLostEvent = lost === 0 && problems.every((p) => !/seq|events/.test(p.problem!));
    const monotonic = problems.every((p) => !/position went up/.test(p.problem!));
    const bounded = peak < MEMORY_GOAL_MIB && avg(lastQuarter) < avg(firstQuarter) * 1.5;

    console.log(
      `load benchmark: ${STUDENTS} students for ${SECONDS} s over WebSocket on loopback, think ${THINK_MS[0]}-${THINK_MS[1]} ms, ${Math.round(RERUN_SHARE * 100)}% reruns`,
    );
    row(
      'runs',
      String(results.length),
      `${(results.length / elapsed).toFixed(1)} runs/s in ${elapsed.toFixed(0)} s; ends: ${JSON.stringify(reasons)}`,
    );
    row(
      'submit -> end (median / p95 / max)',
      `${(percentile(ms, 50) / 1000).toFixed(1)} s`,
      `${(percentile(ms, 95) / 1000).toFixed(1)} s / ${(Math.max(...ms) / 1000).toFixed(1)} s; deepest queue place ${maxPos}`,
    );
    row('events delivered', String(events), `lost ${lost}`);
    row(
      'no lost run',
      noLostRun ? 'met' : 'NOT met',
      `${results.length} runs ended with a reason, /metrics counts ${endedByMetrics - 1} (+1 warm-up); without a reason: ${withoutReason}`,
    );
    row(
      'no lost event',
      noLostEvent ? 'met' : 'NOT met',
      'seq without gaps, as many as each end counts, run.end.lost 0',
    );
    row('queue positions monotonic', monotonic ? 'met' : 'NOT met', 'a run never moved back');
    row(
      'bridge memory bounded',
      bounded ? 'met' : 'NOT met',
      `resident ${Math.round(Math.min(...settled))}-${Math.round(peak)} MiB after warm-up (goal < ${MEMORY_GOAL_MIB} MiB, last quarter < 1.5x first)`,
    );
    for (const p of problems.slice(0, 5)) console.log(`  problem: ${p.problem}`);
    console.log(
      `load goals: ${noLostRun && noLostEvent && monotonic && bounded && problems.length === 0 ? 'met' : 'NOT met'}`,
    );
  } finally {
    child.kill('SIGTERM');
  }
}

void main();
