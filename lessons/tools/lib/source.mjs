// Reads one lesson's lesson.md: front matter, then markdown with cell markers
// (the syntax is in lessons/README.md). Returns the lesson as a list of parts
// whose Go files are read and whose options are still raw strings; the
// checkpoints and the Go-slowmo options are checked later, against the
// protocol. Every error names the file and line and says how to fix it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A mistake in a lesson's sources; the message is the whole story. */
export class SourceError extends Error {
  name = 'SourceError';
}

const FRONT_MATTER_KEYS = ['title', 'blurb'];
const MARKERS = ['markdown', 'example', 'exercise', 'python', 'lessons'];
const MARKER = /^<!--\s*([A-Za-z][\w-]*)(.*?)\s*-->\s*$/;
const FENCE = /^\s*(```+|~~~+)/;

/**
 * @typedef {{ kind: 'markdown', text: string }
 *   | { kind: 'python', code: string }
 *   | { kind: 'example' | 'exercise', line: number, code: string, solution?: string,
 *       options: Record<string, string>, checkpoints?: string }} Part
 * @typedef {{ name: string, dir: string, file: string, title?: string, blurb?: string,
 *   parts: Part[] }} LessonSource
 */

/** Reads `dir/lesson.md`; `root` is lessons/src, which Go files may not leave. */
export function readLesson(root, dir) {
  const file = path.join(dir, 'lesson.md');
  const where = (line) => `${path.relative(root, file)}:${line}`;
  if (!existsSync(file)) {
    throw new SourceError(
      `${path.relative(root, dir)}: no lesson.md (every lesson folder has one)`,
    );
  }
  const lines = readFileSync(file, 'utf8').split('\n');
  /** @type {LessonSource} */
  const lesson = { name: path.basename(dir), dir, file, parts: [] };
  let i = readFrontMatter(lines, lesson, where);

  let text = [];
  let fence = null; // the fence that opened a code block in markdown: markers inside it are text
  const flush = () => {
    const body = text.join('\n').replace(/^\n+|\n+$/g, '');
    if (body.trim() !== '') lesson.parts.push({ kind: 'markdown', text: body });
    text = [];
  };
  for (; i < lines.length; i++) {
    const line = lines[i];
    const open = FENCE.exec(line);
    if (fence) {
      if (open && open[1].startsWith(fence)) fence = null;
      text.push(line);
      continue;
    }
    if (open) fence = open[1];
    const marker = fence ? null : MARKER.exec(line);
    if (!marker) {
      text.push(line);
      continue;
    }
    const [, name, rest] = marker;
    if (!MARKERS.includes(name)) {
      throw new SourceError(
        `${where(i + 1)}: unknown marker "${name}": a marker is one of ${MARKERS.join(', ')}`,
      );
    }
    if (name === 'lessons') {
      text.push(LESSON_LIST);
      continue;
    }
    flush();
    if (name === 'markdown') continue;
    if (name === 'python') {
      i = readPython(lines, i, lesson, where);
      continue;
    }
    lesson.parts.push(goCell(root, dir, name, rest, i + 1, where));
  }
  if (fence)
    throw new SourceError(
      `${where(lines.length)}: a code block opened with ${fence} is never closed`,
    );
  flush();
  return lesson;
}

/** Where the index's list of lessons goes: replaced once every lesson has been read. */
export const LESSON_LIST = '\u0000lessons\u0000';

function readFrontMatter(lines, lesson, where) {
  if (lines[0] !== '---') return 0;
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '---') return i + 1;
    const m = /^([A-Za-z]+):\s*(.*)$/.exec(lines[i]);
    if (!m || !FRONT_MATTER_KEYS.includes(m[1])) {
      throw new SourceError(
        `${where(i + 1)}: front matter lines are "key: value" with a key of ${FRONT_MATTER_KEYS.join(', ')}`,
      );
    }
    lesson[m[1]] = m[2].trim();
  }
  throw new SourceError(`${where(1)}: the front matter that starts here never ends with ---`);
}

/** `<!-- python -->` and then a ```python fenced block: a plain code cell for the kernel. */
function readPython(lines, i, lesson, where) {
  let j = i + 1;
  while (j < lines.length && lines[j].trim() === '') j++;
  const open = /^(```+|~~~+)\s*python\s*$/.exec(lines[j] ?? '');
  if (!open) {
    throw new SourceError(
      `${where(i + 1)}: a python marker must be followed by a fenced block opened with \`\`\`python`,
    );
  }
  for (let k = j + 1; k < lines.length; k++) {
    if (lines[k].trim() === open[1]) {
      lesson.parts.push({ kind: 'python', code: lines.slice(j + 1, k).join('\n') });
      return k;
    }
  }
  throw new SourceError(`${where(j + 1)}: the python block opened here is never closed`);
}

