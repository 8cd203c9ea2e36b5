/**
 * The GC phases of a recording against the runtime's own rules (as the Go
 * tests' bpf/internal/gccheck): the runtime sets each phase with the world
 * stopped — mark in the stop for sweep termination, mark termination and
 * off in the stop for mark termination — in order, and every stop for
 * sweep termination begins a cycle that marks. A sweepterm comes just
 * before its stop begins; a stop for mark termination may end with no
 * phase change (the runtime found more work and marks on).
 */
import type { SlowmoEvent } from '../../src/protocol';

const SWEEP_TERMINATION = 'GC sweep termination';
const MARK_TERMINATION = 'GC mark termination';

/** Each phase: the one before it in a cycle, and the stop of the world it is set in ('' for none). */
const RULES: Record<string, { after: string; in: string }> = {
  sweepterm: { after: 'off', in: '' },
  mark: { after: 'sweepterm', in: SWEEP_TERMINATION },
  marktermination: { after: 'mark', in: MARK_TERMINATION },
  off: { after: 'marktermination', in: MARK_TERMINATION },
};

const where = (stw: string): string => (stw ? `the stop for ${stw}` : 'no stop of the world');

/** How many whole cycles (sweepterm to off) the events hold, and each break of the rules. */
export function gcPhaseProblems(events: readonly SlowmoEvent[]): {
  cycles: number;
  problems: string[];
} {
  let cycles = 0;
  const problems: string[] = [];
  let phase = 'off';
  let stw = '';
  let marked = false;
  let sweepPending = -1;
  for (const e of events) {
    if (e.kind === 'gc') {
      const rule = RULES[e.phase]!;
      if (sweepPending >= 0)
        problems.push(
          `seq ${e.seq}: ${e.phase} before the stop of seq ${sweepPending}'s sweepterm`,
        );
      else if (phase !== rule.after) problems.push(`seq ${e.seq}: ${e.phase} after ${phase}`);
      else if (stw !== rule.in)
        problems.push(`seq ${e.seq}: ${e.phase} set in ${where(stw)}, want ${where(rule.in)}`);
      phase = e.phase;
      if (e.phase === 'sweepterm') sweepPending = e.seq;
      if (e.phase === 'mark') marked = true;
      if (e.phase === 'off') cycles++;
    } else if (e.kind === 'stw' && e.begin) {
      if (stw) problems.push(`seq ${e.seq}: the world stops (${e.reason}) while stopped (${stw})`);
      if ((e.reason === SWEEP_TERMINATION) !== sweepPending >= 0)
        problems.push(
          `seq ${e.seq}: the world stops (${e.reason}) with sweepterm at seq ${sweepPending}`,
        );
      stw = e.reason;
      marked = false;
      sweepPending = -1;
    } else if (e.kind === 'stw') {
      if (stw === SWEEP_TERMINATION && !marked)
        problems.push(`seq ${e.seq}: the stop for sweep termination ends without mark`);
      stw = '';
    }
  }
  return { cycles, problems };
}
