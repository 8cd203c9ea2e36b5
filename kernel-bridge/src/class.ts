/**
 * `slowmo check --class DIR`: a teacher's folder of submitted notebooks,
 * one learner each, graded as `slowmo check` grades one (check.ts), several
 * learners at once within the bridge's `parallel`. The layouts nbgrader and
 * otter leave: DIR/<learner>/…/*.ipynb, or DIR/<learner>.ipynb.
 *
 * A learner's broken submission (not JSON, not a notebook, a cell whose
 * metadata is malformed) is reported for that learner; the class goes on.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Bridge } from './bridge';
import { checkNotebooks, type NotebookReport } from './check';
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

interface Submission {
  learner: string;
  paths: string[];
}

/** Folders a notebook never lives in: Jupyter's autosaves, hidden ones. */
const skipped = (name: string): boolean => name.startsWith('.') || name === '__MACOSX';

function notebooksUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (skipped(name)) continue;
    const full = path.join(dir, name);
    const st = statSync(full);
    if (st.isDirectory()) out.push(...notebooksUnder(full));
    else if (name.endsWith('.ipynb')) out.push(full);
  }
  return out;
}

/** The learners of a class folder, by name, each with the notebooks they handed in. */
export function submissions(dir: string): Submission[] {
  const byLearner = new Map<string, string[]>();
  for (const name of readdirSync(dir).sort()) {
    if (skipped(name)) continue;
    const full = path.join(dir, name);
    const st = statSync(full);
    const learner = st.isDirectory() ? name : name.replace(/\.ipynb$/, '');
    if (!st.isDirectory() && !name.endsWith('.ipynb')) continue;
    const paths = st.isDirectory() ? notebooksUnder(full) : [full];
    byLearner.set(learner, [...(byLearner.get(learner) ?? []), ...paths]);
  }
  return [...byLearner].map(([learner, paths]) => ({ learner, paths }));
}

async function gradeOne(
  bridge: Bridge,
  dir: string,
  s: Submission,
  opts: { backend?: BackendChoice },
): Promise<LearnerReport> {
  if (s.paths.length === 0)
    return { learner: s.learner, notebooks: [], problem: 'no notebook handed in', passed: false };
  try {
    const r = await checkNotebooks(bridge, s.paths, opts);
    const notebooks = r.notebooks.map((n) => ({ ...n, path: path.relative(dir, n.path) }));
    return { learner: s.learner, notebooks, passed: r.passed };
  } catch (err) {
    const why = `could not be graded: ${(err as Error).message}`;
    return { learner: s.learner, notebooks: [], problem: why, passed: false };
  }
}

/** Grades every learner, as many at once as the bridge runs; `onLearner` as each is done. */
export async function gradeClass(
  bridge: Bridge,
  dir: string,
  opts: { backend?: BackendChoice; onLearner?: (r: LearnerReport) => void } = {},
): Promise<ClassReport> {
  const todo = submissions(dir);
  const learners = new Array<LearnerReport>(todo.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const i = next++;
      const backend = opts.backend ? { backend: opts.backend } : {};
      learners[i] = await gradeOne(bridge, dir, todo[i] as Submission, backend);
      opts.onLearner?.(learners[i]);
    }
  };
  const width = Math.max(1, Math.min(bridge.config.parallel, todo.length));
  await Promise.all(Array.from({ length: width }, worker));
  return { dir, learners };
}
