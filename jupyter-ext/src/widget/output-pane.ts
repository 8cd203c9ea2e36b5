/**
 * The program's output, in a terminal (xterm), up to the event shown: moving
 * forward writes what was printed since; moving back rewrites it from the
 * start. Where xterm cannot run (tests without a canvas), a plain <pre>.
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
    this.term?.dispose();
    super.dispose();
  }
}
