/**
 * The probe's back-pressure reports (`slowmo-probe run --throttle-fd N`): one
 * JSON line per change on a descriptor of their own, `{"throttled":true}` as
 * the probe stops the program rather than lose events it cannot pass on
 * (bpf/internal/probe/backpressure.go), `{"throttled":false}` as it lets the
 * program go on. They come as it happens, whether or not the bridge is
 * reading the events (it is not, when a slow client holds it back), so that
 * the run's wall clock leaves that time out (run-clock.ts). The program never
 * holds the descriptor: the probe closes it on exec.
 */
import type { Readable } from 'node:stream';
import { z } from 'zod';

export const ThrottleReportSchema = z.object({ throttled: z.boolean() }).strict();
export type ThrottleReport = z.infer<typeof ThrottleReportSchema>;

/** Lines of this length or more are no report: dropped, so a broken probe cannot grow the bridge. */
const MAX_LINE = 256;

/** Passes each report read from `from` to `on`; a line that is not one is logged (the first few). */
export function readThrottleReports(
  from: Readable,
  on: (stopped: boolean) => void,
  log: (msg: string) => void,
): void {
  let partial = '';
  let bad = 0;
  from.setEncoding('utf8');
  from.on('error', () => {}); // the probe went away: its exit ends the run
  from.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = (lines.pop() ?? '').slice(0, MAX_LINE);
    for (const line of lines) {
      if (!line) continue;
      let report: ThrottleReport | undefined;
      try {
        report = ThrottleReportSchema.parse(JSON.parse(line));
      } catch {
        report = undefined;
      }
      if (report) on(report.throttled);
      else if (bad++ < 5)
        log(`invalid back-pressure report from slowmo-probe: ${line.slice(0, 80)}`);
    }
  });
}
