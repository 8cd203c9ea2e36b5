/**
 * Schedule perturbation in the explorer (issue 19, item 2): a yield or a pause inserted at the
 * start of a line's statement, in a share of the runs, makes a rare interleaving happen; the
 * runs say which were perturbed; every event keeps the learner's line numbers; a line that
 * starts no statement is refused with what it is and lines that would do. Real builds, real
 * runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Bridge } from '../src/bridge';
import { explorationText } from '../src/cli-explore';
import { makeConfig } from '../src/config';
import {
  groupRuns,
  parsePerturbSpec,
  perturbedWords,
  perturbLabel,
  RunRequestSchema,
  whichPerturbed,
  type Exploration,
  type ExploredRun,
  type Perturbation,
  type SlowmoEvent,
} from '../src/protocol';
import { recordRun } from '../src/record';
import { ebpfDescribe, TEST_WORK_DIR } from './support/bridge';

jest.setTimeout(300_000);

const SLOWMO = path.join(__dirname, '..', 'bin', 'slowmo.js');
const dir = mkdtempSync(path.join(tmpdir(), 'slowmo-perturb-'));

function slowmo(...args: string[]) {
  return spawnSync(process.execPath, [SLOWMO, ...args], { encoding: 'utf8' });
}

/**
 * Two goroutines noting their steps. At GOMAXPROCS 1 the second one created runs first
 * (runnext) and finishes before the first starts: [b1 b2 a1 a2], run after run. A yield at
 * line 26, between b's two steps, lets a run in between: [b1 a1 a2 b2]. Measured: 5 of 5
 * unperturbed runs the first, 5 of 5 perturbed the second (eBPF, Go 1.27, a loaded 2-core
 * machine).
 */
const ORDER = `package main

import (
	"fmt"
	"sync"
)
// main prints the order in which two goroutines took their steps.
func main() {
	var mu sync.Mutex
	var order []string
	note := func(s string) {
		mu.Lock()
		order = append(order, s)
		mu.Unlock()
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		note("a1")
		note("a2")
	}()
	go func() {
		defer wg.Done()
		note("b1")
		note("b2") // line 26
	}()
	wg.Wait()
	fmt.Println(order)
}
`;
const AS_WRITTEN = '[b1 b2 a1 a2]\n';
const INTERLEAVED = '[b1 a1 a2 b2]\n';
const LINES = ORDER.split('\n').length - 1;

function goFile(name: string, source: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, source);
  return file;
}

describe('perturbation specs and marks', () => {
  test('a spec names a line, a kind and a file; a bad one says what to write', () => {
    expect(parsePerturbSpec('26', 'order.go')).toEqual({
      file: 'order.go',
      line: 26,
      kind: 'yield',
    });
    expect(parsePerturbSpec('w.go:3:sleep=1.5ms', 'order.go')).toEqual({
      file: 'w.go',
      line: 3,
      kind: 'sleep',
      sleepNs: 1_500_000,
    });
    expect(perturbLabel(parsePerturbSpec('7:sleep=200us', 'main.go'))).toBe(
      '200µs pause at main.go:7',
    );
    for (const bad of ['x', '0', '3:spin', '3:sleep=2s', '3:sleep=fast'])
      expect(() => parsePerturbSpec(bad, 'main.go')).toThrow(/give LINE|lines count|the pause/);
  });

  test('a share of the runs is perturbed, spread, the first as written unless all are', () => {
    const marks = (n: number, s: number) => whichPerturbed(n, s).map((p) => (p ? 'P' : '.'));
    expect(marks(10, 0.5).join('')).toBe('.P.P.P.P.P');
    expect(marks(10, 0.3).join('')).toBe('...P..P..P');
    expect(marks(4, 1).join('')).toBe('PPPP');
    expect(marks(1, 0.5).join('')).toBe('P');
  });

  test('each group lists its perturbed runs, and says so in words', () => {
    const at: Perturbation[] = [{ file: 'main.go', line: 9, kind: 'yield' }];
    const run = (id: string, stdout: string, perturbed: boolean): ExploredRun => ({
      id,
      procs: 1,
      go: 'go1.27.4',
      outcome: { stdout, exitCode: 0 },
      signature: 's',
      perturbed,
      ...(perturbed ? { perturb: at } : {}),
    });
    const x = groupRuns(
      [run('r1', 'a\n', false), run('r2', 'b\n', true), run('r3', 'a\n', false)],
      { at, share: 0.5 },
    );
    expect(x.outcomes.map((o) => [o.stdout, o.perturbedRuns])).toEqual([
      ['a\n', []],
      ['b\n', ['r2']],
    ]);
    expect(x.schedules[0]?.perturbedRuns).toEqual(['r2']);
    expect(x.outcomes.map((o) => perturbedWords(o))).toEqual(['none perturbed', 'perturbed']);
    expect(perturbedWords({ runs: ['r1', 'r2', 'r3'], perturbedRuns: ['r2'] })).toBe(
      '1 perturbed (r2)',
    );
    expect(perturbedWords({ runs: ['r1'] })).toBeUndefined();
  });
});

