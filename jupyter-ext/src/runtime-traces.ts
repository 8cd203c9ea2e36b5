/**
 * The runtime-traces plugin: a Go-slowmo cell option, in its context menu and the palette, that
 * runs the program with the runtime's own text traces, GODEBUG=schedtrace=10,gctrace=1 (the
 * cell's `godebug`). The lines stay in the output; the timeline shows them as a strip checked
 * against the picture. Other settings go in the cell's metadata by hand (`godebug`, allowed by
 * the protocol's godebug.ts).
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker, type Notebook } from '@jupyterlab/notebook';
import { isSlowmo, METADATA_KEY } from './metadata';
import { hasRuntimeTraces, toggledGodebug } from './runtime-traces-option';

function activeMeta(notebook: Notebook | null): Record<string, unknown> | null {
  const cell = notebook?.activeCell;
  if (!cell || !isSlowmo(cell.model.metadata)) return null;
  return { ...(cell.model.getMetadata(METADATA_KEY) as Record<string, unknown>) };
}

const COMMAND = 'slowmo:toggle-runtime-traces';

export const runtimeTracesPlugin: JupyterFrontEndPlugin<void> = {
  id: '@go-slowmo/jupyter-ext:runtime-traces',
  description: 'A Go-slowmo cell option: the runtime’s schedtrace and gctrace (GODEBUG).',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    palette: ICommandPalette | null,
  ): void => {
    const active = () => tracker.currentWidget?.content ?? null;
    app.commands.addCommand(COMMAND, {
      label: 'Runtime’s own traces (GODEBUG=schedtrace=10,gctrace=1)',
      caption:
        'Run with the runtime’s own text traces: every 10 ms a schedtrace line (idle Ps, spinning Ms, each run queue’s length) and a line per GC cycle. They stay in the output, and the timeline shows them above its lanes, each schedtrace line checked against the picture.',
      isToggled: () => hasRuntimeTraces(activeMeta(active())?.godebug),
      isVisible: () => activeMeta(active()) !== null,
      execute: () => {
        const nb = active();
        const meta = activeMeta(nb);
        if (!nb?.activeCell || meta === null) return;
        const next = toggledGodebug(meta.godebug);
        if (next === undefined) delete meta.godebug;
        else meta.godebug = next;
        nb.activeCell.model.setMetadata(METADATA_KEY, meta);
        app.commands.notifyCommandChanged(COMMAND);
      },
    });
    app.contextMenu.addItem({ command: COMMAND, selector: '.jp-slowmo-cell', rank: 24 });
    palette?.addItem({ command: COMMAND, category: 'Go-slowmo' });
    tracker.activeCellChanged.connect(() => app.commands.notifyCommandChanged(COMMAND));
  },
};
