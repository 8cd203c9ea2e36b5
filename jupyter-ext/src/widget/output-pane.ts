/**
 * The program's output, in a terminal (xterm), up to the event shown: moving
 * forward writes what was printed since; moving back rewrites it from the
 * start. Where xterm cannot run (tests without a canvas), a plain <pre>.
 *
 * xterm measures its font when it opens: opened while hidden (a restored
 * output, a background tab) it would measure nothing and draw letter-spaced.
 * So it opens only once the pane has a size, and its columns follow the
 * pane's width (a ResizeObserver, not a timer).
 */
import type { SlowmoEvent } from '@go-slowmo/kernel-bridge/protocol';
import { Widget } from '@lumino/widgets';
import { Terminal } from '@xterm/xterm';

/** Events by seq (a Timeline). */
export interface EventSource {
  readonly length: number;
  event(seq: number): SlowmoEvent | undefined;
}

export class OutputPane extends Widget {
  private term: Terminal | null = null;
  private pre: HTMLPreElement | null = null;
  private shown = -1;

  constructor() {
    super();
    this.addClass('jp-slowmo-output');
  }

  private sizeWatch: ResizeObserver | null = null;

  protected override onAfterAttach(): void {
    if (this.sizeWatch === null && typeof ResizeObserver !== 'undefined') {
      this.sizeWatch = new ResizeObserver(() => this.open());
      this.sizeWatch.observe(this.node);
    }
    this.open();
  }

  protected override onBeforeDetach(): void {
    this.sizeWatch?.disconnect();
    this.sizeWatch = null;
  }

  /** Opens the terminal once the pane has a size; later, fits its columns to the width. */
  private open(): void {
    const width = this.node.clientWidth;
    if (this.term) {
      this.fitColumns(width);
      return;
    }
    if (this.pre) return;
    if (width <= 0 && typeof ResizeObserver !== 'undefined') return; // hidden: wait for a size
    try {
      this.term = new Terminal({
        convertEol: true,
        rows: 8,
        disableStdin: true,
        fontSize: 12,
        scrollback: 5000,
      });
      this.term.open(this.node);
      this.fitColumns(width);
    } catch {
      this.term = null;
      this.pre = document.createElement('pre');
      this.node.appendChild(this.pre);
    }
    const pending = this.shown;
    this.shown = -1;
    if (this.events) this.showUpTo(this.events, pending);
  }

  /** Columns for the pane's width, from the width of one character of the terminal's font. */
  private fitColumns(width: number): void {
    const term = this.term;
    if (!term || width <= 0) return;
    const ctx = document.createElement('canvas').getContext('2d');
    let charW = 7.2;
    if (ctx) {
      ctx.font = `${term.options.fontSize ?? 12}px ${term.options.fontFamily ?? 'monospace'}`;
      charW = ctx.measureText('W').width || charW;
    }
    const cols = Math.max(20, Math.floor((width - 16) / charW));
    if (cols !== term.cols) term.resize(cols, term.rows);
  }

  private events: EventSource | null = null;
  /** The seqs of output events among the first `scanned` events, in order. */
  private readonly outputs: number[] = [];
  private scanned = 0;

  /** Shows what the program wrote up to and including event `seq`. */
  showUpTo(events: EventSource, seq: number): void {
    this.events = events;
    // Only output events matter: index them once, so a frame costs nothing when there are none.
    for (; this.scanned < events.length; this.scanned++) {
      if (events.event(this.scanned)?.kind === 'output') this.outputs.push(this.scanned);
    }
    if (!this.term && !this.pre) {
      this.shown = seq;
      return;
    }
    if (seq < this.shown) {
      this.term?.reset();
      if (this.pre) this.pre.textContent = '';
      this.shown = -1;
    }
    let text = '';
    for (const s of this.outputs) {
      if (s <= this.shown) continue;
      if (s > seq) break;
      const e = events.event(s);
      if (e?.kind === 'output') text += e.data;
    }
    this.shown = Math.max(this.shown, seq);
    if (!text) return;
    if (this.term) this.term.write(text);
    else if (this.pre) this.pre.textContent += text;
  }

  /** Lines written up to the event shown. */
  get lines(): number {
    const t = this.text;
    if (!t) return 0;
    return t.split('\n').length - (t.endsWith('\n') ? 1 : 0);
  }

  /** All text written up to the event shown (for tests and copying). */
  get text(): string {
    const events = this.events;
    if (!events) return '';
    return this.outputs
      .filter((s) => s <= this.shown)
      .map((s) => {
        const e = events.event(s);
        return e?.kind === 'output' ? e.data : '';
      })
      .join('');
  }

  override dispose(): void {
    this.sizeWatch?.disconnect();
    this.term?.dispose();
    super.dispose();
  }
}
