/**
 * The timeline and the goroutine table inside a run's output, in jsdom:
 * opened from the toolbar and saved in the output's metadata (without
 * drawing the run again), reopened from it, a click on a slice seeking the
 * picture, a row picking its goroutine everywhere.
 */
import '../picture/dom-shim';
import { Widget } from '@lumino/widgets';
import { pack, RUN_MIME } from '../../src/recording';
import { RunRenderer } from '../../src/renderer';
import { LiveRuns, RunStore } from '../../src/store';
import { RunWidget } from '../../src/widget/run-widget';
import { RULER_H, GUTTER, type Row } from '../../src/timeline/layout';
import { xOf } from '../../src/timeline/scale';
import type { TimelineView } from '../../src/timeline/view';
import { VIEW_KEY } from '../../src/widget/view-state';
import { nextFrame } from '../support/frames';
import { sampleEvents } from '../support/sample';

const events = sampleEvents(3);
const recording = pack({
  source: 'package main\n\nfunc main() {}\n',
  options: { backend: 'auto', mode: 'record' },
  events,
  end: { exitCode: 0, reason: 'exit', lost: 0, stats: { events: events.length } },
});

/**
 * A model as JupyterLab's output model behaves in a notebook: setData goes
 * to the notebook's model, which renders again with a model made anew from
 * it (equal data, not the same object).
 */
function outputModel(metadata: Record<string, unknown> = {}) {
  const m = {
    data: { [RUN_MIME]: recording } as Record<string, unknown>,
    metadata,
    trusted: false,
    saved: [] as unknown[],
    renderer: null as RunRenderer | null,
    /** The model the renderer was given last. */
    current(): object {
      return {
        data: JSON.parse(JSON.stringify(m.data)),
        metadata: m.metadata,
        trusted: false,
        setData: m.setData,
      };
    },
    setData(options: { metadata?: Record<string, unknown> }) {
      if (options.metadata) m.metadata = options.metadata;
      m.saved.push(options.metadata);
      void m.renderer?.renderModel(m.current() as never);
    },
  };
  return m;
}

async function rendered(metadata?: Record<string, unknown>) {
  const model = outputModel(metadata);
  const r = new RunRenderer(RUN_MIME, new LiveRuns());
  model.renderer = r;
  Widget.attach(r, document.body);
  await r.renderModel(model.current() as never);
  await nextFrame();
  const run = r.node.querySelector('.jp-slowmo-run') as HTMLElement;
  return { r, model, run };
}

const button = (run: HTMLElement, cls: string) => run.querySelector(`.${cls}`) as HTMLButtonElement;

