/**
 * The leak-detector plugin: a Go-slowmo cell option, in its context menu and the palette, that
 * asks the runtime's own goroutine leak detector as the program's main returns (the cell's
 * `leakProfile`; Go 1.26 and later). When main leaves goroutines blocked, the failure lens
 * shows beside each of its groups whether the runtime's detector agrees, and why the two may
 * differ. Not in the cell toolbar: JupyterLab hides a toolbar wider than half the cell.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker, type Notebook } from '@jupyterlab/notebook';
import { isSlowmo, METADATA_KEY } from './metadata';

function activeMeta(notebook: Notebook | null): Record<string, unknown> | null {
  const cell = notebook?.activeCell;
  if (!cell || !isSlowmo(cell.model.metadata)) return null;
  return { ...(cell.model.getMetadata(METADATA_KEY) as Record<string, unknown>) };
}

const COMMAND = 'slowmo:toggle-leak-detector';

export const leakDetectorPlugin: JupyterFrontEndPlugin<void> = {
  id: '@go-slowmo/jupyter-ext:leak-detector',
  description: "A Go-slowmo cell option: the runtime's own goroutine leak detector (Go 1.26+).",
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
      label: 'Runtime’s Leak Detector (Go 1.26+)',
      caption:
        'As main returns, ask the runtime’s own goroutine leak detector (a GC cycle that finds goroutines blocked on what nothing running can reach) and show beside the leak lens whether it agrees. Go 1.26 builds with GOEXPERIMENT=goroutineleakprofile for it (the first build takes longer); Go 1.27 has it always.',
      isToggled: () => activeMeta(active())?.leakProfile === true,
      isVisible: () => activeMeta(active()) !== null,
      execute: () => {
        const nb = active();
        const meta = activeMeta(nb);
        if (!nb?.activeCell || meta === null) return;
        if (meta.leakProfile === true) delete meta.leakProfile;
        else meta.leakProfile = true;
        nb.activeCell.model.setMetadata(METADATA_KEY, meta);
        app.commands.notifyCommandChanged(COMMAND);
      },
    });
    app.contextMenu.addItem({ command: COMMAND, selector: '.jp-slowmo-cell', rank: 24 });
    palette?.addItem({ command: COMMAND, category: 'Go-slowmo' });
    tracker.activeCellChanged.connect(() => app.commands.notifyCommandChanged(COMMAND));
  },
};
