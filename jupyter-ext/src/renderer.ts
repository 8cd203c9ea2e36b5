/**
 * The MIME renderers of a Go-slowmo cell's output: the finished recording
 * (replayed) and the live run (streamed from the executor's store). Both are
 * `safe`: a recording is data, checked against the protocol's schemas before
 * anything is drawn, so untrusted notebooks (a fresh Binder) render too.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { JSONExt, type ReadonlyPartialJSONValue } from '@lumino/coreutils';
import { Panel, Widget } from '@lumino/widgets';
import { registerRun } from './predict/moments';
import type { PickedLine } from './profile/panel';
import { RUN_MIME, unpack } from './recording';
import { LIVE_MIME, RunStore, type LiveRuns } from './store';
import { RunWidget } from './widget/run-widget';
import { readView, withView, type ViewState } from './widget/view-state';

function message(cls: string, text: string): Widget {
  const w = new Widget();
  w.addClass(cls);
  w.node.textContent = text;
  return w;
}

export class RunRenderer extends Panel implements IRenderMime.IRenderer {
  /** The data drawn now: a model changed only in its metadata (the view saved) is not drawn again. */
  private shown: ReadonlyPartialJSONValue | undefined = undefined;
  private model: IRenderMime.IMimeModel | null = null;

  constructor(
    private readonly mimeType: string,
    private readonly live: LiveRuns,
    /** Lights a line of the cell whose output holds `node` (a profile's frame was clicked). */
    private readonly lightLine?: (node: HTMLElement, picked: PickedLine) => void,
  ) {
    super();
    this.addClass('jp-slowmo-output-area');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const data = model.data[this.mimeType];
    this.model = model;
    // Saving the view (new metadata) renders the same data again, through a model JupyterLab
    // makes anew from the notebook's: keep what is drawn. (Comparing a recording's one string
    // of rows costs a few ms once per save.)
    if (data !== undefined && this.shown !== undefined && JSONExt.deepEqual(data, this.shown))
      return;
    this.shown = data;
    for (const w of [...this.widgets]) w.dispose();
    const view = readView(model.metadata);
    // Saved in the output's metadata (of the model drawn last), so the notebook keeps it.
    const save = (v: ViewState) => {
      const m = this.model;
      m?.setData({ metadata: withView(m.metadata, v) });
    };
    if (this.mimeType === LIVE_MIME) {
      const id = (data as { id?: unknown } | undefined)?.id;
      const store = typeof id === 'string' ? this.live.get(id) : undefined;
      this.addWidget(
        store
          ? this.run(new RunWidget(store, view, save))
          : message(
              'jp-slowmo-stale',
              'This run was still going when the notebook was saved: run the cell again to see it.',
            ),
      );
      return;
    }
    try {
      this.addWidget(this.run(new RunWidget(RunStore.fromRecording(unpack(data)), view, save)));
    } catch (err) {
      this.addWidget(
        message(
          'jp-slowmo-invalid',
          `This Go-slowmo output cannot be shown: ${(err as Error).message}`,
        ),
      );
    }
  }

  /** A run widget, findable by its node, whose picked profile frames light the cell's lines. */
  private run(widget: RunWidget): RunWidget {
    widget.lineLit.connect((_, picked) => this.lightLine?.(this.node, picked));
    return registerRun(widget);
  }
}

/** The renderers' factory; live outputs draw the stores of `live`. */
export function rendererFactory(
  live: LiveRuns,
  lightLine?: (node: HTMLElement, picked: PickedLine) => void,
): IRenderMime.IRendererFactory {
  return {
    safe: true,
    mimeTypes: [RUN_MIME, LIVE_MIME],
    defaultRank: 10,
    createRenderer: (options) => new RunRenderer(options.mimeType, live, lightLine),
  };
}
