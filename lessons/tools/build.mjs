#!/usr/bin/env node
// Generates the lesson notebooks from their sources (lessons/README.md says how
// the sources are written): lessons/NN-name.ipynb, lessons/solutions/NN-name.ipynb
// (each exercise holding its reference solution) and lessons/00-index.ipynb.
//
//   node lessons/tools/build.mjs            write them
//   node lessons/tools/build.mjs --check    exit 1, naming each notebook that is not what its sources make
//   --src DIR (default lessons/src) and --out DIR (default lessons) for other trees
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readCheckpoints } from './lib/checkpoints.mjs';
import { buildNotebook, serialize } from './lib/notebook.mjs';
import { LESSON_LIST, readLesson, SourceError } from './lib/source.mjs';

const LESSONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const INDEX = '00-index';
const GENERATED = /^\d\d-[\w.-]+\.ipynb$/;

/** Every generated file's path (relative to the output folder) and text. */
export function generate(src) {
  const names = readdirSync(src)
    .filter((n) => /^\d\d-/.test(n))
    .sort();
  if (!names.includes(INDEX))
    throw new SourceError(`${src}: no ${INDEX} folder (the index lesson)`);
  const lessons = names.filter((n) => n !== INDEX).map((n) => readLesson(src, path.join(src, n)));
  for (const lesson of lessons) {
    const missing = ['title', 'blurb'].filter((k) => !lesson[k]);
    if (missing.length) {
      throw new SourceError(
        `${lesson.name}/lesson.md: the front matter lacks ${missing.join(' and ')} (the index lists them)`,
      );
    }
  }
  const files = new Map();
  for (const lesson of lessons) {
    const sets = readCheckpoints(src, lesson.dir);
    files.set(`${lesson.name}.ipynb`, serialize(buildNotebook(lesson, sets, false)));
    files.set(`solutions/${lesson.name}.ipynb`, serialize(buildNotebook(lesson, sets, true)));
    const used = new Set(lesson.parts.map((p) => p.checkpoints).filter(Boolean));
    const unused = Object.keys(sets).filter((s) => !used.has(s));
    if (unused.length) {
      throw new SourceError(
        `${lesson.name}/checkpoints.json: no cell uses ${unused.map((s) => `"${s}"`).join(', ')}: add checkpoints=NAME to a marker or remove it`,
      );
    }
  }
  const index = readLesson(src, path.join(src, INDEX));
  const list = lessons
    .map((l, n) => `${n + 1}. [${l.title}](${l.name}.ipynb): ${l.blurb}`)
    .join('\n');
  for (const part of index.parts) {
    if (part.kind === 'markdown') part.text = part.text.replaceAll(LESSON_LIST, list);
  }
  files.set(`${INDEX}.ipynb`, serialize(buildNotebook(index, {}, false)));
  return files;
}

/** Generated-looking notebooks in `out` that no source makes any more (a renamed lesson). */
function strays(out, files) {
  return ['', 'solutions/'].flatMap((sub) =>
    existsSync(path.join(out, sub))
      ? readdirSync(path.join(out, sub))
          .filter((n) => GENERATED.test(n) && !files.has(`${sub}${n}`))
          .map((n) => `${sub}${n}`)
      : [],
  );
}

function main() {
  const { values } = parseArgs({
    options: {
      src: { type: 'string', default: path.join(LESSONS, 'src') },
      out: { type: 'string', default: LESSONS },
      check: { type: 'boolean', default: false },
    },
  });
  const files = generate(path.resolve(values.src));
  const out = path.resolve(values.out);
  const extra = strays(out, files);
  if (values.check) {
    const stale = [...files].filter(([file, text]) => {
      const target = path.join(out, file);
      return !existsSync(target) || readFileSync(target, 'utf8') !== text;
    });
    for (const [file] of stale)
      console.error(`${path.join(out, file)} is not what its sources make`);
    for (const file of extra)
      console.error(`${path.join(out, file)} has no source in ${values.src}`);
    if (stale.length || extra.length) {
      console.error('run: node lessons/tools/build.mjs');
      process.exit(1);
    }
    console.log(`${files.size} notebooks are up to date`);
    return;
  }
  for (const [file, text] of files) {
    mkdirSync(path.dirname(path.join(out, file)), { recursive: true });
    writeFileSync(path.join(out, file), text);
  }
  console.log(`wrote ${files.size} notebooks to ${out}`);
  for (const file of extra)
    console.warn(`note: ${path.join(out, file)} has no source: remove it if its lesson is gone`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (err) {
    if (!(err instanceof SourceError)) throw err;
    console.error(`lessons: ${err.message}`);
    process.exit(2);
  }
}
