/**
 * @go-slowmo/jupyter-ext: fourteen plugins, one job each.
 *
 * - bridge-client: provides IBridgeClient, the page's one connection to the bridge.
 * - live-runs: provides ILiveRuns, the runs going on now (tokens.ts).
 * - executor: provides INotebookCellExecutor (the stock one is disabled in
 *   package.json): Go-slowmo cells go to the bridge, the rest to JupyterLab.
 * - stop: JupyterLab's stop, interrupt and restart stop Go-slowmo runs too.
 * - cells: the commands and buttons that make Go-slowmo cells, and their marks.
 * - renderer: the output's MIME renderers (the recording, the live run).
 * - unmodified: opening a notebook does not mark it modified (kernel-info.ts).
 * - predict: a cell's prediction questions, asked before its run (predict/).
 * - runtime-traces: a cell option for the runtime's schedtrace and gctrace (runtime-traces.ts).
 * - run-settings: a cell's GOMAXPROCS and Go version, in its context menu (run-settings.ts).
 * - explore: a cell run 20 times, its distinct outputs counted, any run opened (explore/).
 * - class: the teacher panel, a class folder graded learner by checkpoint (class/).
 * - leak-detector: a cell option for the runtime's own goroutine leak detector (leak-detector-option.ts).
 * - race: a cell option to build with the race detector, -race (race-option.ts).
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import {
  INotebookCellExecutor,
  INotebookTracker,
  runCell,
  type Notebook,
} from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { BridgeClient, bridgeUrl } from './client';
import {
  activeGc,
  activeMode,
  activePerObject,
  activeProfile,
  activeSysmon,
  insertNew,
  markAll,
  toggleActive,
  toggleGc,
  toggleMode,
  togglePerObject,
  toggleProfile,
  toggleSysmon,
} from './cells';
import { markDiagnostics, markProfileLine } from './editor-marks';
import { SlowmoCellExecutor } from './executor';
import { keepCleanOnKernelInfo } from './kernel-info';
import { leakDetectorPlugin } from './leak-detector-option';
import { isSlowmo } from './metadata';
import { predictPlugin } from './predict/plugin';
import type { PickedLine } from './profile/panel';
import { classPlugin } from './class/plugin';
import { explorePlugin } from './explore/plugin';
import { rendererFactory } from './renderer';
import { raceOptionPlugin } from './race-option';
import { runtimeTracesPlugin } from './runtime-traces';
import { runSettingsPlugin } from './run-settings';
import { LiveRuns } from './store';
import { IBridgeClient, ILiveRuns } from './tokens';
import { isFile } from './widget/source-pane';

const ID = '@go-slowmo/jupyter-ext';

/** JupyterLab's commands that stop a notebook's work: they stop its Go-slowmo runs too. */
const STOP_COMMANDS = new Set([
  'notebook:interrupt-kernel',
  'kernelmenu:interrupt',
  'notebook:restart-kernel',
  'notebook:restart-clear-output',
  'notebook:restart-run-all',
  'notebook:restart-and-run-to-selected',
  'kernelmenu:restart',
  'kernelmenu:restart-and-clear',
  'kernelmenu:shutdown',
]);

/** The commands that say what the active cell is and how it runs (redrawn as the active cell changes). */
const CELL_OPTIONS = [
  'slowmo:toggle-cell',
  'slowmo:toggle-mode',
  'slowmo:toggle-sysmon',
  'slowmo:toggle-gc',
  'slowmo:toggle-gc-per-object',
  'slowmo:toggle-profile',
];

const bridgeClient: JupyterFrontEndPlugin<BridgeClient> = {
  id: `${ID}:bridge-client`,
  description: 'The connection to the go-slowmo bridge, behind Jupyter Server at /slowmo/.',
  autoStart: true,
  provides: IBridgeClient,
  activate: (): BridgeClient =>
    new BridgeClient(bridgeUrl(PageConfig.getBaseUrl(), window.location)),
};

const liveRuns: JupyterFrontEndPlugin<LiveRuns> = {
  id: `${ID}:live-runs`,
  description: 'The Go-slowmo runs going on now, for their live output to draw.',
  autoStart: true,
  provides: ILiveRuns,
  activate: (): LiveRuns => new LiveRuns(),
};

