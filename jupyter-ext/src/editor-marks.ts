/**
 * Marks on the lines of the cell: compile errors (each line with a diagnostic
 * gets a mark and the message as its tooltip, until the cell is edited or run
 * again), and the line of a profile's frame the learner clicked. A CodeMirror
 * state field injected once per editor holds each.
 */
import type { CodeEditor } from '@jupyterlab/codeeditor';
import type { Diagnostic } from '@go-slowmo/kernel-bridge/protocol';
import { StateEffect, StateField } from '@codemirror/state';
import { Decoration, EditorView, type DecorationSet } from '@codemirror/view';

const setMarks = StateEffect.define<{ line: number; message: string }[]>();

const marks = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(value, tr) {
    for (const effect of tr.effects) {
      if (effect.is(setMarks)) {
        const doc = tr.state.doc;
        const ranges = effect.value
          .filter((m) => m.line >= 1 && m.line <= doc.lines)
          .sort((a, b) => a.line - b.line)
          .map((m) =>
            Decoration.line({
              class: 'jp-slowmo-error-line',
              attributes: { title: m.message, 'data-slowmo-error': m.message },
            }).range(doc.line(m.line).from),
          );
        return Decoration.set(ranges, true);
      }
    }
    // Editing the cell makes the old messages stale.
    return tr.docChanged ? Decoration.none : value.map(tr.changes);
  },
  provide: (f) => EditorView.decorations.from(f),
});

/** JupyterLab's CodeMirror editor: an IEditor with its EditorView. */
export type CodeMirrorLike = CodeEditor.IEditor & { editor?: EditorView };

const injected = new WeakSet<object>();

/** Marks the lines of `file` (the cell is main.go) that have diagnostics; [] clears. */
export function markDiagnostics(
  editor: CodeEditor.IEditor | null | undefined,
  diagnostics: Diagnostic[],
  file = 'main.go',
): void {
  const ed = editor as CodeMirrorLike | null | undefined;
  if (!ed?.editor) return;
  if (!injected.has(ed)) {
    ed.injectExtension(marks);
    injected.add(ed);
  }
  const lines = diagnostics
    .filter((d) => d.file === file && d.line > 0)
    .map((d) => ({ line: d.line, message: d.message }));
  ed.editor.dispatch({ effects: setMarks.of(lines) });
}

/** The line a profile's frame points to (one at a time), lit until the cell is edited or another is lit. */
const setProfileLine = StateEffect.define<{ line: number; words: string } | null>();

const profileLine = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(value, tr) {
    for (const effect of tr.effects) {
      if (effect.is(setProfileLine)) {
        const lit = effect.value;
        const doc = tr.state.doc;
        if (lit === null || lit.line < 1 || lit.line > doc.lines) return Decoration.none;
        const mark = Decoration.line({
          class: 'jp-slowmo-profile-line',
          attributes: { title: lit.words, 'data-slowmo-profile': lit.words },
        });
        return Decoration.set([mark.range(doc.line(lit.line).from)]);
      }
    }
    return tr.docChanged ? Decoration.none : value;
  },
  provide: (f) => EditorView.decorations.from(f),
});

const profileInjected = new WeakSet<object>();

/** Lights `line` of the cell's code as a profile's frame (null: none), with what it holds as its hover. */
export function markProfileLine(
  editor: CodeEditor.IEditor | null | undefined,
  lit: { line: number; words: string } | null,
): void {
  const ed = editor as CodeMirrorLike | null | undefined;
  if (!ed?.editor) return;
  if (!profileInjected.has(ed)) {
    ed.injectExtension(profileLine);
    profileInjected.add(ed);
  }
  ed.editor.dispatch({ effects: setProfileLine.of(lit) });
}