ebpfDescribe()('slowmo explore --perturb', () => {
  test('a yield at the right line makes the rare order common, in the perturbed runs only', () => {
    const r = slowmo(
      'explore',
      goFile('order.go', ORDER),
      '--runs',
      '20',
      '--procs',
      '1',
      '--backend',
      'ebpf',
      '--perturb',
      '26:yield',
      '--format',
      'json',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const x = JSON.parse(r.stdout) as Exploration;
    expect(x.perturb).toEqual({
      at: [{ file: 'order.go', line: 26, kind: 'yield' }],
      share: 0.5,
    });
    const perturbed = x.runs.filter((run) => run.perturbed);
    const asWritten = x.runs.filter((run) => run.perturbed === false);
    expect([perturbed.length, asWritten.length]).toEqual([10, 10]);
    for (const run of perturbed) expect(run.perturb).toEqual(x.perturb?.at);
    const count = (runs: ExploredRun[], out: string) =>
      runs.filter((run) => run.outcome.stdout === out).length;
    // Unperturbed, the order as written (a stall of the machine's own may let sysmon preempt once).
    expect(count(asWritten, AS_WRITTEN)).toBeGreaterThanOrEqual(8);
    // Perturbed, the interleaved order shows, and more often than without.
    expect(count(perturbed, INTERLEAVED)).toBeGreaterThanOrEqual(1);
    expect(count(perturbed, INTERLEAVED)).toBeGreaterThan(count(asWritten, INTERLEAVED));
    // Each outcome lists its perturbed runs: exactly its runs that were.
    for (const o of x.outcomes) {
      const mine = x.runs.filter((run) => o.runs.includes(run.id));
      expect(o.perturbedRuns).toEqual(mine.filter((run) => run.perturbed).map((run) => run.id));
    }
    const text = explorationText(x);
    expect(text).toContain(
      'perturbed: 10 of 20 runs (r2 r4 r6 r8 r10 r12 r14 r16 r18 r20) with yield at order.go:26; the others ran as written\n',
    );
    // Each outcome says how many of its runs were perturbed: "all perturbed", "none perturbed"…
    for (const o of x.outcomes) expect(text).toContain(`; ${perturbedWords(o)})\n`);
    expect(x.outcomes.map((o) => perturbedWords(o))).toContain('all perturbed');
  });

  test('a line that is no statement: exit 2, what the line is and lines that would do', () => {
    const r = slowmo(
      'explore',
      goFile('order.go', ORDER),
      '--runs',
      '1',
      '--perturb',
      '4',
      '--perturb-share',
      '1',
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'order.go:4:0: cannot perturb line 4: it is in the imports; a perturbation goes at the start of a statement inside a function body: choose a line where one starts, e.g. 9 (`var mu sync.Mutex`)',
    );
    expect(r.stderr).toContain('slowmo: it cannot be built perturbed (yield at order.go:4)');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  test('slowmo run --perturb: one run, perturbed, the lines kept; a bad spec is a usage error', () => {
    const file = goFile('order.go', ORDER);
    // Perturbed, the interleaved order, which as written is rare (up to 3 tries, for a stall of
    // the machine's own that lets sysmon in).
    let out = '';
    for (let tries = 0; tries < 3 && out !== INTERLEAVED; tries++) {
      const r = slowmo('run', file, '--procs', '1', '--backend', 'ebpf', '--perturb', '26');
      expect(r.status).toBe(0);
      const events = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as SlowmoEvent);
      out = events.flatMap((e) => (e.kind === 'output' ? [e.data] : [])).join('');
      expect(events.some((e) => 'file' in e && e.file?.includes('slowmo_perturb'))).toBe(false);
    }
    expect(out).toBe(INTERLEAVED);
    const bad = slowmo('run', file, '--perturb', 'other.go:3');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--perturb other\.go:3: other\.go is not one of the files given/);
    const refused = slowmo('run', file, '--perturb', '4');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('order.go:4:0: cannot perturb line 4: it is in the imports');
  });

  test('bad flags: a usage error naming the flag, exit 2', () => {
    const file = goFile('order.go', ORDER);
    const cases: [string[], RegExp][] = [
      [['--perturb', 'twelve'], /--perturb "twelve": give LINE\[:yield\|:sleep=DURATION\]/],
      [['--perturb', '26:sleep=5s'], /the pause is a duration up to 1s/],
      [['--perturb', 'other.go:3'], /other\.go is not one of the files given \(order\.go\)/],
      [['--perturb', '26', '--perturb-share', '0'], /--perturb-share 0: give the share/],
      [['--perturb-share', '0.5'], /--perturb-share: give --perturb LINE too/],
    ];
    for (const [args, message] of cases) {
      const r = slowmo('explore', file, '--runs', '1', ...args);
      expect({ args, status: r.status }).toEqual({ args, status: 2 });
      expect(r.stderr).toMatch(message);
    }
  });
});

/** Every file:line an event names, as `file:line`. */
function placesOf(events: readonly SlowmoEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const { file, line } = e as { file?: unknown; line?: unknown };
    if (typeof file === 'string' && typeof line === 'number') out.push(`${file}:${line}`);
  }
  return out;
}

