/**
 * The flame graph of a hand-made block profile: stacks merged root-first into a tree, the
 * learner's frames kept by default (the runtime's under and between them left out, samples
 * without any counted apart), every frame with the toggle; the boxes' places and widths; the
 * hover words; the moments a goroutine parked at a frame's line; the panel's click.
 */
import '../picture/dom-shim';
import { parseEvent, type SlowmoEvent } from '@go-slowmo/kernel-bridge/protocol';
import { drawFlame, fitText } from '../../src/profile/draw';
import { depthOf, layoutTree } from '../../src/profile/layout';
import { pack, unpack } from '../../src/recording';
import { ProfilePanel } from '../../src/profile/panel';
import {
  buildTree,
  OUTSIDE,
  walk,
  type FlameNode,
  type ProfileEvent,
} from '../../src/profile/tree';
import { frameWords, learnerName, waitsAt } from '../../src/profile/words';

const CHAN = '/usr/local/go/src/runtime/chan.go';
const FRAMES = [
  { fn: 'runtime.chanrecv1', file: CHAN, line: 489 }, // 0
  { fn: 'main.wait', file: 'main.go', line: 15 }, // 1
  { fn: 'main.main', file: 'main.go', line: 21 }, // 2
  { fn: 'sync.(*WaitGroup).Wait', file: '/usr/local/go/src/sync/waitgroup.go', line: 118 }, // 3
  { fn: 'main.main', file: 'main.go', line: 25 }, // 4
  { fn: 'runtime.bgsweep', file: '/usr/local/go/src/runtime/mgcsweep.go', line: 300 }, // 5
  { fn: 'main.helper', file: 'main.go', line: 30 }, // 6
  { fn: 'runtime.selectgo', file: '/usr/local/go/src/runtime/select.go', line: 351 }, // 7
];

const block = parseEvent({
  seq: 40,
  t: 5e6,
  kind: 'profile',
  m: -1,
  p: -1,
  g: 0,
  profile: 'block',
  unit: 'nanoseconds',
  frames: FRAMES,
  samples: [
    { stack: [0, 1, 2], value: 600e6 },
    // main.wait reached through the runtime's select, inside main.helper: the filter joins them.
    { stack: [0, 7, 1, 6, 2], value: 100e6 },
    { stack: [3, 4], value: 200e6 },
    { stack: [5], value: 100e6 },
  ],
  truncated: false,
}) as ProfileEvent;

const names = (n: FlameNode): string[] =>
  n.children.map((c) => `${c.fn}:${c.line}=${c.value / 1e6}`);

describe('the flame tree', () => {
  test('filtered to the learner’s code: their frames root-first, heaviest first, the rest apart', () => {
    const root = buildTree(block);
    expect(root.value).toBe(1000e6);
    expect(names(root)).toEqual(['main.main:21=700', 'main.main:25=200', `${OUTSIDE}:0=100`]);
    const m21 = root.children[0]!;
    expect(names(m21)).toEqual(['main.wait:15=600', 'main.helper:30=100']);
    expect(names(m21.children[1]!)).toEqual(['main.wait:15=100']);
    // The wait's own time is its self: nothing of the learner's below it.
    expect(m21.children[0]!.self).toBe(600e6);
    expect(m21.self).toBe(0);
    expect([...walk(root)].every(([n, d]) => d === 0 || n.own || n.fn === OUTSIDE)).toBe(true);
  });

  test('every frame with the toggle: the runtime under the learner’s frames and on its own', () => {
    const root = buildTree(block, true);
    expect(names(root)).toEqual([
      'main.main:21=700',
      'main.main:25=200',
      'runtime.bgsweep:300=100',
    ]);
    expect(names(root.children[1]!)).toEqual(['sync.(*WaitGroup).Wait:118=200']);
    const wait = root.children[0]!.children[0]!;
    expect(names(wait)).toEqual(['runtime.chanrecv1:489=600']);
    expect(wait.children[0]!.own).toBe(false);
    expect(depthOf(root)).toBe(6);
    expect(depthOf(buildTree(block))).toBe(4);
  });

  test('boxes: as wide as their share, children from their parent’s left edge, the tiny left out', () => {
    const boxes = layoutTree(buildTree(block), 0.15);
    const at = (fn: string, line: number) =>
      boxes.find((b) => b.node.fn === fn && b.node.line === line)!;
    expect(boxes[0]).toMatchObject({ depth: 0, x: 0, w: 1 });
    expect(at('main.main', 21)).toMatchObject({ depth: 1, x: 0, w: 0.7 });
    expect(at('main.main', 25)).toMatchObject({ depth: 1, x: 0.7 });
    expect(at('main.main', 25).w).toBeCloseTo(0.2);
    expect(at('main.wait', 15)).toMatchObject({ depth: 2, x: 0, w: 0.6 });
    // 10%: under the bound.
    expect(boxes.some((b) => b.node.fn === 'main.helper' || b.node.fn === OUTSIDE)).toBe(false);
  });

  test('the hover words: the function, its place, the value with its unit and its share', () => {
    const root = buildTree(block);
    const wait = root.children[0]!.children[0]!;
    expect(frameWords(wait, block, root.value, false)).toEqual([
      'main.wait',
      'main.go:15',
      '600 ms blocked time · 60% of the profile',
    ]);
    expect(frameWords(root.children[0]!, block, root.value, false)[2]).toBe(
      '700 ms blocked time · 70% of the profile',
    );
    const all = buildTree(block, true);
    expect(frameWords(all.children[2]!, block, all.value, false).slice(0, 2)).toEqual([
      'runtime.bgsweep',
      'the runtime (mgcsweep.go:300)',
    ]);
    expect(fitText('main.wait :15', 40)).toBe('main…');
    expect(fitText('main.wait :15', 10)).toBe('');
  });
});

