/**
 * The `slowmo` command as a person at a terminal uses it, from the
 * repository root through `npx` (so the bin link that `make setup` makes is
 * tested too): NDJSON or a readable narration, compile errors as
 * file:line:col on stderr with exit 2, and a one-line message for bad input.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEvent } from '../src/protocol';
import { ebpfDescribe } from './support/bridge';

jest.setTimeout(120_000);

const ROOT = path.join(__dirname, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'slowmo-cli-'));

function slowmo(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('npx', ['--no-install', 'slowmo', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('slowmo without a run', () => {
  test('bad input gets one line naming what is wrong, exit 2', () => {
    const missing = slowmo('run', path.join(dir, 'nope.go'));
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^slowmo: cannot read .*nope\.go: ENOENT$/);
    const procs = slowmo('run', file('ok.go', 'package main\nfunc main() {}\n'), '--procs', '0');
    expect(procs.status).toBe(2);
    expect(procs.stderr.trim().split('\n')).toHaveLength(1);
    expect(procs.stderr).toContain('--procs');
    const format = slowmo(
      'run',
      file('ok.go', 'package main\nfunc main() {}\n'),
      '--format',
      'xml',
    );
    expect(format).toMatchObject({
      status: 2,
      stderr: 'slowmo: --format xml: use ndjson or text\n',
    });
    expect(slowmo('frobnicate').status).toBe(2);
  });
});

ebpfDescribe()('slowmo run', () => {
  test('NDJSON: every line an event of the protocol, from run.start to run.end', () => {
    const r = slowmo(
      'run',
      file('hello.go', 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n'),
    );
    expect(r.status).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => parseEvent(l));
    expect(events[0]?.kind).toBe('run.start');
    expect(events.at(-1)).toMatchObject({ kind: 'run.end', exitCode: 0, reason: 'exit' });
    expect(
      events.filter((e) => e.kind === 'output').map((e) => (e.kind === 'output' ? e.data : '')),
    ).toEqual(['hi\n']);
  });

  test('text: the narration, and the program output as itself', () => {
    const r = slowmo(
      'run',
      file(
        'text.go',
        'package main\n\nimport "fmt"\n\nfunc main() {\n\tgo fmt.Println()\n\tfmt.Println("plain words")\n}\n',
      ),
      '--format',
      'text',
      '--procs',
      '1',
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^\s+0\.000 ms {2}Run started: go1\.\d+\.\d+, GOMAXPROCS=1, watched by eBPF probes/,
    );
    expect(r.stdout).toMatch(/created g\d+ to run fmt\.Println \(text\.go:6\)/);
    expect(r.stdout).toContain('\nplain words\n');
    expect(r.stdout).toMatch(/The program exited with code 0\n$/);
  });

  test('a compile error: file:line:col: message on stderr, exit 2, nothing on stdout', () => {
    const r = slowmo(
      'run',
      file('broken.go', 'package main\n\nfunc main() {\n\tundefinedThing()\n}\n'),
    );
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('broken.go:4:2: undefined: undefinedThing\n');
  });
});
