/**
 * Issue 19, item 4: the runtime's own goroutine leak detector beside the leak lens. A real
 * program, built and run by `slowmo run --leak-profile`: two workers blocked sending on a
 * channel only they reach once main returns (the runtime reports them, at their line), and a
 * waiter blocked on a package variable's channel (reachable, so the runtime does not report
 * it; the lens does, and says why the two differ). On Go 1.26 (built with
 * GOEXPERIMENT=goroutineleakprofile) on both backends, on Go 1.27 (the detector always there),
 * and on Go 1.25, where the lens says the detector needs Go 1.26.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  analyzeFailure,
  apply,
  explainEnding,
  failureLensText,
  initialState,
  parseEvent,
  REACHABILITY_WORDS,
  type EventOf,
  type FailureLens,
  type SchedState,
  type SlowmoEvent,
} from '../src/protocol';
import { ebpfDescribe } from './support/bridge';

// The first build of a Go 1.26 program with the experiment compiles the standard library for it.
jest.setTimeout(300_000);

const ROOT = path.join(__dirname, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'slowmo-leak-detector-'));

const PROGRAM = `package main

import (
	"fmt"
	"time"
)

var jobs = make(chan int)

func worker(results chan int) {
	results <- 1
}

func waiter() {
	<-jobs
}

func main() {
	results := make(chan int)
	for i := 0; i < 3; i++ {
		go worker(results)
	}
	go waiter()
	fmt.Println(<-results)
	time.Sleep(20 * time.Millisecond)
}
`;
const WORKER_LINE = 11;
const WAITER_LINE = 15;
const lines = PROGRAM.split('\n');
const source = (_file: string, line: number): string | undefined => lines[line - 1];

interface Run {
  events: SlowmoEvent[];
  lens: FailureLens;
  report: EventOf<'leak.report'> | undefined;
  text: string;
}

function run(backend: 'ebpf' | 'trace', go: string): Run {
  const file = path.join(dir, `leaky-${backend}-${go}.go`);
  writeFileSync(file, PROGRAM);
  const args = ['run', file, '--backend', backend, '--go', go, '--procs', '2', '--leak-profile'];
  const r = spawnSync('npx', ['--no-install', 'slowmo', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  expect(r.error).toBeUndefined();
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const events = r.stdout
    .trim()
    .split('\n')
    .map((l) => parseEvent(JSON.parse(l)));
  let end: SchedState = initialState();
  for (const e of events) end = apply(end, e);
  const lens = analyzeFailure(events, end, explainEnding(events, end), source);
  expect(lens).not.toBeNull();
  const report = events.find((e): e is EventOf<'leak.report'> => e.kind === 'leak.report');
  return { events, lens: lens!, report, text: failureLensText(lens!) };
}

function groupAt(lens: FailureLens, line: number): number {
  const i = lens.groups.findIndex((g) => g.line === line);
  expect(i).toBeGreaterThanOrEqual(0);
  return i;
}

function expectCompared({ events, lens, report, text }: Run): void {
  // The report comes after the program's output, just before run.end.
  expect(report).toBeDefined();
  expect(events.at(-2)).toBe(report);
  expect(report!.available).toBe(true);
  // The two workers still sending, at their line; the waiter on the package variable not.
  expect(report!.total).toBe(2);
  expect(report!.goroutines.map((g) => [g.waitReason, g.frames[0]?.fn, g.frames[0]?.line])).toEqual(
    [
      ['chan send', 'main.worker', WORKER_LINE],
      ['chan send', 'main.worker', WORKER_LINE],
    ],
  );

  // The lens lists the workers and the waiter; the runtime agrees on the workers only.
  expect(lens.kind).toBe('leak');
  const view = lens.runtime!;
  expect(view.status).toBe('compared');
  const workers = groupAt(lens, WORKER_LINE);
  const waiter = groupAt(lens, WAITER_LINE);
  expect(lens.groups[workers]!.goids.sort()).toEqual(report!.goroutines.map((g) => g.goid).sort());
  expect(view.groups[workers]).toEqual(
    expect.objectContaining({
      notReported: [],
      words: "The runtime's detector agrees: all 2 leaked.",
    }),
  );
  expect(view.groups[waiter]!.reported).toEqual([]);
  expect(view.groups[waiter]!.notReported).toEqual(lens.groups[waiter]!.goids);
  expect(view.runtimeOnly).toEqual([]);
  expect(view.words).toBe(
    "The runtime's own leak detector reported 2 goroutines leaked as main returned, 2 of the 3 listed here.",
  );
  // Why they differ, in one sentence: reachability, a package variable.
  expect(view.explain).toBe(REACHABILITY_WORDS);
  expect(view.explain).toMatch(/reachability: .*package variable/);
  expect(text).toContain(view.explain!);
  expect(text).toContain(`leaky-`);
}

describe('Go 1.26, built with GOEXPERIMENT=goroutineleakprofile', () => {
  test('trace backend: the runtime reports the unreachable workers, not the waiter on a global', () => {
    expectCompared(run('trace', '1.26'));
  });
});

ebpfDescribe()('Go 1.26 on the eBPF backend', () => {
  test('the same report and the same comparison', () => {
    expectCompared(run('ebpf', '1.26'));
  });
});

test('Go 1.27 has the detector without the experiment', () => {
  expectCompared(run('trace', '1.27'));
});

test('Go 1.25: the report says unavailable, and the lens that the detector needs Go 1.26', () => {
  const { lens, report, text } = run('trace', '1.25');
  expect(report).toEqual(
    expect.objectContaining({ available: false, goroutines: [], total: 0, truncated: false }),
  );
  expect(lens.kind).toBe('leak');
  expect(lens.runtime!.status).toBe('unavailable');
  expect(lens.runtime!.words).toMatch(
    /^The runtime's own goroutine leak detector needs Go 1\.26 or later; this run used go1\.25\.\d+\.$/,
  );
  expect(lens.runtime!.groups).toEqual([]);
  expect(text).toContain(lens.runtime!.words);
});
