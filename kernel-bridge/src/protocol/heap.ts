/**
 * The GC lens's heap model (the heap.* and gc.* events, events.ts): every object the lens
 * follows by address, with its size, allocation site, colour in the current GC cycle and the
 * edges the marking found to it. Pure and persistent like the rest of the state: an event
 * returns a new model sharing every object it did not touch.
 *
 * Colours are per cycle: an object's colour counts only in the cycle it was set in (`colorOf`),
 * so that a new cycle whitens every object without touching them all.
 */
import type { DumpMoment, EventOf, GcColor, GcLens, GcRoot, Shader } from './events';
import { IntMap } from './intmap';

/** Where an object was allocated in the learner's code. */
export interface AllocSite {
  readonly file: string;
  readonly line: number;
  readonly fn: string;
}

/** Where a pointer to an object was found: the object holding it, or a root. */
export interface HeapEdge {
  /** The object holding the pointer, 0 for a root. */
  readonly from: number;
  readonly root: GcRoot | null;
  /** With root "stack": whose stack; else 0. */
  readonly rootG: number;
}

/** Edges kept per object: a teaching heap's objects have a few referrers. */
export const EDGES_MAX = 16;

export interface HeapObject {
  readonly addr: number;
  readonly size: number;
  readonly noscan: boolean;
  readonly site: AllocSite | null;
  /** The seq of its heap.alloc. */
  readonly seq: number;
  /** Its colour in cycle `cycle` (see colorOf), and what gave it. */
  readonly color: GcColor;
  readonly by: Shader | null;
  readonly cycle: number;
  /** With Green Tea: the span it was scanned black with, in `cycle`; else 0. */
  readonly span: number;
  /** Where pointers to it were found, first found first, at most EDGES_MAX. */
  readonly edges: readonly HeapEdge[];
  /** The seq of its heap.free; null while it lives. */
  readonly freed: number | null;
}

/** The last heap dump (a lens reconstructed from dumps): which and when. */
export interface HeapDumpInfo {
  readonly n: number;
  readonly moment: DumpMoment;
  readonly cycle: number;
  readonly line: number | null;
  readonly seq: number;
}

/** The heap's size as the tracer last sampled it (heap.size). */
export interface HeapSize {
  readonly live: number;
  readonly goal: number;
  readonly seq: number;
}

export interface HeapModel {
  /** The GC lens's settings (run.start.gcLens). */
  readonly lens: GcLens | null;
  /** GC cycles begun (mark phases seen): an object's colour counts in the cycle it was set in. */
  readonly cycle: number;
  /** Every object seen, by address; one freed stays (freed set) until its address is reused. */
  readonly objects: AddrMap<HeapObject>;
  readonly live: number;
  readonly liveBytes: number;
  readonly freed: number;
  /** The seq of heap.limit: past it the model is no longer complete; null before. */
  readonly limited: number | null;
  /** The last heap.dump, on a lens reconstructed from dumps; null before any. */
  readonly dump: HeapDumpInfo | null;
  /** The last heap.size; null before any (the eBPF lens has none). */
  readonly size: HeapSize | null;
}

/** Whether the lens's heap is reconstructed from heap dumps: it saw no marking. */
export function fromDumps(heap: HeapModel): boolean {
  return heap.lens?.source === 'dumps';
}

/**
 * A persistent map from heap addresses (up to 2^53) to values: IntMaps keyed by the address's
 * high bits, holding IntMaps keyed by its low 27 bits.
 */
export class AddrMap<V> {
  private static readonly LOW = 2 ** 27;
  private static readonly EMPTY = new AddrMap<never>(IntMap.empty(), 0);

  private constructor(
    private readonly hi: IntMap<IntMap<V>>,
    readonly size: number,
  ) {}

  static empty<V>(): AddrMap<V> {
    return AddrMap.EMPTY as AddrMap<V>;
  }

  get(addr: number): V | undefined {
    return this.hi.get(Math.floor(addr / AddrMap.LOW))?.get(addr % AddrMap.LOW);
  }

  set(addr: number, value: V): AddrMap<V> {
    const h = Math.floor(addr / AddrMap.LOW);
    const lows = this.hi.get(h) ?? IntMap.empty<V>();
    const next = lows.set(addr % AddrMap.LOW, value);
    if (next === lows) return this;
    return new AddrMap(this.hi.set(h, next), this.size + next.size - lows.size);
  }

