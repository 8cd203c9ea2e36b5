/**
 * The analysis from the command line, through a real `slowmo` process (from
 * the repository root through npx, as a person runs it): `slowmo export`
 * of recordings, with a bad file refused naming its line and fault, and
 * `slowmo run --format chrome` and `--format text --summary` of real programs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CHROME_GC_TIDS, CHROME_PIDS, type ChromeTrace } from '../src/protocol';
import { ebpfDescribe } from './support/bridge';
import { RECORDINGS } from './support/recordings';
import { traceProblems } from './support/trace-format';

jest.setTimeout(120_000);

const ROOT = path.join(__dirname, '..', '..');
const PATTERNS = path.join(__dirname, 'fixtures', 'patterns');
const dir = mkdtempSync(path.join(tmpdir(), 'slowmo-cli-analysis-'));

function slowmo(...args: string[]) {
  const r = spawnSync('npx', ['--no-install', 'slowmo', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, lines: readonly string[]): string {
  const p = path.join(dir, name);
  writeFileSync(p, `${lines.join('\n')}\n`);
  return p;
}

const START =
  '{"seq":0,"t":0,"m":-1,"p":-1,"g":0,"kind":"run.start","goVersion":"go1.27.4","gomaxprocs":1,"backend":"ebpf","fidelity":{"runq":true,"runnext":true,"steals":true,"lines":false}}';
const CREATE =
  '{"seq":1,"t":10,"m":0,"p":0,"g":1,"kind":"g.create","goid":5,"parent":1,"fn":"main.f","file":"main.go","line":3}';

describe('slowmo export', () => {
  test('a recording as Chrome trace JSON, gzipped or not, valid and with its tracks', () => {
    for (const name of ['pool.ndjson', 'gc.ndjson.gz']) {
      const r = slowmo('export', path.join(RECORDINGS, name), '--format', 'chrome');
      expect([name, r.status, r.stderr]).toEqual([name, 0, '']);
      const trace = JSON.parse(r.stdout) as ChromeTrace;
      expect(traceProblems(trace)).toEqual([]);
      const tracks = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name');
      expect(
        tracks.filter((e) => e.pid === CHROME_PIDS.procs).map((e) => e.args?.['name']),
      ).toEqual(['P0', 'P1']);
    }
  });

  test('--format text: the goroutine analysis and the patterns', () => {
    const r = slowmo('export', path.join(RECORDINGS, 'pool.ndjson'), '--format', 'text');
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain("Goroutines: 4 (and 5 goroutines of the runtime's own");
    expect(r.stdout).toMatch(/^ {2}g5 main\.worker +pool\.go:19 +[\d.]+ ms +[\d.]+ ms +2 /m);
    expect(r.stdout).toMatch(/^ {2}waiting +[ ▁▂▃▄▅▆▇█]+ {2}\(at most \d+\)$/m);
    expect(r.stdout).toContain('Patterns: none found');
    const all = slowmo(
      'export',
      path.join(RECORDINGS, 'pool.ndjson'),
      '--format',
      'text',
      '--runtime',
    );
    expect(all.stdout).toContain('Goroutines: 9\n');
  });

  test('a bad file is refused with its line and what is wrong, exit 2', () => {
    const cases: [string, string[], RegExp][] = [
      ['not-json', [START, '{"seq":1,'], /line 2: event is not valid JSON: /],
      ['bad-field', [START, CREATE.replace('"goid":5', '"goid":-5')], /line 2: .*"goid"/],
      ['order', [START, CREATE, CREATE], /line 3: event out of order: field "seq" is 1, after 1/],
      ['empty', [''], /: no events \(an NDJSON recording has one per line\)$/],
    ];
    for (const [name, lines, message] of cases) {
      const p = file(`${name}.ndjson`, lines);
      const r = slowmo('export', p);
      expect([name, r.status, r.stdout]).toEqual([name, 2, '']);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(new RegExp(`^slowmo: ${p}`));
      expect(r.stderr.trim()).toMatch(message);
    }
    const missing = slowmo('export', path.join(dir, 'nope.ndjson'));
    expect(missing).toMatchObject({
      status: 2,
      stderr: `slowmo: cannot read ${path.join(dir, 'nope.ndjson')}: ENOENT\n`,
    });
  });

  test('usage mistakes are named', () => {
    expect(slowmo('export')).toMatchObject({
      status: 2,
      stderr: 'slowmo: name one recording: slowmo export run.ndjson --format chrome\n',
    });
    const xml = slowmo('export', path.join(RECORDINGS, 'pool.ndjson'), '--format', 'xml');
    expect(xml).toMatchObject({ status: 2, stderr: 'slowmo: --format xml: use chrome or text\n' });
    const summary = slowmo('run', path.join(PATTERNS, 'pingpong.go'), '--summary');
    expect(summary).toMatchObject({
      status: 2,
      stderr: 'slowmo: --summary: use it with --format text\n',
    });
    expect(slowmo('export', '--help')).toMatchObject({ status: 0, stderr: '' });
    expect(slowmo('export', '--help').stdout).toMatch(/^usage: slowmo export RECORDING\.ndjson/);
  });
});

ebpfDescribe()('slowmo run with the analysis', () => {
  test('--format chrome writes the run as a valid Chrome trace, with its GC', () => {
    const program = path.join(RECORDINGS, 'gc.go');
    const r = slowmo('run', program, '--procs', '2', '--format', 'chrome');
    expect([r.status, r.stderr]).toEqual([0, '']);
    const trace = JSON.parse(r.stdout) as ChromeTrace;
    expect(traceProblems(trace)).toEqual([]);
    const gc = trace.traceEvents.filter((e) => e.pid === CHROME_PIDS.gc && e.ph === 'X');
    expect(gc.some((e) => e.tid === CHROME_GC_TIDS.stw)).toBe(true);
    expect(trace.otherData).toMatchObject({
      producer: 'go-slowmo',
      gomaxprocs: 2,
      backend: 'ebpf',
    });
  });

  test('--format text --summary ends the story with the analysis and the patterns', () => {
    const r = slowmo(
      'run',
      path.join(PATTERNS, 'pingpong.go'),
      '--procs',
      '1',
      '--format',
      'text',
      '--summary',
    );
    expect(r.status).toBe(0);
    const [story, summary] = r.stdout.split(/\nSummary of /);
    expect(story).toMatch(/g1 \(main\)/);
    expect(summary).toMatch(/^[\d.]+ ms, [\d,]+ events\n/);
    expect(summary).toMatch(/^ {2}g1 main +generated code/m);
    expect(summary).toMatch(/^Patterns$/m);
    // The switching shows; on a busy machine a stall may add another pattern before it.
    expect(summary).toMatch(
      /^ {2}[\d.]+ ms to [\d.]+ ms \(events \d+ to \d+\): [\d,]+ goroutine switches in /m,
    );
  });
});
