/**
 * `slowmo run --godebug` end to end, through the CLI and the bridge's session code: the
 * program gets the settings (on both backends: slowmo-probe passes them on and its own win),
 * its schedtrace and gctrace lines stay in its stderr and also come as events; a setting the
 * bridge does not allow is refused by name before anything is built.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseEvent, type SlowmoEvent } from '../src/protocol';
import { ebpfDescribe } from './support/bridge';
import { RECORDINGS } from './support/recordings';

jest.setTimeout(180_000);

const ROOT = path.join(__dirname, '..', '..');
const PROGRAM = path.join(RECORDINGS, 'schedtrace.go');

function slowmo(...args: string[]) {
  const r = spawnSync('npx', ['--no-install', 'slowmo', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function events(stdout: string): SlowmoEvent[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => parseEvent(l));
}

test('a setting not on the list is refused, naming it and the allowed ones', () => {
  const r = slowmo('run', PROGRAM, '--godebug', 'schedtrace=10,cgocheck=0');
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('--godebug: GODEBUG setting "cgocheck" is not allowed here; allowed:');
  expect(r.stderr).toContain('scheddetail=1, gctrace=1');
  expect(r.stdout).toBe('');
});

function expectTraces(es: SlowmoEvent[]) {
  expect(es.at(-1)).toMatchObject({ kind: 'run.end', exitCode: 0 });
  const sched = es.filter((e) => e.kind === 'schedtrace');
  const gc = es.filter((e) => e.kind === 'gctrace');
  expect(sched.length).toBeGreaterThan(3);
  expect(gc.length).toBeGreaterThan(0);
  expect(new Set(sched.map((e) => (e.kind === 'schedtrace' ? e.gomaxprocs : 0)))).toEqual(
    new Set([2]),
  );
  const stderr = es.map((e) => (e.kind === 'output' ? e.data : '')).join('');
  // Every header the runtime printed whole is an event. Not counted: a header the run's end cut
  // off, or one another thread's print (a gctrace line) broke in two: the runtime prints a header
  // in several pieces, each under its print lock, and they are the program's output only.
  const headers = stderr.match(/^SCHED \d+ms: [^\n]*(sysmonwait=(true|false)|\])$/gm) ?? [];
  expect(headers).toHaveLength(sched.length);
  // A gctrace line too is printed in pieces (mgc.go), so the same holds for it: a whole line ends
  // with the Ps' count (CI once saw a seventh "gc 7 @" line that another print had broken).
  expect(stderr.match(/^gc \d+ @[^\n]*, \d+ P( \(forced\))?$/gm) ?? []).toHaveLength(gc.length);
  // The program ends with runtime.GC(): its line says "(forced)", and so does its event. The
  // runtime prints that line after it lets runtime.GC() return, so a run may end before it does.
  const forced = stderr.match(/^gc \d+ @.*\(forced\)$/gm) ?? [];
  expect(gc.filter((e) => e.kind === 'gctrace' && e.forced)).toHaveLength(forced.length);
}

test('the trace backend: schedtrace and gctrace lines as events, and still in the output', () => {
  const r = slowmo(
    'run',
    PROGRAM,
    '--backend',
    'trace',
    '--procs',
    '2',
    '--godebug',
    'schedtrace=10,gctrace=1',
  );
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expectTraces(events(r.stdout));
});

ebpfDescribe()('eBPF', () => {
  test('the same through the eBPF backend, with scheddetail blocks', () => {
    const r = slowmo(
      'run',
      PROGRAM,
      '--backend',
      'ebpf',
      '--procs',
      '2',
      '--godebug',
      'schedtrace=10,scheddetail=1,gctrace=1',
    );
    expect(r.status).toBe(0);
    const es = events(r.stdout);
    expectTraces(es);
    const procs = es.flatMap((e) =>
      e.kind === 'schedtrace' ? [e.detail?.procs.map((p) => p.id)] : [],
    );
    for (const ids of procs) expect(ids).toEqual([0, 1]);
  });
});
