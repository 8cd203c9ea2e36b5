/**
 * The GC lens on a run reconstructed from heap dumps (the trace backend): the frame says it is
 * reconstructed and which dump it shows, the notes say the marking is not seen, and the heap
 * plot draws the tracer's bytes live and goal with a tick per dump.
 */
import { parseEvent, Timeline, type SlowmoEvent } from '@go-slowmo/kernel-bridge/protocol';
import { lensFrame, noteWords } from '../../src/gc/frame';
import { HeapGraph } from '../../src/gc/graph';
import { heapPlot, sizePoints } from '../../src/gc/plot';
import { LIGHT } from '../../src/picture/palette';
import { runBeginning } from '../support/sample';

const A = 0x1000;
const at = { m: 0, p: 0, g: 0 };
const alloc = (addr: number, line: number, dump: number) => ({
  kind: 'heap.alloc',
  ...at,
  addr,
  size: 16,
  noscan: false,
  file: 'main.go',
  line,
  fn: 'main.main',
  dump,
});
const dump = (n: number, moment: string, cycle: number, objects: number) => ({
  kind: 'heap.dump',
  ...at,
  n,
  moment,
  cycle,
  objects,
  bytes: objects * 16,
  ...(moment.endsWith('-gc') ? { file: 'main.go', line: 30 } : {}),
});

function timeline(): Timeline {
  const [start, ...rest] = runBeginning('go1.25.5') as Record<string, unknown>[];
  const raw: object[] = [
    { ...start, backend: 'trace', gcLens: { perSpan: false, maxObjects: 20000, source: 'dumps' } },
    ...rest,
    { kind: 'heap.size', ...at, live: 100_000, goal: 4_000_000 },
    dump(1, 'before-gc', 0, 3),
    alloc(A, 12, 1),
    alloc(A + 16, 12, 1),
    alloc(A + 32, 20, 1),
    { kind: 'heap.edge', ...at, to: A + 16, root: 'globals', dump: 1 },
    { kind: 'heap.edge', ...at, to: A, from: A + 16, dump: 1 },
    { kind: 'gc', ...at, phase: 'mark' },
    { kind: 'heap.size', ...at, live: 150_000, goal: 4_000_000 },
    { kind: 'gc', ...at, phase: 'marktermination' },
    { kind: 'gc', ...at, phase: 'off' },
    dump(2, 'after-gc', 1, 2),
    { kind: 'heap.free', ...at, addr: A + 32, size: 16, dump: 2 },
  ];
  const t = new Timeline();
  raw.forEach((e, seq) => t.append(parseEvent({ seq, t: seq * 1000, ...e }) as SlowmoEvent));
  return t;
}

describe('the GC lens reconstructed from heap dumps', () => {
  test('the frame says which dump it shows, reconstructed, with no colour of the marking', () => {
    const t = timeline();
    const g = new HeapGraph();
    g.sync(t);
    expect(g.fromDumps).toBe(true);
    expect(g.dumps.map((d) => d.n)).toEqual([1, 2]);
    const last = t.length - 1;
    const frame = lensFrame(g, t.stateAt(last), t.event(last));
    expect(frame.reconstructed).toBe(true);
    expect(frame.words).toBe(
      'heap dump 2, as runtime.GC() returned, the cycle marked and swept (line 30), after GC cycle 1: 2 objects; 1 gone since the first dump',
    );
    expect(frame.counts.grey + frame.counts.black).toBe(0);
    const dropped = [...g.objects.values()].find((o) => o.addr === A + 32)!;
    expect(frame.looks.get(g.nodeOf(dropped))?.gone).toBe(true);
    const early = lensFrame(g, t.stateAt(3), t.event(3));
    expect(early.words).toMatch(/^No heap dump yet/);
  });

  test('the notes say the marking is not seen and when the dumps were taken', () => {
    const t = timeline();
    const g = new HeapGraph();
    g.sync(t);
    const lens = t.stateAt(t.length - 1).heap!.lens;
    const notes = noteWords(g, lens);
    expect(notes).toMatch(/^Reconstructed from heap dumps: the marking itself is not seen/);
    expect(notes).toMatch(/before and after each runtime\.GC\(\) call/);
    expect(notes).not.toMatch(/Green Tea/);
  });

  test('the heap plot draws bytes live and the goal from heap.size, and a tick per dump', () => {
    const t = timeline();
    const g = new HeapGraph();
    g.sync(t);
    const end = t.event(t.length - 1)!.t;
    const { live, goal } = sizePoints(g, end);
    expect(live.split(' ').length).toBe(4); // two samples as a step, then on to the end
    expect(goal).not.toBe('');
    const svg = heapPlot(g, end, 5000, LIGHT, true);
    expect(svg.querySelector('.jp-slowmo-gc-plot-bytes')).not.toBeNull();
    expect(svg.querySelector('.jp-slowmo-gc-plot-goal')).not.toBeNull();
    expect(svg.querySelector('.jp-slowmo-gc-plot-live')).toBeNull();
    expect(svg.querySelectorAll('.jp-slowmo-gc-plot-dump').length).toBe(2);
    expect(svg.querySelector('title')?.textContent).toMatch(/bytes live .* goal .* 2 heap dumps/);
  });
});
