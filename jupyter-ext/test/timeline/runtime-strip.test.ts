/**
 * The runtime-trace strip over a real recording (kernel-bridge's recordings/schedtrace-go1.22:
 * eBPF, 2 Ps, GODEBUG=schedtrace=5,gctrace=1): a mark per line, coloured by the cross-check once
 * the run has ended, placed at the view's scale, with words that say the runtime's numbers, the
 * model's and why they may differ.
 */
import '../picture/dom-shim';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  checkSchedtrace,
  parseEvent,
  Timeline,
  type EventOf,
  type SlowmoEvent,
} from '@go-slowmo/kernel-bridge/protocol';
import { RuntimeStrip } from '../../src/timeline/runtime-strip';
import { gctraceWords, schedtraceWords } from '../../src/timeline/runtime-words';
import { GUTTER } from '../../src/timeline/layout';

const FILE = path.join(
  __dirname,
  '..',
  '..',
  '..',
  'kernel-bridge',
  'test',
  'fixtures',
  'recordings',
  'schedtrace-go1.22.ndjson.gz',
);
const events: SlowmoEvent[] = gunzipSync(readFileSync(FILE))
  .toString('utf8')
  .trim()
  .split('\n')
  .map((l) => parseEvent(l));
const sched = events.filter((e): e is EventOf<'schedtrace'> => e.kind === 'schedtrace');
const gcs = events.filter((e): e is EventOf<'gctrace'> => e.kind === 'gctrace');

test('a mark per line; coloured once the run has ended; a click seeks to the line', () => {
  const seeks: number[] = [];
  const strip = new RuntimeStrip((seq) => seeks.push(seq));
  const timeline = new Timeline();
  // Live: the first half, no verdict yet.
  const half = Math.floor(events.length / 2);
  for (const e of events.slice(0, half)) timeline.append(e);
  strip.sync(timeline);
  expect(strip.isHidden).toBe(false);
  const marks = () => [...strip.node.querySelectorAll<HTMLElement>('.jp-slowmo-runtime-mark')];
  expect(marks().length).toBe(events.slice(0, half).filter((e) => e.kind.endsWith('trace')).length);
  expect(strip.node.dataset.checked).toBeUndefined();
  for (const e of events.slice(half)) timeline.append(e);
  strip.sync(timeline);
  expect(marks()).toHaveLength(sched.length + gcs.length);
  expect(strip.node.dataset.checked).toBe('true');
  const verdicts = marks()
    .filter((m) => m.classList.contains('jp-slowmo-runtime-schedtrace'))
    .map((m) => m.dataset.agrees);
  const checks = checkSchedtrace(events);
  expect(verdicts).toEqual(checks.map((c) => String(c.agrees)));
  marks()[0]?.click();
  expect(seeks).toEqual([Number(marks()[0]?.dataset.seq)]);
});

test('marks follow the view’s scale; those out of view hide', () => {
  const strip = new RuntimeStrip(() => {});
  strip.sync(Timeline.from(events));
  const end = events.at(-1)?.t ?? 0;
  strip.place({ from: 0, to: end, width: 1000 });
  const first = strip.node.querySelector<HTMLElement>(`[data-seq="${sched[0]?.seq}"]`);
  expect(first?.hidden).toBe(false);
  // Where the runtime sampled it, by the line's own clock.
  const sampled = checkSchedtrace(events)[0]?.sampled ?? -1;
  expect(sampled).toBeLessThanOrEqual(sched[0]?.at ?? 0);
  expect(Number.parseFloat(first?.style.left ?? '')).toBeCloseTo(
    GUTTER + (sampled / end) * 1000,
    3,
  );
  // A GC cycle's mark at the cycle's end in the recording (its phase back to off).
  const ends = events.filter((e) => e.kind === 'gc' && e.phase === 'off').map((e) => e.t);
  const gc1 = strip.node.querySelector<HTMLElement>(`[data-seq="${gcs[0]?.seq}"]`);
  expect(gcs[0]?.cycle).toBe(1);
  expect(Number.parseFloat(gc1?.style.left ?? '')).toBeCloseTo(
    GUTTER + ((ends[0] ?? -1) / end) * 1000,
    3,
  );
  // Zoomed on the run's last tenth: the first line is out of view.
  strip.place({ from: end * 0.9, to: end, width: 1000 });
  expect(first?.hidden).toBe(true);
});

test('words: agreement, a difference with its reason, a GC cycle', () => {
  const checks = checkSchedtrace(events);
  const agreeing = checks.find((c) => c.agrees);
  const e = sched.find((s) => s.seq === agreeing?.seq) as EventOf<'schedtrace'>;
  const words = schedtraceWords(e, agreeing);
  expect(words).toContain(`schedtrace at ${e.uptimeMs} ms`);
  expect(words).toContain(`P0 run queue: runtime ${e.runqs[0]}, model`);
  expect(words).toContain('The picture agrees');
  // A line the model contradicts: made so, from a real one.
  const wrong = { ...e, runqs: [e.runqs[0] ?? 0, 200] };
  const check = checkSchedtrace(events.map((x) => (x.seq === e.seq ? wrong : x))).find(
    (c) => c.seq === e.seq,
  );
  const differs = schedtraceWords(wrong, check);
  expect(differs).toContain('P1 run queue: runtime 200');
  expect(differs).toContain('✗');
  expect(differs).toContain('without the P’s lock');
  expect(schedtraceWords(e, undefined)).toContain('once the run is over');
  const forced = gcs.at(-1) as EventOf<'gctrace'>;
  expect(gctraceWords(forced)).toContain(`GC cycle ${forced.cycle} (forced by runtime.GC)`);
  expect(gctraceWords(forced)).toContain(`goal ${forced.goalMB} MB`);
});
