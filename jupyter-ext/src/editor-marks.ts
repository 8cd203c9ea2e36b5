/**
 * Compile errors on the lines of the cell: each line with a diagnostic gets
 * a mark and the message as its tooltip, until the cell is edited or run
 * again. A CodeMirror state field injected once per editor holds them.
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
type CodeMirrorLike = CodeEditor.IEditor & { editor?: EditorView };

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
