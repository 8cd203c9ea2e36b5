/**
 * The class plugin: "Grade a Class Folder (Go-slowmo)" in the file browser's
 * context menu on a folder and in the palette (for the folder the browser
 * shows). A main-area panel reads the folder's notebooks, has the bridge
 * grade them (`/api/class`, as `slowmo check --class` grades a folder) and
 * shows the class (panel.ts).
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { gradeClassFolder } from './grading';
import { ClassPanel } from './panel';
import { readClassFolder } from './read-folder';

export const GRADE_CLASS = 'slowmo:grade-class';

async function grade(app: JupyterFrontEnd, panel: ClassPanel, signal: AbortSignal): Promise<void> {
  try {
    const request = await readClassFolder(app.serviceManager.contents, panel.folder, (n, of) =>
      panel.reading(n, of),
    );
    if (signal.aborted) return;
    const settings = app.serviceManager.serverSettings;
    const job = await gradeClassFolder(settings, request, (j) => panel.progress(j), signal);
    if (signal.aborted) return;
    if (job.grades) panel.showGrades(job.grades);
    else panel.failed(job.error ?? 'the bridge gave no grades');
  } catch (err) {
    if (!signal.aborted) panel.failed((err as Error).message);
  }
}

function open(app: JupyterFrontEnd, folder: string): void {
  const stop = new AbortController();
  const content: ClassPanel = new ClassPanel(folder, {
    open: (notebook) =>
      void app.commands.execute('docmanager:open', {
        path: folder ? `${folder}/${notebook}` : notebook,
      }),
    regrade: () => void grade(app, content, stop.signal),
  });
  const widget = new MainAreaWidget({ content });
  widget.id = `slowmo-class-${Date.now().toString(36)}`;
  widget.title.label = `Class: ${folder.split('/').pop() || '/'}`;
  widget.title.caption = `Go-slowmo grades of the class folder ${folder || '/'}`;
  widget.title.closable = true;
  widget.disposed.connect(() => stop.abort());
  app.shell.add(widget, 'main');
  app.shell.activateById(widget.id);
  void grade(app, content, stop.signal);
}

export const classPlugin: JupyterFrontEndPlugin<void> = {
  id: '@go-slowmo/jupyter-ext:class',
  description: "The teacher panel: a class folder's notebooks graded, learner by checkpoint.",
  autoStart: true,
  requires: [IDefaultFileBrowser],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    browser: IDefaultFileBrowser,
    palette: ICommandPalette | null,
  ): void => {
    /** The folder right-clicked (or selected), else the one the browser shows. */
    const folder = (): string => {
      for (const item of browser.selectedItems()) if (item.type === 'directory') return item.path;
      return browser.model.path;
    };
    app.commands.addCommand(GRADE_CLASS, {
      label: 'Grade a Class Folder (Go-slowmo)',
      caption:
        "Grade every learner's notebooks in this folder (nbgrader's submitted/<learner>/…, otter's, or <learner>.ipynb) as slowmo check --class does: checkpoints and predictions, learner by learner, with the CSV and JUnit XML",
      execute: () => open(app, folder()),
    });
    app.contextMenu.addItem({
      command: GRADE_CLASS,
      selector: '.jp-DirListing-item[data-isdir="true"]',
      rank: 60,
    });
    palette?.addItem({ command: GRADE_CLASS, category: 'Go-slowmo' });
  },
};
