/**
 * The program's stderr as whole lines, for the readers that find the
 * runtime's own reports in it (schedtrace/gctrace: runtime-trace-read.ts;
 * the race detector: race-read.ts). Output events cut lines anywhere: a line
 * is passed on once its newline comes, with the time of the event that held
 * its first byte (`at`) and of the one that ended it (`t`). An unfinished
 * line longer than LINE_MAX is the program's own, not a report's: let go.
 */
import type { SlowmoEvent } from './events';

const LINE_MAX = 8192;

export type OnLine = (text: string, at: number, t: number) => void;

export class StderrLines {
  private partial = '';
  /** The time of the output event that held the partial line's first byte. */
  private partialAt = 0;

  /** Passes the lines that stderr output `e` completes (other events pass none). */
  read(e: SlowmoEvent, onLine: OnLine): void {
    if (e.kind !== 'output' || e.stream !== 'stderr') return;
    let data = e.data;
    for (;;) {
      const nl = data.indexOf('\n');
      if (nl < 0) break;
      const at = this.partial === '' ? e.t : this.partialAt;
      const text = this.partial + data.slice(0, nl);
      this.partial = '';
      onLine(text, at, e.t);
      data = data.slice(nl + 1);
    }
    if (data !== '') {
      if (this.partial === '') this.partialAt = e.t;
      this.partial += data;
      if (this.partial.length > LINE_MAX) this.partial = '';
    }
  }

  /** Passes the unfinished last line, as the run ends at `t`. */
  end(t: number, onLine: OnLine): void {
    const text = this.partial;
    this.partial = '';
    if (text !== '') onLine(text, this.partialAt, t);
  }
}
