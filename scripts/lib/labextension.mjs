// Whether a notebook environment's JupyterLab has the Go-slowmo extension,
// enabled and healthy, as `jupyter labextension list` says (it writes its
// table to stderr, coloured). Used by the Binder check and the mutation check.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const EXTENSION = '@go-slowmo/jupyter-ext';

/** The listing's line for the extension (or why there is none), and whether it is enabled and OK. */
export function labExtensionState(jupyter, env = process.env) {
  const listed = spawnSync(jupyter, ['labextension', 'list'], { encoding: 'utf8', env });
  if (listed.error) return { ok: false, line: `cannot run ${jupyter}: ${listed.error.message}` };
  const line = `${listed.stdout}${listed.stderr}`
    .replace(/\x1b\[[0-9;]*m/g, '') // eslint-disable-line no-control-regex -- colour codes
    .split('\n')
    .find((l) => l.includes(EXTENSION))
    ?.trim();
  if (!line) return { ok: false, line: `${EXTENSION} is not listed by jupyter labextension list` };
  return { ok: /\benabled\b.*\bOK\b/.test(line), line };
}

// `node scripts/lib/labextension.mjs JUPYTER`: exit 0 when the extension is enabled and OK.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const state = labExtensionState(process.argv[2] ?? 'jupyter');
  console.log(state.line);
  process.exit(state.ok ? 0 : 1);
}
