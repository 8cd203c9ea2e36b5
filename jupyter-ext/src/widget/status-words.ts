/**
 * The status line of a finished run, in words: how it ended, how many events
 * the picture has, what was lost (or that the recorder was killed, so that
 * events may be missing), and how the build went.
 */
import { lossWords } from '@go-slowmo/kernel-bridge/protocol';
import type { Recording } from '../recording';

/** `events`: the events shown, already in words ("1,234 events"). */
export function finishedText(end: NonNullable<Recording['end']>, events: string): string {
  const how = end.reason === 'exit' ? `exit code ${end.exitCode}` : end.reason;
  const loss = lossWords(end.lost);
  return (
    `Finished: ${how} · ${events}` +
    (loss ? ` · ${loss}` : '') +
    (end.stats.compileMs !== undefined
      ? ` · compiled in ${end.stats.compileMs} ms${end.stats.cached ? ' (cached)' : ''}`
      : '')
  );
}
