/**
 * `slowmo check --class`: a generated class of 20 learners (nbgrader and
 * otter layouts; passing, failing, a malformed cell, a file that is not
 * JSON), graded on real runs; the CSV and the JUnit XML checked learner by
 * learner and cell by cell, and the writers' escaping on its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ClassReport } from '../src/class';
import { gradesCsv, gradesJunit, type GradeRow } from '../src/class-report';
import { ebpfDescribe } from './support/bridge';
import { homeworkCheckpoints, homeworkProgram } from './support/homework';

jest.setTimeout(180_000);

const SLOWMO = path.join(__dirname, '..', 'bin', 'slowmo.js');

interface Learner {
  name: string;
  /** The goroutines the program starts: 3 passes. */
  n: number;
  answer?: string;
  kind: 'ok' | 'bad-cell' | 'not-json';
}

/** l01…l18: l01-l09 start three goroutines, l10-l18 two; l19's cell metadata is broken; l20 is not JSON. */
const LEARNERS: Learner[] = Array.from({ length: 20 }, (_, i) => {
  const k = i + 1;
  const name = `l${String(k).padStart(2, '0')}`;
  const answer = ['3', '2', undefined][k % 3];
  const kind = k === 19 ? 'bad-cell' : k === 20 ? 'not-json' : 'ok';
  return { name, n: k <= 9 ? 3 : 2, ...(answer ? { answer } : {}), kind };
});

/** Odd learners in nbgrader's layout (a folder each), even ones as one notebook named for them. */
function notebookPath(dir: string, l: Learner): string {
  const odd = Number(l.name.slice(1)) % 2 === 1;
  if (!odd) return path.join(dir, `${l.name}.ipynb`);
  mkdirSync(path.join(dir, l.name, 'hw1'), { recursive: true });
  return path.join(dir, l.name, 'hw1', 'hw1.ipynb');
}

function writeClass(dir: string): void {
  for (const l of LEARNERS) {
    const file = notebookPath(dir, l);
    if (l.kind === 'not-json') {
      writeFileSync(file, '{"cells": [');
      continue;
    }
    const slowmo = {
      backend: 'ebpf',
      checkpoints: homeworkCheckpoints(l.answer ? [l.answer] : []),
      ...(l.kind === 'bad-cell' ? { gomaxprocs: 0 } : {}),
    };
    const cell = {
      cell_type: 'code',
      source: homeworkProgram(l.n),
      metadata: { slowmo },
      outputs: [],
      execution_count: null,
    };
    const nb = {
      cells: [{ cell_type: 'markdown', source: '# hw1', metadata: {} }, cell],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    };
    writeFileSync(file, JSON.stringify(nb));
  }
  // Jupyter's autosave folder is not a learner's.
  mkdirSync(path.join(dir, '.ipynb_checkpoints'));
  writeFileSync(path.join(dir, '.ipynb_checkpoints', 'x.ipynb'), '{}');
}

/** RFC 4180, as the writer writes it. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (quoted || (c !== ',' && c !== '\r')) {
      field += c;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else {
      // \r\n ends a row.
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    }
  }
  return rows;
}

/** What each learner's rows must say: [notebook, cell, checkpoint, kind, status, answer]. */
function expectedRows(l: Learner): string[][] {
  const nb = Number(l.name.slice(1)) % 2 === 1 ? `${l.name}/hw1/hw1.ipynb` : `${l.name}.ipynb`;
  if (l.kind === 'not-json') return [[nb, '0', '', 'problem', 'problem', '']];
  if (l.kind === 'bad-cell') return [[nb, '2', '', 'problem', 'problem', '']];
  const truth = String(l.n);
  const prediction = l.answer === undefined ? 'unanswered' : l.answer === truth ? 'right' : 'wrong';
  return [
    [nb, '2', 'three', 'checkpoint', l.n === 3 ? 'passed' : 'failed', ''],
    [nb, '2', 'how-many', 'prediction', prediction, l.answer ?? ''],
  ];
}

