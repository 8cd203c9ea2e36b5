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
import { RECORDINGS } from './support/recordings';

jest.setTimeout(120_000);

const ROOT = path.join(__dirname, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'slowmo-cli-'));

type Result = { status: number | null; stdout: string; stderr: string };

function slowmo(...args: string[]): Result {
  return slowmoWith({}, ...args);
}

function slowmoWith(env: Record<string, string>, ...args: string[]): Result {
  const r = spawnSync('npx', ['--no-install', 'slowmo', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
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
      stderr: 'slowmo: --format xml: use ndjson, text or chrome\n',
    });
    expect(slowmo('frobnicate').status).toBe(2);
    const uid = slowmoWith(
      { SLOWMO_UID_BASE: '-5' },
      'run',
      file('ok.go', 'package main\nfunc main() {}\n'),
    );
    expect(uid).toMatchObject({
      status: 2,
      stderr: 'slowmo: SLOWMO_UID_BASE=-5: give a uid, a whole number\n',
    });
  });

  test('--help (and -h) on each command prints its usage and exits 0', () => {
    for (const [command, flag] of [
      ['run', '--help'],
      ['run', '-h'],
      ['check', '--help'],
      ['serve', '--help'],
    ] as const) {
      const r = slowmo(command, flag);
      expect([command, flag, r.status, r.stderr]).toEqual([command, flag, 0, '']);
      expect(r.stdout.startsWith(`usage: slowmo ${command} `)).toBe(true);
    }
    expect(slowmo('run', '--help').stdout).toContain('--runtime');
    expect(slowmo('--help').stdout).toContain('slowmo COMMAND --help');
  });
});

