/**
 * The patterns found in a finished run (findPatterns), as a list a learner
 * reads beside the timeline and the table: each note's sentence and when it
 * held. Clicking one asks the widget to take the picture and the timeline
 * there. Patterns are looked for once the run has ended: a live run's
 * stretches are not over yet.
 */
import type { PatternNote } from '@go-slowmo/kernel-bridge/protocol';
import { Signal, type ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { timeWords } from './scale';

/** "at 3.2 ms" for a moment, "3.2 ms – 11 ms" for a stretch. */
export function rangeWords(note: Pick<PatternNote, 'start' | 'end'>): string {
  return note.end > note.start
    ? `${timeWords(note.start)} – ${timeWords(note.end)}`
    : `at ${timeWords(note.start)}`;
}

export class PatternsList extends Widget {
  private readonly picked = new Signal<this, PatternNote>(this);
  private readonly caption = document.createElement('div');
  private readonly list = document.createElement('ol');
  private shown: readonly PatternNote[] | null | undefined = undefined;

  constructor() {
    super();
    this.addClass('jp-slowmo-patterns');
    this.caption.className = 'jp-slowmo-patterns-caption';
    this.list.className = 'jp-slowmo-patterns-list';
    this.node.append(this.caption, this.list);
    this.showNotes(null);
  }

  /** A note was clicked. */
  get notePicked(): ISignal<this, PatternNote> {
    return this.picked;
  }

  /** The notes of a finished run; null while it runs. */
  showNotes(notes: readonly PatternNote[] | null): void {
    if (notes === this.shown) return;
    this.shown = notes;
    this.node.dataset.count = notes === null ? '' : String(notes.length);
    this.caption.textContent =
      notes === null
        ? 'Patterns: looked for when the run ends'
        : notes.length === 0
          ? 'Patterns: none of the ones we look for (many goroutines few running, Ps idle while goroutines wait, long waits to run, excessive switching)'
          : `Patterns · ${notes.length} · click one to see its moment`;
    const frag = document.createDocumentFragment();
    for (const note of notes ?? []) {
      const item = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'jp-slowmo-pattern';
      b.dataset.kind = note.kind;
      b.dataset.seq = String(note.startSeq);
      const when = document.createElement('span');
      when.className = 'jp-slowmo-pattern-when';
      when.textContent = rangeWords(note);
      b.append(document.createTextNode(note.text), when);
      b.title = `Go to event ${note.startSeq + 1}, where this begins`;
      b.onclick = () => {
        for (const other of this.list.querySelectorAll('[aria-current]'))
          other.removeAttribute('aria-current');
        b.setAttribute('aria-current', 'true');
        this.picked.emit(note);
      };
      item.appendChild(b);
      frag.appendChild(item);
    }
    this.list.replaceChildren(frag);
  }
}
