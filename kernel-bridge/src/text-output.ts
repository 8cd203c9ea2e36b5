/**
 * The program's output in `slowmo run --format text`, where it shares the
 * terminal with the narration. The program is the learner's, or anyone's: it
 * may print escape sequences that clear the screen or move the cursor, a
 * carriage return that writes over a line, or whole lines that look like
 * narration. So every line it writes is marked with the stream it came from,
 * and control characters are shown, not obeyed. NDJSON keeps the bytes
 * exactly; this format is for reading.
 *
 *        0.512 ms  g1 (main) runs on P0 …
 *          stdout │ hello
 *          stderr │ panic: boom
 *          stdout ┆ the rest of a line the narration interrupted
 */

export type Stream = 'stdout' | 'stderr';

export interface Sink {
  write(text: string): unknown;
}

/** As wide as the narration's time stamp (`   12.345 ms`), so program lines line up under it. */
const LABEL_WIDTH = 13;

function mark(stream: Stream, continued: boolean): string {
  return `${stream.padStart(LABEL_WIDTH)} ${continued ? '┆' : '│'} `;
}

/**
 * C0 and C1 controls, DEL, and the invisible characters that reorder or hide
 * text (bidirectional overrides and isolates, zero-width ones, line and
 * paragraph separators, the byte-order mark). C1 matters: 0x9b is CSI to
 * some terminals, as ESC [ is to all.
 */
const CONTROL =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const CONTROL_OR_LAYOUT = new RegExp(`${CONTROL.source}|[\\n\\t]`, 'g');

/**
 * Text with control characters written out (`\x1b`, `\r`, `\u202e`), so a
 * terminal shows them instead of acting on them. Newlines and tabs are kept,
 * unless `oneLine` asks for them to be written out too.
 */
export function escapeControls(text: string, oneLine = false): string {
  return text.replace(oneLine ? CONTROL_OR_LAYOUT : CONTROL, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Writes the program's output line by line, each line marked, and the
 * narration between them. A line the program has not finished when the
 * narration (or its other stream) speaks is ended there, and its rest is
 * marked as a continuation.
 */
export class ProgramOutput {
  /** The stream whose line is written up to its end, not yet ended. */
  private open: Stream | null = null;
  /** Streams whose last line was ended by someone else: their next line continues it. */
  private readonly broken = new Set<Stream>();

  constructor(private readonly sinks: Record<Stream, Sink>) {}

  /** A chunk of the program's output, as it arrived. */
  write(stream: Stream, data: string): void {
    if (data === '') return;
    if (this.open !== null && this.open !== stream) this.breakLine();
    const lines = data.split('\n');
    let text = '';
    lines.forEach((line, i) => {
      const ends = i < lines.length - 1;
      if (!ends && line === '') return;
      if (this.open !== stream) {
        const continued = this.broken.delete(stream);
        // A newline right after the break ends a line that is already ended.
        if (continued && ends && line === '') return;
        text += line === '' ? mark(stream, continued).trimEnd() : mark(stream, continued);
        this.open = stream;
      }
      text += escapeControls(line);
      if (ends) {
        text += '\n';
        this.open = null;
      }
    });
    if (text !== '') this.sinks[stream].write(text);
  }

  /** Ends the line the program left unfinished, if any, so the next writer starts a line of its own. */
  breakLine(): void {
    if (this.open === null) return;
    this.sinks[this.open].write('\n');
    this.broken.add(this.open);
    this.open = null;
  }

  /** A sink for the narration: whatever it writes starts on a line of its own. */
  narration(sink: Sink): Sink {
    return {
      write: (text: string) => {
        this.breakLine();
        return sink.write(text);
      },
    };
  }
}
