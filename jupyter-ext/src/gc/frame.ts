/**
 * The GC lens at one event: each node's look (its colour in the reducer's heap model at that
 * seq, how it got it, whether it still lives), the edges found by then, and the line of words
 * under the graph. Pure: the drawing (panel.ts) applies only what differs from the last frame.
 */
import {
  colorOf,
  fromDumps,
  type DumpMoment,
  type GcColor,
  type GcLens,
  type HeapModel,
  type SchedState,
  type SlowmoEvent,
} from '@go-slowmo/kernel-bridge/protocol';
import { GROUP_ABOVE, RUNTIME_NODE, type HeapGraph } from './graph';

export interface Counts {
  white: number;
  grey: number;
  black: number;
}

export interface NodeLook {
  /** Gone: not allocated yet, or freed. */
  readonly gone: boolean;
  readonly color: GcColor;
  /** Shaded by the write barrier, or allocated black during marking, in this cycle. */
  readonly barrier: boolean;
  readonly born: boolean;
  /** The event's own object, or one of the span it scans. */
  readonly current: boolean;
  readonly span: boolean;
  /** For groups: how many of each colour (and the label saying so). */
  readonly counts: Counts | null;
  readonly label: string | null;
}

export interface LensFrame {
  /** The event it shows, and its time. */
  readonly seq: number;
  readonly t: number;
  readonly looks: Map<string, NodeLook>;
  /** Edges drawn (found by this event, both ends alive). */
  readonly edges: Set<string>;
  readonly counts: Counts;
  /** The goroutine doing the GC work of this event (0: none). */
  readonly marker: number;
  /** The lens stopped following the heap by this event (heap.limit). */
  readonly limited: boolean;
  /** Reconstructed from heap dumps: objects are drawn as seen, never in a colour not seen. */
  readonly reconstructed: boolean;
  readonly words: string;
}

const PHASE_WORDS: Record<SchedState['gc'], string> = {
  sweepterm: 'sweep termination (the world stopped)',
  mark: 'mark',
  marktermination: 'mark termination (the world stopped)',
  off: 'marking over: what stayed white is swept',
};

const GONE: NodeLook = {
  gone: true,
  color: 'white',
  barrier: false,
  born: false,
  current: false,
  span: false,
  counts: null,
  label: null,
};

function eventObjects(event: SlowmoEvent | undefined): { at: Set<number>; span: Set<number> } {
  const at = new Set<number>();
  const span = new Set<number>();
  if (event?.kind === 'gc.color' || event?.kind === 'heap.free' || event?.kind === 'heap.alloc')
    at.add(event.addr);
  if (event?.kind === 'heap.edge') at.add(event.to);
  if (event?.kind === 'gc.span') event.objects.forEach((a) => span.add(a));
  return { at, span };
}

/** The lens at a state (and the event that made it). */
export function lensFrame(
  graph: HeapGraph,
  state: SchedState,
  event: SlowmoEvent | undefined,
): LensFrame {
  const heap = state.heap;
  const looks = new Map<string, NodeLook>();
  const counts: Counts = { white: 0, grey: 0, black: 0 };
  const groups = new Map<string, Counts>();
  const { at, span } = eventObjects(event);
  for (const o of graph.objects.values()) {
    const m = heap?.objects.get(o.addr);
    const id = graph.nodeOf(o);
    if (!heap || !m || m.seq !== o.seq || m.freed !== null) {
      if (id === o.id) looks.set(id, GONE);
      continue;
    }
    const color = colorOf(heap, m);
    counts[color]++;
    if (id !== o.id) {
      const c = groups.get(id) ?? { white: 0, grey: 0, black: 0 };
      c[color]++;
      groups.set(id, c);
      continue;
    }
    const thisCycle = m.cycle === heap.cycle;
    looks.set(id, {
      gone: false,
      color,
      barrier: thisCycle && m.by === 'barrier',
      born: thisCycle && m.by === 'alloc',
      current: at.has(o.addr),
      span: span.has(o.addr),
      counts: null,
      label: null,
    });
  }
  const drawn = graph.drawnGraph();
  groupLooks(drawn.groups, groups, looks);
  // Drawn edges, found by now, between nodes drawn now (roots always are).
  const edges = new Set<string>();
  const shown = (id: string) => looks.get(id)?.gone === false || id.startsWith('root:');
  for (const e of drawn.edges)
    if (e.seq <= state.seq && shown(e.source) && shown(e.target)) edges.add(e.id);
  const marker = markerOf(event);
  const limited = heap !== null && heap.limited !== null;
  const barrier = event?.kind === 'gc.color' && event.by === 'barrier';
  const words = lensWords(heap, state, counts, marker, barrier);
  const reconstructed = heap !== null && fromDumps(heap);
  return {
    seq: state.seq,
    t: state.t,
    looks,
    edges,
    counts,
    marker,
    limited,
    reconstructed,
    words,
  };
}

function groupLooks(ids: string[], groups: Map<string, Counts>, looks: Map<string, NodeLook>) {
  for (const id of ids) {
    const c = groups.get(id);
    const n = c ? c.white + c.grey + c.black : 0;
    const name = id === RUNTIME_NODE ? "runtime's" : `line ${id.split(':').pop()}`;
    looks.set(id, {
      ...GONE,
      gone: n === 0,
      color: c && c.black === n ? 'black' : c && c.white === n ? 'white' : 'grey',
      counts: c ?? { white: 0, grey: 0, black: 0 },
      label: `${name} ×${n}${c ? `\n${c.black}● ${c.grey}◐ ${c.white}○` : ''}`,
    });
  }
}

