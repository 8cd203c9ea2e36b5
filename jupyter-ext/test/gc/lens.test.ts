/**
 * The GC lens's graph and frames on a hand-made run: three list nodes kept from a global, one
 * dropped, a mark phase (a root shade, pointers followed, a barrier shade, an allocation born
 * black), the sweep; then a heap past the grouping bound.
 */
import { parseEvent, Timeline, type SlowmoEvent } from '@go-slowmo/kernel-bridge/protocol';
import { lensFrame, lensWords, markerOf, noteWords } from '../../src/gc/frame';
import { GROUP_ABOVE, HeapGraph, RUNTIME_NODE } from '../../src/gc/graph';
import { heapPlot, livePoints, moveCursor, PLOT } from '../../src/gc/plot';
import { objectStory } from '../../src/gc/story';
import { LIGHT } from '../../src/picture/palette';
import { runBeginning } from '../support/sample';

const A = 0x1000;
const alloc = (addr: number, line: number | null) => ({
  kind: 'heap.alloc',
  m: 0,
  p: 0,
  g: 1,
  addr,
  size: 16,
  noscan: false,
  ...(line === null ? {} : { file: 'main.go', line, fn: 'main.main' }),
});
const color = (addr: number, c: string, by: string, edge: object, g = 6) => ({
  kind: 'gc.color',
  m: 1,
  p: 1,
  g,
  addr,
  color: c,
  by,
  ...edge,
});

function timeline(perSpan = false): Timeline {
  const [start, ...rest] = runBeginning('go1.25.5') as Record<string, unknown>[];
  const raw: object[] = [
    { ...start, gcLens: { perSpan, maxObjects: 20000 } },
    ...rest,
    {
      kind: 'g.create',
      m: 0,
      p: 0,
      g: 1,
      goid: 6,
      parent: 1,
      fn: 'runtime.gcBgMarkWorker',
      file: 'mgc.go',
      line: 1,
    },
    alloc(A - 0x100, null), // 5: the runtime's
    alloc(A, 12), // 6: L12#1 (the list's tail)
    alloc(A + 16, 12), // 7: L12#2
    alloc(A + 32, 12), // 8: L12#3 (its head, in the global)
    alloc(A + 48, 20), // 9: L20#1, dropped
    { kind: 'gc', m: 0, p: 0, g: 1, phase: 'mark' }, // 10
    color(A + 32, 'grey', 'mark', { root: 'globals' }), // 11
    color(A + 32, 'black', 'mark', {}), // 12
    color(A + 16, 'grey', 'mark', { from: A + 32 }), // 13
    color(A, 'grey', 'barrier', {}, 1), // 14: main moved a pointer
    alloc(A + 64, 14), // 15: L14#1
    color(A + 64, 'black', 'alloc', {}, 1), // 16
    color(A + 16, 'black', 'mark', {}), // 17
    color(A, 'black', 'mark', { from: A + 16 }), // 18
    { kind: 'gc', m: 0, p: 0, g: 1, phase: 'marktermination' }, // 19
    { kind: 'gc', m: 0, p: 0, g: 1, phase: 'off' }, // 20
    { kind: 'heap.free', m: 0, p: 0, g: 1, addr: A + 48, size: 16 }, // 21
  ];
  const t = new Timeline();
  raw.forEach((e, seq) => t.append(parseEvent({ seq, t: seq * 1000, ...e }) as SlowmoEvent));
  return t;
}

function frameAt(t: Timeline, seq: number) {
  const g = new HeapGraph();
  g.sync(t);
  return { graph: g, frame: lensFrame(g, t.stateAt(seq), t.event(seq)) };
}

function colors(t: Timeline, seq: number): Record<string, string> {
  const { graph, frame } = frameAt(t, seq);
  const out: Record<string, string> = {};
  for (const o of graph.objects.values()) {
    if (o.site === null) continue;
    const look = frame.looks.get(graph.nodeOf(o))!;
    out[o.name] = look.gone ? 'gone' : look.color;
  }
  return out;
}

