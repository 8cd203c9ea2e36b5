/**
 * The explore plugin: "Explore: run it 20 times" in a Go-slowmo cell's context menu. The cell's
 * output becomes the explorer (panel.ts) while its program runs 20 times as the cell says
 * (Go version, GOMAXPROCS, backend), and then the distinct outputs with their frequencies; any
 * run opens in the picture. What `slowmo explore` does in a terminal, in the notebook.
 * "Explore: Perturb at This Line" does the same with a yield at the start of the line that was
 * right-clicked, in half the runs (`slowmo explore --perturb LINE`); the explorer's own form
 * changes the line and the kind.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import type { Cell, CodeCell, ICodeCellModel } from '@jupyterlab/cells';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry, type IRenderMime } from '@jupyterlab/rendermime';
import { UUID } from '@lumino/coreutils';
import { Panel } from '@lumino/widgets';
import { PERTURB_SHARE_DEFAULT, type Perturbation } from '@go-slowmo/kernel-bridge/protocol';
import type { BridgeClient } from '../client';
import { isSlowmo, METADATA_KEY, parseMetadata } from '../metadata';
import { IBridgeClient } from '../tokens';
import { exploreCell } from './explore-run';
import { exploration, ExploreStore, keepExploration } from './explore-store';
import { ExplorePanel } from './panel';
import { EXPLORE_MIME, ExploreDataSchema, type ExploreData } from './saved';
import { askSweep } from './sweep-dialog';
import { settingsOf, type Sweep } from './sweep';

/** Runs per exploration: enough for a rare order to show, few enough to wait for. */
export const EXPLORE_RUNS = 20;

class ExploreRenderer extends Panel implements IRenderMime.IRenderer {
  constructor() {
    super();
    this.addClass('jp-slowmo-output-area');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    for (const w of [...this.widgets]) w.dispose();
    const parsed = ExploreDataSchema.safeParse(model.data[EXPLORE_MIME]);
    if (!parsed.success) {
      this.node.textContent = `This exploration cannot be shown: ${parsed.error.issues[0]?.message ?? 'it is not one'}`;
      return;
    }
    this.addWidget(new ExplorePanel(parsed.data, exploration(parsed.data.id)));
  }
}

function summary(data: ExploreData): string {
  if (data.error) return `Go-slowmo exploration stopped: ${data.error}`;
  const x = data.exploration;
  if (!x) return `Go-slowmo exploration: ${data.total} runs`;
  return [
    `Go-slowmo exploration: ${x.runs.length} runs, ${x.outcomes.length} distinct outputs, ${x.schedules.length} distinct schedules`,
    ...x.outcomes.map(
      (o) => `${o.count}× exit ${o.exitCode}: ${JSON.stringify(o.stdout.slice(0, 200))}`,
    ),
  ].join('\n');
}

async function explore(
  client: BridgeClient,
  model: ICodeCellModel,
  perturbAt?: Perturbation[],
  sweep?: Sweep,
): Promise<void> {
  let meta;
  try {
    meta = parseMetadata(model.getMetadata(METADATA_KEY));
  } catch {
    return; // Running the cell says what is wrong with its options.
  }
  const id = `explore-${UUID.uuid4().slice(0, 12)}`;
  const perturb = perturbAt && { at: perturbAt, share: PERTURB_SHARE_DEFAULT };
  const settings = sweep ? settingsOf(sweep) : [{}];
  const total = sweep ? sweep.runs * settings.length : EXPLORE_RUNS;
  const store = new ExploreStore(id, total, perturb);
  store.rerun = (again) => void explore(client, model, again, sweep);
  keepExploration(store);
  const output = (data: ExploreData) => ({
    output_type: 'display_data',
    data: { [EXPLORE_MIME]: data as never, 'text/plain': summary(data) },
    metadata: {},
  });
  model.outputs.clear();
  model.outputs.add(output({ id, total, ...(perturb ? { perturb } : {}) }));
  await exploreCell(client, model.sharedModel.getSource(), meta, store, settings);
  model.outputs.clear();
  model.outputs.add(
    output({
      id,
      total,
      ...(perturb ? { perturb } : {}),
      ...(store.exploration ? { exploration: store.exploration } : {}),
      ...(store.error ? { error: store.error } : {}),
    }),
  );
}

/** Where the last right-click was: "Perturb at This Line" perturbs the line under it. */
let rightClick: { x: number; y: number; target: EventTarget | null } | undefined;

