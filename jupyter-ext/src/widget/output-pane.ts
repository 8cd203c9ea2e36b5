/**
 * The program's output, in a terminal (xterm), up to the event shown: moving
 * forward writes what was printed since; moving back rewrites it from the
 * start. Where xterm cannot run (tests without a canvas), a plain <pre>.
 */
import type { SlowmoEvent } from '@go-slowmo/kernel-bridge/protocol';
import { Widget } from '@lumino/widgets';
import { Terminal } from '@xterm/xterm';

export class OutputPane extends Widget {
  private term: Terminal | null = null;
  private pre: HTMLPreElement | null = null;
  private shown = -1;

  constructor() {
    super();
    this.addClass('jp-slowmo-output');
  }

  protected override onAfterAttach(): void {
    if (this.term || this.pre) return;
    try {
      this.term = new Terminal({
        convertEol: true,
        rows: 8,
        disableStdin: true,
        fontSize: 12,
        scrollback: 5000,
      });
      this.term.open(this.node);
    } catch {
      this.term = null;
      this.pre = document.createElement('pre');
      this.node.appendChild(this.pre);
    }
    const pending = this.shown;
    this.shown = -1;
    if (this.events) this.showUpTo(this.events, pending);
  }

  private events: readonly SlowmoEvent[] | null = null;

  /** Shows what the program wrote up to and including event `seq`. */
  showUpTo(events: readonly SlowmoEvent[], seq: number): void {
    this.events = events;
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
    for (let i = this.shown + 1; i <= seq && i < events.length; i++) {
      const e = events[i]!;
      if (e.kind === 'output') text += e.data;
    }
    this.shown = Math.max(this.shown, Math.min(seq, events.length - 1));
    if (!text) return;
    if (this.term) this.term.write(text);
    else if (this.pre) this.pre.textContent += text;
  }

  /** All text written so far (for tests and copying). */
  get text(): string {
    if (this.pre) return this.pre.textContent ?? '';
    if (!this.events) return '';
    return this.events
      .slice(0, this.shown + 1)
      .map((e) => (e.kind === 'output' ? e.data : ''))
      .join('');
  }

  override dispose(): void {
    this.term?.dispose();
    super.dispose();
  }
}
