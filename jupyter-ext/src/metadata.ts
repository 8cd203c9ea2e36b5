/**
 * The extension's view of a Go-slowmo cell's `metadata.slowmo`: the schema
 * is the protocol's (one definition, shared with `slowmo check`); here only
 * what a new cell starts with and the editor's language.
 */
import type { SlowmoMetadataSchema } from '@go-slowmo/kernel-bridge/protocol';
import type { z } from 'zod';

export {
  cellRunRequest as runRequest,
  isSlowmo,
  METADATA_KEY,
  parseMetadata,
  type SlowmoMetadata,
} from '@go-slowmo/kernel-bridge/protocol';

/** What a new Go-slowmo cell starts with. */
export const DEFAULT_METADATA: z.input<typeof SlowmoMetadataSchema> = {
  backend: 'auto',
  mode: 'record',
};

export const GO_MIME = 'text/x-go';
