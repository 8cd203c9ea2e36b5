/**
 * Whether this bridge can build a learner's program with the race detector (`go build -race`),
 * or why not, for `/api/info` and for refusing a request's `race` with the reason.
 *
 * What -race needs here, checked on Go 1.22 to 1.27 on linux/amd64:
 * - cgo: every supported release refuses `-race` with CGO_ENABLED=0 ("-race requires cgo"), so a
 *   race build turns cgo on, and the build sandbox needs a C compiler (gcc or clang in
 *   /usr/bin, bound into it read-only with the rest of /usr). The learner's own cgo stays refused (build.ts):
 *   only the runtime's race and cgo packages are compiled with it. The binary is then linked
 *   against the C library, which the program's sandbox has under /usr.
 * - the race runtime of the toolchain (src/runtime/race/internal/amd64v1/race_linux.syso,
 *   race_linux_arm64.syso), which Go ships for both.
 * - address space: the ThreadSanitizer runtime maps its shadow memory beside the heap. Measured
 *   here (Go 1.26): a program holding 100 MB reserves 2.0 GB of address space built with -race
 *   (1.3 GB without) and touches 3.2 times the memory. Where there are no control groups the
 *   sandbox bounds a program's memory by its address space (RLIMIT_AS, launcher.ts), and a race
 *   run gets the larger bound below; with control groups memory is bounded by what is touched.
 * - the system-call filter lets it run: it maps its shadow with mmap and never needs a call the
 *   filter denies (the race tests run under it).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BackendState } from './protocol';
import type { Toolchain } from './toolchains';

/**
 * The C compilers a race build may use, first found first: gcc, Go's default, or clang (which
 * the probe's build needs, so the image has it). Both checked with Go 1.26's -race here.
 */
export const RACE_COMPILERS = ['/usr/bin/gcc', '/usr/bin/clang'];

/** The C compiler for race builds (CC for `go build`), or undefined when there is none. */
export function raceCompiler(compilers: readonly string[] = RACE_COMPILERS): string | undefined {
  return compilers.find((cc) => existsSync(cc));
}

const GOARCH: Partial<Record<string, string>> = { x64: 'amd64', arm64: 'arm64' };

/** Whether race builds can be made on this machine, or why not. */
export function raceSupport(compilers: readonly string[] = RACE_COMPILERS): BackendState {
  const goarch = GOARCH[process.arch];
  if (process.platform !== 'linux' || goarch === undefined) {
    return {
      available: false,
      why: `the race detector is built here for linux on amd64 and arm64; this machine is ${process.platform}/${process.arch}`,
    };
  }
  if (raceCompiler(compilers) === undefined) {
    return {
      available: false,
      why: `the race detector needs cgo, and cgo a C compiler: none of ${compilers.join(', ')} is here (install gcc, e.g. apt-get install gcc)`,
    };
  }
  return { available: true };
}

/** Why this toolchain cannot build with -race (its race runtime missing), or undefined. */
export function raceToolchainProblem(toolchain: Toolchain): string | undefined {
  const goarch = GOARCH[process.arch] ?? process.arch;
  // amd64's is chosen by GOAMD64 (v1, the default, builds run with).
  const file =
    goarch === 'amd64' ? 'internal/amd64v1/race_linux.syso' : `race_linux_${goarch}.syso`;
  const syso = path.join(toolchain.goroot, 'src', 'runtime', 'race', file);
  return existsSync(syso)
    ? undefined
    : `${toolchain.version} has no race runtime for linux/${goarch} (${syso} is missing)`;
}

/**
 * A race run's address-space bound where there is no control group: what a program gets (twice
 * its memory and 256 MiB), times 3.2 for the shadow of what it touches, and 1 GiB for the race
 * runtime's own reservations (0.7 GB measured).
 */
export function raceAddressBytes(memoryBytes: number): number {
  return Math.ceil((memoryBytes * 2 + 256 * 1024 * 1024) * 3.2) + 1024 * 1024 * 1024;
}

/**
 * What a race run's launcher ends with: the race runtime's settings for the program. By default
 * it sleeps a second as the program exits (atexit_sleep_ms=1000), to catch races of goroutines
 * still running then: a second of nothing at the end of every recording, so none here.
 */
export const RACE_LAUNCH = ['/usr/bin/env', 'GORACE=atexit_sleep_ms=0'];