  /** Every value, in ascending address order. */
  values(): V[] {
    const out: V[] = [];
    this.hi.forEach((lows) => lows.forEach((v) => out.push(v)));
    return out;
  }
}

export function emptyHeap(lens: GcLens | null): HeapModel {
  return {
    lens,
    cycle: 0,
    objects: AddrMap.empty(),
    live: 0,
    liveBytes: 0,
    freed: 0,
    limited: null,
    dump: null,
    size: null,
  };
}

/** The object's colour now: white unless it was shaded in the heap's current cycle. */
export function colorOf(heap: HeapModel, o: HeapObject): GcColor {
  return o.cycle === heap.cycle ? o.color : 'white';
}

/** The live object at addr, if the lens follows one there. */
export function liveObject(heap: HeapModel, addr: number): HeapObject | undefined {
  const o = heap.objects.get(addr);
  return o && o.freed === null ? o : undefined;
}

/** A new GC cycle's marking begins: every object is white again. */
export function newCycle(heap: HeapModel): HeapModel {
  return { ...heap, cycle: heap.cycle + 1 };
}

export function heapAlloc(heap: HeapModel, e: EventOf<'heap.alloc'>): HeapModel {
  const old = liveObject(heap, e.addr);
  const site =
    e.file !== undefined && e.line !== undefined
      ? { file: e.file, line: e.line, fn: e.fn ?? '' }
      : null;
  const o: HeapObject = {
    addr: e.addr,
    size: e.size,
    noscan: e.noscan,
    site,
    seq: e.seq,
    color: 'white',
    by: null,
    cycle: heap.cycle,
    span: 0,
    edges: [],
    freed: null,
  };
  return {
    ...heap,
    objects: heap.objects.set(e.addr, o),
    live: heap.live + (old ? 0 : 1),
    liveBytes: heap.liveBytes + e.size - (old?.size ?? 0),
  };
}

function edgeOf(e: { from?: number; root?: GcRoot; rootG?: number }): HeapEdge | null {
  if (e.from === undefined && e.root === undefined) return null;
  return { from: e.from ?? 0, root: e.root ?? null, rootG: e.rootG ?? 0 };
}

function withEdge(edges: readonly HeapEdge[], edge: HeapEdge | null): readonly HeapEdge[] {
  if (!edge || edges.length >= EDGES_MAX) return edges;
  const same = (x: HeapEdge) =>
    x.from === edge.from && x.root === edge.root && x.rootG === edge.rootG;
  return edges.some(same) ? edges : [...edges, edge];
}

export function gcColor(heap: HeapModel, e: EventOf<'gc.color'>): HeapModel {
  const o = liveObject(heap, e.addr);
  if (!o) return heap;
  const next: HeapObject = {
    ...o,
    color: e.color,
    by: e.by,
    cycle: heap.cycle,
    span: e.span ?? (o.cycle === heap.cycle ? o.span : 0),
    edges: withEdge(o.edges, edgeOf(e)),
  };
  return { ...heap, objects: heap.objects.set(e.addr, next) };
}

export function heapEdge(heap: HeapModel, e: EventOf<'heap.edge'>): HeapModel {
  const o = liveObject(heap, e.to);
  if (!o) return heap;
  const edges = withEdge(o.edges, edgeOf(e));
  if (edges === o.edges) return heap;
  return { ...heap, objects: heap.objects.set(e.to, { ...o, edges }) };
}

export function heapFree(heap: HeapModel, e: EventOf<'heap.free'>): HeapModel {
  const o = liveObject(heap, e.addr);
  if (!o) return heap;
  return {
    ...heap,
    objects: heap.objects.set(e.addr, { ...o, freed: e.seq }),
    live: heap.live - 1,
    liveBytes: heap.liveBytes - o.size,
    freed: heap.freed + 1,
  };
}

export function heapLimit(heap: HeapModel, e: EventOf<'heap.limit'>): HeapModel {
  return heap.limited === null ? { ...heap, limited: e.seq } : heap;
}

export function heapDump(heap: HeapModel, e: EventOf<'heap.dump'>): HeapModel {
  const dump = { n: e.n, moment: e.moment, cycle: e.cycle, line: e.line ?? null, seq: e.seq };
  return { ...heap, dump };
}

export function heapSize(heap: HeapModel, e: EventOf<'heap.size'>): HeapModel {
  return { ...heap, size: { live: e.live, goal: e.goal, seq: e.seq } };
}
