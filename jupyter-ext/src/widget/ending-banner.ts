/**
 * How a run ended, when that needs saying: a deadlock, a panic, a fatal
 * error, a limit of the server, a signal, a non-zero exit, a compile error.
 * One banner over the picture in plain words; the lines involved are lit in
 * the source pane by the run widget.
 */
import type { Diagnostic, Ending } from '@go-slowmo/kernel-bridge/protocol';
import { Widget } from '@lumino/widgets';

export class EndingBanner extends Widget {
  constructor() {
    super();
    this.addClass('jp-slowmo-ending');
    this.node.setAttribute('role', 'alert');
    this.hide();
  }

  /** Shows an ending (or a compile error), or hides the banner for null. */
  set(ending: Ending | null, diagnostics?: readonly Diagnostic[]): void {
    const n = this.node;
    if (diagnostics && diagnostics.length > 0) {
      n.dataset.kind = 'compile';
      this.fill(
        'The program did not compile',
        diagnostics.length === 1
          ? 'Fix the line marked in the cell and run it again.'
          : `${diagnostics.length} errors: fix the lines marked in the cell and run it again.`,
      );
      this.show();
      return;
    }
    if (ending === null) {
      delete n.dataset.kind;
      this.hide();
      return;
    }
    n.dataset.kind = ending.kind;
    this.fill(ending.title, ending.detail);
    this.show();
  }

  private fill(title: string, detail: string): void {
    const t = document.createElement('div');
    t.className = 'jp-slowmo-ending-title';
    t.textContent = title;
    const d = document.createElement('div');
    d.className = 'jp-slowmo-ending-detail';
    d.textContent = detail;
    this.node.replaceChildren(t, d);
  }
}
