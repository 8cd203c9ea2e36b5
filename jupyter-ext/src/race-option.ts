/**
 * The race-detector plugin: a Go-slowmo cell option, in its context menu and the palette, that
 * builds the program with `-race` (the cell's `race`). Each data race the detector reports
 * comes as a mark on the timeline and an entry under the picture naming the two accesses and
 * their lines; the report itself stays in the output. Not in the cell toolbar: JupyterLab hides
 * a toolbar wider than half the cell, and it is full.
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

const COMMAND = 'slowmo:toggle-race';

export const raceOptionPlugin: JupyterFrontEndPlugin<void> = {
  id: '@go-slowmo/jupyter-ext:race',
  description: 'A Go-slowmo cell option: build with the race detector (-race).',
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
      label: 'Race Detector (build with -race)',
      caption:
        'Build the program with Go’s race detector: each data race it finds (two goroutines touching the same memory, one writing, with nothing ordering them) is marked on the timeline and listed under the picture with its two lines. The build takes longer the first time.',
      isToggled: () => activeMeta(active())?.race === true,
      isVisible: () => activeMeta(active()) !== null,
      execute: () => {
        const nb = active();
        const meta = activeMeta(nb);
        if (!nb?.activeCell || meta === null) return;
        if (meta.race === true) delete meta.race;
        else meta.race = true;
        nb.activeCell.model.setMetadata(METADATA_KEY, meta);
        app.commands.notifyCommandChanged(COMMAND);
      },
    });
    app.contextMenu.addItem({ command: COMMAND, selector: '.jp-slowmo-cell', rank: 24 });
    palette?.addItem({ command: COMMAND, category: 'Go-slowmo' });
    tracker.activeCellChanged.connect(() => app.commands.notifyCommandChanged(COMMAND));
  },
};