/** The 1-based line of the cell's source that was right-clicked (else the cursor's). */
function clickedLine(cell: CodeCell): number | undefined {
  const editor = cell.editor;
  if (!editor) return undefined;
  // Only a click in the editor names a line (below it, CodeMirror would give the nearest one).
  const inEditor = rightClick?.target instanceof Node && editor.host.contains(rightClick.target);
  const at =
    rightClick && inEditor
      ? editor.getPositionForCoordinate({
          left: rightClick.x,
          right: rightClick.x,
          top: rightClick.y,
          bottom: rightClick.y,
        })
      : null;
  return (at ?? editor.getCursorPosition()).line + 1;
}

/** "Explore: Choose Runs and Settings…": the runs and settings asked in a dialog (sweep-dialog.ts). */
function addSweepCommand(
  app: JupyterFrontEnd,
  client: BridgeClient,
  palette: ICommandPalette | null,
  activeCell: () => Cell | null,
): void {
  app.commands.addCommand('slowmo:explore-sweep', {
    label: 'Explore: Choose Runs and Settings…',
    caption:
      'Run this program many times with each GOMAXPROCS value and Go version you choose, and see which outputs each gives.',
    isVisible: () => activeCell() !== null,
    execute: async () => {
      const cell = activeCell();
      if (!cell) return;
      const model = cell.model as ICodeCellModel;
      let own: { procs?: number; go?: string } = {};
      try {
        const meta = parseMetadata(model.getMetadata(METADATA_KEY));
        own = { procs: meta.gomaxprocs, go: meta.goVersion };
      } catch {
        // Running the cell says what is wrong with its options.
      }
      const versions = await client.goVersions().catch(() => []);
      const sweep = await askSweep(versions, own);
      if (sweep) await explore(client, model, undefined, sweep);
    },
  });
  app.contextMenu.addItem({
    command: 'slowmo:explore-sweep',
    selector: '.jp-slowmo-cell',
    rank: 27.2,
  });
  palette?.addItem({ command: 'slowmo:explore-sweep', category: 'Go-slowmo' });
}

export const explorePlugin: JupyterFrontEndPlugin<void> = {
  id: '@go-slowmo/jupyter-ext:explore',
  description: 'The interleaving explorer: a Go-slowmo cell run 20 times, its outputs counted.',
  autoStart: true,
  requires: [INotebookTracker, IBridgeClient, IRenderMimeRegistry],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    client: BridgeClient,
    rendermime: IRenderMimeRegistry,
    palette: ICommandPalette | null,
  ): void => {
    rendermime.addFactory(
      {
        safe: true,
        mimeTypes: [EXPLORE_MIME],
        defaultRank: 10,
        createRenderer: () => new ExploreRenderer(),
      },
      10,
    );
    const activeCell = () => {
      const cell = tracker.currentWidget?.content.activeCell;
      return cell && cell.model.type === 'code' && isSlowmo(cell.model.metadata) ? cell : null;
    };
    app.commands.addCommand('slowmo:explore', {
      label: `Explore: Run It ${EXPLORE_RUNS} Times`,
      caption: `Run this program ${EXPLORE_RUNS} times and count its different outputs: a concurrent program is a set of runs. Any run opens in the picture.`,
      isVisible: () => activeCell() !== null,
      execute: async () => {
        const cell = activeCell();
        if (cell) await explore(client, cell.model as ICodeCellModel);
      },
    });
    app.contextMenu.addItem({ command: 'slowmo:explore', selector: '.jp-slowmo-cell', rank: 27 });
    palette?.addItem({ command: 'slowmo:explore', category: 'Go-slowmo' });
    addSweepCommand(app, client, palette, activeCell);
    // Before the menu opens (capture): its label names the line.
    document.addEventListener(
      'contextmenu',
      (ev) => {
        rightClick = { x: ev.clientX, y: ev.clientY, target: ev.target };
      },
      true,
    );
    const perturbLine = () => {
      const cell = activeCell();
      return cell ? clickedLine(cell as CodeCell) : undefined;
    };
    app.commands.addCommand('slowmo:explore-perturb', {
      label: () => {
        const line = perturbLine();
        return `Explore: Perturb at This Line${line ? ` (${line})` : ''}`;
      },
      caption: `Run this program ${EXPLORE_RUNS} times, half of them with a yield (runtime.Gosched) at the start of this line: an order that is rare as written may then come often. The explorer marks the perturbed runs and lets you choose another line or a pause.`,
      isVisible: () => activeCell() !== null,
      execute: async () => {
        const cell = activeCell();
        const line = perturbLine();
        if (!cell || !line) return;
        await explore(client, cell.model as ICodeCellModel, [
          { file: 'main.go', line, kind: 'yield' },
        ]);
      },
    });
    app.contextMenu.addItem({
      command: 'slowmo:explore-perturb',
      selector: '.jp-slowmo-cell',
      rank: 27.5,
    });
  },
};
