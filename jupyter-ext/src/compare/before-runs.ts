/**
 * The run before each comparison, for this page's life: a recording keeps only the list of
 * differences (small, saved in the notebook), not the run it was compared with. The two
 * timelines side by side need that run's events, which stay here, under the comparison's
 * session key, while the page is open; a reopened notebook shows the list alone.
 */
import type { Recording } from '../recording';

/** Runs kept at most: a learner compares the last runs of the cells at hand, not all of them. */
const KEEP = 16;

const runs = new Map<string, Recording>();

/** Keeps `before` under `session`, forgetting the oldest past KEEP. */
export function rememberBefore(session: string, before: Recording): void {
  runs.delete(session);
  runs.set(session, before);
  while (runs.size > KEEP) runs.delete(runs.keys().next().value as string);
}

/** The run before, when this page still has it. */
export function beforeRun(session: string | undefined): Recording | undefined {
  return session === undefined ? undefined : runs.get(session);
}
