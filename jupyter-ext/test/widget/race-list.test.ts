/**
 * The race detector's reports in the widget, over a real recording (kernel-bridge's
 * recordings/race: eBPF, 2 Ps, built with -race; two goroutines add to one int without a lock):
 * the timeline strip's mark at the race's moment, and the list's entry naming both accesses
 * with their lines, whose links light the line and move the picture to the race.
 */
import '../picture/dom-shim';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  initialState,
  parseEvent,
  Timeline,
  type EventOf,
  type SlowmoEvent,
} from '@go-slowmo/kernel-bridge/protocol';
import type { PickedLine } from '../../src/profile/panel';
import { GUTTER } from '../../src/timeline/layout';
import { RaceStrip, raceLine } from '../../src/timeline/race-strip';
import { RaceList } from '../../src/widget/race-list';
import { litLines } from '../../src/widget/source-pane';

const FILE = path.join(
  __dirname,
  ...['..', '..', '..', 'kernel-bridge', 'test', 'fixtures', 'recordings', 'race.ndjson'],
);
const events: SlowmoEvent[] = readFileSync(FILE, 'utf8')
  .trim()
  .split('\n')
  .map((l) => parseEvent(l));
const races = events.filter((e): e is EventOf<'race'> => e.kind === 'race');

test('the recording has a race on line 16 between two goroutines made on line 13', () => {
  expect(races).toHaveLength(1);
  const [now, before] = races[0]!.accesses;
  expect(now).toMatchObject({ previous: false, file: 'race.go', line: 16 });
  expect(before).toMatchObject({ previous: true, file: 'race.go', line: 16 });
  expect(now!.created).toMatchObject({ file: 'race.go', line: 13 });
});

test('the strip: hidden until a race comes, then a mark at its moment; a click seeks', () => {
  const seeks: number[] = [];
  const strip = new RaceStrip((seq) => seeks.push(seq));
  const timeline = new Timeline();
  const at = races[0]!.seq;
  for (const e of events.slice(0, at)) timeline.append(e);
  strip.sync(timeline);
  expect(strip.isHidden).toBe(true);
  for (const e of events.slice(at)) timeline.append(e);
  strip.sync(timeline);
  expect(strip.isHidden).toBe(false);
  const marks = [...strip.node.querySelectorAll<HTMLElement>('.jp-slowmo-race-mark')];
  expect(marks).toHaveLength(1);
  const end = events.at(-1)!.t;
  strip.place({ from: 0, to: end, width: 1000 });
  expect(Number.parseFloat(marks[0]!.style.left)).toBeCloseTo(
    GUTTER + (races[0]!.at / end) * 1000,
    3,
  );
  expect(marks[0]!.title).toContain('race.go:16');
  marks[0]!.click();
  expect(seeks).toEqual([at]);
  // Zoomed past it: hidden.
  strip.place({ from: races[0]!.at + 1e6, to: end, width: 1000 });
  expect(marks[0]!.hidden).toBe(true);
});

test('the list: both accesses with their lines; a line lights and moves to the race', () => {
  const list = new RaceList();
  const lit: PickedLine[] = [];
  const moved: number[] = [];
  list.linePicked.connect((_, l) => lit.push(l));
  list.racePicked.connect((_, seq) => moved.push(seq));
  list.sync(Timeline.from(events.slice(0, races[0]!.seq)));
  expect(list.isHidden).toBe(true);
  list.sync(Timeline.from(events));
  expect(list.isHidden).toBe(false);
  const text = list.node.textContent ?? '';
  expect(text).toContain('Data races · 1');
  const rows = [...list.node.querySelectorAll<HTMLElement>('.jp-slowmo-race-access')];
  expect(rows.map((r) => r.dataset.op)).toEqual(races[0]!.accesses.map((a) => a.op));
  expect(rows[0]!.textContent).toMatch(/^goroutine \d+ read race\.go:16 · made at race\.go:13$/);
  expect(rows[1]!.textContent).toMatch(/^before, goroutine \d+ wrote race\.go:16/);
  const links = [...rows[1]!.querySelectorAll<HTMLButtonElement>('.jp-slowmo-race-line')];
  expect(links.map((b) => b.dataset.line)).toEqual(['16', '13']);
  links[0]!.click();
  expect(lit).toEqual([expect.objectContaining({ file: 'race.go', line: 16 })]);
  expect(moved).toEqual([races[0]!.seq]);
  list.node.querySelector<HTMLButtonElement>('.jp-slowmo-race-when')!.click();
  expect(moved).toEqual([races[0]!.seq, races[0]!.seq]);
  // Fed again with nothing new: still one entry.
  list.sync(Timeline.from(events));
  expect(list.node.querySelectorAll('.jp-slowmo-race')).toHaveLength(1);
});

test('a race in words', () => {
  expect(raceLine(races[0]!)).toMatch(
    /^goroutine \d+ read race\.go:16 · goroutine \d+ wrote race\.go:16 before$/,
  );
});

test('at the race, the source pane lights both accesses’ lines', () => {
  const race = races[0]!;
  const lit = litLines(initialState(), race, { file: 'race.go' });
  expect(lit.map((l) => [l.line, l.tag])).toEqual([
    [16, 'race · read'],
    [16, 'race · wrote before'],
  ]);
  expect(litLines(initialState(), race, { file: 'other.go' })).toEqual([]);
});