describe('the timeline in the output', () => {
  afterEach(() => {
    document.body.replaceChildren();
  });

  test('the toolbar opens it; what is open is saved in the output and the run is not drawn again', async () => {
    const { r, model, run } = await rendered();
    expect(run.querySelector('.jp-slowmo-timeline')).toBeNull();
    const toggle = button(run, 'jp-slowmo-timeline-toggle');
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    toggle.click();
    await nextFrame();
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    expect(run.querySelector('.jp-slowmo-timeline')).not.toBeNull();
    expect(model.metadata).toEqual({ [VIEW_KEY]: { view: { timeline: true } } });
    // The same widget: saving the view did not make a new one.
    expect(r.node.querySelector('.jp-slowmo-run')).toBe(run);
    button(run, 'jp-slowmo-table-toggle').click();
    toggle.click();
    await nextFrame();
    expect(model.metadata).toEqual({ [VIEW_KEY]: { view: { timeline: false, table: true } } });
    expect((run.querySelector('.jp-slowmo-timeline') as HTMLElement).classList).toContain(
      'lm-mod-hidden',
    );
  });

  test('an output saved with the timeline and the table open opens with them', async () => {
    const view = { timeline: true, table: true, sort: { column: 'runs', descending: true } };
    const { model, run } = await rendered({ [VIEW_KEY]: { view } });
    expect(button(run, 'jp-slowmo-timeline-toggle').getAttribute('aria-pressed')).toBe('true');
    expect(button(run, 'jp-slowmo-table-toggle').getAttribute('aria-pressed')).toBe('true');
    expect(run.querySelector('.jp-slowmo-timeline')).not.toBeNull();
    const sorted = run.querySelector('th[data-column="runs"]') as HTMLElement;
    expect(sorted.getAttribute('aria-sort')).toBe('descending');
    // Opening saves nothing: the notebook is not changed by being looked at.
    expect(model.saved).toEqual([]);
  });

  test('odd view metadata (an untrusted notebook) is ignored, not trusted', async () => {
    const { run } = await rendered({ [VIEW_KEY]: { view: { timeline: 'yes', sort: 5 } } });
    expect(run.querySelector('.jp-slowmo-timeline')).toBeNull();
  });

  test('a click on a slice of P0 seeks the picture to the event that began it', async () => {
    const { run } = await rendered({ [VIEW_KEY]: { view: { timeline: true } } });
    const view = (
      run.querySelector('.jp-slowmo-timeline-view') as unknown as {
        slowmoTimeline: TimelineView;
      }
    ).slowmoTimeline;
    const row = view.rows.rows.find((x: Row) => x.kind === 'p' && x.id === 0)!;
    const slice = row.slices.find((s) => s.kind === 'running')!;
    expect(Number(run.dataset.seq)).not.toBe(slice.startSeq);
    const x = GUTTER + (xOf(view.scale, slice.start) + xOf(view.scale, slice.end)) / 2;
    view.input.click(x, RULER_H + row.y + row.h / 2);
    await nextFrame();
    expect(Number(run.dataset.seq)).toBe(slice.startSeq);
    // A click on the ruler seeks to the last event at or before that time.
    view.input.click(GUTTER + 1, RULER_H / 2);
    await nextFrame();
    expect(Number(run.dataset.seq)).toBeLessThanOrEqual(1);
  });

  test('live, the timeline follows the events as they arrive, drawn once per animation frame', async () => {
    const store = new RunStore('package main\n', { backend: 'auto', mode: 'record' });
    // Live: the bridge accepted it.
    store.attach({ control: () => {} } as never);
    store.update({ phase: 'running' });
    const w = new RunWidget(store, { timeline: true });
    Widget.attach(w, document.body);
    const view = (
      w.node.querySelector('.jp-slowmo-timeline-view') as unknown as {
        slowmoTimeline: TimelineView;
      }
    ).slowmoTimeline;
    const shown: number[] = [];
    for (const [from, to] of [
      [0, 4],
      [4, 8],
      [8, events.length],
    ]) {
      store.append(events.slice(from, to));
      await nextFrame();
      shown.push(view.lanes!.lastSeq);
    }
    expect(shown).toEqual([3, 7, events.length - 1]);
    // The view shows the whole run so far, and follows it.
    expect(view.scale.to).toBe(view.lanes!.end);
    // Changes within one frame are drawn once.
    const before = Number(w.node.dataset.frames);
    store.update({ position: 1 });
    store.update({ position: 2 });
    store.update({ position: 3 });
    await nextFrame();
    expect(Number(w.node.dataset.frames)).toBe(before + 1);
    w.dispose();
  });

  test('a row of the goroutine table picks its goroutine in the picture and the timeline', async () => {
    const { run } = await rendered({ [VIEW_KEY]: { view: { timeline: true, table: true } } });
    const row = run.querySelector('.jp-slowmo-goroutines tbody tr[data-goid="21"]') as HTMLElement;
    expect(row).not.toBeNull();
    row.querySelector('td')!.click();
    await nextFrame();
    expect(run.dataset.selected).toBe('21');
    expect(row.getAttribute('aria-selected')).toBe('true');
    const view = (
      run.querySelector('.jp-slowmo-timeline-view') as unknown as {
        slowmoTimeline: TimelineView;
      }
    ).slowmoTimeline;
    expect(view.rows.rows.filter((x) => x.kind === 'g').map((x) => x.id)).toEqual([21]);
    const picture = run.querySelector('.jp-slowmo-picture') as unknown as {
      slowmoPicture: {
        cy: { nodes(s: string): { map(f: (n: { data(k: string): number }) => number): number[] } };
      };
    };
    expect(picture.slowmoPicture.cy.nodes('.g.selected').map((n) => n.data('goid'))).toEqual([21]);
  });
});