/** The goroutine an event of the lens says did the work. */
export function markerOf(event: SlowmoEvent | undefined): number {
  switch (event?.kind) {
    case 'gc.color':
    case 'gc.span':
    case 'heap.edge':
      return event.g;
    default:
      return 0;
  }
}

function workerWords(state: SchedState, g: number, barrier: boolean): string {
  if (barrier)
    return `g${g} shades through the write barrier (it moved a pointer while marking ran)`;
  // The workers' function is runtime.gcBgMarkWorker, or the wrapper that starts it (gowrap).
  const fn = state.gs.get(g)?.site?.fn ?? '';
  if (/gcBgMark/.test(fn)) return `g${g} (GC worker) is marking`;
  return `g${g} (assisting the collector) is marking`;
}

/** "cycle 2, mark: 412 black, 88 grey, 500 white; g19 (GC worker) is marking". */
export function lensWords(
  heap: HeapModel | null,
  state: SchedState,
  counts: Counts,
  marker: number,
  barrier = false,
): string {
  if (!heap) return 'The GC lens has no heap at this point of the run.';
  if (fromDumps(heap)) return dumpWords(heap, counts.white + counts.grey + counts.black);
  const cycle = heap.cycle === 0 ? 'before the first GC' : `cycle ${heap.cycle}`;
  const phase = heap.cycle === 0 ? '' : `, ${PHASE_WORDS[state.gc]}`;
  const tally = `${counts.black} black, ${counts.grey} grey, ${counts.white} white`;
  const freed = heap.freed > 0 ? `; ${heap.freed} freed so far` : '';
  const who = marker > 0 ? `; ${workerWords(state, marker, barrier)}` : '';
  return `${cycle}${phase}: ${tally}${freed}${who}`;
}

const MOMENT_WORDS: Record<DumpMoment, string> = {
  start: 'as main began',
  'before-gc': 'as runtime.GC() was called, before the collection',
  'after-gc': 'as runtime.GC() returned, the cycle marked and swept',
  cycle: 'soon after a cycle the runtime began by itself',
  end: 'as main returned',
};

/** "heap dump 3, as runtime.GC() returned (line 39), after GC cycle 1: 1,396 objects; 580 freed". */
export function dumpWords(heap: HeapModel, objects: number): string {
  const d = heap.dump;
  if (!d) return 'No heap dump yet: the lens shows the heap as each dump finds it.';
  const line = d.line ? ` (line ${d.line})` : '';
  const cycles = d.cycle === 0 ? 'before any GC cycle' : `after GC cycle ${d.cycle}`;
  const freed =
    heap.freed > 0 ? `; ${heap.freed.toLocaleString('en')} gone since the first dump` : '';
  return `heap dump ${d.n}, ${MOMENT_WORDS[d.moment]}${line}, ${cycles}: ${objects.toLocaleString('en')} objects${freed}`;
}

/** What the drawing simplifies, said plainly. */
export function noteWords(graph: HeapGraph, lens: GcLens | null, limited = false): string {
  const notes: string[] = [];
  if (lens?.source === 'dumps') return dumpNotes(graph, lens, limited);
  if (limited && lens)
    notes.push(
      `The program made more than ${lens.maxObjects.toLocaleString('en')} allocations: the lens stopped following the heap there and shows what it had.`,
    );
  if (graph.grouped)
    notes.push(
      `Over ${GROUP_ABOVE} of your objects: one circle per line that allocated them, its pie the share of each colour.`,
    );
  if (lens?.perSpan)
    notes.push(
      'Green Tea (Go 1.26+): small objects are marked per span (a page of same-size objects): a span lights up (blue halo), then its marked objects turn black together. Its scan does not say which object held a pointer: a dashed arrow is inferred (the object the same goroutine scanned just before). For object-by-object marking, right-click the cell: Per-object marking (GOEXPERIMENT=nogreenteagc).',
    );
  if (lens?.experiment) notes.push(`Built with GOEXPERIMENT=${lens.experiment}.`);
  notes.push(
    "The runtime's own objects are one circle; pointers appear as the collector finds them.",
  );
  return notes.join(' ');
}

/** The notes of a lens reconstructed from heap dumps: what each dump is and what is not seen. */
function dumpNotes(graph: HeapGraph, lens: GcLens, limited: boolean): string {
  const notes = [
    'Reconstructed from heap dumps: the marking itself is not seen (the trace backend has no probes on the collector), so no object is drawn white, grey or black.',
    'The program stops the world to dump its heap as main begins and returns, before and after each runtime.GC() call, and soon after each cycle the runtime starts by itself. An object appears at the first dump that holds it and disappears at the first that does not: what lived and died between two dumps is never seen. Pointers are those a dump holds.',
  ];
  if (limited)
    notes.push(
      `The heap grew past ${lens.maxObjects.toLocaleString('en')} objects: no more dumps were taken; the lens shows the last.`,
    );
  if (graph.grouped)
    notes.push(`Over ${GROUP_ABOVE} of your objects: one circle per line that allocated them.`);
  notes.push("The runtime's own objects are one circle.");
  return notes.join(' ');
}
