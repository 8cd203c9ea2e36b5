/**
 * `slowmo check` as a teacher uses it: notebooks in, a report out, and an
 * exit code that says whether every checkpoint passed. Real runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CheckReport } from '../src/check';
import { ebpfDescribe } from './support/bridge';

jest.setTimeout(180_000);

const ROOT = path.join(__dirname, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'slowmo-check-'));

function slowmo(...args: string[]) {
  return spawnSync('npx', ['--no-install', 'slowmo', ...args], { cwd: ROOT, encoding: 'utf8' });
}

const THREE = `package main

import "sync"

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() { wg.Done() }()
	}
	wg.Wait()
}
`;

function goCell(source: string, checkpoints: object[] = []): object {
  return {
    cell_type: 'code',
    source,
    metadata: { slowmo: { checkpoints } },
    outputs: [],
    execution_count: null,
  };
}

function notebook(name: string, cells: object[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }));
  return file;
}

const threeCreated = {
  id: 'three',
  title: 'three goroutines of mine are created',
  hint: 'start three goroutines with go',
  check: { type: 'event', kind: 'g.create', where: { fn: 'main.main.func1' }, min: 3 },
};

ebpfDescribe()('slowmo check', () => {
  test('a notebook whose checkpoints all pass: exit 0, and a report per checkpoint', () => {
    const nb = notebook('good.ipynb', [
      { cell_type: 'markdown', source: '# Three goroutines', metadata: {} },
      goCell(THREE, [threeCreated]),
      { cell_type: 'code', source: 'print(1)', metadata: {}, outputs: [], execution_count: null },
    ]);
    const r = slowmo('check', nb);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`PASS ${nb}`);
    expect(r.stdout).toContain('cell 2: ✔ three goroutines of mine are created');
    expect(r.stdout).toContain('1 Go-slowmo cell(s), 1 checkpoint(s): 1 passed, 0 failed');
  });

  test('failing, malformed and non-compiling cells fail the check with reasons; --json has it all', () => {
    const nb = notebook('starter.ipynb', [
      goCell(THREE.replace('i < 3', 'i < 2'), [threeCreated]),
      goCell(THREE, [
        { id: 'bad', title: 'broken spec', check: { type: 'event', kind: 'no.such.kind' } },
      ]),
      goCell('package main\n\nfunc main() {\n\tx := 1\n}\n', [threeCreated]),
    ]);
    const r = slowmo('check', '--json', nb);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as CheckReport;
    const [few, broken, noCompile] = report.notebooks[0]!.cells;
    expect(few!.checkpoints[0]).toMatchObject({
      passed: false,
      hint: 'start three goroutines with go',
    });
    // A malformed checkpoint is the lesson's fault, and says which field.
    expect(broken!.problem).toMatch(/field "checkpoints\[0\]\.check\.kind"/);
    expect(noCompile!.problem).toMatch(/does not compile: main\.go:4:2: declared and not used: x/);
    expect(report.counts).toEqual({
      cells: 3,
      checkpoints: 2,
      passed: 0,
      failed: 2,
      predictions: { answered: 0, right: 0, wrong: 0, unanswered: 0 },
    });
  });

  test('a cell that deadlocks or panics says how it ended, in words', () => {
    const nb = notebook('endings.ipynb', [
      goCell('package main\n\nfunc main() {\n\tch := make(chan int)\n\t<-ch\n}\n'),
      goCell('package main\n\nfunc main() {\n\tvar m map[string]int\n\tm["x"] = 1\n}\n'),
    ]);
    const r = slowmo('check', nb);
    expect(r.stdout).toContain(
      'cell 1: the program did not end well: Deadlock: every goroutine is blocked',
    );
    expect(r.stdout).toContain(
      'cell 2: the program did not end well: The program panicked: assignment to entry in nil map',
    );
    const json = JSON.parse(slowmo('check', '--json', nb).stdout) as CheckReport;
    expect(json.notebooks[0]!.cells.map((c) => c.ending)).toEqual([
      'Deadlock: every goroutine is blocked',
      'The program panicked: assignment to entry in nil map',
    ]);
  });

  test('a file that is not a notebook: exit 2 with what is wrong', () => {
    const bad = path.join(dir, 'not.ipynb');
    writeFileSync(bad, '{"nope": true}');
    const r = slowmo('check', bad);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('cannot read it as a notebook: it has no "cells" list');
  });
});
