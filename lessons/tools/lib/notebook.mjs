// A lesson as an nbformat 4.5 notebook, in the exact form Jupyter's server
// saves it (keys sorted, one-space indent, a final newline), so a lesson saved
// in JupyterLab differs from what was generated only by what the learner did
// (and the Python version its kernel reports).
import { createHash } from 'node:crypto';
import path from 'node:path';
import { SourceError } from './source.mjs';
import { protocol } from './protocol.mjs';

/**
 * The notebook metadata ipykernel's python3 reports, less the Python version
 * (which is the machine's): JupyterLab writes what the kernel says into the
 * notebook when it connects (the extension keeps that from marking it modified).
 */
const NOTEBOOK_METADATA = {
  kernelspec: { display_name: 'Python 3 (ipykernel)', language: 'python', name: 'python3' },
  language_info: {
    codemirror_mode: { name: 'ipython', version: 3 },
    file_extension: '.py',
    mimetype: 'text/x-python',
    name: 'python',
    nbconvert_exporter: 'python',
    pygments_lexer: 'ipython3',
  },
};

/** The Go-slowmo options a marker may set: the protocol's cell metadata, less its checkpoints. */
const OPTION_TYPES = Object.fromEntries(
  Object.entries(protocol.SlowmoMetadataSchema.shape)
    .filter(([key]) => key !== 'checkpoints')
    .map(([key, schema]) => {
      let inner = schema;
      while (inner.def.type === 'optional' || inner.def.type === 'default')
        inner = inner.def.innerType;
      return [key, inner.def.type];
    }),
);

/** The lesson's notebook; with `solution`, each exercise holds its reference solution. */
export function buildNotebook(lesson, sets, solution) {
  const where = (part) => `${path.relative(path.dirname(lesson.dir), lesson.file)}:${part.line}`;
  const cells = lesson.parts.map((part, i) => {
    const id = (kind) =>
      createHash('sha1').update(`${lesson.name}/${i}/${kind}`).digest('hex').slice(0, 12);
    switch (part.kind) {
      case 'markdown':
        return { cell_type: 'markdown', id: id('md'), metadata: {}, source: lines(part.text) };
      case 'python':
        return code(id('code'), part.code, {});
      default: {
        const metadata = {
          slowmo: slowmoMetadata(part, sets, where(part)),
          tags: [part.kind],
        };
        return code(
          id('code'),
          solution && part.solution !== undefined ? part.solution : part.code,
          metadata,
        );
      }
    }
  });
  return { cells, metadata: NOTEBOOK_METADATA, nbformat: 4, nbformat_minor: 5 };
}

function code(id, source, metadata) {
  return {
    cell_type: 'code',
    execution_count: null,
    id,
    metadata,
    outputs: [],
    source: lines(source),
  };
}

function slowmoMetadata(part, sets, where) {
  const meta = { backend: 'auto', mode: 'record' };
  for (const [key, value] of Object.entries(part.options)) {
    const type = OPTION_TYPES[key];
    if (!type) {
      throw new SourceError(
        `${where}: unknown option "${key}": an option is one of solution, checkpoints, ${Object.keys(OPTION_TYPES).join(', ')}`,
      );
    }
    meta[key] = optionValue(type, value);
  }
  if (part.checkpoints !== undefined) {
    const set = sets[part.checkpoints];
    if (!set) {
      const known = Object.keys(sets);
      throw new SourceError(
        `${where}: checkpoints.json has no set "${part.checkpoints}"${known.length ? ` (it has ${known.join(', ')})` : ''}`,
      );
    }
    meta.checkpoints = set;
  } else {
    meta.checkpoints = [];
  }
  try {
    protocol.parseMetadata(meta);
  } catch (err) {
    throw new SourceError(`${where}: ${err.message}`);
  }
  return meta;
}

/** A marker's `key=value` as its schema's type: `gomaxprocs=2` a number, `gc=true` a boolean. */
function optionValue(type, value) {
  if (type === 'number' && value.trim() !== '' && !Number.isNaN(Number(value)))
    return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** nbformat's multi-line string: lines that keep their newline, the last without one. */
function lines(text) {
  const body = text.replace(/^\n+|\n+$/g, '');
  if (body.trim() === '') return [];
  return body.split(/(?<=\n)/);
}

/** JSON as Jupyter's server writes a notebook (nbformat: sort_keys, indent=1, ensure_ascii=False). */
export function serialize(notebook) {
  return `${JSON.stringify(sorted(notebook), null, 1)}\n`;
}

function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sorted(value[k])]),
  );
}
