/**
 * Back-pressure, across the parts: the eBPF probe engine (bpf/bin/slowmo-probe)
 * runs issue 15's busy owner (100 clients asking one owner goroutine over
 * channels, as fast as they can, for a second), and nobody reads its events
 * until the probe says it stopped the program (--clock-fd). A recording
 * must then lose nothing: the program waits instead, the run ends with the
 * program's own exit, run.end says how long it waited, and the reducer's
 * model agrees with every run queue snapshot the runtime sent. Before
 * back-pressure the same program lost a third of its events even with a
 * reader that never paused. Needs eBPF: skipped where it cannot load, except
 * in CI, where that is a failure.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { initialState, parseEvent, replay, type SlowmoEvent } from '../src/protocol';
import { ClockReportSchema } from '../src/backends/clock-reports';
import { BUSY_OWNER, BUSY_OWNER_PRINTS, runqDisagreements } from './support/busy-owner';
import { guardedDescribe } from './support/guard';
import { invariantViolations } from './support/invariants';

jest.setTimeout(120_000);

const PROBE = join(__dirname, '..', '..', 'bpf', 'bin', 'slowmo-probe');

const check = spawnSync(PROBE, ['check'], { encoding: 'utf8' });
const maybe = guardedDescribe(
  check.status === 0 && process.getuid?.() === 0
    ? undefined
    : `eBPF is unavailable: ${check.stdout || check.stderr || check.error}`,
);

function build(): string {
  const dir = mkdtempSync(join(tmpdir(), 'slowmo-owner-'));
  writeFileSync(join(dir, 'main.go'), BUSY_OWNER);
  writeFileSync(join(dir, 'go.mod'), 'module prog\n\ngo 1.22\n');
  execFileSync('go', ['build', '-o', join(dir, 'owner'), '.'], {
    cwd: dir,
    env: { ...process.env, CGO_ENABLED: '0' },
  });
  return join(dir, 'owner');
}

/** The lines of a stream, each to `on`, as they come. */
function lines(from: Readable, on: (line: string) => void): void {
  let partial = '';
  from.setEncoding('utf8');
  from.on('data', (chunk: string) => {
    const all = (partial + chunk).split('\n');
    partial = all.pop() ?? '';
    for (const line of all) if (line) on(line);
  });
}

maybe('back-pressure: the probe slows a busy program rather than lose its events', () => {
  test('the busy owner, unread until the probe has stopped it: nothing lost, time stopped said, every snapshot agrees with the model', async () => {
    const probe = spawn(PROBE, ['run', '--procs', '2', '--clock-fd', '3', '--', build()], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    const [, out, err, clock] = probe.stdio as unknown as Readable[];
    let stderr = '';
    err!.on('data', (d: Buffer) => (stderr += d.toString()));
    // Nobody reads the events: Node takes what fits its buffer, then the pipe fills.
    out!.pause();
    const reports: boolean[] = []; // running?
    const stopped = new Promise<void>((resolve) => {
      lines(clock!, (line) => {
        reports.push(ClockReportSchema.parse(JSON.parse(line)).running);
        if (reports[0] === false) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => probe.on('close', resolve));
    await Promise.race([stopped, exited]);
    expect(reports).toEqual([false]); // the probe stopped the program before it ended

    // Now read everything.
    const events: SlowmoEvent[] = [];
    lines(out!, (line) => events.push(parseEvent(line)));
    out!.resume();
    expect(await exited).toBe(0);
    expect(stderr).toBe('');

    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    const end = events.at(-1);
    expect(end).toMatchObject({ kind: 'run.end', exitCode: 0, reason: 'exit', lost: 0 });
    expect(end?.kind === 'run.end' && end.throttledMs).toBeGreaterThan(0);
    // Each stop was reported, then its continue; then the end.
    expect(reports.length % 2).toBe(1);
    expect(reports).toEqual(reports.map((_, i) => i % 2 === 1));
    // Before each runq snapshot the reducer's model already held what it shows.
    const { snapshots, disagreements } = runqDisagreements(events);
    expect(snapshots).toBeGreaterThan(0);
    expect(disagreements.slice(0, 5)).toEqual([]);
    expect(invariantViolations(replay(events, initialState()))).toEqual([]);
    const printed = events.map((e) => (e.kind === 'output' ? e.data : '')).join('');
    expect(printed).toBe(BUSY_OWNER_PRINTS);
  });
});
