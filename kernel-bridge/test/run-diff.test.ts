/**
 * Run diff: two runs of one program compared. The measures on hand-made streams (hand-offs,
 * goroutines matched by function, timing noise not called a difference), then `slowmo diff`
 * on real runs under eBPF: GOMAXPROCS 1 against 2, two recordings, and bad input.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { diffRuns, measureRun, type RunDiff } from '../src/protocol/analysis/run-diff';
import { ebpfDescribe } from './support/bridge';
import { script } from './support/events';

jest.setTimeout(180_000);

const SLOWMO = path.join(__dirname, '..', 'bin', 'slowmo.js');
const dir = mkdtempSync(path.join(tmpdir(), 'slowmo-diff-'));

function slowmo(...args: string[]) {
  return spawnSync(process.execPath, [SLOWMO, ...args], { encoding: 'utf8' });
}

describe('run measures', () => {
  test('a P taken from a goroutine in a system call is a hand-off; one given back is not', () => {
    const s = script().start();
    s.create(5).run(5, 0);
    // g5's call returns in time: its M (0) takes its P back.
    s.add('g.syscall', { goid: 5 }).add('p.state', { state: 'syscall', pm: 0 });
    s.add('p.state', { state: 'running', pm: 0 }).add('g.syscall.exit', { goid: 5 });
    // A long one: sysmon retakes the P and hands it to M1.
    s.add('g.syscall', { goid: 5 }).add('p.state', { state: 'syscall', pm: 0 });
    s.add('p.state', { state: 'running', pm: 1, m: 1 });
    const m = measureRun(s.events);
    expect(m.syscalls).toBe(2);
    expect(m.handoffs).toBe(1);
  });

  test("goroutines are matched by their function, not their goid; runtime's are apart", () => {
    const a = script().start();
    a.create(5).create(6).run(5, 0).run(6, 1);
    const b = script().start();
    b.add('g.create', { goid: 5, parent: 0, fn: 'runtime.bgsweep', file: '', line: 0 });
    b.create(7).create(8).run(8, 0).run(7, 1);
    const d = diffRuns(a.events, b.events);
    expect(d.a.byFunction['main.worker']?.goroutines).toBe(2);
    expect(d.b.runtimeGoroutines).toBe(1);
    expect(d.differences).toEqual([]);
    expect(d.same).toEqual(expect.arrayContaining(['goroutines', 'worker: goroutines']));
  });

  test('a function that ran in one run only is a difference, named', () => {
    const a = script().start();
    a.create(5).run(5, 0);
    const b = script().start();
    b.add('g.create', { goid: 5, parent: 1, fn: 'main.helper', file: 'main.go', line: 9 });
    const d = diffRuns(a.events, b.events);
    const words = d.differences.map((x) => x.words);
    expect(words).toContain('main.worker ran only before');
    expect(words).toContain('main.helper ran only now');
  });
});

const SPIN = `package main

import (
	"fmt"
	"sync"
)

func spin(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i % 7
	}
	return s
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			spin(20_000_000)
		}()
	}
	wg.Wait()
	fmt.Println("done")
}
`;

ebpfDescribe()('slowmo diff, on real runs', () => {
  const file = path.join(dir, 'spin.go');
  writeFileSync(file, SPIN);

  test('GOMAXPROCS 1 against 2: the setting and the Ps used differ, the output does not', () => {
    const r = slowmo('diff', file, '--procs', '1,2', '--backend', 'ebpf', '--format', 'json');
    expect(r.stderr).toContain('run 2 of 2 (GOMAXPROCS 2)');
    expect(r.status).toBe(0);
    const d = JSON.parse(r.stdout) as RunDiff;
    const diff = (what: string) => d.differences.find((x) => x.what === what);
    expect(diff('GOMAXPROCS')).toMatchObject({ a: 1, b: 2 });
    // Four goroutines spinning some 20 ms each: with two Ps both run some.
    expect(diff('Ps used')).toMatchObject({ a: 1, b: 2 });
    expect(d.same).toEqual(expect.arrayContaining(['output', 'exit code', 'goroutines']));
    expect(d.a.byFunction['main.main.func1']?.goroutines).toBe(4);
  });

  test('a recording compared with itself has no difference; the text says so', () => {
    const rec = path.join(dir, 'spin.ndjson');
    const run = slowmo('run', file, '--backend', 'ebpf');
    expect(run.status).toBe(0);
    writeFileSync(rec, run.stdout);
    const r = slowmo('diff', rec, rec);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('no difference found');
    expect(r.stdout).toMatch(/the same: Go version, GOMAXPROCS, backend, output/);
  });
});

describe('slowmo diff, bad input', () => {
  test.each([
    [['only-one.ndjson'], 'give two recordings to compare (got 1)'],
    [[path.join(dir, 'x.go')], 'say what differs between the two runs'],
    [[path.join(dir, 'x.go'), '--procs', '1'], '--procs 1: give exactly two values'],
    [[path.join(dir, 'x.go'), '--go', '1.22,banana'], '"banana" is not a Go version'],
    [['a.ndjson', 'b.ndjson', '--procs', '1,2'], '--procs and --go are for a program'],
    [['missing-a.ndjson', 'missing-b.ndjson'], 'missing-a.ndjson'],
  ])('%j is refused, saying why', (args, words) => {
    const r = slowmo('diff', ...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(words);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
