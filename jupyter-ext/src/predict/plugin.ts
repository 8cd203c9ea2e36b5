/**
 * The predict plugin: every notebook's Go-slowmo cells that ask a question
 * get their prediction panel (attach.ts), as cells come and go.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import { attachAll } from './attach';

export const predictPlugin: JupyterFrontEndPlugin<void> = {
  id: '@go-slowmo/jupyter-ext:predict',
  description: 'Predict, then reveal: the questions of a Go-slowmo cell, asked before its run.',
  autoStart: true,
  requires: [INotebookTracker],
  activate: (_app: JupyterFrontEnd, tracker: INotebookTracker): void => {
    tracker.widgetAdded.connect((_, panel) => {
      const nb = panel.content;
      const watch = () => nb.model?.cells.changed.connect(() => attachAll(nb));
      void panel.context.ready.then(() => attachAll(nb));
      watch();
      nb.modelChanged.connect(() => {
        attachAll(nb);
        watch();
      });
    });
  },
};
