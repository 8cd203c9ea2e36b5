/**
 * The lessons are written as sources (lessons/src: lesson.md with cell
 * markers, real .go files, checkpoints.json) and the notebooks are generated
 * from them by lessons/tools/build.mjs. This checks that the committed
 * notebooks are exactly what the sources make, that every marker of the
 * syntax (lessons/README.md) does what it says, and that each mistake an
 * author can make is refused with its file, line and fix.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LESSONS = join(__dirname, '..', '..', 'lessons');
const BUILD = join(LESSONS, 'tools', 'build.mjs');
const GENERATED = /^\d\d-.+\.ipynb$/;

const temps: string[] = [];
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'slowmo-lessons-'));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function build(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BUILD, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The generated notebooks under `dir` (top level and solutions/), by relative path. */
function notebooks(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const sub of ['', 'solutions/']) {
    for (const name of readdirSync(join(dir, sub))
      .filter((n) => GENERATED.test(n))
      .sort()) {
      out.set(sub + name, readFileSync(join(dir, sub, name), 'utf8'));
    }
  }
  return out;
}

describe('the lesson notebooks and their sources', () => {
  it('every notebook in lessons/ is, byte for byte, what lessons/src makes', () => {
    const out = temp();
    const r = build('--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const made = notebooks(out);
    const committed = notebooks(LESSONS);
    expect([...committed.keys()]).toEqual([...made.keys()]);
    const stale = [...made].filter(([file, text]) => committed.get(file) !== text).map(([f]) => f);
    // If this fails: run `node lessons/tools/build.mjs` and commit the notebooks with their sources.
    expect(stale).toEqual([]);
  });

  it('--check names a notebook that differs from its sources, and one that has no source', () => {
    const out = temp();
    expect(build('--out', out).status).toBe(0);
    expect(build('--out', out, '--check')).toMatchObject({ status: 0, stderr: '' });
    const edited = join(out, 'solutions', '03-local-run-queue.ipynb');
    writeFileSync(edited, readFileSync(edited, 'utf8').replace(/const n = \d+/, 'const n = 301'));
    writeFileSync(join(out, '99-gone.ipynb'), '{}');
    const r = build('--out', out, '--check');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${edited} is not what its sources make`);
    expect(r.stderr).toContain(`${join(out, '99-gone.ipynb')} has no source`);
    expect(r.stderr).toContain('run: node lessons/tools/build.mjs');
  });
});

/** A small source tree that uses every marker. */
const FIXTURE: Record<string, string> = {
  '00-index/lesson.md': '# Index\n\nIn order:\n\n<!-- lessons -->\n\nHave fun.\n',
  '01-first/lesson.md': `---
title: First things
blurb: the first lesson.
---

# Lesson 1

Intro text.

<!-- markdown -->

A second markdown cell, with a fenced block that shows a marker as text:

\`\`\`html
<!-- example nothing.go -->
\`\`\`

<!-- python -->

\`\`\`python
print(6 * 7)
\`\`\`

<!-- example hello.go gomaxprocs=2 goVersion=1.25 checkpoints=example -->

## Exercise

<!-- exercise starter.go solution=solution.go gomaxprocs=1 checkpoints=exercise -->
`,
  '01-first/hello.go': 'package main\n\nfunc main() { println("hello") }\n',
  '01-first/starter.go': 'package main\n\nfunc main() {}\n',
  '01-first/solution.go': 'package main\n\nfunc main() { go func() {}() }\n',
  '01-first/checkpoints.json': JSON.stringify({
    example: [
      { id: 'made', title: 'A goroutine was made', check: { type: 'event', kind: 'g.create' } },
    ],
    exercise: [{ like: 'example/made', hint: 'Use go.' }],
  }),
  '02-second/lesson.md': `---
title: Second
blurb: the second "one": shared code.
---

<!-- example ../01-first/hello.go -->

<!-- example ../01-first/count.go(n=3,pause=time.Millisecond) -->
`,
  '01-first/count.go':
    'package main\n\nimport "time"\n\nconst n = 1 // how many\n\nconst pause = time.Second\n\nfunc main() { time.Sleep(pause); println(n) }\n',
};

function fixture(changes: Record<string, string | null> = {}): string {
  const src = temp();
  for (const [file, text] of Object.entries({ ...FIXTURE, ...changes })) {
    if (text === null) continue;
    mkdirSync(join(src, file, '..'), { recursive: true });
    writeFileSync(join(src, file), text);
  }
  return src;
}

interface Cell {
  cell_type: string;
  id: string;
  source: string[];
  metadata: { slowmo?: Record<string, unknown>; tags?: string[] };
}
const read = (path: string): { cells: Cell[] } =>
  JSON.parse(readFileSync(path, 'utf8')) as { cells: Cell[] };
const text = (cell: Cell): string => cell.source.join('');

describe('the lesson source syntax', () => {
  let out: string;
  let built: { status: number | null; stderr: string };
  beforeAll(() => {
    out = temp();
    built = build('--src', fixture(), '--out', out);
  });

  it('a source tree that uses every marker builds without a complaint', () => {
    expect(built).toMatchObject({ status: 0, stderr: '' });
  });

  it('markdown splits at markers and at <!-- markdown -->; a marker inside a fenced block is text', () => {
    const cells = read(join(out, '01-first.ipynb')).cells;
    expect(cells.map((c) => c.cell_type)).toEqual([
      'markdown',
      'markdown',
      'code',
      'code',
      'markdown',
      'code',
    ]);
    expect(text(cells[0]!)).toBe('# Lesson 1\n\nIntro text.');
    expect(text(cells[1]!)).toContain('```html\n<!-- example nothing.go -->\n```');
    expect(text(cells[4]!)).toBe('## Exercise');
  });

  it('a python marker makes a plain code cell from its fenced block', () => {
    const cell = read(join(out, '01-first.ipynb')).cells[2]!;
    expect(text(cell)).toBe('print(6 * 7)');
    expect(cell.metadata).toEqual({});
  });

  it('an example is a Go-slowmo cell with its file, its options typed, and its checkpoint set', () => {
    const cell = read(join(out, '01-first.ipynb')).cells[3]!;
    expect(text(cell)).toBe('package main\n\nfunc main() { println("hello") }');
    expect(cell.metadata).toEqual({
      slowmo: {
        backend: 'auto',
        mode: 'record',
        gomaxprocs: 2,
        goVersion: '1.25',
        checkpoints: [
          { id: 'made', title: 'A goroutine was made', check: { type: 'event', kind: 'g.create' } },
        ],
      },
      tags: ['example'],
    });
  });

  it('an exercise holds its starter in the lesson and its solution in solutions/; "like" copies a checkpoint', () => {
    const lesson = read(join(out, '01-first.ipynb')).cells[5]!;
    const solution = read(join(out, 'solutions', '01-first.ipynb')).cells[5]!;
    expect(text(lesson)).toBe('package main\n\nfunc main() {}');
    expect(text(solution)).toBe('package main\n\nfunc main() { go func() {}() }');
    expect(lesson.metadata).toEqual(solution.metadata);
    expect(lesson.metadata.tags).toEqual(['exercise']);
    expect(lesson.metadata.slowmo?.checkpoints).toEqual([
      {
        id: 'made',
        title: 'A goroutine was made',
        hint: 'Use go.',
        check: { type: 'event', kind: 'g.create' },
      },
    ]);
  });

  it("a lesson includes another lesson's Go file by its relative path", () => {
    const cell = read(join(out, '02-second.ipynb')).cells[0]!;
    expect(text(cell)).toBe('package main\n\nfunc main() { println("hello") }');
  });

  it('a program may set its constants: FILE.go(NAME=VALUE,...) changes only their lines', () => {
    const cell = read(join(out, '02-second.ipynb')).cells[1]!;
    expect(text(cell)).toBe(
      'package main\n\nimport "time"\n\nconst n = 3 // how many\n\nconst pause = time.Millisecond\n\nfunc main() { time.Sleep(pause); println(n) }',
    );
  });

  it('<!-- lessons --> in the index lists every lesson with its title and blurb, in order', () => {
    const index = read(join(out, '00-index.ipynb')).cells;
    expect(index).toHaveLength(1);
    expect(text(index[0]!)).toBe(
      '# Index\n\nIn order:\n\n1. [First things](01-first.ipynb): the first lesson.\n' +
        '2. [Second](02-second.ipynb): the second "one": shared code.\n\nHave fun.',
    );
    expect(readdirSync(join(out, 'solutions')).sort()).toEqual([
      '01-first.ipynb',
      '02-second.ipynb',
    ]);
  });
});

describe('a mistake in the sources is refused, naming its place and the fix', () => {
  const exercise =
    '<!-- exercise starter.go solution=solution.go gomaxprocs=1 checkpoints=exercise -->';
  const lesson1 = FIXTURE['01-first/lesson.md']!;
  const cases: [string, Record<string, string | null>, RegExp][] = [
    [
      'an unknown marker',
      { '01-first/lesson.md': lesson1.replace('<!-- markdown -->', '<!-- markdwon -->') },
      /01-first\/lesson\.md:10: unknown marker "markdwon": a marker is one of markdown, example/,
    ],
    [
      'a missing Go file',
      { '01-first/solution.go': null },
      /01-first\/lesson\.md:\d+: solution\.go: no such file/,
    ],
    [
      'a Go file outside lessons/src',
      { '02-second/lesson.md': '---\ntitle: t\nblurb: b\n---\n<!-- example ../../x.go -->\n' },
      /02-second\/lesson\.md:5: \.\.\/\.\.\/x\.go is outside/,
    ],
    [
      'an exercise without a solution',
      { '01-first/lesson.md': lesson1.replace(' solution=solution.go', '') },
      /lesson\.md:\d+: an exercise names its reference solution: solution=FILE\.go/,
    ],
    [
      'an unknown option',
      { '01-first/lesson.md': lesson1.replace('gomaxprocs=2', 'gomaxproc=2') },
      /lesson\.md:\d+: unknown option "gomaxproc": an option is one of solution, checkpoints, goVersion, gomaxprocs/,
    ],
    [
      'an option the protocol refuses',
      { '01-first/lesson.md': lesson1.replace('goVersion=1.25', 'goVersion=one') },
      /lesson\.md:\d+: invalid cell metadata "slowmo": field "goVersion": a Go version looks like "1\.26"/,
    ],
    [
      'a checkpoint set that does not exist',
      {
        '01-first/lesson.md': lesson1.replace(exercise, exercise.replace('=exercise', '=exercize')),
      },
      /lesson\.md:\d+: checkpoints\.json has no set "exercize" \(it has example, exercise\)/,
    ],
    [
      'a checkpoint set no cell uses',
      {
        '01-first/lesson.md': lesson1.replace(
          exercise,
          exercise.replace(' checkpoints=exercise', ''),
        ),
      },
      /01-first\/checkpoints\.json: no cell uses "exercise"/,
    ],
    [
      'a checkpoint the protocol refuses',
      {
        '01-first/checkpoints.json': JSON.stringify({
          example: [{ id: 'x', title: 'X', check: { type: 'event', kind: 'g.made' } }],
          exercise: [{ like: 'example/x' }],
        }),
      },
      /01-first\/checkpoints\.json: "example"\[0\]: invalid checkpoint: field "check\.kind"/,
    ],
    [
      'a misspelt field, which zod alone would drop',
      {
        '01-first/checkpoints.json': JSON.stringify({
          example: [
            { id: 'x', title: 'X', check: { type: 'event', kind: 'g.create', wher: { fn: 'a' } } },
          ],
          exercise: [{ like: 'example/x' }],
        }),
      },
      /"example"\[0\]: unknown field "check\.wher"/,
    ],
    [
      'a "like" that names nothing',
      {
        '01-first/checkpoints.json': JSON.stringify({
          example: [{ id: 'x', title: 'X', check: { type: 'event', kind: 'g.create' } }],
          exercise: [{ like: 'example/y' }],
        }),
      },
      /"exercise"\[0\]: "like": "example\/y" names no checkpoint: write "set\/id"/,
    ],
    [
      'checkpoints.json that is not JSON',
      { '01-first/checkpoints.json': '{"example": [' },
      /01-first\/checkpoints\.json: not valid JSON/,
    ],
    [
      'a constant the program does not declare',
      {
        '02-second/lesson.md':
          '---\ntitle: t\nblurb: b\n---\n<!-- example ../01-first/count.go(m=2) -->\n',
      },
      /02-second\/lesson\.md:5: \.\.\/01-first\/count\.go has no line "const m = \.\.\." to set/,
    ],
    [
      'a constant set without its value',
      {
        '02-second/lesson.md':
          '---\ntitle: t\nblurb: b\n---\n<!-- example ../01-first/count.go(n) -->\n',
      },
      /02-second\/lesson\.md:5: "n" in \.\.\/01-first\/count\.go\(n\) is not NAME=VALUE/,
    ],
    [
      'a lesson without its blurb',
      { '02-second/lesson.md': '---\ntitle: t\n---\n<!-- example ../01-first/hello.go -->\n' },
      /02-second\/lesson\.md: the front matter lacks blurb \(the index lists them\)/,
    ],
    [
      'a python marker without its block',
      { '01-first/lesson.md': lesson1.replace('```python', 'print(1)\n```python') },
      /lesson\.md:\d+: a python marker must be followed by a fenced block opened with ```python/,
    ],
    [
      'a code block never closed',
      { '02-second/lesson.md': '---\ntitle: t\nblurb: b\n---\n```go\nx\n' },
      /02-second\/lesson\.md:\d+: a code block opened with ``` is never closed/,
    ],
  ];

  it.each(cases)('%s', (_name, changes, message) => {
    const r = build('--src', fixture(changes), '--out', temp());
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(r.status).toBe(2);
  });
});
