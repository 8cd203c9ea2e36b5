/**
 * A checkpoint's outcome as a learner reads it: in the notebook under the
 * cell, and from `slowmo check` in a terminal or CI. One wording for both,
 * so a lesson's checkpoint says the same thing wherever it is checked.
 */
import {
  evaluateCheckpoint,
  uncheckedPrediction,
  type CheckContext,
  type Checkpoint,
  type CheckResult,
  type Prediction,
} from './checkpoints';
import type { SlowmoEvent } from './events';
import { ProtocolError } from './parse';

export interface CheckpointOutcome {
  id: string;
  title: string;
  passed: boolean;
  reason: string;
  /** The lesson's hint, for a checkpoint not passed. */
  hint?: string;
  /** The event that decided it, when one did: where the picture jumps to reveal it. */
  seq?: number;
  /**
   * A prediction (predict, then reveal): its answers, status and explanation.
   * `passed` is true when it was right; a prediction teaches, it does not grade
   * the cell (slowmo check counts it apart).
   */
  prediction?: Prediction;
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
      return outcome(cp, evaluateCheckpoint(cp, events, ctx));
    } catch (err) {
      const why = err instanceof ProtocolError ? err.message : String(err);
      return outcome(cp, {
        passed: false,
        reason: `this checkpoint is malformed (the lesson's fault, not yours): ${why}`,
      });
    }
  });
}

/** The outcomes of checkpoints whose cell never ran (it did not compile, or was refused). */
export function uncheckedOutcomes(checkpoints: readonly Checkpoint[]): CheckpointOutcome[] {
  return checkpoints.map((cp) =>
    outcome(cp, {
      passed: false,
      reason: 'not checked: the cell did not run',
      ...(cp.check.type === 'predict' ? { prediction: uncheckedPrediction(cp.check) } : {}),
    }),
  );
}

function outcome(cp: Checkpoint, r: CheckResult): CheckpointOutcome {
  return {
    id: cp.id,
    title: cp.title,
    passed: r.passed,
    reason: r.reason,
    ...(cp.hint && !r.passed ? { hint: cp.hint } : {}),
    ...(r.seq !== undefined ? { seq: r.seq } : {}),
    ...(r.prediction ? { prediction: r.prediction } : {}),
  };
}
