/**
 * What a learner opened in a run's output (the timeline and its lanes, the
 * goroutine table and its order, the GC lens, the profiles), kept in the output's metadata so that it
 * is saved with the notebook and a reopened or rerun cell shows the same.
 * The metadata comes from a notebook, so it is read through a schema and
 * anything odd is dropped, never trusted.
 */
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { z } from 'zod';

/** The key under the output's metadata. */
export const VIEW_KEY = 'go-slowmo';

export const ViewStateSchema = z.object({
  timeline: z.boolean().optional(),
  table: z.boolean().optional(),
  /** The GC lens (runs recorded with it only). */
  gc: z.boolean().optional(),
  /** The profiles' flame graphs (runs that collected profiles only). */
  profile: z.boolean().optional(),
  /** The comparison with the cell's run before (a second run and later). */
  compare: z.boolean().optional(),
  ms: z.boolean().optional(),
  goroutines: z.boolean().optional(),
  sort: z.object({ column: z.string().max(40), descending: z.boolean() }).optional(),
});
export type ViewState = z.infer<typeof ViewStateSchema>;

/** The view state in an output's metadata; {} when there is none or it is not one. */
export function readView(metadata: unknown): ViewState {
  const entry = (metadata as Record<string, unknown> | null | undefined)?.[VIEW_KEY];
  const parsed = ViewStateSchema.safeParse((entry as { view?: unknown } | undefined)?.view);
  return parsed.success ? parsed.data : {};
}

/** The output metadata with `view` in it (the rest kept). */
export function withView(
  metadata: ReadonlyPartialJSONObject | undefined,
  view: ViewState,
): ReadonlyPartialJSONObject {
  return { ...(metadata ?? {}), [VIEW_KEY]: { view } };
}