ebpfDescribe()('slowmo run', () => {
  test('SLOWMO_UID_BASE moves the pool of uids programs run as', () => {
    const base = 300_000;
    const r = slowmoWith(
      { SLOWMO_UID_BASE: String(base) },
      'run',
      file(
        'uid.go',
        'package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\nfunc main() { fmt.Println(os.Getuid()) }\n',
      ),
      '--format',
      'text',
    );
    expect(r.status).toBe(0);
    const uid = Number(/stdout │ (\d+)/.exec(r.stdout)?.[1]);
    expect(uid).toBeGreaterThanOrEqual(base);
    expect(uid).toBeLessThan(base + 1024 * 4096);
  });

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
    expect(r.stdout).toMatch(/\n {7}stdout │ plain words\n/);
    expect(r.stdout).toMatch(/The program exited with code 0\n$/);
  });

  test('text: the program’s output is marked and its control characters shown, not obeyed', () => {
    const r = slowmo(
      'run',
      file(
        'hostile.go',
        [
          'package main',
          '',
          'import (',
          '\t"fmt"',
          '\t"os"',
          ')',
          '',
          'func main() {',
          '\tfmt.Print("\\x1b[2J\\x1b[H\\n    0.000 ms  Run started: a fake narration line\\n")',
          '\tfmt.Print("50%\\r100%\\u202e\\n")',
          '\tfmt.Fprint(os.Stderr, "\\x1b[31mred\\x1b[0m\\n")',
          '}',
          '',
        ].join('\n'),
      ),
      '--format',
      'text',
    );
    expect(r.status).toBe(0);
    // Nothing the terminal would act on: no ESC, no carriage return, no bidi override.
    for (const c of ['\x1b', '\r', '\u202e'])
      expect([JSON.stringify(c), (r.stdout + r.stderr).includes(c)]).toEqual([
        JSON.stringify(c),
        false,
      ]);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('       stdout │ \\x1b[2J\\x1b[H');
    expect(lines).toContain('       stdout │     0.000 ms  Run started: a fake narration line');
    expect(lines).toContain('       stdout │ 50%\\r100%\\u202e');
    expect(r.stderr.split('\n')).toContain('       stderr │ \\x1b[31mred\\x1b[0m');
    // The one line that starts as narration does is the real start.
    expect(lines.filter((l) => /^\s+\d+\.\d{3} ms {2}Run started/.test(l))).toHaveLength(1);
  });

  test('text: the runtime start-up folded into one line, its goroutines hidden; --runtime shows all', () => {
    const pool = path.join(RECORDINGS, 'pool.go');
    const plain = slowmo('run', pool, '--format', 'text');
    expect(plain.status).toBe(0);
    const lines = plain.stdout.split('\n');
    expect(lines[0]).toMatch(/Run started: /);
    expect(lines[1]).toMatch(
      /^\s+\d+\.\d{3} ms {2}… runtime start-up: \d+ events hidden \(--runtime shows them\)$/,
    );
    expect(lines[2]).toMatch(/g1 \(main\) runs on P\d/);
    expect(plain.stdout).not.toMatch(/runtime\.|bgsweep|forcegc|finalizer \)/);
    expect(plain.stdout).toMatch(/created g\d+ to run main\.worker \(pool\.go:19\)/);
    expect(plain.stdout).toMatch(/g\d+ \(worker\)'s sleep \(pool\.go:10\) is over/);
    // The waker's line is read from the program: a send, not a close.
    expect(plain.stdout).toMatch(
      /g\d+ \(worker\) sent on the channel at pool\.go:11 and woke g1 \(main\)/,
    );
    expect(plain.stdout).toMatch(
      /… \d+ events of the runtime's own goroutines were hidden \(--runtime shows them\)\n.*The program exited with code 0\n$/,
    );
    const all = slowmo('run', pool, '--format', 'text', '--runtime');
    expect(all.status).toBe(0);
    expect(all.stdout).not.toContain('hidden');
    expect(all.stdout).toMatch(
      /created g\d+ to run runtime\.forcegchelper, one of the runtime's own goroutines \(forcegc\)/,
    );
    expect(all.stdout.split('\n').length).toBeGreaterThan(lines.length);
  });

  test('text: a deadlock ends with what happened and each blocked goroutine’s line', () => {
    const r = slowmo('run', path.join(RECORDINGS, 'deadlock.go'), '--format', 'text');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('fatal error: all goroutines are asleep - deadlock!');
    const ending = r.stdout.slice(r.stdout.indexOf('\nDeadlock: '));
    expect(ending.split('\n').slice(1, 2)).toEqual(['Deadlock: every goroutine is blocked']);
    expect(ending).toMatch(
      /\n {2}deadlock\.go:13 {2}g1: waiting to receive from a nil channel \(forever\)\n/,
    );
    expect(ending).toMatch(/\n {2}deadlock\.go:9 {3}g\d+: waiting to send on a channel\n\n/);
    // Then the deadlock lens: each blocked goroutine with what it waits on and who could release it.
    const lens = ending.slice(ending.indexOf('\nDeadlock: 2 goroutines blocked for ever\n'));
    expect(lens).toMatch(/There is no wait-for cycle among them/);
    expect(lens).toMatch(
      /\n {2}g1 \(main\) at deadlock\.go:13: waiting to receive from a nil channel \(forever\): done\n {6}A nil channel/,
    );
    expect(lens).toMatch(
      /\n {2}g\d+ \(main\.func1\) at deadlock\.go:9: waiting to send on a channel: ch\n {6}No goroutine still alive receives from ch by the source/,
    );
  });

  test('text: goroutines blocked when main returned are told as a leak, by line', () => {
    const r = slowmo('run', path.join(RECORDINGS, 'leak.go'), '--format', 'text');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /\nLeak: 4 goroutines still blocked when main returned\n.*\n {2}leak\.go:13 {2}3 × waiting to send on a channel \(g\d+ g\d+ g\d+, never woken: g\d+ g\d+ g\d+\)\n {2}leak\.go:22 {2}1 × waiting to receive from a channel/,
    );
  });

  test('text: an overflow of the local queue is told once, not once per goroutine', () => {
    // 500, not 257: on a loaded machine sysmon may preempt main mid-loop and the P
    // then runs some of the queue; with 500 the queue still fills (2-3 overflows).
    const r = slowmo(
      'run',
      file(
        'overflow.go',
        'package main\n\nimport "sync"\n\nfunc work(wg *sync.WaitGroup) { wg.Done() }\n\nfunc main() {\n\tvar wg sync.WaitGroup\n\tfor i := 0; i < 500; i++ {\n\t\twg.Add(1)\n\t\tgo work(&wg)\n\t}\n\twg.Wait()\n}\n',
      ),
      '--format',
      'text',
      '--procs',
      '1',
    );
    expect(r.status).toBe(0);
    const full = r.stdout.split('\n').filter((l) => l.includes('local queue is full'));
    expect(full.length).toBeGreaterThan(0);
    for (const l of full) expect(l).toMatch(/half of it \(128 goroutines\)/);
    expect(r.stdout).not.toMatch(/moves to the global run queue with them|P-1|M-1/);
    expect(full.length).toBeLessThanOrEqual(3);
    // The same program's stream has one event per goroutine moved: 129 per overflow.
    const ndjson = slowmo('run', path.join(dir, 'overflow.go'), '--procs', '1');
    expect(ndjson.stderr).toBe('');
    expect(ndjson.status).toBe(0);
    const moved = ndjson.stdout.split('\n').filter((l) => l.includes('"reason":"overflow"')).length;
    expect(moved).toBeGreaterThanOrEqual(129);
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
