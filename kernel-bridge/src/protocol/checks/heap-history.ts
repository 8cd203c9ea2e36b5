/**
 * One pass over a GC lens recording (events.ts's heap.* and gc.* kinds) that keeps what the heap
 * checks (heap.ts) ask about: every object with where it was allocated, the cycles it was shaded
 * in and by what, when it was freed, the edges the marking found, and where each mark phase
 * began and ended. Plain maps, not the reducer's persistent heap model: the checks look back at
 * every mark phase, which the model (one state at a time) would make a replay per question.
 */
import type { GcRoot, Shader, SlowmoEvent } from '../events';

/** An object the lens followed: one heap.alloc (an address allocated again is a new object). */
export interface TrackedObject {
  readonly addr: number;
  readonly size: number;
  readonly file?: string;
  readonly line?: number;
  readonly fn?: string;
  readonly allocSeq: number;
  /** The first shade of each cycle it was shaded in (cycle numbers count mark phases from 1). */
  readonly shades: Map<number, { by: Shader; seq: number; g: number }>;
  freed: { seq: number; cycle: number } | null;
}

/** A pointer the marking found: from an object, or a root. */
export interface FoundEdge {
  readonly from: TrackedObject | null;
  readonly root: GcRoot | null;
  readonly to: TrackedObject;
  readonly seq: number;
}

export interface MarkPhase {
  readonly cycle: number;
  readonly startSeq: number;
  /** The seq of its `gc` `marktermination` event; null while it had not ended. */
  endSeq: number | null;
}

export interface HeapHistory {
  /** The run asked for the lens (run.start.gcLens) or the stream holds heap events. */
  readonly lens: boolean;
  readonly objects: readonly TrackedObject[];
  readonly edges: readonly FoundEdge[];
  readonly marks: readonly MarkPhase[];
  /** heap.limit: past it the lens followed no more (no colour, no free); null when it followed all. */
  readonly limit: { objects: number; seq: number } | null;
}

interface Walk {
  lens: boolean;
  objects: TrackedObject[];
  live: Map<number, TrackedObject>;
  edges: FoundEdge[];
  marks: MarkPhase[];
  limit: { objects: number; seq: number } | null;
}

const cycleOf = (w: Walk) => w.marks.length;

function step(w: Walk, e: SlowmoEvent): void {
  switch (e.kind) {
    case 'run.start':
      if (e.gcLens) w.lens = true;
      return;
    case 'gc': {
      if (e.phase === 'mark')
        w.marks.push({ cycle: cycleOf(w) + 1, startSeq: e.seq, endSeq: null });
      const open = w.marks.at(-1);
      if (e.phase === 'marktermination' && open && open.endSeq === null) open.endSeq = e.seq;
      return;
    }
    case 'heap.alloc': {
      const { addr, size, file, line, fn } = e;
      const o: TrackedObject = {
        addr,
        size,
        file,
        line,
        fn,
        allocSeq: e.seq,
        shades: new Map(),
        freed: null,
      };
      w.lens = true;
      w.objects.push(o);
      w.live.set(addr, o);
      return;
    }
    case 'gc.color': {
      const o = w.live.get(e.addr);
      if (!o) return;
      if (!o.shades.has(cycleOf(w))) o.shades.set(cycleOf(w), { by: e.by, seq: e.seq, g: e.g });
      addEdge(w, e, o);
      return;
    }
    case 'heap.edge': {
      const o = w.live.get(e.to);
      if (o) addEdge(w, e, o);
      return;
    }
    case 'heap.free': {
      const o = w.live.get(e.addr);
      if (o) o.freed = { seq: e.seq, cycle: cycleOf(w) };
      w.live.delete(e.addr);
      return;
    }
    case 'heap.limit':
      w.limit ??= { objects: e.objects, seq: e.seq };
      return;
  }
}

function addEdge(
  w: Walk,
  e: { from?: number; root?: GcRoot; seq: number },
  to: TrackedObject,
): void {
  const from = e.from === undefined ? null : (w.live.get(e.from) ?? null);
  if (from === null && e.root === undefined) return;
  w.edges.push({ from, root: e.root ?? null, to, seq: e.seq });
}

export function heapHistory(events: readonly SlowmoEvent[]): HeapHistory {
  const w: Walk = { lens: false, objects: [], live: new Map(), edges: [], marks: [], limit: null };
  for (const e of events) step(w, e);
  return w;
}

/** Whether an object was live at a seq: allocated before it and not yet freed. */
export function liveAt(o: TrackedObject, seq: number): boolean {
  return o.allocSeq < seq && (o.freed === null || o.freed.seq > seq);
}

/**
 * The objects the marking reached from a package variable, directly or through objects reached
 * so, by the edges found before `seq` (in that cycle or an earlier one).
 */
export function reachedFromGlobals(h: HeapHistory, seq: number): Set<TrackedObject> {
  const out = new Map<TrackedObject, TrackedObject[]>();
  const reached = new Set<TrackedObject>();
  const todo: TrackedObject[] = [];
  for (const edge of h.edges) {
    if (edge.seq >= seq) break;
    if (edge.root === 'globals' && !reached.has(edge.to)) {
      reached.add(edge.to);
      todo.push(edge.to);
    } else if (edge.from) {
      const list = out.get(edge.from) ?? [];
      list.push(edge.to);
      out.set(edge.from, list);
    }
  }
  for (let o = todo.pop(); o !== undefined; o = todo.pop()) {
    for (const next of out.get(o) ?? []) {
      if (!reached.has(next)) {
        reached.add(next);
        todo.push(next);
      }
    }
  }
  return reached;
}
