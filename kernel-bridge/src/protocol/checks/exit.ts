/**
 * `{"type": "exit"}`: the program ended by itself with exit code 0 (or
 * `code`). An exercise whose program must finish says so with this: a panic
 * (a negative WaitGroup counter), a deadlock or a limit of the server fails
 * it, in the words the run's ending uses.
 */
import { z } from 'zod';
import { explainEnding } from '../endings';
import type { SlowmoEvent } from '../events';
import { replay } from '../reducer';
import { initialState } from '../state';
import { eventNumber } from '../words';
import type { Found } from './compare';

export const ExitCheckSchema = z.object({
  type: z.literal('exit'),
  code: z.number().int().default(0),
});
export type ExitCheck = z.infer<typeof ExitCheckSchema>;

export function evalExit(check: ExitCheck, events: readonly SlowmoEvent[]): Found {
  const end = events.at(-1);
  if (end?.kind !== 'run.end') return { passed: false, reason: 'the run has not ended' };
  const at = `(event ${eventNumber(end.seq)})`;
  if (end.reason === 'exit' && end.exitCode === check.code) {
    return {
      passed: true,
      reason: `the program ended by itself with exit code ${end.exitCode} ${at}`,
      seq: end.seq,
    };
  }
  const ending = explainEnding(events, replay(events, initialState()));
  const how =
    ending?.title ??
    (end.reason === 'exit' ? `it exited with code ${end.exitCode}` : `it ended: ${end.reason}`);
  const code = end.reason === 'exit' ? `, exit code ${end.exitCode}` : '';
  return {
    passed: false,
    reason: `the program did not end by itself with exit code ${check.code}: ${how}${code} ${at}`,
    seq: end.seq,
  };
}
