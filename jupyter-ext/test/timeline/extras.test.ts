/**
 * The patterns list and the Chrome trace download in a run's output, on a
 * real recording (bursts.go on 4 Ps, where Ps sit idle while goroutines are
 * runnable): the list shows once the run has ended and a note seeks the
 * picture to where it begins; the button hands the browser run-….json.
 */
import '../picture/dom-shim';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPatterns, parseEvent } from '@go-slowmo/kernel-bridge/protocol';
import { Widget } from '@lumino/widgets';
import { RunStore } from '../../src/store';
import { RunWidget } from '../../src/widget/run-widget';
import { nextFrame } from '../support/frames';

const FIXTURE = join(__dirname, '../../../kernel-bridge/test/fixtures/patterns/bursts-4.ndjson.gz');
const events = gunzipSync(readFileSync(FIXTURE))
  .toString('utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => parseEvent(JSON.parse(l)));

/** jsdom's Blob has no text(). */
function blobText(b: Blob): Promise<string> {
  return new Promise((resolve) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.readAsText(b);
  });
}

function finished(): RunStore {
  const store = new RunStore('package main\n', { backend: 'ebpf', mode: 'record' });
  store.append(events);
  store.update({
    phase: 'done',
    end: { exitCode: 0, reason: 'exit', lost: 0, stats: { events: events.length } },
  });
  return store;
}

describe('patterns and export in the output', () => {
  afterEach(() => document.body.replaceChildren());

  test('the patterns of a finished run are listed with the timeline, and a note seeks the picture', async () => {
    const w = new RunWidget(finished(), { timeline: true });
    Widget.attach(w, document.body);
    await nextFrame();
    const expected = findPatterns(events);
    expect(expected.length).toBeGreaterThan(0);
    const notes = w.node.querySelectorAll<HTMLButtonElement>('.jp-slowmo-pattern');
    expect([...notes].map((b) => Number(b.dataset.seq))).toEqual(expected.map((n) => n.startSeq));
    expect(notes[0]!.textContent).toContain(expected[0]!.text);
    expect(w.seq).toBe(events.length - 1);
    notes[0]!.click();
    await nextFrame();
    expect(w.seq).toBe(expected[0]!.startSeq);
    // Closed timeline and table: no list either.
    (w.node.querySelector('.jp-slowmo-timeline-toggle') as HTMLButtonElement).click();
    await nextFrame();
    expect(w.node.querySelector('.jp-slowmo-patterns')!.classList).toContain('lm-mod-hidden');
    w.dispose();
  });

  test('while live the button waits; once ended it downloads the Chrome trace', async () => {
    const store = new RunStore('package main\n', { backend: 'ebpf', mode: 'record' });
    store.attach({ control: () => {} } as never);
    store.update({ phase: 'running' });
    store.append(events.slice(0, 100));
    const w = new RunWidget(store, { table: true });
    Widget.attach(w, document.body);
    await nextFrame();
    const btn = w.node.querySelector('.jp-slowmo-export') as HTMLButtonElement;
    expect(btn.disabled).toBe(true);
    expect(w.node.querySelector('.jp-slowmo-patterns')!.textContent).toContain('when the run ends');
    store.append(events.slice(100));
    store.update({
      phase: 'done',
      end: { exitCode: 0, reason: 'exit', lost: 0, stats: { events: events.length } },
    });
    await nextFrame();
    expect(btn.disabled).toBe(false);
    const blobs: Blob[] = [];
    const names: string[] = [];
    URL.createObjectURL = (b: Blob) => (blobs.push(b), 'blob:x');
    URL.revokeObjectURL = () => {};
    const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      names.push(this.download);
    });
    btn.click();
    click.mockRestore();
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^run-ebpf-[0-9a-f]{8}\.json$/);
    const json = JSON.parse(await blobText(blobs[0]!)) as { traceEvents: unknown[] };
    expect(json.traceEvents.length).toBeGreaterThan(events.length / 2);
    w.dispose();
  });
});