/** The learner's goroutines' creation sites, in order. */
function creations(events: readonly SlowmoEvent[]): string[] {
  return events.flatMap((e) =>
    e.kind === 'g.create' && e.file === 'order.go' ? [`${e.fn} at ${e.file}:${e.line}`] : [],
  );
}

for (const backend of ['ebpf', 'trace'] as const) {
  const describeIt = backend === 'ebpf' ? ebpfDescribe() : describe;
  describeIt(`perturbed runs keep the learner's lines (${backend})`, () => {
    let bridge: Bridge;
    beforeAll(async () => {
      bridge = await Bridge.create(
        makeConfig({ logLevel: 'silent', parallel: 2, workDir: TEST_WORK_DIR }),
      );
    });
    afterAll(() => bridge.close());

    const run = (id: string, perturb?: Perturbation[]) =>
      recordRun(
        bridge,
        RunRequestSchema.parse({
          type: 'run',
          id,
          files: { 'order.go': ORDER },
          backend,
          gomaxprocs: 1,
          ...(perturb ? { perturb } : {}),
        }),
      );

    test('the same creation lines; the pause parks at its own line; no helper file', async () => {
      const plain = await run(`plain-${backend}`);
      const shaken = await run(`shaken-${backend}`, [
        { file: 'order.go', line: 26, kind: 'sleep', sleepNs: 2_000_000 },
        { file: 'order.go', line: 20, kind: 'yield' },
      ]);
      expect([plain.error, plain.diagnostics, shaken.error, shaken.diagnostics]).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
      expect(creations(shaken.events)).toEqual(creations(plain.events));
      expect(creations(plain.events)).toHaveLength(2);
      const places = placesOf(shaken.events);
      expect(places.filter((p) => p.includes('slowmo_perturb'))).toEqual([]);
      for (const p of places.filter((p) => p.startsWith('order.go:'))) {
        expect(Number(p.split(':')[1])).toBeLessThanOrEqual(LINES);
      }
      // The pause: the goroutine sleeps at the line asked, as the learner numbers it.
      const parks = shaken.events.filter((e) => e.kind === 'g.waiting' && /sleep/i.test(e.reason));
      expect(parks.length).toBeGreaterThanOrEqual(1);
      for (const e of parks) expect(placesOf([e])).toEqual(['order.go:26']);
      expect(shaken.events.some((e) => e.kind === 'output' && e.data === INTERLEAVED)).toBe(true);
    });

    test('a line that starts no statement is refused at that line, saying why', async () => {
      const cases: [number, RegExp][] = [
        [7, /^cannot perturb line 7: it is a comment; .*choose a line where one starts, e\.g\. 9 /],
        [3, /^cannot perturb line 3: it is in the imports; .*choose a line where one starts/],
        [22, /^cannot perturb line 22: it \(`\}\(\)`\) starts no statement; /],
        [99, /^cannot perturb line 99: order\.go has 30 lines; choose a line/],
      ];
      for (const [line, message] of cases) {
        const r = await run(`bad-${line}-${backend}`, [{ file: 'order.go', line, kind: 'yield' }]);
        expect(r.diagnostics).toHaveLength(1);
        expect(r.diagnostics?.[0]).toMatchObject({ file: 'order.go', line });
        expect(r.diagnostics?.[0]?.message).toMatch(message);
      }
    });
  });
}
