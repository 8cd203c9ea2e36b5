/**
 * A checkpoint's outcome as a learner reads it: in the notebook under the
 * cell, and from `slowmo check` in a terminal or CI. One wording for both,
 * so a lesson's checkpoint says the same thing wherever it is checked.
 */
import { evaluateCheckpoint, type CheckContext, type Checkpoint } from './checkpoints';
import type { SlowmoEvent } from './events';
import { ProtocolError } from './parse';

export interface CheckpointOutcome {
  id: string;
  title: string;
  passed: boolean;
  reason: string;
  /** The lesson's hint, for a checkpoint not passed. */
  hint?: string;
}

/**
 * Evaluates checkpoints on a run's events (and, for source checks, the code
 * in `ctx`); a malformed one is the lesson's fault and says so.
 */
export function checkpointOutcomes(
  checkpoints: readonly Checkpoint[],
  events: readonly SlowmoEvent[],
  ctx: CheckContext = {},
): CheckpointOutcome[] {
  return checkpoints.map((cp) => {
    try {
      const r = evaluateCheckpoint(cp, events, ctx);
      return outcome(cp, r.passed, r.reason);
    } catch (err) {
      const why = err instanceof ProtocolError ? err.message : String(err);
      return outcome(
        cp,
        false,
        `this checkpoint is malformed (the lesson's fault, not yours): ${why}`,
      );
    }
  });
}

/** The outcomes of checkpoints whose cell never ran (it did not compile, or was refused). */
export function uncheckedOutcomes(checkpoints: readonly Checkpoint[]): CheckpointOutcome[] {
  return checkpoints.map((cp) => outcome(cp, false, 'not checked: the cell did not run'));
}

function outcome(cp: Checkpoint, passed: boolean, reason: string): CheckpointOutcome {
  return {
    id: cp.id,
    title: cp.title,
    passed,
    reason,
    ...(cp.hint && !passed ? { hint: cp.hint } : {}),
  };
}
