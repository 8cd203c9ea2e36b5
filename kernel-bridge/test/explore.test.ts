/**
 * The interleaving explorer: `slowmo explore` runs a program many times
 * (real builds, real runs under eBPF) and groups the runs by outcome and by
 * schedule signature; the signature itself on hand-made streams.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  groupRuns,
  scheduleSignature,
  scheduleSteps,
  type Exploration,
  type ExploredRun,
} from '../src/protocol/analysis/schedule';
import { ebpfDescribe } from './support/bridge';
import { script } from './support/events';

jest.setTimeout(180_000);

/** The package's bin, run by this node (npx would add a second per run). */
const SLOWMO = path.join(__dirname, '..', 'bin', 'slowmo.js');
const dir = mkdtempSync(path.join(tmpdir(), 'slowmo-explore-'));

function slowmo(...args: string[]) {
  return spawnSync(process.execPath, [SLOWMO, ...args], { encoding: 'utf8' });
}

function goFile(name: string, source: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, source);
  return file;
}

/** Two goroutines printing at once: which prints first depends on the run. */
const RACE = `package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	for _, w := range []string{"a", "b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 3; i++ {
				fmt.Println(w, i)
			}
		}()
	}
	wg.Wait()
}
`;

/** A hand-off over unbuffered channels: one order only. */
const PINGPONG = `package main

import "fmt"

func main() {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			fmt.Println("pong", v)
			pong <- v
		}
		close(pong)
	}()
	for i := 0; i < 3; i++ {
		ping <- i
		<-pong
	}
	close(ping)
	<-pong
}
`;

describe('schedule signature', () => {
  /** main creates two workers (goids given), they run in the order given, and exit. */
  function stream(goids: [number, number], order: [number, number], runtime = 0) {
    const s = script().start();
    if (runtime)
      s.add('g.create', { goid: runtime, parent: 1, fn: 'runtime.bgsweep', file: '', line: 0 });
    for (const goid of goids) s.create(goid);
    s.add('g.waiting', { goid: 1, reason: 'chan receive', file: 'main.go', line: 20 });
    for (const goid of order) s.run(goid, 0).add('g.exit', { goid });
    return s.events;
  }

  test('names goroutines by function and rank, not by goid, and leaves the runtime out', () => {
    expect(scheduleSteps(stream([5, 6], [6, 5]))).toEqual([
      'main created worker#1',
      'main created worker#2',
      'main parked (chan receive)',
      'worker#2 ran',
      'worker#2 exited',
      'worker#1 ran',
      'worker#1 exited',
    ]);
    // The same interleaving with other goids (a runtime goroutine took one first): the same signature.
    expect(scheduleSignature(stream([7, 8], [8, 7], 5))).toBe(
      scheduleSignature(stream([5, 6], [6, 5])),
    );
    expect(scheduleSignature(stream([5, 6], [5, 6]))).not.toBe(
      scheduleSignature(stream([5, 6], [6, 5])),
    );
  });

  test("main's parks in the runtime's start-up do not count, even after an early output", () => {
    const s = script().start();
    // Under load the program's output can reach the stream before the events that led to it.
    s.add('output', { stream: 'stdout', data: 'hi\n', m: -1, p: -1 });
    s.add('g.waiting', { goid: 1, reason: 'chan receive' }).put(1, 'runnext', 0);
    s.create(5).run(5, 0);
    expect(scheduleSteps(s.events)).toEqual(['main created worker#1', 'worker#1 ran']);
  });

  test('groups runs by outcome and by signature, the most frequent first', () => {
    const run = (id: string, stdout: string, signature: string): ExploredRun => ({
      id,
      procs: 2,
      go: 'go1.27.4',
      outcome: { stdout, exitCode: 0 },
      signature,
    });
    const x = groupRuns([run('r1', 'a\n', 's1'), run('r2', 'b\n', 's2'), run('r3', 'b\n', 's1')]);
    expect(x.outcomes).toEqual([
      { stdout: 'b\n', exitCode: 0, count: 2, runs: ['r2', 'r3'] },
      { stdout: 'a\n', exitCode: 0, count: 1, runs: ['r1'] },
    ]);
    expect(x.schedules).toEqual([
      { signature: 's1', count: 2, runs: ['r1', 'r3'] },
      { signature: 's2', count: 1, runs: ['r2'] },
    ]);
  });
});

