/**
 * The race detector's reports as events: a run built with `-race` (a run request's `race: true`,
 * `slowmo run --race`, a cell's `race`) prints a report on its stderr for each data race it
 * finds, and the bridge reads each report into one `race` event (race-read.ts) beside the
 * `output` events that still carry the report's text.
 *
 * A report names two accesses to one address: the one that raced (`previous: false`, by the
 * goroutine that printed the report, at the moment it raced) and the earlier one it raced with
 * (`previous: true`), each by a goroutine, with the line of the learner's code that made it and
 * the `go` statement that created that goroutine. The detector numbers goroutines its own way:
 * an access names the picture's goroutine (`goid`) only where that is certain. `at` is when the report's first line was read,
 * which is the moment of the racing access (the detector reports there, on the racing
 * goroutine); `t` (never earlier) when its last line was read.
 */
import { z } from 'zod';

const int = () => z.number().int();

/** Names and paths in a report are cut to this many characters. */
export const RACE_NAME_MAX = 512;
/** Reports a run passes on as events; the detector's text goes on past it, as output. */
export const RACES_MAX = 100;

export const RACE_OPS = ['read', 'write'] as const;

/** A place in the code: a function and its file and line. */
export const RaceFrameSchema = z.object({
  fn: z.string().max(RACE_NAME_MAX),
  file: z.string().max(RACE_NAME_MAX),
  line: int().min(0),
});

/**
 * One of a report's two accesses. `fn`, `file`, `line`: the innermost frame of its stack in the
 * learner's files (the stack's top when none is: a race inside the standard library seen from
 * outside it). `created`: where its goroutine was created, absent for the main goroutine.
 */
export const RaceAccessSchema = z.object({
  /**
   * The goroutine as the race detector numbers it ("by goroutine 8"): its own count, which is
   * not the runtime's goid (checked on both backends: the detector's 8 and 9 were goids 21 and
   * 22); 0 for a thread that is no goroutine.
   */
  goroutine: int().min(0),
  /**
   * The goroutine of the other events, where the report tells it for certain: the main
   * goroutine (goid 1), or the only goroutine the run created at the access's `created` site.
   */
  goid: int().min(1).optional(),
  op: z.enum(RACE_OPS),
  /** The access was through sync/atomic (the other one was not, or there would be no race). */
  atomic: z.boolean().optional(),
  /** The earlier of the two accesses ("Previous write at …"). */
  previous: z.boolean(),
  fn: z.string().max(RACE_NAME_MAX),
  file: z.string().max(RACE_NAME_MAX),
  line: int().min(0),
  created: RaceFrameSchema.optional(),
});

/** The fields of a `race` event besides the common ones (events.ts builds the event). */
export const raceFields = {
  /** When the report began to be read: the moment of the racing access. */
  at: z.number().min(0),
  /**
   * The address both accessed, in hex as the detector prints it ("0x00c000012345"; the reader
   * takes only that form). A string: a 64-bit address does not fit a JSON number exactly.
   */
  addr: z.string().min(3).max(18),
  /** The racing access first, then the earlier one (a cut report may hold only the first). */
  accesses: z.array(RaceAccessSchema).min(1).max(2),
};

export type RaceAccess = z.infer<typeof RaceAccessSchema>;
export type RaceFrame = z.infer<typeof RaceFrameSchema>;