describe('the moments of waiting at a frame’s line', () => {
  const events: SlowmoEvent[] = [
    { goid: 7, line: 15, file: 'main.go', reason: 'chan receive' },
    { goid: 8, line: 16, file: 'main.go', reason: 'chan receive' },
    { goid: 9, line: 15, file: '/usr/local/go/src/runtime/x/main.go', reason: 'select' },
    { goid: 8, line: 15, file: 'main.go', reason: 'chan receive' },
  ].map((w, i) =>
    parseEvent({ seq: i, t: i * 1e6, kind: 'g.waiting', m: 0, p: 0, g: w.goid, ...w }),
  );
  const source = {
    nextOfKind: (after: number) => events.findIndex((e, i) => i > after && e.kind === 'g.waiting'),
    event: (seq: number) => events[seq],
  };

  test('every g.waiting at that file and line, in order', () => {
    expect(waitsAt(source, 'main.go', 15).map((m) => [m.seq, m.goid])).toEqual([
      [0, 7],
      [3, 8],
    ]);
    expect(waitsAt(source, 'main.go', 0)).toEqual([]);
    // A profile's frame may keep the build's path (the sandbox's /src/main.go).
    expect(waitsAt(source, '/src/main.go', 15).map((m) => m.seq)).toEqual([0, 3]);
    expect(learnerName('/usr/local/go/src/runtime/chan.go')).toBe('runtime/chan.go');
    expect(learnerName('/tmp/build/main.go')).toBe('main.go');
  });

  test('the panel: a click on the learner’s frame lights its line and lists its moments', () => {
    const panel = new ProfilePanel();
    document.body.appendChild(panel.node);
    const lit: { line: number; words: string }[] = [];
    const moved: number[] = [];
    panel.linePicked.connect((_, l) => lit.push(l));
    panel.momentPicked.connect((_, seq) => moved.push(seq));
    panel.showProfiles([block], (file, line) => waitsAt(source, file, line));
    const frame = [...panel.node.querySelectorAll<SVGGElement>('.jp-slowmo-flame-frame')].find(
      (g) => g.dataset.fn === 'main.wait' && g.dataset.line === '15',
    )!;
    frame.querySelector('rect')!.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(lit).toEqual([
      {
        fn: 'main.wait',
        file: 'main.go',
        line: 15,
        words: expect.stringMatching(/^main\.go:15 · 600 ms/),
      },
    ]);
    const buttons = panel.node.querySelectorAll<HTMLButtonElement>('.jp-slowmo-flame-moment');
    expect([...buttons].map((b) => b.textContent)).toEqual([
      'g7 · chan receive · 0.000 ms',
      'g8 · chan receive · 3.000 ms',
    ]);
    buttons[1]!.click();
    expect(moved).toEqual([3]);
    // The picked frame is ringed in the drawing made again.
    expect(panel.node.querySelectorAll('.jp-slowmo-flame-frame.jp-mod-selected')).toHaveLength(1);
    panel.dispose();
  });

  test('the drawing: a box per frame wider than a pixel, labelled when the words fit', () => {
    const { svg, boxes } = drawFlame(buildTree(block), 1000, false, null, 'all · 1.00 s');
    expect(svg.querySelectorAll('rect')).toHaveLength(boxes.length);
    const texts = [...svg.querySelectorAll('text')].map((t) => t.textContent);
    expect(texts).toContain('main.wait :15');
    expect(texts[0]).toBe('all · 1.00 s');
  });
});

describe('a saved recording', () => {
  test('keeps the profiles, so a reopened notebook draws the same flame graphs', () => {
    const events = [parseEvent({ ...block, seq: 0 })];
    const rec = { source: 'package main', options: { backend: 'ebpf', mode: 'record' }, events };
    const back = unpack(JSON.parse(JSON.stringify(pack(rec))));
    expect(back.events).toEqual(events);
    expect(names(buildTree(back.events[0] as ProfileEvent))).toEqual(names(buildTree(block)));
  });
});