const executor: JupyterFrontEndPlugin<INotebookCellExecutor> = {
  id: `${ID}:executor`,
  description:
    'Runs Go-slowmo cells through the go-slowmo bridge and every other cell as JupyterLab does.',
  autoStart: true,
  requires: [IBridgeClient, ILiveRuns],
  provides: INotebookCellExecutor,
  activate: (_app: JupyterFrontEnd, client: BridgeClient, live: LiveRuns): INotebookCellExecutor =>
    new SlowmoCellExecutor(
      client,
      runCell,
      { onDiagnostics: (cell, diagnostics) => markDiagnostics(cell.editor, diagnostics) },
      live,
    ),
};

/**
 * A Go-slowmo run is not on the kernel, so the kernel's interrupt cannot reach
 * it: JupyterLab's stop button, Kernel → Interrupt and restarts stop the
 * current notebook's Go-slowmo runs here. (A plugin of its own: the notebook
 * tracker needs the executor, so the executor cannot need the tracker.)
 */
const stop: JupyterFrontEndPlugin<void> = {
  id: `${ID}:stop`,
  description: "JupyterLab's stop, interrupt and restart also stop the notebook's Go-slowmo runs.",
  autoStart: true,
  requires: [INotebookTracker, INotebookCellExecutor],
  activate: (app: JupyterFrontEnd, tracker: INotebookTracker, exec: INotebookCellExecutor) => {
    if (!(exec instanceof SlowmoCellExecutor)) return;
    app.commands.commandExecuted.connect((_, args) => {
      const model = tracker.currentWidget?.content.model;
      if (model && STOP_COMMANDS.has(args.id)) exec.stopAll(model);
    });
    tracker.widgetAdded.connect((_, panel) => {
      panel.sessionContext.statusChanged.connect((_, status) => {
        const model = panel.content.model;
        if (model && (status === 'restarting' || status === 'autorestarting')) exec.stopAll(model);
      });
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
      label: 'Go-slowmo',
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
        app.commands.notifyCommandChanged('slowmo:toggle-mode');
      },
    });
    app.commands.addCommand('slowmo:toggle-mode', {
      label: () => (activeMode(active()) === 'paced' ? '◐ Slow motion' : '● Record'),
      caption: () =>
        activeMode(active()) === 'paced'
          ? 'Slow motion: the real program pauses at every scheduler event and moves when you step or play. Click to record at full speed instead.'
          : 'Record: the program runs at full speed and you replay it. Click for slow motion: the real program paused at every event.',
      isToggled: () => activeMode(active()) === 'paced',
      isVisible: () => activeMode(active()) !== null,
      execute: () => {
        const nb = active();
        if (nb) toggleMode(nb);
        app.commands.notifyCommandChanged('slowmo:toggle-mode');
        app.commands.notifyCommandChanged('slowmo:toggle-sysmon');
      },
    });
    app.commands.addCommand('slowmo:toggle-sysmon', {
      label: 'Let sysmon See the Pauses of Slow Motion',
      caption:
        'Slow motion stops the real program at each event. Hidden (the default): sysmon is not told, so the pauses invent no preemption. Seen: sysmon preempts and retakes as it would in a program really this slow.',
      isToggled: () => activeSysmon(active()) === 'see-pauses',
      isVisible: () => activeSysmon(active()) !== null,
      execute: () => {
        const nb = active();
        if (nb) toggleSysmon(nb);
        app.commands.notifyCommandChanged('slowmo:toggle-sysmon');
      },
    });
    addGcCommands(app, active);
    addProfileCommand(app, active);
    app.commands.addCommand('slowmo:new-cell', {
      label: '+ Go-slowmo',
      caption: 'Insert a new Go-slowmo cell below',
      isEnabled: () => !!active(),
      execute: () => {
        const nb = active();
        if (nb) insertNew(nb);
      },
    });
    for (const command of [...CELL_OPTIONS, 'slowmo:new-cell'])
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
    tracker.activeCellChanged.connect(() => {
      for (const command of CELL_OPTIONS) app.commands.notifyCommandChanged(command);
    });
  },
};

