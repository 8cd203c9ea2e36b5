/**
 * The output's renderers and the run store behind them, in jsdom: a saved
 * recording replays as the same run (opening on its last event), a live
 * output follows its store as events arrive, and what cannot be shown says
 * why instead of throwing (notebooks are untrusted).
 */
import './picture/dom-shim';
import { Widget } from '@lumino/widgets';
import { pack, RUN_MIME } from '../src/recording';
import { RunRenderer } from '../src/renderer';
import { LiveRuns, LIVE_MIME, RunStore } from '../src/store';

const liveRuns = new LiveRuns();
import { nextFrame } from './support/frames';
import { sampleEvents } from './support/sample';

function model(mime: string, data: unknown) {
  return { data: { [mime]: data }, metadata: {}, trusted: false, setData: () => {} } as never;
}

async function rendered(mime: string, data: unknown): Promise<RunRenderer> {
  const r = new RunRenderer(mime, liveRuns);
  Widget.attach(r, document.body);
  await r.renderModel(model(mime, data));
  await nextFrame(); // the widget draws in one
  return r;
}

const source = 'package main\n\nfunc main() {}\n';

describe('the run store', () => {
  test('a live store grows with the events and tells who listens; its recording is what it saw', () => {
    const store = new RunStore(source, { backend: 'auto', mode: 'record' });
    let changes = 0;
    store.changed.connect(() => changes++);
    const events = sampleEvents(2);
    store.append(events.slice(0, 4));
    store.append(events.slice(4));
    store.update({
      phase: 'done',
      end: { exitCode: 0, reason: 'exit', lost: 0, stats: { events: events.length } },
    });
    expect(changes).toBe(3);
    expect(store.timeline.length).toBe(events.length);
    expect(store.toRecording().events).toEqual(events);
    expect(RunStore.fromRecording(store.toRecording()).toRecording()).toEqual(store.toRecording());
  });
});

describe('the renderers', () => {
  test('a saved recording opens on its last event, with its output and checkpoints', async () => {
    const events = sampleEvents(3);
    const rec = {
      source,
      options: { backend: 'auto', mode: 'record' },
      events,
      end: { exitCode: 0, reason: 'exit' as const, lost: 0, stats: { events: events.length } },
      checkpoints: [
        { id: 'a', title: 'Three goroutines', passed: false, reason: 'only 2 were created' },
      ],
    };
    const r = await rendered(RUN_MIME, JSON.parse(JSON.stringify(pack(rec))));
    const node = r.node;
    expect(node.querySelector('.jp-slowmo-position')?.textContent).toContain(
      `event ${events.length} of ${events.length}`,
    );
    expect(node.querySelector('.jp-slowmo-status')?.textContent).toContain('Finished: exit code 0');
    expect(node.querySelector('.jp-slowmo-output')?.textContent).toContain('hello');
    const cp = node.querySelector<HTMLElement>('.jp-slowmo-checkpoint');
    expect(cp?.dataset.passed).toBe('false');
    expect(cp?.textContent).toContain('only 2 were created');
    r.dispose();
  });

  test('tampered data shows a message, never a half-drawn picture', async () => {
    const r = await rendered(RUN_MIME, {
      v: 1,
      source: 'x',
      options: {},
      kinds: ['g.create'],
      rows: [[0, 'bad']],
    });
    expect(r.node.querySelector('.jp-slowmo-invalid')?.textContent).toMatch(
      /cannot be shown: invalid go-slowmo recording/,
    );
    expect(r.node.querySelector('.jp-slowmo-run')).toBeNull();
    r.dispose();
  });

  test('a live output follows its store; one saved mid-run asks to run again', async () => {
    const store = new RunStore(source, { backend: 'auto', mode: 'record' });
    liveRuns.add('live-1', store);
    const r = await rendered(LIVE_MIME, { id: 'live-1' });
    expect(r.node.querySelector('.jp-slowmo-position')?.textContent).toBe('no events yet');
    const events = sampleEvents(1);
    store.append(events);
    await nextFrame();
    expect(r.node.querySelector('.jp-slowmo-position')?.textContent).toContain(
      `event ${events.length} of ${events.length}`,
    );
    r.dispose();
    liveRuns.delete('live-1');
    const stale = await rendered(LIVE_MIME, { id: 'live-1' });
    expect(stale.node.querySelector('.jp-slowmo-stale')?.textContent).toMatch(/run the cell again/);
    stale.dispose();
  });
});