ebpfDescribe()('slowmo explore', () => {
  test('two goroutines printing at GOMAXPROCS 2: at least 2 outcomes over 30 runs, every run listed', () => {
    const r = slowmo(
      'explore',
      goFile('race.go', RACE),
      '--runs',
      '30',
      '--procs',
      '2',
      '--backend',
      'ebpf',
      '--format',
      'json',
    );
    expect(r.status).toBe(0);
    const x = JSON.parse(r.stdout) as Exploration;
    expect(x.runs).toHaveLength(30);
    expect(x.outcomes.length).toBeGreaterThanOrEqual(2);
    for (const [i, run] of x.runs.entries()) {
      expect(run).toMatchObject({ id: `r${i + 1}`, procs: 2, go: expect.stringMatching(/^go1\./) });
      expect(run.outcome.exitCode).toBe(0);
      expect(run.outcome.stdout.split('\n').sort().join(' ')).toBe(' a 0 a 1 a 2 b 0 b 1 b 2');
      expect(run.signature).toContain('main created main.func1#2');
      // Each run is in the group of its own outcome and of its own schedule.
      const outcome = x.outcomes.find((o) => o.runs.includes(run.id));
      expect(outcome).toMatchObject(run.outcome);
      expect(x.schedules.find((s) => s.runs.includes(run.id))?.signature).toBe(run.signature);
    }
    expect(x.outcomes.reduce((n, o) => n + o.count, 0)).toBe(30);
    expect(x.schedules.reduce((n, s) => n + s.count, 0)).toBe(30);
  });

  test('a deterministic program has exactly one outcome; text says so, with progress on stderr', () => {
    const r = slowmo(
      'explore',
      goFile('pingpong.go', PINGPONG),
      '--runs',
      '4',
      '--procs',
      '1,2',
      '--backend',
      'ebpf',
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('slowmo: run 8 of 8');
    expect(r.stdout).toMatch(
      /^8 runs \(go1\.\d+\.\d+, GOMAXPROCS 1; go1\.\d+\.\d+, GOMAXPROCS 2\): 1 distinct outcome\n/,
    );
    expect(r.stdout).toContain('  8 of 8 (100%) runs: exit code 0');
    expect(r.stdout).toContain('    stdout │ pong 2\n');
  });

  test('bad input: a usage error naming the flag, exit 2', () => {
    const file = goFile('ok.go', PINGPONG);
    const cases: [string[], RegExp][] = [
      [['--runs', '51'], /--runs 51: give a whole number from 1 to 50/],
      [['--runs', '0'], /--runs 0: give a whole number from 1 to 50/],
      [['--procs', '1,x'], /--procs 1,x: each GOMAXPROCS is a whole number from 1 to 64/],
      [['--procs', '2,'], /--procs 2,: give a list/],
      [['--go', '1.99'], /--go: Go 1\.99 is not installed here; choose one of: go1\./],
      [['--go', 'latest'], /--go latest: "latest" is not a Go version/],
      [['--format', 'xml'], /--format xml: use json or text/],
    ];
    for (const [args, message] of cases) {
      const r = slowmo('explore', file, ...args);
      expect({ args, status: r.status }).toEqual({ args, status: 2 });
      expect(r.stderr).toMatch(message);
    }
  });

  test('a program that does not compile: its errors, exit 2', () => {
    const r = slowmo(
      'explore',
      goFile('bad.go', 'package main\n\nfunc main() {\n\tx := 1\n}\n'),
      '--runs',
      '5',
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('bad.go:4:2: declared and not used: x');
    expect(r.stderr).toContain('slowmo: it does not compile');
  });
});
