/**
 * A Go-slowmo cell in a notebook: a code cell whose `metadata.slowmo` holds
 * its run options and the exercise's checkpoints (nbformat has no other cell
 * types). The extension writes and reads it; `slowmo check` runs it headless.
 */
import { z } from 'zod';
import { CheckpointSchema } from './checkpoints';
import { SYSMON_MODES } from './events';
import {
  BACKEND_CHOICES,
  GC_EXPERIMENTS,
  GoVersionSchema,
  RUN_MODES,
  type RunRequestInput,
} from './messages';
import { GodebugSchema } from './godebug';
import { toProtocolError } from './parse';

export const SlowmoMetadataSchema = z.object({
  goVersion: GoVersionSchema.optional(),
  gomaxprocs: z.number().int().min(1).max(64).optional(),
  backend: z.enum(BACKEND_CHOICES).default('auto'),
  mode: z.enum(RUN_MODES).default('record'),
  pace: z.number().positive().optional(),
  /** Slow motion: whether sysmon sees the pauses (see SYSMON_MODES). */
  sysmon: z.enum(SYSMON_MODES).optional(),
  /** The GC lens: record the heap and its marking (eBPF only; the run request's `gc`). */
  gc: z.boolean().optional(),
  /** Build with this GOEXPERIMENT, e.g. nogreenteagc to mark object by object on Go 1.26+. */
  gcExperiment: z.enum(GC_EXPERIMENTS).optional(),
  /** GODEBUG settings for the program (godebug.ts allows them), e.g. "schedtrace=10,gctrace=1". */
  godebug: GodebugSchema.optional(),
  /** Collect the runtime's profiles (cpu, block, mutex, goroutine, wall): the request's `profile`. */
  profile: z.boolean().optional(),
  /** Ask the runtime's own goroutine leak detector as main returns: the request's `leakProfile`. */
  leakProfile: z.boolean().optional(),
  /** Build with the race detector and show each race it reports: the request's `race`. */
  race: z.boolean().optional(),
  checkpoints: z.array(CheckpointSchema).default([]),
});
export type SlowmoMetadata = z.infer<typeof SlowmoMetadataSchema>;

/** The metadata key that makes a code cell a Go-slowmo cell. */
export const METADATA_KEY = 'slowmo';

export function isSlowmo(metadata: unknown): boolean {
  return typeof metadata === 'object' && metadata !== null && METADATA_KEY in metadata;
}

/** A cell's options; throws a ProtocolError naming the field (e.g. `gomaxprocs`). */
export function parseMetadata(value: unknown): SlowmoMetadata {
  const result = SlowmoMetadataSchema.safeParse(value ?? {});
  if (!result.success) throw toProtocolError('cell metadata "slowmo"', result.error);
  return result.data;
}

/** The run request for a cell's source and options. */
export function cellRunRequest(id: string, code: string, meta: SlowmoMetadata): RunRequestInput {
  return {
    type: 'run',
    id,
    code,
    backend: meta.backend,
    mode: meta.mode,
    ...(meta.goVersion ? { goVersion: meta.goVersion } : {}),
    ...(meta.gomaxprocs ? { gomaxprocs: meta.gomaxprocs } : {}),
    ...(meta.pace ? { pace: meta.pace } : {}),
    ...(meta.sysmon && meta.mode === 'paced' ? { sysmon: meta.sysmon } : {}),
    ...(meta.gc ? { gc: true } : {}),
    ...(meta.gcExperiment ? { gcExperiment: meta.gcExperiment } : {}),
    ...(meta.godebug ? { godebug: meta.godebug } : {}),
    ...(meta.profile ? { profile: true } : {}),
    ...(meta.leakProfile ? { leakProfile: true } : {}),
    ...(meta.race ? { race: true } : {}),
  };
}
