/**
 * Which goroutines are the learner's and which the runtime's, and what to
 * call them. One definition for the picture, narration, the CLI and the
 * endings, so that "hidden as runtime" means the same everywhere.
 *
 * A goroutine belongs to the runtime when the runtime started it for itself:
 * GC workers, the sweeper and scavenger, the finalizer and cleanup
 * goroutines, forcegc, the GOMAXPROCS updater, the tracer's own helpers
 * (the trace backend starts runtime/trace in the program: its reader and the
 * runtime's trace advancer). `go fmt.Println()` is the learner's, though
 * fmt is not their package: they wrote the `go`.
 */
import type { SlowmoEvent } from './events';
import type { GState, SchedState } from './state';

/**
 * The learner's main is renamed so by the trace backend (bpf/internal/trace/prepare.go):
 * its closures and stack frames carry this name.
 */
const TRACE_USER_MAIN = 'main.slowmoUserMain';

/** The file the trace backend adds to the learner's package; never the learner's code. */
export const TRACE_HELPER_FILE = '0000_slowmo_trace.go';

/**
 * The file a run with profiles adds to the learner's package (bpf/internal/profile/helper.go);
 * its functions (its wall-clock sampler among them) are named main.slowmoProfile….
 */
export const PROFILE_HELPER_FILE = '0002_slowmo_profile.go';
const PROFILE_HELPER_FUNCTIONS = 'main.slowmoProfile';

/** A function name as the learner wrote it (undoing the trace backend's renaming of main). */
export function learnerFunction(fn: string): string {
  return fn.startsWith(TRACE_USER_MAIN) ? `main.main${fn.slice(TRACE_USER_MAIN.length)}` : fn;
}

/**
 * Whether a goroutine starting in `fn` is one the runtime runs for itself.
 * `runtime.main` is g1's start: it runs the learner's main.main. The profile
 * helper's sampler counts as the runtime's: it is the profiles' doing, not the program's.
 */
export function isRuntimeFunction(fn: string): boolean {
  if (fn === 'runtime.main') return false;
  return (
    fn === '' ||
    fn.startsWith(PROFILE_HELPER_FUNCTIONS) ||
    fn.startsWith('runtime.') ||
    fn.startsWith('runtime/') ||
    fn.startsWith('internal/')
  );
}

/**
 * Whether a goroutine belongs to the runtime rather than the program. A
 * goroutine whose creation was never seen is the runtime's (it existed
 * before the probes attached), except g1, which runs main.
 */
export function isRuntimeGoroutine(g: GState): boolean {
  if (g.goid === 1) return false;
  if (g.site === null) return true;
  return isRuntimeFunction(g.site.fn);
}

function isRuntimeGoid(state: SchedState, goid: number): boolean {
  const g = state.gs.get(goid);
  if (g === undefined) return goid !== 1;
  return isRuntimeGoroutine(g);
}

/**
 * Short names of the runtime's own goroutines, by start function. Go 1.22+
 * starts some through wrappers (`go bgsweep(c)` compiles to gcenable.gowrap1).
 */
const RUNTIME_NAMES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^runtime\.(bgsweep|gcenable\.gowrap1)$/, 'bgsweep'],
  [/^runtime\.(bgscavenge|gcenable\.gowrap2)$/, 'bgscavenge'],
  [/^runtime\.gcBgMark(Worker|StartWorkers)/, 'GC worker'],
  [/^runtime\.(runfinq|runFinalizers|createfing)/, 'finalizer'],
  [/^runtime\.(runCleanups|\(\*cleanupQueue\))/, 'cleanups'],
  [/^runtime\.forcegchelper/, 'forcegc'],
  [/^runtime\.updateMaxProcsGoroutine/, 'GOMAXPROCS updater'],
  [/^runtime\.ensureSigM/, 'signal handler'],
  [/^runtime\/trace\./, 'trace writer'],
  [/^runtime\.(\(\*traceAdvancerState\)|traceAdvance)/, 'trace advancer'],
  [/^runtime\.traceStartReadCPU/, 'trace CPU reader'],
  [/^runtime\.unique_runtime/, 'unique cleanup'],
];

/** The trailing `.func1`, `.gowrap2`, `.1` and `-fm` parts a compiler adds to closures and wrappers. */
const COMPILER_SUFFIX = /(\.func\d+|\.gowrap\d+|\.\d+|-fm)+$/;

/** `pkg.(*T).m` -> `T.m`: the way a learner writes a method. */
function method(name: string): string {
  return name.replace(/\(\*?([^)]*)\)/g, '$1');
}

/** A function's name without its package path: `example.com/m/pool.Run` -> `pool.Run`. */
function withShortPackage(fn: string): string {
  const slash = fn.lastIndexOf('/', fn.indexOf('(') >= 0 ? fn.indexOf('(') : fn.length);
  return slash < 0 ? fn : fn.slice(slash + 1);
}

