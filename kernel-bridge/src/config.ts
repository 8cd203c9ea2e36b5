/**
 * The bridge's configuration: every limit and path in one schema, so that
 * `/api/info` can show what is in force and a bad setting fails at start-up
 * with the name of the setting.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { REPO_DIR } from './paths';
import { toProtocolError } from './protocol';

const MiB = 1024 * 1024;

/** A size in bytes: a whole number, at least `min`, `fallback` when not set. */
const bytes = (min: number, fallback: number) => z.number().int().min(min).default(fallback);

/** Limits on one run; each one that is hit ends the run with its own `run.end.reason`. */
export const LimitsSchema = z.object({
  /**
   * Wall time of the program (reason `timeout`). A paced run counts only the
   * time its program was allowed to run, not the time it waited, paused, for
   * the learner (run-clock.ts).
   */
  wallSeconds: z.number().positive().max(3600).default(20),
  /**
   * How long a paced run may wait paused with nobody sending it a control
   * message before it ends (reason `idle`), so a forgotten tab gives its run
   * slot back.
   */
  idleSeconds: z.number().positive().max(86_400).default(900),
  /** CPU time of the program, all threads (reason `cpu-limit`). */
  cpuSeconds: z.number().positive().max(3600).default(10),
  /** Memory of the program (reason `memory-limit`). */
  memoryBytes: bytes(32 * MiB, 512 * MiB),
  /**
   * Memory of one run's recorder (slowmo-probe, root), in a control group of
   * its own beside the program's: what a program makes it hold (events,
   * output) is capped here instead of taken from the host, and does not count
   * against the program's own limit. Over it the kernel kills the recorder and
   * the run ends with `memory-limit` (limit `probeMemoryBytes`). Measured peaks
   * with a program making events as fast as it can: about 50 MiB for the eBPF
   * recorder (32 of them its ring buffer), 55 MiB for the tracer's.
   */
  probeMemoryBytes: bytes(16 * MiB, 256 * MiB),
  /** Processes and threads of the program (reason `process-limit`). */
  processes: z.number().int().min(8).max(100_000).default(128),
  /** Bytes the program may write to stdout and stderr together (reason `output-limit`). */
  outputBytes: bytes(1024, 1 * MiB),
  /** Events one run may produce (reason `event-limit`). */
  events: z.number().int().min(100).default(2_000_000),
  /** Wall time of one build. */
  buildSeconds: z.number().positive().max(3600).default(60),
  /** Memory of one build. */
  buildMemoryBytes: bytes(128 * MiB, 2048 * MiB),
  /**
   * Size of a built program: a larger one ends its build with a message
   * (a big array with initial values is stored whole in the binary).
   */
  binaryBytes: bytes(1 * MiB, 64 * MiB),
  /** Size of the program's writable /tmp. */
  tmpBytes: bytes(1 * MiB, 16 * MiB),
});
export type Limits = z.infer<typeof LimitsSchema>;

export const BridgeConfigSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8765),
  /** Runs built or running at the same time; the rest wait in a FIFO queue. */
  parallel: z.number().int().min(1).max(256).default(Math.max(1, os.cpus().length)),
  /** Runs one connection may have queued or running at once. */
  perConnection: z.number().int().min(1).max(1000).default(4),
  /** Runs waiting in the queue, all connections together, before new ones are refused. */
  maxQueued: z.number().int().min(1).default(500),
  /** When set, clients must present it (`?token=` or `Authorization: token ...`). */
  token: z.string().min(16).optional(),
  /** Origins allowed besides the bridge's own host (e.g. the Jupyter server's). */
  allowedOrigins: z.array(z.string()).default([]),
  /** Where builds, binaries and the Go build cache live. */
  workDir: z
    .string()
    .default(path.join(os.tmpdir(), `slowmo-bridge-${process.getuid?.() ?? 'user'}`)),
  /** The probe engine. */
  probeBinary: z.string().default(path.join(REPO_DIR, 'bpf', 'bin', 'slowmo-probe')),
  /** The Go versions the project supports (one per line); used to list what is installable. */
  goVersionsFile: z.string().default(path.join(REPO_DIR, 'bpf', 'go-versions.txt')),
  /** The unprivileged user that builds run as (and the only one that writes the Go cache). */
  buildUid: z
    .number()
    .int()
    .min(1000)
    .max(2 ** 31)
    .default(64000),
  /**
   * The host-wide pool of uids programs run as (sandbox/uids.ts): each bridge
   * claims `uidRangeSize` of them, and each run takes the next one of its
   * bridge's range, so no two runs share a uid's kernel state (process limit,
   * keyrings), at once or soon after. The default (0x70000000) lies above
   * systemd's container uids and below its "foreign" range; a bridge in a user
   * namespace that maps fewer uids needs a mapped `uidBase`.
   */
  uidBase: z
    .number()
    .int()
    .min(1000)
    .max(2 ** 31 - 1000)
    .default(0x70000000),
  uidRangeSize: z.number().int().min(16).max(1_000_000).default(1024),
  /** Ranges in the pool: bridges that may run on one host at once. */
  uidRanges: z.number().int().min(1).max(1_000_000).default(4096),
  limits: LimitsSchema.default(LimitsSchema.parse({})),
  /**
   * `bwrap`: every build and program in bubblewrap (see sandbox/sandbox.ts).
   * `none`: only rlimits, for a bridge that serves one person inside their
   * own container (Binder), where bubblewrap cannot make namespaces; never
   * for a shared server, and never with eBPF (the program would keep the
   * bridge's privilege).
   */
  sandbox: z.enum(['bwrap', 'none']).default('bwrap'),
  /** Events per `events` message, and the longest an event waits to be sent. */
  batchEvents: z.number().int().min(1).max(10_000).default(500),
  batchMs: z.number().min(0).max(1000).default(15),
  /**
   * Bytes a run may have waiting for a slow client before the bridge stops
   * reading the probe (the eBPF probe then stops the program until it can
   * pass its events on; the tracer's run waits in its pipe).
   */
  highWaterBytes: bytes(64 * 1024, 8 * MiB),
  /**
   * Binaries of identical builds kept for reuse: at most this many, of at
   * most this many bytes together; the least recently used go first, never
   * one a run is using (binary-cache.ts).
   */
  binaryCacheEntries: z.number().int().min(0).default(200),
  binaryCacheBytes: bytes(0, 2048 * MiB),
  /** Bytes of the Go build cache the bridge keeps (go-cache.ts); it trims the least recently used. */
  buildCacheBytes: bytes(0, 4096 * MiB),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type BridgeConfig = z.infer<typeof BridgeConfigSchema>;
export type BridgeConfigInput = z.input<typeof BridgeConfigSchema>;

/** Validates a configuration; throws a ProtocolError naming the bad setting. */
export function makeConfig(input: BridgeConfigInput = {}): BridgeConfig {
  const result = BridgeConfigSchema.safeParse(input);
  if (!result.success) throw toProtocolError('bridge configuration', result.error);
  return result.data;
}
