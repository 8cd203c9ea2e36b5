/**
 * `{"type": "blocked", "lens": "deadlock" | "leak" | "none"}`: how the
 * program's goroutines were left at the end, by the failure lenses
 * (analysis/blocked.ts).
 *
 * - deadlock: the run ended with every goroutine of the program blocked:
 *   the runtime's detector stopped it ("all goroutines are asleep"), or the
 *   server stopped it so (the detector stays silent when a timer, the
 *   network poller or the trace backend's own goroutines could still run).
 *   Both count, so that a checkpoint holds on either backend. `cycle: true`
 *   asks for a wait-for cycle among them (by the source: see the lens).
 * - leak: main returned while goroutines of the program were blocked.
 * - none: no goroutine of the program was left blocked when it ended (one
 *   asleep in time.Sleep is not blocked: it wakes by itself).
 *
 * `line` counts only goroutines blocked at that line; `min` (default 1)
 * is how many must be.
 */
import { z } from 'zod';
import { BlockTracker, failureLens, type FailureLens } from '../analysis/blocked';
import { explainEnding } from '../endings';
import type { SlowmoEvent } from '../events';
import { replay } from '../reducer';
import { isRuntimeGoroutine } from '../goroutines';
import { initialState, type SchedState } from '../state';
import { plural, waitWords } from '../words';
import type { Found } from './compare';

export const BLOCKED_LENSES = ['deadlock', 'leak', 'none'] as const;

export const BlockedCheckSchema = z
  .object({
    type: z.literal('blocked'),
    lens: z.enum(BLOCKED_LENSES),
    line: z.number().int().min(1).optional(),
    min: z.number().int().min(1).default(1),
    cycle: z.boolean().optional(),
  })
  .strict();
export type BlockedCheck = z.infer<typeof BlockedCheckSchema>;

/** Line `n` of the program (its files joined, as a source check reads them). */
function lookup(source: string | undefined): (file: string, line: number) => string | undefined {
  const lines = source?.split('\n');
  return (_file, line) => lines?.[line - 1];
}

function lensWords(lens: FailureLens | null): string {
  if (lens === null) return 'no goroutine of the program was left blocked';
  const n = plural(lens.blocked.length, 'goroutine');
  const lines = [...new Set(lens.blocked.map((b) => b.line ?? 0))]
    .filter((l) => l > 0)
    .sort((a, b) => a - b);
  const at = lines.length > 0 ? ` (at line ${lines.join(', ')})` : '';
  if (lens.kind === 'leak') return `main returned with ${n} blocked${at}`;
  if (lens.kind === 'deadlock') return `the runtime found a deadlock: ${n} blocked${at}`;
  return `it was stopped with every goroutine blocked: ${n}${at}`;
}

export function evalBlocked(
  check: BlockedCheck,
  events: readonly SlowmoEvent[],
  source?: string,
): Found {
  const last = events.at(-1);
  if (last?.kind !== 'run.end') return { passed: false, reason: 'the run has not ended' };
  const tracker = new BlockTracker();
  for (const e of events) tracker.add(e);
  const end = replay(events, initialState());
  // Only a multi-file program's lines are ambiguous in the joined source: objects then may be unknown.
  const lens = failureLens(tracker, end, explainEnding(events, end), lookup(source));
  const seen = lensWords(lens);
  const seq = last.seq;
  if (check.lens === 'none') return noneBlocked(check, end, seq);
  const want =
    check.lens === 'leak'
      ? 'main returned with goroutines still blocked'
      : 'the run ended with every goroutine of the program blocked (a deadlock)';
  const kindOk =
    lens !== null && (check.lens === 'leak' ? lens.kind === 'leak' : lens.kind !== 'leak');
  if (!kindOk) return { passed: false, reason: `expected ${want}, but ${seen}`, seq };
  const counted = lens.blocked.filter((b) => check.line === undefined || b.line === check.line);
  const where = check.line ? ` at line ${check.line}` : '';
  if (counted.length < check.min) {
    return {
      passed: false,
      reason: `expected at least ${plural(check.min, 'goroutine')} blocked${where}, but ${seen}`,
      seq,
    };
  }
  if (check.cycle && lens.cycle === null) {
    return {
      passed: false,
      reason: `expected goroutines waiting for each other in a cycle, but none was found: ${seen}`,
      seq,
    };
  }
  const cycle =
    check.cycle && lens.cycle
      ? `, waiting in a cycle (${lens.cycle.map((g) => `g${g}`).join(' → ')})`
      : '';
  return {
    passed: true,
    reason: `${seen}${cycle}`,
    seq: counted[0]?.seq ?? seq,
  };
}

const TIMER_WAITS = new Set(['sleep', 'sleep (durable)']);

/** None of the program's goroutines blocked at the end (at `line`), however the run ended. */
function noneBlocked(check: BlockedCheck, end: SchedState, seq: number): Found {
  const where = check.line ? ` at line ${check.line}` : '';
  const left: { goid: number; line?: number; since: number; reason: string }[] = [];
  end.gs.forEach((g) => {
    if (g.status !== 'waiting' || isRuntimeGoroutine(g) || g.wait === null) return;
    // Asleep on a timer it wakes by itself: a watchdog still sleeping is not left blocked.
    if (TIMER_WAITS.has(g.wait.reason)) return;
    if (check.line !== undefined && g.wait.line !== check.line) return;
    left.push({ goid: g.goid, line: g.wait.line, since: g.wait.since, reason: g.wait.reason });
  });
  if (left.length === 0) {
    return {
      passed: true,
      reason: `no goroutine of the program was left blocked${where} when it ended`,
      seq,
    };
  }
  const shown = left
    .slice(0, 5)
    .map((g) => `g${g.goid} (${waitWords(g.reason)}${g.line ? ` at line ${g.line}` : ''})`);
  return {
    passed: false,
    reason: `${plural(left.length, 'goroutine')} of the program ${left.length === 1 ? 'was' : 'were'} left blocked${where} when it ended: ${shown.join(', ')}${left.length > 5 ? '…' : ''}`,
    seq: left[0]?.since ?? seq,
  };
}
