/**
 * The probe's reports of the program's clock (`slowmo-probe run --clock-fd
 * N`): one JSON line per change on a descriptor of their own,
 * `{"running":false}` as the program stops running, because the probe holds
 * it stopped rather than lose events it cannot pass on
 * (bpf/internal/probe/backpressure.go) or because it ended, and
 * `{"running":true}` as the probe lets it go on. They come as it happens,
 * whether or not the bridge is reading the events (it is not, when a slow
 * client holds it back), so that the run's wall clock counts only the
 * program's time (run-clock.ts). The program never holds the descriptor: the
 * probe closes it on exec.
 */
import type { Readable } from 'node:stream';
import { z } from 'zod';

export const ClockReportSchema = z.object({ running: z.boolean() }).strict();
export type ClockReport = z.infer<typeof ClockReportSchema>;

/** Lines of this length or more are no report: cut, so a broken probe cannot grow the bridge. */
const MAX_LINE = 256;

/** Passes each report read from `from` to `on`; a line that is not one is logged (the first few). */
export function readClockReports(
  from: Readable,
  on: (running: boolean) => void,
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
      let report: ClockReport | undefined;
      try {
        report = ClockReportSchema.parse(JSON.parse(line));
      } catch {
        report = undefined;
      }
      if (report) on(report.running);
      else if (bad++ < 5) log(`invalid clock report from slowmo-probe: ${line.slice(0, 80)}`);
    }
  });
}
