/**
 * The leak lens beside the runtime's own goroutine leak detector (Go 1.26+, a run's
 * `leakProfile`; leak.ts): for each of the lens's groups, which of its goroutines the runtime
 * also called leaked, and the goroutines the runtime called leaked that the lens does not list.
 *
 * The two judge differently, so they may disagree, and the words say why: the lens lists every
 * goroutine of the learner still blocked when main returned (the recording saw it park and not
 * wake); the runtime's detector lists those whose channel, lock or WaitGroup nothing that could
 * still run can reach, a GC's reachability. A goroutine blocked on a channel a package variable
 * holds is reachable, so the runtime does not report it, though nothing may ever use it again.
 */
import type { EventOf } from '../events';
import { baseName } from '../words';
import { goMinor, LEAK_DETECTOR_MINOR } from '../leak';
import type { LeakGroup } from './blocked';

/** Whether the runtime's detector was there to compare with. */
export type RuntimeLeakStatus = 'compared' | 'unavailable' | 'not-asked';

export interface RuntimeGroupVerdict {
  /** Of the group's goroutines, those the runtime also reported leaked. */
  reported: number[];
  /** Those it did not. */
  notReported: number[];
  /** "The runtime's detector agrees: all 3 leaked." */
  words: string;
}

export interface RuntimeOnlyLeak {
  goid: number;
  waitReason: string;
  /** Its first frame in the learner's code (not the runtime's, not the standard library's). */
  fn?: string;
  file?: string;
  line?: number;
}

export interface RuntimeLeakView {
  status: RuntimeLeakStatus;
  /** One sentence on the whole: agreed, disagreed, unavailable or not asked. */
  words: string;
  /** One per lens group, in the lens's order (empty unless compared). */
  groups: RuntimeGroupVerdict[];
  /** Goroutines the runtime reported that the lens does not list. */
  runtimeOnly: RuntimeOnlyLeak[];
  /** Why they can disagree, when they do; null when they agree or nothing was compared. */
  explain: string | null;
}

/** Why the runtime does not report what the lens does: its detector is reachability. */
export const REACHABILITY_WORDS =
  "The runtime's detector judges by reachability: a goroutine blocked on a channel, lock or WaitGroup that the GC can still reach (from a package variable, from a goroutine that can still run, or through the very value it is sending when its closure holds both) is not called leaked, though nothing may ever wake it; the lens lists every goroutine still blocked when main returned.";

/** Why the runtime reports what the lens does not: the recording did not see it blocked at the end. */
export const RUNTIME_ONLY_WORDS =
  'The runtime found goroutines leaked that the recording did not see blocked at the end (an event the recording lost, or a goroutine it counts as the runtime’s own).';

/** The first frame of the learner's own code in a leaked goroutine's stack (leaf first). */
function learnerFrame(g: EventOf<'leak.report'>['goroutines'][number]): RuntimeOnlyLeak {
  const f =
    g.frames.find(
      (x) => x.file !== '' && !x.file.includes('/src/runtime/') && /^main\./.test(x.fn),
    ) ?? g.frames[0];
  return {
    goid: g.goid,
    waitReason: g.waitReason,
    ...(f ? { fn: f.fn, file: f.file, line: f.line } : {}),
  };
}

function ids(goids: readonly number[]): string {
  return goids.map((g) => `g${g}`).join(' ');
}

function groupWords(reported: number[], notReported: number[]): string {
  const n = reported.length + notReported.length;
  if (notReported.length === 0) {
    return n === 1
      ? "The runtime's detector agrees: it leaked."
      : `The runtime's detector agrees: all ${n} leaked.`;
  }
  if (reported.length === 0) {
    return `The runtime's detector does not call ${n === 1 ? 'it' : 'them'} leaked: what ${n === 1 ? 'it waits' : 'they wait'} on is still reachable.`;
  }
  return `The runtime's detector calls ${ids(reported)} leaked, not ${ids(notReported)}.`;
}

/**
 * The comparison for a leak lens's groups: `report` the run's leak.report (undefined when it
 * has none), `goVersion` its run.start's.
 */
export function compareRuntimeLeaks(
  groups: readonly LeakGroup[],
  report: EventOf<'leak.report'> | undefined,
  goVersion: string | undefined,
): RuntimeLeakView {
  const minor = goMinor(goVersion);
  if (report?.available === false || (minor !== null && minor < LEAK_DETECTOR_MINOR)) {
    return {
      status: 'unavailable',
      words: `The runtime's own goroutine leak detector needs Go 1.26 or later${goVersion ? `; this run used ${goVersion}` : ''}.`,
      groups: [],
      runtimeOnly: [],
      explain: null,
    };
  }
  if (report === undefined) {
    return {
      status: 'not-asked',
      words:
        "The runtime's own goroutine leak detector (Go 1.26 and later) was not asked for in this run: turn on “Runtime’s Leak Detector” in the cell's context menu (slowmo run --leak-profile) to see it beside this.",
      groups: [],
      runtimeOnly: [],
      explain: null,
    };
  }
  const leaked = new Set(report.goroutines.map((g) => g.goid));
  const ours = new Set(groups.flatMap((g) => g.goids));
  const verdicts = groups.map((g) => {
    const reported = g.goids.filter((id) => leaked.has(id));
    const notReported = g.goids.filter((id) => !leaked.has(id));
    return { reported, notReported, words: groupWords(reported, notReported) };
  });
  const runtimeOnly = report.goroutines.filter((g) => !ours.has(g.goid)).map(learnerFrame);
  const missed = verdicts.reduce((n, v) => n + v.notReported.length, 0);
  const agreed = ours.size - missed;
  let words = `The runtime's own leak detector reported ${report.total} goroutine${report.total === 1 ? '' : 's'} leaked as main returned`;
  if (ours.size > 0) words += `, ${agreed} of the ${ours.size} listed here`;
  if (runtimeOnly.length > 0) {
    const where = runtimeOnly.map(
      (r) => `g${r.goid}${r.line ? ` at ${baseName(r.file ?? '')}:${r.line}` : ''}`,
    );
    words += `, and ${runtimeOnly.length} not listed here (${where.join(', ')})`;
  }
  const explain = [
    missed > 0 ? REACHABILITY_WORDS : '',
    runtimeOnly.length > 0 ? RUNTIME_ONLY_WORDS : '',
  ]
    .filter((w) => w !== '')
    .join(' ');
  return {
    status: 'compared',
    words: `${words}.`,
    groups: verdicts,
    runtimeOnly,
    explain: explain === '' ? null : explain,
  };
}

/** The comparison as text lines for a terminal (slowmo run --format text). */
export function runtimeLeakText(view: RuntimeLeakView, groups: readonly LeakGroup[]): string[] {
  const out = [view.words];
  view.groups.forEach((v, i) => {
    const g = groups[i];
    if (g) out.push(`  ${g.file && g.line ? `${baseName(g.file)}:${g.line}` : '?'}  ${v.words}`);
  });
  if (view.explain) out.push(view.explain);
  return out;
}
