/**
 * The MIME renderers of a Go-slowmo cell's output: the finished recording
 * (replayed) and the live run (streamed from the executor's store). Both are
 * `safe`: a recording is data, checked against the protocol's schemas before
 * anything is drawn, so untrusted notebooks (a fresh Binder) render too.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Panel, Widget } from '@lumino/widgets';
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
  private shown: unknown = undefined;

  constructor(
    private readonly mimeType: string,
    private readonly live: LiveRuns,
  ) {
    super();
    this.addClass('jp-slowmo-output-area');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const data = model.data[this.mimeType];
    // Saving the view (setData with new metadata) renders the same data again: keep what is drawn.
    if (data !== undefined && data === this.shown) return;
    this.shown = data;
    for (const w of [...this.widgets]) w.dispose();
    const view = readView(model.metadata);
    // Saved in the output's metadata, so the notebook keeps it.
    const save = (v: ViewState) => model.setData({ metadata: withView(model.metadata, v) });
    if (this.mimeType === LIVE_MIME) {
      const id = (data as { id?: unknown } | undefined)?.id;
      const store = typeof id === 'string' ? this.live.get(id) : undefined;
      this.addWidget(
        store
          ? new RunWidget(store, view, save)
          : message(
              'jp-slowmo-stale',
              'This run was still going when the notebook was saved: run the cell again to see it.',
            ),
      );
      return;
    }
    try {
      this.addWidget(new RunWidget(RunStore.fromRecording(unpack(data)), view, save));
    } catch (err) {
      this.addWidget(
        message(
          'jp-slowmo-invalid',
          `This Go-slowmo output cannot be shown: ${(err as Error).message}`,
        ),
      );
    }
  }
}

/** The renderers' factory; live outputs draw the stores of `live`. */
export function rendererFactory(live: LiveRuns): IRenderMime.IRendererFactory {
  return {
    safe: true,
    mimeTypes: [RUN_MIME, LIVE_MIME],
    defaultRank: 10,
    createRenderer: (options) => new RunRenderer(options.mimeType, live),
  };
}
