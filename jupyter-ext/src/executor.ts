/**
 * The cell executor (JupyterLab >= 4.2 lets one replace the stock one): a
 * Go-slowmo cell goes to the bridge, every other cell to JupyterLab's own
 * `runCell`. Go-slowmo cells of one notebook run one after another in the
 * order asked (a FIFO per notebook), since "Run all" asks for every cell at
 * once. The live output holds only the run's id; the recording is written
 * into the cell's outputs once, when the run ends.
 */
import { checkpointOutcomes, type Diagnostic } from '@go-slowmo/kernel-bridge/protocol';
import type { ICodeCellModel } from '@jupyterlab/cells';
import type { INotebookCellExecutor, INotebookModel } from '@jupyterlab/notebook';
import { UUID } from '@lumino/coreutils';
import type { BridgeClient } from './client';
import { RunBefore } from './compare/compare-run';
import { isSlowmo, METADATA_KEY, parseMetadata, runRequest, type SlowmoMetadata } from './metadata';
import { svgOf } from './picture/svg';
import { askFirst } from './predict/asking';
import { unanswered } from './predict/questions';
import { pack, recordedEnd, RUN_MIME, runOptions, summaryText } from './recording';
import { LiveRuns, LIVE_MIME, RunStore } from './store';
import { readView, withView } from './widget/view-state';

/** What the learner had open in the cell's output (the timeline, the table), to keep across a run. */
function viewMetadata(model: ICodeCellModel): ReturnType<typeof withView> {
  const first = model.outputs.length > 0 ? model.outputs.get(0) : undefined;
  const view = first ? readView(first.metadata) : {};
  return Object.keys(view).length > 0 ? withView({}, view) : {};
}

function liveOutput(id: string, metadata: ReturnType<typeof viewMetadata>) {
  return {
    output_type: 'display_data',
    data: { [LIVE_MIME]: { id } },
    metadata: metadata as never,
  };
}

type RunCell = (options: INotebookCellExecutor.IRunCellOptions) => Promise<boolean>;

export interface ExecutorHooks {
  /** Compile errors to show on the cell's lines ([] clears them). */
  onDiagnostics?(
    cell: INotebookCellExecutor.IRunCellOptions['cell'],
    diagnostics: Diagnostic[],
  ): void;
}

export class SlowmoCellExecutor implements INotebookCellExecutor {
  private readonly queues = new WeakMap<INotebookModel, Promise<unknown>>();
  private readonly counters = new WeakMap<INotebookModel, number>();
  /** The live runs of each notebook, for stop-all (interrupt, restart). */
  private readonly live = new WeakMap<INotebookModel, Set<RunStore>>();
  /** Bumped by stop-all: cells queued before it do not start. */
  private readonly stops = new WeakMap<INotebookModel, number>();

  /**
   * Stops every Go-slowmo run of a notebook, running, paused or waiting in
   * its queue: what JupyterLab's stop button, Kernel → Interrupt and a kernel
   * restart mean for cells that do not run on the kernel. Returns how many
   * were running.
   */
  stopAll(notebook: INotebookModel): number {
    this.stops.set(notebook, (this.stops.get(notebook) ?? 0) + 1);
    const runs = this.live.get(notebook);
    if (!runs) return 0;
    for (const store of runs) store.stop();
    return runs.size;
  }

  constructor(
    private readonly client: BridgeClient,
    private readonly fallback: RunCell,
    private readonly hooks: ExecutorHooks = {},
    private readonly liveRuns: LiveRuns = new LiveRuns(),
  ) {}

  runCell(options: INotebookCellExecutor.IRunCellOptions): Promise<boolean> {
    const { cell, notebook } = options;
    if (cell.model.type !== 'code' || !isSlowmo(cell.model.metadata)) return this.fallback(options);
    options.onCellExecutionScheduled({ cell });
    const model = cell.model as ICodeCellModel;
    model.executionState = 'running';
    const before = this.queues.get(notebook) ?? Promise.resolve();
    const stops = this.stops.get(notebook) ?? 0;
    const run = before.then(() => {
      if ((this.stops.get(notebook) ?? 0) === stops) return this.runGo(options);
      // Stopped while it waited for the cells before it: it never ran.
      model.executionState = 'idle';
      options.onCellExecuted({ cell, success: false });
      return false;
    });
    this.queues.set(
      notebook,
      run.catch(() => false),
    );
    return run;
  }

  private nextCount(notebook: INotebookModel): number {
    let n = this.counters.get(notebook);
    if (n === undefined) {
      n = 0;
      for (let i = 0; i < notebook.cells.length; i++) {
        const c = notebook.cells.get(i);
        if (c.type === 'code') n = Math.max(n, (c as ICodeCellModel).executionCount ?? 0);
      }
    }
    this.counters.set(notebook, n + 1);
    return n + 1;
  }

