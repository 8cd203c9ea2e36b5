/**
 * The runtime's own goroutine leak detector (a run request's `leakProfile: true`, `slowmo run
 * --leak-profile`): what the `leak.report` event carries. Go 1.26 has it behind
 * `GOEXPERIMENT=goroutineleakprofile` (the bridge builds with it), Go 1.27 always. As the
 * learner's main returns, the build's helper file asks for runtime/pprof's `goroutineleak`
 * profile, which runs one GC cycle that detects leaks: a channel, mutex, WaitGroup or Cond a
 * goroutine waits on counts as reachable only through goroutines that could still run, so a
 * goroutine blocked on one that no such goroutine (and no package variable) reaches can never
 * be woken, and is reported leaked. The detector judges by reachability, not by what the program
 * will do: a goroutine blocked on a channel a package variable holds is never reported, though
 * nothing may ever use that channel again; the recording's lens (analysis/blocked.ts) reports it.
 *
 * One `leak.report` is sent after the program exits and before the profiles and `run.end`, when
 * main returned (a program that ends by os.Exit, a crash or a limit has none). `available` is
 * false when the program's runtime has no detector (before Go 1.26). Context: m -1, p -1, g 0.
 */
import { z } from 'zod';
import { ProfileFrameSchema } from './profile';

/** Goroutines listed at most (`total` counts them all); frames kept per goroutine, leaf first. */
export const LEAK_GOROUTINES_MAX = 10_000;
export const LEAK_FRAMES_MAX = 64;
/** The first Go release with the detector (behind GOEXPERIMENT=goroutineleakprofile). */
export const LEAK_DETECTOR_MINOR = 26;

/**
 * A goroutine the runtime reported leaked: its goid (the same the other events use), its wait
 * reason as the runtime words it, and its stack, leaf first, from the first frame the runtime
 * prints for a parked goroutine (the runtime's own parking frames are left out), without the
 * build's helper frames (the learner's `main` is `main.main`).
 */
export const LeakedGoroutineSchema = z.object({
  goid: z.number().int().min(1),
  waitReason: z.string().max(1024),
  frames: z.array(ProfileFrameSchema).max(LEAK_FRAMES_MAX),
});

/** The fields of a `leak.report` event besides the common ones (events.ts builds the event). */
export const leakReportFields = {
  /** The program's runtime has the detector (Go 1.26 built with the experiment, or 1.27+). */
  available: z.boolean(),
  goroutines: z.array(LeakedGoroutineSchema).max(LEAK_GOROUTINES_MAX),
  /** Every goroutine the runtime reported leaked, also those past LEAK_GOROUTINES_MAX. */
  total: z.number().int().min(0),
  /** Goroutines were left out past LEAK_GOROUTINES_MAX. */
  truncated: z.boolean(),
};

export type LeakedGoroutine = z.infer<typeof LeakedGoroutineSchema>;

/** The Go minor version of a `run.start.goVersion` ("go1.26.11" → 26), or null. */
export function goMinor(goVersion: string | undefined): number | null {
  const m = /^go1\.(\d+)/.exec(goVersion ?? '');
  return m ? Number(m[1]) : null;
}

/** The GOEXPERIMENT a release needs for the detector: Go 1.26 only (1.27 has it always). */
export function leakExperiment(minor: number): string {
  return minor === LEAK_DETECTOR_MINOR ? 'goroutineleakprofile' : '';
}
