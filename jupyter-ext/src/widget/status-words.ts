/**
 * The status line of a finished run, in words: how it ended, how many events
 * the picture has, what was lost (or that the recorder was killed, so that
 * events may be missing), how long the recorder held the program stopped so
 * as to lose nothing, and how the build went.
 */
import { lossWords, throttleWords } from '@go-slowmo/kernel-bridge/protocol';
import type { Recording } from '../recording';

/** `events`: the events shown, already in words ("1,234 events"). */
export function finishedText(end: NonNullable<Recording['end']>, events: string): string {
  const how = end.reason === 'exit' ? `exit code ${end.exitCode}` : end.reason;
  const loss = lossWords(end.lost);
  const throttled = throttleWords(end.stats.throttledMs);
  return (
    `Finished: ${how} · ${events}` +
    (loss ? ` · ${loss}` : '') +
    (throttled ? ` · ${throttled}` : '') +
    (end.stats.compileMs !== undefined
      ? ` · compiled in ${end.stats.compileMs} ms${end.stats.cached ? ' (cached)' : ''}`
      : '')
  );
}
