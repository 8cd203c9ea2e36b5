/**
 * A Go-slowmo cell is a code cell with `metadata.slowmo` (nbformat has no
 * other cell types): the run options and the exercise's checkpoints. This
 * schema is its one definition; a malformed one (a hand-edited notebook) is
 * reported with the bad field, never silently ignored.
 */
import {
  BACKEND_CHOICES,
  CheckpointSchema,
  GoVersionSchema,
  RUN_MODES,
  toProtocolError,
  type RunRequestInput,
} from '@go-slowmo/kernel-bridge/protocol';
import { z } from 'zod';

export const SlowmoMetadataSchema = z.object({
  goVersion: GoVersionSchema.optional(),
  gomaxprocs: z.number().int().min(1).max(64).optional(),
  backend: z.enum(BACKEND_CHOICES).default('auto'),
  mode: z.enum(RUN_MODES).default('record'),
  pace: z.number().positive().optional(),
  checkpoints: z.array(CheckpointSchema).default([]),
});
export type SlowmoMetadata = z.infer<typeof SlowmoMetadataSchema>;

/** The metadata key that makes a code cell a Go-slowmo cell. */
export const METADATA_KEY = 'slowmo';

/** What a new Go-slowmo cell starts with. */
export const DEFAULT_METADATA: z.input<typeof SlowmoMetadataSchema> = {
  backend: 'auto',
  mode: 'record',
};

export function isSlowmo(metadata: unknown): boolean {
  return typeof metadata === 'object' && metadata !== null && METADATA_KEY in metadata;
}

/** The cell's options; throws a ProtocolError naming the field (e.g. `slowmo.gomaxprocs`). */
export function parseMetadata(value: unknown): SlowmoMetadata {
  const result = SlowmoMetadataSchema.safeParse(value ?? {});
  if (!result.success) throw toProtocolError('cell metadata "slowmo"', result.error);
  return result.data;
}

/** The run request for a cell's source and options. */
export function runRequest(id: string, code: string, meta: SlowmoMetadata): RunRequestInput {
  return {
    type: 'run',
    id,
    code,
    backend: meta.backend,
    mode: meta.mode,
    ...(meta.goVersion ? { goVersion: meta.goVersion } : {}),
    ...(meta.gomaxprocs ? { gomaxprocs: meta.gomaxprocs } : {}),
    ...(meta.pace ? { pace: meta.pace } : {}),
  };
}

export const GO_MIME = 'text/x-go';
