/**
 * The race detector option: `slowmo run --race` builds with -race, and each report the program
 * prints comes as a `race` event naming both accesses and their lines, on both backends; a
 * program without a race gives none. The report reader (protocol/race-read.ts) on reports cut
 * anywhere, split anywhere, or mixed with the program's own stderr.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  explainEnding,
  initialState,
  parseBridgeInfo,
  parseEvent,
  RaceReader,
  replay,
  type SlowmoEvent,
} from '../src/protocol';
import { raceSupport, raceToolchainProblem } from '../src/race-support';
import { ebpfDescribe, startTestBridge } from './support/bridge';
import { guardedDescribe } from './support/guard';
import { recording } from './support/recordings';

jest.setTimeout(600_000);

const ROOT = path.join(__dirname, '..', '..');

// Two goroutines add to n without a lock: the race is on line 16, both made on line 13.
const RACY = `package main

import (
	"fmt"
	"sync"
)

func main() {
	n := 0
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 1000; j++ {
				n++
			}
		}()
	}
	wg.Wait()
	fmt.Println(n)
}
`;

// The same with a mutex: no race.
const LOCKED = RACY.replace('n := 0', 'n := 0\n\tvar mu sync.Mutex').replace(
  'n++',
  'mu.Lock()\n\t\t\t\tn++\n\t\t\t\tmu.Unlock()',
);

const REPORT = `==================
WARNING: DATA RACE
Read at 0x00c000094028 by goroutine 8:
  main.main.func1()
      /src/main.go:16 +0x99

Previous write at 0x00c000094028 by goroutine 7:
  main.main.func1()
      /src/main.go:16 +0xab

Goroutine 8 (running) created at:
  main.main()
      /src/main.go:13 +0x78

Goroutine 7 (finished) created at:
  main.main()
      /src/main.go:13 +0x78
==================
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'slowmo-race-'));
  writeFileSync(path.join(dir, 'racy.go'), RACY);
  writeFileSync(path.join(dir, 'locked.go'), LOCKED);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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

type Race = Extract<SlowmoEvent, { kind: 'race' }>;

const stderrOut = (t: number, data: string): SlowmoEvent => ({
  seq: 0,
  t,
  m: -1,
  p: -1,
  g: 0,
  kind: 'output',
  stream: 'stderr',
  data,
});

/** Feeds `chunks` as stderr output (1 ms apart), then the run's end; the races made. */
function readRaces(chunks: string[], creations: [number, string, number][] = []): Race[] {
  const reader = new RaceReader((f) => f.replace(/^\/src\//, ''));
  const made: SlowmoEvent[] = [];
  for (const [goid, file, line] of creations) {
    const create: SlowmoEvent = {
      ...{ seq: 0, t: 0, m: 0, p: 0, g: 1 },
      ...{ kind: 'g.create', goid, parent: 1, fn: 'main.main.func1', file, line },
    };
    made.push(...reader.read(create));
  }
  chunks.forEach((c, i) => made.push(...reader.read(stderrOut((i + 1) * 1e6, c))));
  made.push(...reader.end((chunks.length + 1) * 1e6));
  return made.filter((e): e is Race => e.kind === 'race');
}

describe('the report reader', () => {
  test('a whole report: the address, both accesses with their lines and creation sites', () => {
    const [race, ...more] = readRaces([REPORT]);
    expect(more).toEqual([]);
    expect(race).toMatchObject({
      kind: 'race',
      addr: '0x00c000094028',
      at: 1e6,
      accesses: [
        {
          goroutine: 8,
          op: 'read',
          previous: false,
          fn: 'main.main.func1',
          file: 'main.go',
          line: 16,
          created: { fn: 'main.main', file: 'main.go', line: 13 },
        },
        { goroutine: 7, op: 'write', previous: true, file: 'main.go', line: 16 },
      ],
    });
    expect(parseEvent(JSON.stringify(race))).toEqual(race);
  });

  test('split into pieces anywhere, with the program’s own lines between reports', () => {
    const text = `hello\n${REPORT}the program again\n${REPORT.replace('Read at', 'Write at')}`;
    const pieces = text.match(/[\s\S]{1,7}/g)!;
    const races = readRaces(pieces);
    expect(races.map((r) => r.accesses.map((a) => `${a.op}@${a.line}`))).toEqual([
      ['read@16', 'write@16'],
      ['write@16', 'write@16'],
    ]);
    // at: when the report's first line began, before its end was read.
    for (const r of races) expect(r.at).toBeLessThan(r.t);
  });

  test('the picture’s goroutine only where it is certain', () => {
    const one = readRaces([REPORT], [[21, '/src/main.go', 13]]);
    expect(one[0]!.accesses.map((a) => a.goid)).toEqual([21, 21]);
    const two = readRaces(
      [REPORT],
      [
        [21, '/src/main.go', 13],
        [22, '/src/main.go', 13],
      ],
    );
    expect(two[0]!.accesses.map((a) => a.goid)).toEqual([undefined, undefined]);
    const main = readRaces([REPORT.replace('by goroutine 7:', 'by main goroutine:')]);
    expect(main[0]!.accesses[1]).toMatchObject({ goroutine: 1, goid: 1 });
    expect(main[0]!.accesses[1]!.created).toBeUndefined();
  });

  test('a report cut short anywhere makes at most one event, and never throws', () => {
    for (let cut = 0; cut < REPORT.length; cut += 3) {
      const races = readRaces([REPORT.slice(0, cut)]);
      expect(races.length).toBeLessThanOrEqual(1);
      for (const r of races) expect(parseEvent(JSON.stringify(r))).toEqual(r);
    }
    // Cut after the first access's place: the race is known by that access alone.
    const first = REPORT.indexOf('\nPrevious');
    const [race] = readRaces([REPORT.slice(0, first)]);
    expect(race!.accesses).toEqual([
      expect.objectContaining({ goroutine: 8, op: 'read', line: 16 }),
    ]);
  });

  test('malformed lines inside a report are skipped', () => {
    const garbled = REPORT.replace('      /src/main.go:16 +0x99', '      ???')
      .replace('by goroutine 7:', 'by goroutine seven:')
      .replace('main.main()', '(((');
    const races = readRaces([garbled, '\0\0\0\n', '='.repeat(9000)]);
    expect(races).toHaveLength(1);
    expect(races[0]!.accesses).toHaveLength(1);
    expect(races[0]!.accesses[0]).toMatchObject({ fn: '', file: '', line: 0 });
  });

  test('stdout and other events are not read', () => {
    const reader = new RaceReader();
    const out = { ...stderrOut(1, REPORT), stream: 'stdout' as const };
    expect([...reader.read(out), ...reader.end(2)]).toEqual([]);
  });
});

test('the ending of a run that raced says the race detector made it exit with 66', () => {
  const events = recording('race');
  const ending = explainEnding(events, replay(events, initialState()));
  expect(ending).toMatchObject({
    kind: 'exit-code',
    title: 'The race detector found a data race',
    detail: expect.stringContaining('exited with code 66, as the race detector makes it'),
  });
  // Exit 66 without a race is the program's own os.Exit(66).
  const own = events.filter((e) => e.kind !== 'race');
  expect(explainEnding(own, replay(own, initialState()))?.title).toBe(
    'The program exited with code 66',
  );
});

test('raceSupport says why without a C compiler', () => {
  expect(raceSupport(['/nonexistent/gcc', '/nonexistent/clang'])).toEqual({
    available: false,
    why: expect.stringContaining('none of /nonexistent/gcc, /nonexistent/clang is here'),
  });
});

test('a toolchain without its race runtime is named, with the file it lacks', () => {
  expect(raceToolchainProblem({ version: 'go1.99.0', goroot: '/nonexistent' })).toMatch(
    /^go1\.99\.0 has no race runtime for linux\/\w+ \(\/nonexistent\/src\/runtime\/race\/.*\.syso is missing\)$/,
  );
});

test('/api/info says whether race builds can be made here, or why not', async () => {
  const server = await startTestBridge({});
  try {
    const info = parseBridgeInfo(await (await fetch(`${server.url}/api/info`)).json());
    expect(info?.race).toEqual(raceSupport());
  } finally {
    await server.close();
  }
});

test('a race build refuses import "C" in any spelling', () => {
  const file = path.join(dir, 'cgo.go');
  writeFileSync(file, 'package main\n\nimport ("fmt"; "C")\n\nfunc main() { fmt.Println() }\n');
  const r = slowmo('run', file, '--race', '--backend', 'trace');
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('cgo.go:3:0: cgo is not available here');
});

function expectRace(es: SlowmoEvent[]): void {
  expect(es.at(-1)).toMatchObject({ kind: 'run.end', exitCode: 66, reason: 'exit' });
  const races = es.filter((e): e is Race => e.kind === 'race');
  expect(races.length).toBeGreaterThanOrEqual(1);
  for (const race of races) {
    expect(race.accesses).toHaveLength(2);
    const [now, before] = race.accesses;
    expect(now).toMatchObject({ previous: false, file: 'racy.go', line: 16 });
    expect(before).toMatchObject({ previous: true, file: 'racy.go', line: 16 });
    expect(now!.created).toMatchObject({ fn: 'main.main', file: 'racy.go', line: 13 });
    expect(now!.goroutine).not.toBe(before!.goroutine);
    // After the goroutines it names were made, and within the run.
    const made = es.filter((e) => e.kind === 'g.create' && e.line === 13).map((e) => e.t);
    expect(made).toHaveLength(2);
    expect(race.at).toBeGreaterThanOrEqual(Math.max(...made));
    expect(race.at).toBeLessThanOrEqual(es.at(-1)!.t);
  }
  // The report stays in the program's stderr.
  const stderr = es.map((e) => (e.kind === 'output' && e.stream === 'stderr' ? e.data : ''));
  expect(stderr.join('')).toContain('WARNING: DATA RACE');
}

function expectNoRace(es: SlowmoEvent[]): void {
  expect(es.at(-1)).toMatchObject({ kind: 'run.end', exitCode: 0, reason: 'exit' });
  expect(es.filter((e) => e.kind === 'race')).toEqual([]);
  const stdout = es.map((e) => (e.kind === 'output' && e.stream === 'stdout' ? e.data : ''));
  expect(stdout.join('')).toBe('2000\n');
}

const support = raceSupport();
guardedDescribe(support.available ? undefined : support.why)('built with -race', () => {
  test('the trace backend: the racy program’s race, both lines', () => {
    const r = slowmo('run', path.join(dir, 'racy.go'), '--race', '--backend', 'trace');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expectRace(events(r.stdout));
  });

  test('the trace backend: no race, no event', () => {
    const r = slowmo('run', path.join(dir, 'locked.go'), '--race', '--backend', 'trace');
    expect(r.status).toBe(0);
    expectNoRace(events(r.stdout));
  });

  ebpfDescribe()('eBPF', () => {
    test('the racy program’s race, both lines', () => {
      const r = slowmo('run', path.join(dir, 'racy.go'), '--race', '--backend', 'ebpf');
      expect(r.status).toBe(0);
      expectRace(events(r.stdout));
    });

    test('no race, no event', () => {
      const r = slowmo('run', path.join(dir, 'locked.go'), '--race', '--backend', 'ebpf');
      expect(r.status).toBe(0);
      expectNoRace(events(r.stdout));
    });
  });
});
