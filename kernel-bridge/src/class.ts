/**
 * `slowmo check --class DIR`: a teacher's folder of submitted notebooks,
 * one learner each, graded as `slowmo check` grades one (check.ts), several
 * learners at once within the bridge's `parallel`. The layouts nbgrader and
 * otter leave: DIR/<learner>/…/*.ipynb, or DIR/<learner>.ipynb.
 *
 * A learner's broken submission (not JSON, not a notebook, a cell whose
 * metadata is malformed) is reported for that learner; the class goes on.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Bridge } from './bridge';
import { checkNotebookSources, type NotebookReport, type NotebookSource } from './check';
import type { BackendChoice } from './protocol';

export interface LearnerReport {
  learner: string;
  /** Notebook paths relative to the class folder. */
  notebooks: NotebookReport[];
  /** Why the learner could not be graded at all (no notebook, a failure while grading). */
  problem?: string;
  /** Every graded checkpoint passed (a malformed notebook or cell fails). */
  passed: boolean;
}

export interface ClassReport {
  dir: string;
  learners: LearnerReport[];
}

/** A notebook of the class: its path relative to the class folder ('/' between names) and its text. */
export type ClassNotebook = NotebookSource;

/**
 * A class folder as read: its top-level folders (a learner's, even when it
 * holds no notebook) and every notebook under it. The same whether it was
 * read from this machine's disk (`listClassDir`) or sent by the extension.
 */
export interface ClassListing {
  folders: string[];
  notebooks: ClassNotebook[];
}

export interface Submission {
  learner: string;
  notebooks: ClassNotebook[];
}

/** Folders a notebook never lives in: Jupyter's autosaves, hidden ones. */
const skipped = (name: string): boolean => name.startsWith('.') || name === '__MACOSX';

function notebooksUnder(dir: string, rel: string): ClassNotebook[] {
  const out: ClassNotebook[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (skipped(name)) continue;
    const full = path.join(dir, name);
    const st = statSync(full);
    if (st.isDirectory()) out.push(...notebooksUnder(full, `${rel}${name}/`));
    else if (name.endsWith('.ipynb'))
      out.push({ path: `${rel}${name}`, read: () => readFileSync(full, 'utf8') });
  }
  return out;
}

/** A class folder on this machine, its notebooks read when they are graded. */
export function listClassDir(dir: string): ClassListing {
  const top = readdirSync(dir).filter((name) => !skipped(name));
  return {
    folders: top.filter((name) => statSync(path.join(dir, name)).isDirectory()),
    notebooks: notebooksUnder(dir, ''),
  };
}

/** Orders paths as a walk of sorted folders meets them ('a/z' before 'a.ipynb'). */
function byWalk(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const [p, q] = [x[i] as string, y[i] as string];
    if (p !== q) return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

/**
 * The learners of a class, by name, each with the notebooks they handed in:
 * <learner>/…/*.ipynb (nbgrader's submitted/, otter's per-student folders)
 * or <learner>.ipynb, both merged when a learner has both.
 */
export function submissions(listing: ClassListing): Submission[] {
  const visible = (p: string) => !p.split('/').some(skipped);
  const notebooks = listing.notebooks
    .filter((n) => visible(n.path) && n.path.endsWith('.ipynb'))
    .sort((a, b) => byWalk(a.path, b.path));
  const top = new Set([
    ...listing.folders.filter((f) => visible(f) && !f.includes('/')),
    ...notebooks.map((n) => n.path.split('/')[0] as string),
  ]);
  const byLearner = new Map<string, ClassNotebook[]>();
  for (const name of [...top].sort()) {
    const learner =
      name.endsWith('.ipynb') && !listing.folders.includes(name)
        ? name.replace(/\.ipynb$/, '')
        : name;
    const mine = notebooks.filter((n) => n.path === name || n.path.startsWith(`${name}/`));
    byLearner.set(learner, [...(byLearner.get(learner) ?? []), ...mine]);
  }
  return [...byLearner].map(([learner, nbs]) => ({ learner, notebooks: nbs }));
}

async function gradeOne(
  bridge: Bridge,
  s: Submission,
  opts: { backend?: BackendChoice },
): Promise<LearnerReport> {
  if (s.notebooks.length === 0)
    return { learner: s.learner, notebooks: [], problem: 'no notebook handed in', passed: false };
  try {
    const r = await checkNotebookSources(bridge, s.notebooks, opts);
    return { learner: s.learner, notebooks: r.notebooks, passed: r.passed };
  } catch (err) {
    const why = `could not be graded: ${(err as Error).message}`;
    return { learner: s.learner, notebooks: [], problem: why, passed: false };
  }
}

export interface GradeOptions {
  backend?: BackendChoice;
  /** As a learner begins to be graded. */
  onStart?: (learner: string) => void;
  /** As each learner is done. */
  onLearner?: (r: LearnerReport) => void;
  /** Abort: no learner begins after it (those being graded finish). */
  signal?: AbortSignal;
}

/** Grades every learner, as many at once as the bridge runs. `dir` names the class in the report. */
export async function gradeSubmissions(
  bridge: Bridge,
  dir: string,
  todo: readonly Submission[],
  opts: GradeOptions = {},
): Promise<ClassReport> {
  const learners = new Array<LearnerReport>(todo.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length && !opts.signal?.aborted) {
      const i = next++;
      const s = todo[i] as Submission;
      const backend = opts.backend ? { backend: opts.backend } : {};
      opts.onStart?.(s.learner);
      learners[i] = await gradeOne(bridge, s, backend);
      opts.onLearner?.(learners[i]);
    }
  };
  const width = Math.max(1, Math.min(bridge.config.parallel, todo.length));
  await Promise.all(Array.from({ length: width }, worker));
  return { dir, learners: learners.filter(Boolean) };
}

/** Grades a class folder on this machine. */
export function gradeClass(
  bridge: Bridge,
  dir: string,
  opts: GradeOptions = {},
): Promise<ClassReport> {
  return gradeSubmissions(bridge, dir, submissions(listClassDir(dir)), opts);
}