describe('the GC lens', () => {
  test('names the learner’s objects by line and order, the runtime’s in one node', () => {
    const g = new HeapGraph();
    g.sync(timeline());
    const names = [...g.objects.values()].map((o) => (o.site ? o.name : g.nodeOf(o)));
    expect(names).toEqual([RUNTIME_NODE, 'L12#1', 'L12#2', 'L12#3', 'L20#1', 'L14#1']);
    expect(g.grouped).toBe(false);
  });

  test('roots on the left, reached objects by distance, the never reached apart on the right', () => {
    const g = new HeapGraph();
    g.sync(timeline());
    const at = new Map(g.nodes().map((n) => [n.id, n]));
    const byName = (name: string) => {
      const o = [...g.objects.values()].find((x) => x.name === name)!;
      return at.get(g.nodeOf(o))!;
    };
    const globals = at.get('root:globals')!;
    expect(globals.kind).toBe('root');
    for (const name of ['L12#1', 'L12#2', 'L12#3', 'L20#1'])
      expect(byName(name).x).toBeGreaterThan(globals.x);
    // The head first (nearest the global), then the nodes it leads to; the dropped one last.
    const order = ['L12#3', 'L12#2', 'L12#1', 'L20#1'].map((n) => {
      const p = byName(n);
      return p.x * 1000 + p.y;
    });
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(byName('L20#1').x).toBeGreaterThan(byName('L12#1').x);
  });

  test('colours at three moments: before marking, mid-mark, after the sweep', () => {
    const t = timeline();
    expect(colors(t, 9)).toEqual({
      'L12#1': 'white',
      'L12#2': 'white',
      'L12#3': 'white',
      'L20#1': 'white',
      'L14#1': 'gone',
    });
    expect(colors(t, 14)).toEqual({
      'L12#1': 'grey',
      'L12#2': 'grey',
      'L12#3': 'black',
      'L20#1': 'white',
      'L14#1': 'gone',
    });
    expect(colors(t, 21)).toEqual({
      'L12#1': 'black',
      'L12#2': 'black',
      'L12#3': 'black',
      'L20#1': 'gone',
      'L14#1': 'black',
    });
  });

  test('marks barrier shades, births during marking and the event’s object; edges as found', () => {
    const t = timeline();
    const { graph, frame } = frameAt(t, 16);
    const look = (name: string) =>
      frame.looks.get(graph.nodeOf([...graph.objects.values()].find((o) => o.name === name)!))!;
    expect(look('L12#1').barrier).toBe(true);
    expect(look('L14#1').born).toBe(true);
    expect(look('L14#1').current).toBe(true);
    expect(look('L12#3').current).toBe(false);
    // The pointer from L12#2 to L12#1 is found at 18, not before.
    expect(frame.edges.size).toBe(2);
    expect(frameAt(t, 18).frame.edges.size).toBe(3);
    expect(frame.marker).toBe(1);
  });

  test('says the cycle, the phase, the colours and who marks', () => {
    const t = timeline();
    const { frame } = frameAt(t, 13);
    expect(markerOf(t.event(13))).toBe(6);
    expect(frame.words).toBe('cycle 1, mark: 1 black, 1 grey, 3 white; g6 (GC worker) is marking');
    const before = t.stateAt(9);
    expect(lensWords(before.heap, before, frame.counts, 0)).toMatch(/^before the first GC: /);
    const end = frameAt(t, 21).frame.words;
    expect(end).toMatch(/^cycle 1, marking over: .*1 freed so far$/);
  });

  test('Green Tea: a shade that names no holder is drawn from the object its goroutine scanned last, dashed', () => {
    const t = timeline(true);
    const g = new HeapGraph();
    g.sync(t);
    const edges = [...g.edges.values()].map((e) => ({
      from: g.objectOf(e.source)?.name ?? e.source,
      to: g.objectOf(e.target)?.name,
      inferred: e.inferred,
    }));
    // The barrier's shade (by g1) is no pointer found by scanning: no edge for it.
    expect(edges).toEqual([
      { from: 'root:globals', to: 'L12#3', inferred: false },
      { from: 'L12#3', to: 'L12#2', inferred: false },
      { from: 'L12#2', to: 'L12#1', inferred: false },
    ]);
    const t2 = new Timeline();
    const raw = t.slice().map((e) => ({ ...e }) as Record<string, unknown>);
    // As Green Tea says it: the span scan's shade of L12#2 without its holder.
    delete raw[13]!.from;
    raw.forEach((e) => t2.append(parseEvent(e) as SlowmoEvent));
    const g2 = new HeapGraph();
    g2.sync(t2);
    const inferred = [...g2.edges.values()].filter((e) => e.inferred);
    expect(inferred.map((e) => [g2.objectOf(e.source)?.name, g2.objectOf(e.target)?.name])).toEqual(
      [['L12#3', 'L12#2']],
    );
  });

  test('an object’s story, up to the event shown', () => {
    const g = new HeapGraph();
    g.sync(timeline());
    const dropped = [...g.objects.values()].find((o) => o.name === 'L20#1')!;
    const kept = [...g.objects.values()].find((o) => o.name === 'L12#1')!;
    expect(objectStory(kept, 16)).toBe(
      'L12#1: 16 bytes, allocated at event 7; cycle 1: grey at event 15',
    );
    expect(objectStory(kept, 21)).toBe(
      'L12#1: 16 bytes, allocated at event 7; cycle 1: grey at event 15; black at event 19',
    );
    expect(objectStory(dropped, 21)).toBe(
      'L20#1: 16 bytes, allocated at event 10; freed at event 22',
    );
  });

  test('the heap plot: live objects after each allocation and free, the cycle’s marking as a band', () => {
    const t = timeline();
    const g = new HeapGraph();
    g.sync(t);
    // Five allocations, the marking's one, then the dropped node freed.
    expect(g.live.map((p) => p.n)).toEqual([1, 2, 3, 4, 5, 6, 5]);
    expect(g.cycles).toEqual([{ mark: 10, end: 19, t: 10_000, endT: 19_000 }]);
    const end = t.state.t;
    const svg = heapPlot(g, end, 14_000, LIGHT);
    const band = svg.querySelector('rect')!;
    expect(Number(band.getAttribute('x'))).toBeCloseTo(
      PLOT.pad + (10 / 21) * (PLOT.w - 2 * PLOT.pad),
    );
    const points = livePoints(g, end).split(' ');
    // A step line: two points per change, one to the end; the top is the most live (6).
    expect(points).toHaveLength(2 * 7 + 1);
    expect(Math.min(...points.map((p) => Number(p.split(',')[1])))).toBeCloseTo(PLOT.pad);
    moveCursor(svg, end, 21_000);
    expect(Number(svg.querySelector('.jp-slowmo-gc-plot-cursor')!.getAttribute('x1'))).toBeCloseTo(
      PLOT.w - PLOT.pad,
    );
  });

  test('above the bound, one node per allocation site with its colours counted', () => {
    const [start, ...rest] = runBeginning('go1.26.8') as Record<string, unknown>[];
    const raw: object[] = [{ ...start, gcLens: { perSpan: true, maxObjects: 20000 } }, ...rest];
    for (let i = 0; i <= GROUP_ABOVE; i++) raw.push(alloc(A + i * 16, i % 2 ? 30 : 31));
    raw.push({ kind: 'gc', m: 0, p: 0, g: 1, phase: 'mark' });
    raw.push(color(A + 16, 'grey', 'mark', { root: 'globals' }));
    const t = new Timeline();
    raw.forEach((e, seq) => t.append(parseEvent({ seq, t: seq * 1000, ...e }) as SlowmoEvent));
    const { graph, frame } = frameAt(t, t.length - 1);
    expect(graph.grouped).toBe(true);
    const nodes = graph.nodes().filter((n) => n.kind === 'group');
    expect(nodes.map((n) => n.label).sort()).toEqual(['line 30', 'line 31']);
    const l30 = frame.looks.get('site:main.go:30')!;
    expect(l30.counts).toEqual({ white: 149, grey: 1, black: 0 });
    expect(l30.label).toBe('line 30 ×150\n0● 1◐ 149○');
    expect(noteWords(graph, { perSpan: true, maxObjects: 20000 })).toMatch(
      /one circle per line.*Green Tea.*per span/,
    );
  });
});
