/**
 * The runtime's own profiles of a run (a run request's `profile: true`, `slowmo run --profile
 * DIR`): what each `profile` event carries. The build adds a helper file to the learner's
 * program that collects them without a change to its source; after the program exits, and
 * before `run.end`, one `profile` event says each profile collected, its `t` the moment it was
 * taken (the run's end).
 *
 * What each profile measures, and in which unit its sample values are:
 * - `cpu` (nanoseconds): on-CPU time. The kernel's profiling timer interrupts the program 100
 *   times a second of CPU it uses and records the running goroutine's stack; a goroutine that
 *   waits is never seen.
 * - `block` (nanoseconds): time goroutines spent blocked on channels, select, sync.Cond and
 *   sync.Mutex/WaitGroup waits, at the blocking call (the helper sets
 *   runtime.SetBlockProfileRate(1): every blocking event is recorded).
 * - `mutex` (nanoseconds): contention on sync.Mutex and RWMutex, charged to the stack of the
 *   goroutine that held the lock and made others wait, at its Unlock (the helper sets
 *   runtime.SetMutexProfileFraction(1): every contention is recorded).
 * - `goroutine` (count): where every goroutine stood when the profile was taken (at the run's
 *   end: goroutines still alive then, the main one included).
 * - `wall` (nanoseconds): wall-clock time, on- and off-CPU alike, as fgprof takes it: every
 *   ~10 ms the helper records the stacks of all goroutines, each counting for the time since
 *   the last record, whether it ran, waited or slept.
 *
 * A profile is a table of distinct frames and samples whose stacks index into it, leaf first,
 * as pprof's own format is (less its mappings and addresses). Sizes are bounded: a producer
 * keeps the samples of greatest value that fit both PROFILE_SAMPLES_MAX and PROFILE_FRAMES_MAX
 * and sets `truncated` when it left any out.
 */
import { z } from 'zod';

/** The profiles a run can collect (see above for what each measures). */
export const PROFILE_KINDS = ['cpu', 'block', 'mutex', 'goroutine', 'wall'] as const;
export type ProfileKind = (typeof PROFILE_KINDS)[number];

/** The unit of a sample's value: nanoseconds for every profile but `goroutine`, which counts. */
export const PROFILE_UNITS = ['nanoseconds', 'count'] as const;
export type ProfileUnit = (typeof PROFILE_UNITS)[number];

/** The unit each profile's samples are in. */
export const PROFILE_UNIT: Readonly<Record<ProfileKind, ProfileUnit>> = {
  cpu: 'nanoseconds',
  block: 'nanoseconds',
  mutex: 'nanoseconds',
  goroutine: 'count',
  wall: 'nanoseconds',
};

export const PROFILE_FRAMES_MAX = 20_000;
export const PROFILE_SAMPLES_MAX = 50_000;
/** Frames kept per stack, leaf first (runtime/pprof records at most 128 itself). */
export const PROFILE_STACK_MAX = 256;
/** A function's or file's name is cut to this many characters (generic instantiations run long). */
export const PROFILE_NAME_MAX = 1024;

/**
 * One frame: a function (its full name as the runtime spells it, e.g. `main.spin`,
 * `main.(*pool).get`, `runtime.gopark`, so the learner's packages stay findable by prefix)
 * at a source line. An inlined call is a frame of its own, as pprof shows it. `line` is 0 and
 * `file` "" when the binary did not say.
 */
export const ProfileFrameSchema = z.object({
  fn: z.string().max(PROFILE_NAME_MAX),
  file: z.string().max(PROFILE_NAME_MAX),
  line: z.number().int().min(0),
});

/** One sample: a stack (indices into `frames`, leaf first) and its value, in the profile's unit. */
export const ProfileSampleSchema = z.object({
  stack: z
    .array(
      z
        .number()
        .int()
        .min(0)
        .max(PROFILE_FRAMES_MAX - 1),
    )
    .min(1)
    .max(PROFILE_STACK_MAX),
  value: z.number().min(0),
});

/** The fields of a `profile` event besides the common ones (events.ts builds the event). */
export const profileFields = {
  profile: z.enum(PROFILE_KINDS),
  unit: z.enum(PROFILE_UNITS),
  /** Each distinct frame once. */
  frames: z.array(ProfileFrameSchema).max(PROFILE_FRAMES_MAX),
  samples: z.array(ProfileSampleSchema).max(PROFILE_SAMPLES_MAX),
  /** Samples were left out to keep within the limits above (those of least value). */
  truncated: z.boolean(),
};

export type ProfileFrame = z.infer<typeof ProfileFrameSchema>;
export type ProfileSample = z.infer<typeof ProfileSampleSchema>;