ebpfDescribe()('slowmo check --class', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'slowmo-class-'));
  const dir = path.join(root, 'hw1-class');
  const out = path.join(root, 'out');
  let run: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    mkdirSync(dir);
    writeClass(dir);
    run = spawnSync(process.execPath, [SLOWMO, 'check', '--class', dir, '--out', out], {
      encoding: 'utf8',
    });
  });

  test('grades every learner, the malformed ones reported and the class finished; exit 0', () => {
    expect(run.status).toBe(0);
    const stdout = String(run.stdout);
    expect(stdout).toContain('20 learner(s): 9 passed every checkpoint, 11 did not\n');
    expect(stdout).toContain(
      '  l19: l19/hw1/hw1.ipynb cell 2: invalid cell metadata "slowmo": field "gomaxprocs"',
    );
    expect(stdout).toMatch(/ {2}l20: l20\.ipynb: cannot read it as a notebook: /);
    expect(stdout).toContain(
      'most missed checkpoints:\n  9 of 20 learners  three: three goroutines\n',
    );
    // l01, l04, l07 said two of their three; l12, l15, l18 said three of their two.
    expect(stdout).toContain('most common wrong predictions:\n');
    expect(stdout).toContain('  3 of 20 learners  how-many: how many goroutines: answered "2"\n');
    expect(stdout).toContain('  3 of 20 learners  how-many: how many goroutines: answered "3"\n');
    expect(stdout).toContain(
      `wrote ${path.join(out, 'hw1-class-grades.csv')} and ${path.join(out, 'hw1-class-junit.xml')}`,
    );
  });

  test('the CSV: one row per learner and checkpoint, predictions and problems included', () => {
    const [header, ...rows] = parseCsv(
      readFileSync(path.join(out, 'hw1-class-grades.csv'), 'utf8'),
    );
    expect(header).toEqual([
      'learner',
      'notebook',
      'cell',
      'checkpoint',
      'title',
      'kind',
      'status',
      'answer',
      'reason',
    ]);
    for (const l of LEARNERS) {
      const mine = rows.filter((r) => r[0] === l.name);
      expect({
        learner: l.name,
        rows: mine.map((r) => [r[1], r[2], r[3], r[5], r[6], r[7]]),
      }).toEqual({
        learner: l.name,
        rows: expectedRows(l),
      });
      for (const r of mine) expect(r[8]).not.toBe('');
    }
    expect(rows).toHaveLength(LEARNERS.reduce((n, l) => n + expectedRows(l).length, 0));
  });

  test('the JUnit XML: a suite per learner, a case per row, failures, errors and skips where the CSV has them', () => {
    const xml = readFileSync(path.join(out, 'hw1-class-junit.xml'), 'utf8');
    expect(xml).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="[^"]*hw1-class" tests="38" failures="15" errors="2" skipped="6">/,
    );
    for (const l of LEARNERS) {
      const suite = new RegExp(`<testsuite name="${l.name}" ([^>]*)>([\\s\\S]*?)</testsuite>`).exec(
        xml,
      );
      expect(suite).not.toBeNull();
      const rows = expectedRows(l);
      const n = (...s: string[]) => rows.filter((r) => s.includes(r[4] as string)).length;
      expect(suite![1]).toBe(
        `tests="${rows.length}" failures="${n('failed', 'wrong')}" errors="${n('problem')}" skipped="${n('unanswered')}"`,
      );
      const cases = [
        ...suite![2]!.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"(\/>|>\s*<(\w+))/g),
      ];
      expect(cases.map((c) => [c[2], c[4] ?? 'pass'])).toEqual(
        rows.map((r) => {
          const name =
            r[3] === 'problem'
              ? r[1] === '0'
                ? 'notebook'
                : `cell ${r[1]}`
              : `cell 2: ${r[3] === 'prediction' ? 'prediction how-many: how many goroutines' : 'three: three goroutines'}`;
          const el = {
            passed: 'pass',
            right: 'pass',
            failed: 'failure',
            wrong: 'failure',
            problem: 'error',
            unanswered: 'skipped',
          }[r[4] as string];
          return [name, el];
        }),
      );
    }
  });

  test('--class with a file, or a folder that is not there: a usage error, exit 2', () => {
    const r = spawnSync(process.execPath, [SLOWMO, 'check', '--class', path.join(root, 'nope')], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--class');
  });
});

test('the writers escape what a learner wrote: CSV quotes and formulas, XML markup and control characters', () => {
  const row: GradeRow = {
    learner: 'eve',
    notebook: 'a,"b".ipynb',
    cell: 1,
    checkpoint: 'x',
    title: '=HYPERLINK("http://evil")',
    kind: 'checkpoint',
    status: 'failed',
    answer: '',
    reason: 'panic: <script>&\u0007\nnext',
  };
  const csv = gradesCsv([row]);
  expect(parseCsv(csv)[1]).toEqual([
    'eve',
    'a,"b".ipynb',
    '1',
    'x',
    `'=HYPERLINK("http://evil")`,
    'checkpoint',
    'failed',
    '',
    'panic: <script>&\u0007\nnext',
  ]);
  const report: ClassReport = {
    dir: 'c',
    learners: [{ learner: 'eve', notebooks: [], passed: false }],
  };
  const xml = gradesJunit(report, [row]);
  expect(xml).toContain('message="panic: &lt;script&gt;&amp;\ufffd\nnext"');
  expect(xml).toContain('classname="eve.a,&quot;b&quot;.ipynb"');
});
