/**
 * An exploration as a notebook keeps it (MIME `application/vnd.go-slowmo.explore.v1+json`): the
 * runs' outcomes and schedule signatures, grouped, without the runs' events (twenty recordings
 * would weigh the notebook down; they stay in the page's memory, explore-store.ts). Read
 * through a schema: notebooks are untrusted input.
 */
import { PERTURB_MAX, PerturbationSchema } from '@go-slowmo/kernel-bridge/protocol';
import { z } from 'zod';

export const EXPLORE_MIME = 'application/vnd.go-slowmo.explore.v1+json';

const text = z.string().max(100_000);
const ids = z.array(z.string().max(16)).max(1000);

const perturbations = z.array(PerturbationSchema).max(PERTURB_MAX);
/** The perturbation asked for, and the share of runs it was made in. */
const PerturbSchema = z.object({ at: perturbations, share: z.number().min(0).max(1) });

const ExploredRunSchema = z.object({
  id: z.string().max(16),
  procs: z.number().int().min(0).max(1024),
  go: z.string().max(64),
  outcome: z.object({ stdout: text, exitCode: z.number().int() }),
  signature: text,
  perturbed: z.boolean().optional(),
  perturb: perturbations.optional(),
});

export const ExplorationSchema = z.object({
  runs: z.array(ExploredRunSchema).max(1000),
  outcomes: z
    .array(
      z.object({
        stdout: text,
        exitCode: z.number().int(),
        count: z.number().int(),
        runs: ids,
        perturbedRuns: ids.optional(),
      }),
    )
    .max(1000),
  schedules: z
    .array(
      z.object({
        signature: text,
        count: z.number().int(),
        runs: ids,
        perturbedRuns: ids.optional(),
      }),
    )
    .max(1000),
  perturb: PerturbSchema.optional(),
});

export const ExploreDataSchema = z.object({
  /** Finds the runs in this page's memory, while it has them. */
  id: z.string().max(64),
  /** How many runs were asked for. */
  total: z.number().int().min(1).max(1000),
  /** The schedule perturbation asked for (also in the exploration, once it is done). */
  perturb: PerturbSchema.optional(),
  /** Absent while the runs go on. */
  exploration: ExplorationSchema.optional(),
  /** Why the exploration stopped (a compile error, a refused run). */
  error: z.string().max(10_000).optional(),
});
export type ExploreData = z.infer<typeof ExploreDataSchema>;
