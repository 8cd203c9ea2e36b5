/**
 * A run whose recorder was killed (run.end `lost: null`): its saved recording
 * keeps the unknown loss, and the widget says the picture may be incomplete,
 * in its status line and in the ending banner, never "0 lost" or nothing.
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

const MISSING = 'the recorder was killed: some events may be missing';

function killed(lost: number | null): Recording {
  const events = sampleEvents(2).map((e): SlowmoEvent =>
    e.kind === 'run.end' ? { ...e, exitCode: -1, reason: 'stopped', lost } : e,
  );
  return {
    source: 'package main\n\nfunc main() {}\n',
    options: { backend: 'auto', mode: 'record' },
    events,
    end: { exitCode: -1, reason: 'stopped', lost, stats: { events: events.length } },
  };
}

test('finishedText words an unknown loss, a count, and no loss', () => {
  const end = killed(null).end!;
  expect(finishedText(end, '12 events')).toBe(`Finished: stopped · 12 events · ${MISSING}`);
  expect(finishedText({ ...end, lost: 3 }, '12 events')).toBe(
    'Finished: stopped · 12 events · 3 events were lost',
  );
  expect(finishedText({ ...end, lost: 0 }, '12 events')).toBe('Finished: stopped · 12 events');
});

test('the recording keeps an unknown loss, and older recordings with a count still load', () => {
  const rec = killed(null);
  const back = unpack(JSON.parse(JSON.stringify(pack(rec))));
  expect(back.end?.lost).toBeNull();
  expect(back.events.at(-1)).toMatchObject({ kind: 'run.end', lost: null });
  expect(summaryText(back)).toContain(MISSING);
  expect(unpack(JSON.parse(JSON.stringify(pack(killed(0))))).end?.lost).toBe(0);
});

test('the picture header says events may be missing', () => {
  expect(
    headerText({
      run: null,
      end: { exitCode: -1, signal: null, lost: null, reason: 'stopped' },
    } as never),
  ).toContain(MISSING);
});

test('the widget shows that the picture may be incomplete: status line and ending banner', async () => {
  const r = new RunRenderer(RUN_MIME, new LiveRuns());
  Widget.attach(r, document.body);
  await r.renderModel({
    data: { [RUN_MIME]: JSON.parse(JSON.stringify(pack(killed(null)))) },
    metadata: {},
    trusted: false,
    setData: () => {},
  } as never);
  await nextFrame(); // the widget draws in one
  const status = r.node.querySelector<HTMLElement>('.jp-slowmo-status');
  expect(status?.textContent).toContain(MISSING);
  expect(status?.dataset.tone).toBe('error');
  expect(r.node.querySelector('.jp-slowmo-ending')?.textContent).toContain(
    'some events may be missing, so the picture may be incomplete',
  );
  r.dispose();
});