  private async runGo(options: INotebookCellExecutor.IRunCellOptions): Promise<boolean> {
    const { cell, notebook, onCellExecuted } = options;
    const model = cell.model as ICodeCellModel;
    const source = model.sharedModel.getSource();
    this.hooks.onDiagnostics?.(cell, []);
    const meta = cellOptions(model);
    // Predict, then reveal: a question not answered yet is asked first; the last run stays shown.
    const waiting =
      meta !== undefined &&
      unanswered(model.getMetadata(METADATA_KEY)).length > 0 &&
      askFirst(cell);
    if (!meta || waiting) {
      model.executionState = 'idle';
      onCellExecuted({ cell, success: false });
      return false;
    }
    const id = `cell-${UUID.uuid4().slice(0, 12)}`;
    const store = new RunStore(source, runOptions(meta, meta.mode));
    this.liveRuns.add(id, store);
    let runs = this.live.get(notebook);
    if (!runs) this.live.set(notebook, (runs = new Set()));
    runs.add(store);
    model.executionCount = null;
    const kept = viewMetadata(model);
    const before = new RunBefore(model.outputs);
    model.outputs.clear();
    model.outputs.add(liveOutput(id, kept));

    await this.stream(runRequest(id, source, meta), store, cell);
    runs.delete(store);
    const ran = store.end !== undefined;
    await this.explain(store, meta, ran);
    if (ran) store.update({ compare: before.compare(id, store.events) });
    writeRecording(model, store, ran);
    this.liveRuns.delete(id);
    model.executionCount = this.nextCount(notebook);
    model.executionState = 'idle';
    const success = ran;
    onCellExecuted({ cell, success });
    return success;
  }

  /** The run on the bridge, into its store, until it has ended one way or another. */
  private stream(
    request: ReturnType<typeof runRequest>,
    store: RunStore,
    cell: INotebookCellExecutor.IRunCellOptions['cell'],
  ): Promise<void> {
    return new Promise<void>((resolve) => {
      void this.client
        .run(request, {
          status: (phase, position) => store.update({ phase, position }),
          events: (events) => store.append(events),
          compileError: (diagnostics) => {
            store.update({ diagnostics, phase: 'done' });
            this.hooks.onDiagnostics?.(cell, diagnostics);
            resolve();
          },
          end: (end) => {
            store.update({ end: recordedEnd(end), phase: 'done' });
            resolve();
          },
          error: (message, field) => {
            store.update({ error: field ? `${message} (${field})` : message, phase: 'failed' });
            resolve();
          },
        })
        .then((control) => {
          if (store.phase !== 'done' && store.phase !== 'failed') store.attach(control);
        });
    });
  }

  /** What the ended run gets besides its events: the tracer's notice, its checkpoints' outcomes. */
  private async explain(store: RunStore, meta: SlowmoMetadata, ran: boolean): Promise<void> {
    const start = store.timeline.event(0);
    if (start?.kind === 'run.start' && start.backend === 'trace') {
      const why = await this.client.ebpfUnavailable();
      store.update({
        notice:
          "Watched by Go's execution tracer: run queue contents, runnext and steals are inferred (dashed)" +
          (why ? `. eBPF is not available here: ${why}` : ''),
      });
    }
    // The code goes with the events: a source check reads it.
    if (ran && meta.checkpoints.length > 0)
      store.update({
        checkpoints: checkpointOutcomes(meta.checkpoints, store.events, { source: store.source }),
      });
  }
}

/** The cell's Go-slowmo options; undefined, with the reason as the cell's output, when they are wrong. */
function cellOptions(model: ICodeCellModel): SlowmoMetadata | undefined {
  try {
    return parseMetadata(model.getMetadata(METADATA_KEY));
  } catch (err) {
    model.outputs.clear();
    model.outputs.add({
      output_type: 'error',
      ename: 'Go-slowmo cell options',
      evalue: (err as Error).message,
      traceback: [],
    });
    return undefined;
  }
}

/** The recording as the cell's one output, in place of the live one (with a picture when it ran). */
function writeRecording(model: ICodeCellModel, store: RunStore, ran: boolean): void {
  const rec = store.toRecording();
  const view = viewMetadata(model);
  model.outputs.clear();
  model.outputs.add({
    output_type: 'display_data',
    data: {
      [RUN_MIME]: pack(rec) as never,
      'text/plain': summaryText(rec),
      ...(ran
        ? {
            'image/svg+xml': svgOf(store.timeline.state, {
              title: summaryText(rec).split('\n')[0],
            }),
          }
        : {}),
    },
    metadata: view as never,
  });
}
