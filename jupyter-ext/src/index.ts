/**
 * @go-slowmo/jupyter-ext: three plugins, one job each.
 *
 * - executor: provides INotebookCellExecutor (the stock one is disabled in
 *   package.json): Go-slowmo cells go to the bridge, the rest to JupyterLab.
 * - cells: the commands and buttons that make Go-slowmo cells, and their marks.
 * - renderer: the output's MIME renderers (the recording, the live run).
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { INotebookCellExecutor, INotebookTracker, runCell } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { BridgeClient, bridgeUrl } from './client';
import { insertNew, markAll, toggleActive } from './cells';
import { markDiagnostics } from './editor-marks';
import { SlowmoCellExecutor } from './executor';
import { isSlowmo } from './metadata';
import { rendererFactory } from './renderer';

const ID = '@go-slowmo/jupyter-ext';

const executor: JupyterFrontEndPlugin<INotebookCellExecutor> = {
  id: `${ID}:executor`,
  description:
    'Runs Go-slowmo cells through the go-slowmo bridge and every other cell as JupyterLab does.',
  autoStart: true,
  provides: INotebookCellExecutor,
  activate: (): INotebookCellExecutor => {
    const client = new BridgeClient(bridgeUrl(PageConfig.getBaseUrl(), window.location));
    return new SlowmoCellExecutor(client, runCell, {
      onDiagnostics: (cell, diagnostics) => markDiagnostics(cell.editor, diagnostics),
    });
  },
};

const cells: JupyterFrontEndPlugin<void> = {
  id: `${ID}:cells`,
  description: 'Commands and buttons that make Go-slowmo cells, and the marks that show them.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    palette: ICommandPalette | null,
  ): void => {
    const active = () => tracker.currentWidget?.content ?? null;
    app.commands.addCommand('slowmo:toggle-cell', {
      label: 'Go-slowmo cell',
      caption:
        'Make this cell a Go-slowmo cell (Go, run under the scheduler probes), or a plain code cell again',
      isToggled: () => {
        const cell = active()?.activeCell;
        return !!cell && isSlowmo(cell.model.metadata);
      },
      isEnabled: () => !!active()?.activeCell,
      execute: () => {
        const nb = active();
        if (nb) toggleActive(nb);
        app.commands.notifyCommandChanged('slowmo:toggle-cell');
      },
    });
    app.commands.addCommand('slowmo:new-cell', {
      label: '+ Go-slowmo',
      caption: 'Insert a new Go-slowmo cell below',
      isEnabled: () => !!active(),
      execute: () => {
        const nb = active();
        if (nb) insertNew(nb);
      },
    });
    for (const command of ['slowmo:toggle-cell', 'slowmo:new-cell'])
      palette?.addItem({ command, category: 'Go-slowmo' });

    tracker.widgetAdded.connect((_, panel) => {
      const nb = panel.content;
      void panel.context.ready.then(() => markAll(nb));
      nb.model?.cells.changed.connect(() => markAll(nb));
      nb.modelChanged.connect(() => {
        markAll(nb);
        nb.model?.cells.changed.connect(() => markAll(nb));
      });
    });
    tracker.activeCellChanged.connect(() =>
      app.commands.notifyCommandChanged('slowmo:toggle-cell'),
    );
  },
};

const renderer: JupyterFrontEndPlugin<void> = {
  id: `${ID}:renderer`,
  description: "Shows a Go-slowmo run's output: the live picture, or the saved recording replayed.",
  autoStart: true,
  requires: [IRenderMimeRegistry],
  activate: (_app: JupyterFrontEnd, rendermime: IRenderMimeRegistry): void => {
    rendermime.addFactory(rendererFactory, rendererFactory.defaultRank);
  },
};

export default [executor, cells, renderer];
