import {
  AddrMap,
  apply,
  colorOf,
  EDGES_MAX,
  initialState,
  liveObject,
  replay,
  type HeapModel,
  type SchedState,
} from '../src/protocol';
import { deepFreeze, script, type Script } from './support/events';

const final = (s: Script): SchedState => replay(s.events, initialState());
const heapOf = (s: Script): HeapModel => {
  const heap = final(s).heap;
  if (!heap) throw new Error('no heap model');
  return heap;
};

const A = 0xc000010000;
const B = 0xc000010010;
const C = 0xc000010020;

/** A run with the GC lens on and three objects: A holds a pointer, B and C none. */
function lensRun(perSpan = false): Script {
  return script()
    .add('run.start', {
      goVersion: 'go1.26.8',
      gomaxprocs: 2,
      backend: 'ebpf',
      fidelity: { runq: true, runnext: true, steals: true, lines: false },
      gcLens: { perSpan, maxObjects: 20000 },
    })
    .add('heap.alloc', {
      addr: A,
      size: 16,
      noscan: false,
      file: 'main.go',
      line: 9,
      fn: 'main.main',
    })
    .add('heap.alloc', { addr: B, size: 8, noscan: true })
    .add('heap.alloc', {
      addr: C,
      size: 8,
      noscan: true,
      file: 'main.go',
      line: 10,
      fn: 'main.main',
    });
}

