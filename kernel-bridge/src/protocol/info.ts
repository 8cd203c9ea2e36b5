/**
 * `GET /api/info`: what a bridge can do here and why not — its backends, Go
 * toolchains, limits, queue and sandbox. The server's route serialises by
 * this schema and the extension reads it with it, so both sides agree on
 * one description.
 */
import { z } from 'zod';

/** A backend's state: available, or why not (in words a course operator can act on). */
export const BackendStateSchema = z.object({
  available: z.boolean(),
  why: z.string().optional(),
});

export const BridgeInfoSchema = z.object({
  version: z.string(),
  backends: z.object({ ebpf: BackendStateSchema, trace: BackendStateSchema }),
  go: z.object({
    installed: z.array(z.string()),
    installable: z.array(z.string()),
    /** The toolchain a request without `go` gets. */
    default: z.string().optional(),
  }),
  /**
   * Whether a run may be built with the race detector (a request's `race`), or why not. Absent
   * from bridges older than the option.
   */
  race: BackendStateSchema.optional(),
  /** Every limit on one run, by name (the bridge's config `limits`): seconds, bytes, counts. */
  limits: z.record(z.string(), z.number()),
  parallel: z.number().int(),
  queue: z.object({ running: z.number().int(), queued: z.number().int() }),
  sandbox: z.object({
    tool: z.enum(['bubblewrap', 'none']),
    cgroups: z.enum(['v2', 'v1', 'none']),
    /** Why there are no control groups, when there are none. */
    why: z.string().optional(),
    /** Whether builds and programs run under the system-call filter, or why not. */
    seccomp: z.object({ active: z.boolean(), why: z.string().optional() }),
    /** The uids this bridge's runs take turns with (root only; absent where uids do not apply). */
    uids: z.object({ first: z.number().int(), count: z.number().int() }).optional(),
  }),
});

export type BackendState = z.infer<typeof BackendStateSchema>;
export type BridgeInfo = z.infer<typeof BridgeInfoSchema>;

/** Reads an `/api/info` answer; undefined when it is not one (an older or foreign server). */
export function parseBridgeInfo(json: unknown): BridgeInfo | undefined {
  const r = BridgeInfoSchema.safeParse(json);
  return r.success ? r.data : undefined;
}
