/**
 * A run the recorder slowed so as to lose no event (run.end `throttledMs`,
 * back-pressure): the widget says so where it would say a loss, in its status
 * line, the picture's header and the text beside the recording, and a saved
 * recording keeps it; a run never slowed says nothing of it.
 */
import './picture/dom-shim';
import type { SlowmoEvent } from '@go-slowmo/kernel-bridge/protocol';
import { Widget } from '@lumino/widgets';
import { headerText } from '../src/picture/words';
import { pack, summaryText, unpack, RUN_MIME, type Recording } from '../src/recording';
import { RunRenderer } from '../src/renderer';
import { LiveRuns } from '../src/store';
import { finishedText } from '../src/widget/status-words';
import { nextFrame } from './support/frames';
import { sampleEvents } from './support/sample';

const SLOWED = 'slowed 2.3 s to record everything';

function slowed(throttledMs: number): Recording {
  const events = sampleEvents(2).map((e): SlowmoEvent =>
    e.kind === 'run.end' ? { ...e, throttledMs } : e,
  );
  return {
    source: 'package main\n\nfunc main() {}\n',
    options: { backend: 'ebpf', mode: 'record' },
    events,
    end: { exitCode: 0, reason: 'exit', lost: 0, stats: { events: events.length, throttledMs } },
  };
}

test('finishedText says how long the program was slowed, and nothing when it was not', () => {
  const end = slowed(2300).end!;
  expect(finishedText(end, '12 events')).toBe(`Finished: exit code 0 · 12 events · ${SLOWED}`);
  expect(finishedText({ ...end, stats: { events: 12, throttledMs: 0 } }, '12 events')).toBe(
    'Finished: exit code 0 · 12 events',
  );
  expect(finishedText({ ...end, stats: { events: 12 } }, '12 events')).toBe(
    'Finished: exit code 0 · 12 events',
  );
});

test('the recording keeps it, and the text beside it says it', () => {
  const back = unpack(JSON.parse(JSON.stringify(pack(slowed(2300)))));
  expect(back.end?.stats.throttledMs).toBe(2300);
  expect(back.events.at(-1)).toMatchObject({ kind: 'run.end', throttledMs: 2300 });
  expect(summaryText(back)).toContain(`ended: exit (exit code 0), ${SLOWED}`);
});

test('the picture header says it after how the run ended', () => {
  expect(
    headerText({
      run: null,
      end: { exitCode: 0, signal: null, lost: 0, reason: 'exit', throttledMs: 2300 },
    } as never),
  ).toContain(`exited with code 0 · ${SLOWED}`);
});

test('the widget says it in its status line, in a plain tone: nothing went wrong', async () => {
  const r = new RunRenderer(RUN_MIME, new LiveRuns());
  Widget.attach(r, document.body);
  await r.renderModel({
    data: { [RUN_MIME]: JSON.parse(JSON.stringify(pack(slowed(2300)))) },
    metadata: {},
    trusted: false,
    setData: () => {},
  } as never);
  await nextFrame(); // the widget draws in one
  const status = r.node.querySelector<HTMLElement>('.jp-slowmo-status');
  expect(status?.textContent).toContain(SLOWED);
  expect(status?.dataset.tone).toBe('plain');
  r.dispose();
});