describe('the heap model', () => {
  test('a run without heap events has none', () => {
    expect(final(script().start(2).add('gc', { phase: 'mark' })).heap).toBeNull();
  });

  test('run.start with gcLens starts it; allocations are followed by address, with their site', () => {
    const heap = heapOf(lensRun());
    expect(heap.lens).toEqual({ perSpan: false, maxObjects: 20000 });
    expect(heap.live).toBe(3);
    expect(heap.liveBytes).toBe(32);
    expect(liveObject(heap, A)).toMatchObject({
      size: 16,
      noscan: false,
      site: { file: 'main.go', line: 9, fn: 'main.main' },
      seq: 1,
      freed: null,
    });
    expect(liveObject(heap, B)?.site).toBeNull();
    expect(heap.objects.values().map((o) => o.addr)).toEqual([A, B, C]);
  });

  test('colours change within a cycle and are white again in the next', () => {
    const s = lensRun()
      .add('gc', { phase: 'mark' })
      .add('gc.color', { addr: A, color: 'grey', by: 'mark', root: 'globals' })
      .add('gc.color', { addr: A, color: 'black', by: 'mark' })
      .add('gc.color', { addr: B, color: 'black', by: 'mark', from: A });
    let heap = heapOf(s);
    const color = (a: number) => colorOf(heap, liveObject(heap, a)!);
    expect(heap.cycle).toBe(1);
    expect([color(A), color(B), color(C)]).toEqual(['black', 'black', 'white']);
    expect(liveObject(heap, A)?.edges).toEqual([{ from: 0, root: 'globals', rootG: 0 }]);
    expect(liveObject(heap, B)?.edges).toEqual([{ from: A, root: null, rootG: 0 }]);
    s.add('gc', { phase: 'marktermination' }).add('gc', { phase: 'off' });
    heap = heapOf(s);
    expect(color(A)).toBe('black');
    s.add('gc', { phase: 'sweepterm' }).add('gc', { phase: 'mark' });
    heap = heapOf(s);
    expect([color(A), color(B)]).toEqual(['white', 'white']);
    expect(liveObject(heap, A)?.edges).toHaveLength(1);
  });

  test('a barrier shade and a birth black say what made them', () => {
    const s = lensRun()
      .add('gc', { phase: 'mark' })
      .add('gc.color', { addr: C, color: 'black', by: 'barrier' })
      .add('heap.alloc', { addr: 0xc000020000, size: 32, noscan: false })
      .add('gc.color', { addr: 0xc000020000, color: 'black', by: 'alloc' });
    const heap = heapOf(s);
    expect(liveObject(heap, C)).toMatchObject({ color: 'black', by: 'barrier', cycle: 1 });
    expect(liveObject(heap, 0xc000020000)).toMatchObject({ color: 'black', by: 'alloc' });
  });

  test("Green Tea's span scans keep the span on the objects scanned with it", () => {
    const s = lensRun(true)
      .add('gc', { phase: 'mark' })
      .add('gc.color', { addr: A, color: 'grey', by: 'mark', root: 'stack', rootG: 1 })
      .add('gc.span', { base: 0xc000010000, size: 16, objects: [A] })
      .add('gc.color', { addr: A, color: 'black', by: 'mark', span: 0xc000010000 });
    const heap = heapOf(s);
    expect(liveObject(heap, A)).toMatchObject({ color: 'black', span: 0xc000010000 });
    expect(liveObject(heap, A)?.edges).toEqual([{ from: 0, root: 'stack', rootG: 1 }]);
  });

  test('heap.edge adds an edge once, up to EDGES_MAX', () => {
    const s = lensRun().add('gc', { phase: 'mark' });
    s.add('heap.edge', { to: B, from: A }).add('heap.edge', { to: B, from: A });
    expect(liveObject(heapOf(s), B)?.edges).toHaveLength(1);
    for (let i = 0; i < EDGES_MAX + 5; i++)
      s.add('heap.edge', { to: B, from: 0xc000100000 + 16 * i });
    expect(liveObject(heapOf(s), B)?.edges).toHaveLength(EDGES_MAX);
  });

  test('a freed object leaves the live heap; its address reused is a new object', () => {
    const s = lensRun().add('heap.free', { addr: B, size: 8 });
    let heap = heapOf(s);
    expect(liveObject(heap, B)).toBeUndefined();
    expect(heap.objects.get(B)?.freed).toBe(4);
    expect([heap.live, heap.liveBytes, heap.freed]).toEqual([2, 24, 1]);
    s.add('heap.alloc', { addr: B, size: 8, noscan: false });
    heap = heapOf(s);
    expect(liveObject(heap, B)).toMatchObject({ seq: 5, noscan: false, freed: null });
    expect(heap.live).toBe(3);
    // Events about an object the model does not hold change nothing.
    const before = heapOf(s);
    s.add('gc.color', { addr: 0xc0000f0000, color: 'grey', by: 'mark' });
    s.add('heap.free', { addr: 0xc0000f0000, size: 8 });
    expect(heapOf(s)).toEqual(before);
  });

  test('heap.limit is kept, at its first', () => {
    const s = lensRun().add('heap.limit', { objects: 3 }).add('heap.limit', { objects: 3 });
    expect(heapOf(s).limited).toBe(4);
  });

  test('apply is pure: the state before a heap event is left as it was', () => {
    const s = lensRun().add('gc', { phase: 'mark' });
    const before = deepFreeze(final(s));
    const after = apply(before, {
      seq: 5,
      t: 500,
      m: 0,
      p: 0,
      g: 0,
      kind: 'gc.color',
      addr: A,
      color: 'grey',
      by: 'mark',
    });
    expect(colorOf(before.heap!, liveObject(before.heap!, A)!)).toBe('white');
    expect(colorOf(after.heap!, liveObject(after.heap!, A)!)).toBe('grey');
  });
});

describe('AddrMap', () => {
  test('holds addresses up to 2^53, in order', () => {
    const addrs = [2 ** 53 - 1, 0xc000000000, 0xc000000008, 2 ** 27, 2 ** 27 - 1, 1];
    let m = AddrMap.empty<number>();
    for (const a of addrs) m = m.set(a, a);
    expect(m.size).toBe(addrs.length);
    for (const a of addrs) expect(m.get(a)).toBe(a);
    expect(m.get(0xc000000010)).toBeUndefined();
    expect(m.values()).toEqual([...addrs].sort((x, y) => x - y));
    const same = m.set(1, 1);
    expect(same).toBe(m);
    expect(m.set(1, 2).size).toBe(addrs.length);
  });
});