/**
 * The name a learner knows a goroutine's function by: `main.worker` ->
 * `worker`, `main.main.func1` -> `main.func1`, `main.(*Pool).run` ->
 * `Pool.run`, `fmt.Println` stays, the runtime's own get a short name
 * (`bgsweep`, `GC worker`, `finalizer`). `runtime.main` is g1's: `main`.
 */
export function functionName(fn: string): string {
  const learner = learnerFunction(fn);
  if (learner === 'runtime.main') return 'main';
  if (learner === '') return 'runtime';
  if (learner.startsWith('main.')) return method(learner.slice('main.'.length));
  if (isRuntimeFunction(learner)) {
    for (const [pattern, name] of RUNTIME_NAMES) if (pattern.test(learner)) return name;
    const bare = withShortPackage(learner).replace(COMPILER_SUFFIX, '');
    return bare.slice(bare.lastIndexOf('.') + 1) || 'runtime';
  }
  return method(withShortPackage(learner));
}

/**
 * The name a learner knows a goroutine by (see functionName); g1 is `main`,
 * and a goroutine the state knows nothing about is `runtime`.
 */
export function shortName(g: GState | undefined, goid: number): string {
  if (goid === 1) return 'main';
  return g?.site ? functionName(g.site.fn) : 'runtime';
}

/** `g7 worker`: how a goroutine is labelled in the picture. */
export function goroutineLabel(g: GState | undefined, goid: number): string {
  return `g${goid} ${shortName(g, goid)}`;
}

/**
 * The files the bridge's backends add to the learner's package, all named
 * NNNN_slowmo_*.go (the trace, heap dump, profile and perturbation helpers):
 * never the learner's code.
 */
const HELPER_FILE = /(^|\/)\d{4}_slowmo_[^/]*\.go$/;

/**
 * Whether a file is the learner's own. The bridge gives the learner's files
 * back as they named them (relative: `main.go`, `worker/pool.go`); the Go
 * installation's and module cache's files keep their absolute paths, and
 * wrappers are `<autogenerated>`.
 */
export function isLearnerFile(file: string | undefined): boolean {
  if (!file) return false;
  if (file.startsWith('/') || file.startsWith('<')) return false;
  return !HELPER_FILE.test(file);
}

/**
 * Whether an event only concerns the runtime's own goroutines, so a view
 * that hides them can hide it. A g.create decides by its own function (the
 * state before it does not know the goroutine yet); a steal when every
 * goroutine it took is the runtime's. Run queue snapshots are never hidden
 * (they show the learner's queues too), nor are P, M, GC and output events.
 */
export function isRuntimeEvent(e: SlowmoEvent, before: SchedState): boolean {
  switch (e.kind) {
    case 'g.create':
      return e.goid !== 1 && isRuntimeFunction(e.fn);
    case 'g.runnable':
    case 'g.running':
    case 'g.waiting':
    case 'g.syscall':
    case 'g.syscall.exit':
    case 'g.exit':
      return isRuntimeGoid(before, e.goid);
    case 'steal':
      return e.goids.every((goid) => isRuntimeGoid(before, goid));
    default:
      return false;
  }
}

/**
 * Whether an event shows the learner's code at work: a goroutine of theirs
 * is created, something happens at one of their lines, the program writes.
 */
export function isUserCodeEvent(e: SlowmoEvent): boolean {
  switch (e.kind) {
    case 'g.create':
      return e.goid !== 1 && !isRuntimeFunction(e.fn);
    case 'output':
    case 'line':
      return true;
    default:
      return 'file' in e && isLearnerFile(e.file as string | undefined);
  }
}

/**
 * The seq at which the learner's program begins, so a view can open there
 * and fold the runtime's start-up away: the last time g1 started running
 * before the first event of the learner's code (main.main runs on g1), or
 * that first event itself when g1's start was not seen; 0 when the
 * recording shows no user code at all.
 */
export function mainStart(events: readonly SlowmoEvent[]): number {
  const first = events.findIndex(isUserCodeEvent);
  if (first < 0) return 0;
  for (let i = first - 1; i >= 0; i--) {
    const e = events[i] as SlowmoEvent;
    if (e.kind === 'g.running' && e.goid === 1) return e.seq;
  }
  return (events[first] as SlowmoEvent).seq;
}

/**
 * "g7 (worker)" when the state knows the goroutine's function (and for g1,
 * "g1 (main)"), else "g7": how narration and endings name a goroutine.
 */
export function goroutineName(state: SchedState | undefined, goid: number): string {
  const g = state?.gs.get(goid);
  if (goid !== 1 && (g === undefined || g.site === null)) return `g${goid}`;
  return `g${goid} (${shortName(g, goid)})`;
}
