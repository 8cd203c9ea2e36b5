/**
 * A prediction whose choices are lines of the code ("which line prints
 * first?") is answered where the lines are: each such line is lit, with a
 * button at its end naming the choice; pressing it answers as the radio
 * button in the panel does. The buttons are CodeMirror widgets of the cell's
 * editor, so they move with the text as the learner edits around them.
 */
import type { CodeEditor } from '@jupyterlab/codeeditor';
import { StateEffect, StateField, type Range } from '@codemirror/state';
import { Decoration, EditorView, WidgetType, type DecorationSet } from '@codemirror/view';
import type { CodeMirrorLike } from '../editor-marks';
import type { LinePick } from './questions';

type Answer = (question: string, choice: string) => void;

class PickButton extends WidgetType {
  constructor(
    private readonly pick: LinePick,
    private readonly answer: Answer,
  ) {
    super();
  }

  override eq(other: PickButton): boolean {
    const [a, b] = [this.pick, other.pick];
    return (
      a.question === b.question &&
      a.choice === b.choice &&
      a.chosen === b.chosen &&
      a.shown === b.shown &&
      a.label === b.label
    );
  }

  toDOM(): HTMLElement {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'jp-slowmo-pick';
    b.dataset.choice = this.pick.choice;
    b.setAttribute('aria-pressed', String(this.pick.chosen));
    // A filled or an empty circle, as the panel's radio buttons, and the
    // run's verdict in words and a mark: not colour alone.
    const { chosen, shown } = this.pick;
    const verdict = shown ? ' — ✔ what the run showed' : chosen && shown === false ? ' — ✘' : '';
    b.textContent = `${chosen ? '◉' : '○'} ${this.pick.label}${verdict}`;
    if (shown !== undefined) b.dataset.verdict = shown ? 'shown' : chosen ? 'wrong' : 'other';
    b.title = chosen ? 'Your answer' : 'Pick this line as your answer';
    // Pressed, not clicked: CodeMirror would move the cursor on mousedown.
    b.addEventListener('mousedown', (e) => {
      e.preventDefault();
      e.stopPropagation();
      this.answer(this.pick.question, this.pick.choice);
    });
    return b;
  }

  override ignoreEvent(): boolean {
    return true;
  }
}

const setPicks = StateEffect.define<{ picks: LinePick[]; answer: Answer }>();

const picks = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(value, tr) {
    for (const effect of tr.effects) {
      if (!effect.is(setPicks)) continue;
      const doc = tr.state.doc;
      const ranges: Range<Decoration>[] = [];
      for (const p of [...effect.value.picks].sort((a, b) => a.line - b.line)) {
        if (p.line > doc.lines) continue;
        const line = doc.line(p.line);
        ranges.push(
          Decoration.line({
            class: 'jp-slowmo-pick-line',
            attributes: { 'data-slowmo-pick': p.choice },
          }).range(line.from),
          Decoration.widget({ widget: new PickButton(p, effect.value.answer), side: 1 }).range(
            line.to,
          ),
        );
      }
      return Decoration.set(ranges, true);
    }
    return value.map(tr.changes);
  },
  provide: (f) => EditorView.decorations.from(f),
});

const injected = new WeakSet<object>();

/** Shows the picks on the cell's code ([] clears them); `answer` is called with the one pressed. */
export function markLinePicks(
  editor: CodeEditor.IEditor | null | undefined,
  lines: LinePick[],
  answer: Answer,
): void {
  const ed = editor as CodeMirrorLike | null | undefined;
  if (!ed?.editor) return;
  if (!injected.has(ed)) {
    ed.injectExtension(picks);
    injected.add(ed);
  }
  ed.editor.dispatch({ effects: setPicks.of({ picks: lines, answer }) });
}
