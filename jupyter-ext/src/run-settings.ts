/**
 * The run-settings plugin: a Go-slowmo cell's GOMAXPROCS and Go version, in the cell's context
 * menu (two submenus), so a learner can run the same program with 1 P and then 4, or on Go 1.25
 * and then 1.26, and compare the two runs (the output's "vs run before"). Not in the cell
 * toolbar: JupyterLab hides a toolbar wider than half the cell, and it is full.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { Menu } from '@lumino/widgets';
import type { BridgeClient } from './client';
import { activeGo, activeProcs, PROCS_CHOICES, setGo, setProcs } from './cells';
import { IBridgeClient } from './tokens';

const SELECTOR = '.jp-slowmo-cell';

export const runSettingsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@go-slowmo/jupyter-ext:run-settings',
  description: "A Go-slowmo cell's GOMAXPROCS and Go version, chosen in its context menu.",
  autoStart: true,
  requires: [INotebookTracker, IBridgeClient],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    client: BridgeClient,
    palette: ICommandPalette | null,
  ): void => {
    const active = () => tracker.currentWidget?.content ?? null;
    const { commands } = app;
    commands.addCommand('slowmo:set-procs', {
      label: (args) =>
        typeof args.procs === 'number' ? `GOMAXPROCS ${args.procs}` : 'The machine’s (auto)',
      caption: (args) =>
        typeof args.procs === 'number'
          ? `Run the program with ${args.procs} P${args.procs === 1 ? '' : 's'}: at most ${args.procs} goroutine${args.procs === 1 ? '' : 's'} running Go code at once. Run the cell again, then “vs run before” in its output shows what changed.`
          : 'Run the program with as many Ps as the machine has CPUs (Go’s default).',
      isToggled: (args) => activeProcs(active()) === (args.procs ?? undefined),
      isVisible: () => activeProcs(active()) !== null,
      execute: (args) => {
        const nb = active();
        if (nb) setProcs(nb, typeof args.procs === 'number' ? args.procs : undefined);
      },
    });
    commands.addCommand('slowmo:set-go', {
      label: (args) =>
        typeof args.version === 'string'
          ? `Go ${args.version.replace(/^go/, '')}`
          : 'The newest installed',
      caption:
        'Which Go builds and runs the program. Run the cell again, then “vs run before” in its output shows what changed.',
      isToggled: (args) => activeGo(active()) === (args.version ?? undefined),
      isVisible: () => activeGo(active()) !== null,
      execute: (args) => {
        const nb = active();
        if (nb) setGo(nb, typeof args.version === 'string' ? args.version : undefined);
      },
    });

    const procs = new Menu({ commands });
    procs.title.label = 'Run with GOMAXPROCS';
    for (const p of PROCS_CHOICES)
      procs.addItem({ command: 'slowmo:set-procs', args: { procs: p ?? null } });
    // The installed versions are asked of the bridge at the first right-click on a Go-slowmo
    // cell, not as the page loads: asking starts the bridge (Jupyter starts it on its first
    // request), which a page that runs nothing should not do.
    const go = new Menu({ commands });
    let asked = false;
    const ask = (ev: MouseEvent): void => {
      if (asked || !(ev.target instanceof Element) || !ev.target.closest(SELECTOR)) return;
      asked = true;
      void client.goVersions().then((installed) => {
        for (const version of installed)
          go.addItem({ command: 'slowmo:set-go', args: { version } });
      });
    };
    document.addEventListener('contextmenu', ask, true);
    go.title.label = 'Run with Go';
    go.addItem({ command: 'slowmo:set-go', args: { version: null } });
    app.contextMenu.addItem({ type: 'submenu', submenu: procs, selector: SELECTOR, rank: 25 });
    app.contextMenu.addItem({ type: 'submenu', submenu: go, selector: SELECTOR, rank: 26 });
    for (const p of PROCS_CHOICES)
      palette?.addItem({
        command: 'slowmo:set-procs',
        args: { procs: p ?? null },
        category: 'Go-slowmo',
      });
  },
};