/**
 * `<!-- example FILE key=value ... -->` or `<!-- exercise FILE solution=FILE key=value ... -->`;
 * a FILE may set constants, as in queue.go(n=300) (goProgram).
 */
function goCell(root, dir, kind, rest, line, where) {
  const words = tokenize(rest, () => where(line));
  const file = words.shift();
  if (!file || file.split('(')[0].includes('=')) {
    throw new SourceError(
      `${where(line)}: an ${kind} marker names its Go file first, e.g. <!-- ${kind} main.go -->`,
    );
  }
  const options = {};
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0) throw new SourceError(`${where(line)}: "${word}" is not key=value`);
    const key = word.slice(0, eq);
    if (key in options) throw new SourceError(`${where(line)}: ${key} is given twice`);
    options[key] = word.slice(eq + 1);
  }
  const { solution, checkpoints, ...slowmo } = options;
  if (kind === 'exercise' && solution === undefined) {
    throw new SourceError(
      `${where(line)}: an exercise names its reference solution: solution=FILE.go`,
    );
  }
  if (kind === 'example' && solution !== undefined) {
    throw new SourceError(`${where(line)}: an example has no solution (did you mean an exercise?)`);
  }
  const part = { kind, line, code: goProgram(root, dir, file, () => where(line)), options: slowmo };
  if (solution !== undefined) part.solution = goProgram(root, dir, solution, () => where(line));
  if (checkpoints !== undefined) part.checkpoints = checkpoints;
  return part;
}

/** Words separated by spaces; a value may be quoted, as in title="two words". */
function tokenize(text, where) {
  const words = [];
  const re = /\s*((?:[^\s"]+|"(?:[^"\\]|\\.)*")+)/y;
  let at = 0;
  for (let m; (m = re.exec(text)); at = re.lastIndex) {
    words.push(m[1].replace(/"((?:[^"\\]|\\.)*)"/g, (_, s) => JSON.parse(`"${s}"`)));
  }
  if (text.slice(at).trim() !== '') {
    throw new SourceError(`${where()}: cannot read ${text.slice(at).trim()} (an unclosed quote?)`);
  }
  return words;
}

/**
 * `FILE.go` or `FILE.go(NAME=VALUE,...)`: the program in FILE.go, with each named
 * constant's `const NAME = ...` line set to VALUE. Programs that differ only in
 * a number (how many goroutines) are then one file, and each cell still shows
 * a whole program.
 */
function goProgram(root, dir, spec, where) {
  const m = /^([^()]+)(?:\(([^()]*)\))?$/.exec(spec);
  if (!m) {
    throw new SourceError(
      `${where()}: cannot read "${spec}": a program is FILE.go or FILE.go(NAME=VALUE,...)`,
    );
  }
  const [, name, params] = m;
  let code = goFile(root, dir, name, where);
  if (params === undefined) return code;
  const seen = new Set();
  for (const param of params.split(',')) {
    const p = /^([A-Za-z_]\w*)=([\w.+-]+)$/.exec(param);
    if (!p) {
      throw new SourceError(
        `${where()}: "${param}" in ${spec} is not NAME=VALUE (a Go constant and a number or name)`,
      );
    }
    const [, constant, value] = p;
    if (seen.has(constant))
      throw new SourceError(`${where()}: ${constant} is set twice in ${spec}`);
    seen.add(constant);
    code = setConstant(code, constant, value, () => `${where()}: ${name}`);
  }
  return code;
}

/** `code` with its one top-level line `const NAME = ...` giving NAME `value` (a comment after it stays). */
function setConstant(code, constant, value, where) {
  const line = new RegExp(`^(const ${constant} = )[^/\\n]*?( *//[^\\n]*)?$`, 'gm');
  const found = code.match(line) ?? [];
  if (found.length !== 1) {
    throw new SourceError(
      `${where()} has ${found.length ? 'more than one' : 'no'} line "const ${constant} = ..." to set`,
    );
  }
  return code.replace(line, (_, head, comment = '') => `${head}${value}${comment}`);
}

/** A Go file by its path relative to the lesson (another lesson's too), inside lessons/src. */
function goFile(root, dir, name, where) {
  if (!name.endsWith('.go')) throw new SourceError(`${where()}: ${name} is not a .go file`);
  const file = path.resolve(dir, name);
  if (path.relative(root, file).startsWith('..')) {
    throw new SourceError(`${where()}: ${name} is outside ${root}: Go files live in lessons/src`);
  }
  if (!existsSync(file)) throw new SourceError(`${where()}: ${name}: no such file`);
  return readFileSync(file, 'utf8');
}
