/**
 * Issue 22's acceptance for profiles: `slowmo run FILE.go --profile DIR` on a
 * program that spins in main.spin and blocks in main.wait writes the five
 * pprof files, which `go tool pprof -top` reads: main.spin leads the CPU
 * profile and main.wait's line the block profile (the runtime's frames folded
 * into their callers, `-hide '^runtime\.'`); and the run's `profile` events
 * say the same. On both backends: a real build and run each.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEvent, type EventOf, type SlowmoEvent } from '../src/protocol';
import { ebpfDescribe, PROBE } from './support/bridge';
import { guardedDescribe } from './support/guard';

jest.setTimeout(180_000);

const ROOT = path.join(__dirname, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'slowmo-profiles-'));

/** main.wait blocks at line 20 for about 300 ms; main.spin spins about 400 ms in all. */
const PROGRAM = `package main

import (
	"fmt"
	"time"
)

var sink int

func spin(d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		for i := 0; i < 1000; i++ {
			sink += i
		}
	}
}

func wait(ch chan int) int {
	return <-ch
}

func main() {
	ch := make(chan int)
	go func() {
		time.Sleep(300 * time.Millisecond)
		ch <- 1
	}()
	fmt.Println(wait(ch))
	spin(400 * time.Millisecond)
}
`;
const WAIT_LINE = 20;

const KINDS = ['cpu', 'block', 'mutex', 'goroutine', 'wall'];

function slowmo(...args: string[]) {
  return spawnSync('npx', ['--no-install', 'slowmo', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
}

/** `go tool pprof -top` of a file, the runtime hidden: its rows as [flat, function and line]. */
function top(file: string): { flat: string; where: string }[] {
  const r = spawnSync('go', ['tool', 'pprof', '-top', '-lines', '-hide', '^runtime\\.', file], {
    encoding: 'utf8',
  });
  expect(r.stderr).not.toMatch(/failed|error/i);
  expect(r.status).toBe(0);
  const rows: { flat: string; where: string }[] = [];
  let table = false;
  for (const line of r.stdout.split('\n')) {
    if (/^\s*flat\s+flat%/.test(line)) table = true;
    else if (table && line.trim()) {
      const cols = line.trim().split(/\s+/);
      rows.push({ flat: cols[0]!, where: cols.slice(5).join(' ') });
    }
  }
  return rows;
}

/** The function and line a profile event's samples weigh most on, the runtime folded into its callers. */
function heaviest(e: EventOf<'profile'>): { where: string; share: number } {
  const flat = new Map<string, number>();
  let total = 0;
  for (const s of e.samples) {
    total += s.value;
    const frame = s.stack.map((i) => e.frames[i]!).find((f) => !f.fn.startsWith('runtime.'));
    if (!frame) continue;
    const where = `${frame.fn}:${frame.line}`;
    flat.set(where, (flat.get(where) ?? 0) + s.value);
  }
  const [where, value] = [...flat].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
  return { where, share: total ? value / total : 0 };
}

function expectProfiles(backend: 'ebpf' | 'trace'): void {
  const out = path.join(dir, backend);
  const source = path.join(dir, 'spinwait.go');
  writeFileSync(source, PROGRAM);
  const r = slowmo('run', source, '--backend', backend, '--procs', '2', '--profile', out);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const events: SlowmoEvent[] = r.stdout
    .trim()
    .split('\n')
    .map((l) => parseEvent(JSON.parse(l)));
  const profiles = events.filter((e): e is EventOf<'profile'> => e.kind === 'profile');

  // The events: one per profile, after the program's last output and just before run.end.
  expect(profiles.map((e) => e.profile)).toEqual(KINDS);
  expect(events.at(-1)!.kind).toBe('run.end');
  expect(events.slice(-1 - KINDS.length, -1).every((e) => e.kind === 'profile')).toBe(true);
  const by = new Map(profiles.map((e) => [e.profile, e]));
  expect(heaviest(by.get('cpu')!).where).toMatch(/^main\.spin:1[34]$/);
  const block = heaviest(by.get('block')!);
  expect(block.where).toBe(`main.wait:${WAIT_LINE}`);
  expect(by.get('goroutine')!.unit).toBe('count');
  // The frames name the learner's file, never the helpers' (their mains are left out).
  const files = new Set(profiles.flatMap((e) => e.frames.map((f) => path.basename(f.file))));
  expect(files).toContain('spinwait.go');
  expect([...files].filter((f) => f.includes('slowmo'))).toEqual([]);

  // The files, read by go tool pprof itself.
  expect(readdirSync(out).sort()).toEqual(KINDS.map((k) => `${k}.pprof`).sort());
  const cpu = top(path.join(out, 'cpu.pprof'));
  expect(cpu[0]?.where).toMatch(/^main\.spin .*spinwait\.go:1[34]/);
  const blocked = top(path.join(out, 'block.pprof'));
  expect(blocked[0]?.where).toMatch(new RegExp(`^main\\.wait .*spinwait\\.go:${WAIT_LINE}\\b`));
  // The wall clock sees both the spinning and the waiting.
  const wall = top(path.join(out, 'wall.pprof')).map((row) => row.where);
  expect(wall.some((w) => /^main\.spin /.test(w))).toBe(true);
  expect(wall.some((w) => new RegExp(`^main\\.wait .*:${WAIT_LINE}\\b`).test(w))).toBe(true);
}

const probeBuilt = existsSync(PROBE) ? undefined : `no probe binary at ${PROBE} (make -C bpf)`;

guardedDescribe(probeBuilt)('slowmo run --profile DIR, trace backend', () => {
  test('writes the five pprof files and the profile events; spin and wait lead', () => {
    expectProfiles('trace');
  });

  test('a program that ends by os.Exit leaves no profiles, and the CLI says why', () => {
    const source = path.join(dir, 'exits.go');
    writeFileSync(source, 'package main\n\nimport "os"\n\nfunc main() {\n\tos.Exit(3)\n}\n');
    const r = slowmo('run', source, '--backend', 'trace', '--profile', path.join(dir, 'exits'));
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('"kind":"profile"');
    expect(r.stderr).toBe(
      'slowmo: --profile: no profiles: they are written as main returns, and this program ended otherwise (os.Exit, a crash, a limit)\n',
    );
    expect(readdirSync(path.join(dir, 'exits'))).toEqual([]);
  });

  test('a --profile that names a file is refused, saying so', () => {
    const source = path.join(dir, 'ok.go');
    writeFileSync(source, 'package main\n\nfunc main() {}\n');
    const r = slowmo('run', source, '--profile', source);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `slowmo: --profile ${source}: not a directory (the profiles go into a directory, as cpu.pprof, block.pprof, …)\n`,
    );
  });
});

ebpfDescribe()('slowmo run --profile DIR, eBPF backend', () => {
  test('writes the five pprof files and the profile events; spin and wait lead', () => {
    expectProfiles('ebpf');
  });
});