/** The GC lens's cell options: the lens itself, and on Go 1.26+ per-object marking. */
function addGcCommands(app: JupyterFrontEnd, active: () => Notebook | null): void {
  const changed = () => {
    app.commands.notifyCommandChanged('slowmo:toggle-gc');
    app.commands.notifyCommandChanged('slowmo:toggle-gc-per-object');
  };
  app.commands.addCommand('slowmo:toggle-gc', {
    label: '◐ GC lens',
    caption:
      'GC lens: also record the heap as the garbage collector marks it (objects white, grey, black; the write barrier; what is freed), shown under the picture. eBPF backend only; for small teaching heaps.',
    isToggled: () => activeGc(active()) === true,
    isVisible: () => activeGc(active()) !== null,
    execute: () => {
      const nb = active();
      if (nb) toggleGc(nb);
      changed();
    },
  });
  app.commands.addCommand('slowmo:toggle-gc-per-object', {
    // In the cell's context menu: the cell toolbar hides itself once it reaches the middle of
    // the cell, and the choice needs its words.
    label: 'Per-object marking (GOEXPERIMENT=nogreenteagc)',
    caption:
      'From Go 1.26 the collector (Green Tea) marks small objects a span at a time. Build with GOEXPERIMENT=nogreenteagc to see the older object-by-object marking: each object shaded grey, then scanned black, on its own.',
    isToggled: () => activePerObject(active()) === true,
    isVisible: () => activePerObject(active()) !== null,
    execute: () => {
      const nb = active();
      if (nb) togglePerObject(nb);
      changed();
    },
  });
}

/** The cell option that collects the runtime's profiles of the run (`profile: true`). */
function addProfileCommand(app: JupyterFrontEnd, active: () => Notebook | null): void {
  app.commands.addCommand('slowmo:toggle-profile', {
    label: '▦ Profiles',
    caption:
      'Profiles: also collect the runtime’s own profiles of the run (CPU, block, mutex, goroutines, wall clock), shown as flame graphs under the picture, each frame linked to its line.',
    isToggled: () => activeProfile(active()) === true,
    isVisible: () => activeProfile(active()) !== null,
    execute: () => {
      const nb = active();
      if (nb) toggleProfile(nb);
      app.commands.notifyCommandChanged('slowmo:toggle-profile');
    },
  });
}

const renderer: JupyterFrontEndPlugin<void> = {
  id: `${ID}:renderer`,
  description: "Shows a Go-slowmo run's output: the live picture, or the saved recording replayed.",
  autoStart: true,
  requires: [IRenderMimeRegistry, ILiveRuns],
  optional: [INotebookTracker],
  activate: (
    _app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    live: LiveRuns,
    tracker: INotebookTracker | null,
  ): void => {
    // A profile's frame picked in a cell's output lights its line in that cell's code.
    const lightLine = (node: HTMLElement, picked: PickedLine): void => {
      if (!isFile(picked.file)) return;
      tracker?.forEach((panel) => {
        const cell = panel.content.widgets.find((c) => c.node.contains(node));
        if (cell)
          markProfileLine(cell.editor, {
            line: picked.line,
            words: `${picked.fn}: ${picked.words}`,
          });
      });
    };
    const factory = rendererFactory(live, lightLine);
    rendermime.addFactory(factory, factory.defaultRank);
  },
};

const unmodified: JupyterFrontEndPlugin<void> = {
  id: `${ID}:unmodified`,
  description: 'Opening a notebook does not mark it modified when its kernel describes itself.',
  autoStart: true,
  requires: [INotebookTracker],
  activate: (_app: JupyterFrontEnd, tracker: INotebookTracker): void => {
    tracker.widgetAdded.connect((_, panel) => keepCleanOnKernelInfo(panel.context.model));
  },
};

export default [
  bridgeClient,
  liveRuns,
  executor,
  stop,
  cells,
  renderer,
  unmodified,
  predictPlugin,
  runSettingsPlugin,
  runtimeTracesPlugin,
  raceOptionPlugin,
  explorePlugin,
  classPlugin,
  leakDetectorPlugin,
];
