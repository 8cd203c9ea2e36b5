/**
 * The GC lens's object graph over the whole recording: every object the lens followed (one
 * node each, or one per allocation site when there are too many to draw), the roots, and every
 * pointer the marking found, each with the seq it was found at. It is read from the events once
 * (and grows as a live run's events arrive), so that the drawing can place each node once and
 * then only change colours as the picture moves: the colours themselves come from the reducer's
 * heap model at the picture's event (frame.ts).
 */
import type { GcColor, GcRoot, SlowmoEvent } from '@go-slowmo/kernel-bridge/protocol';

/** Above this many objects of the learner's, they are drawn as one node per allocation site. */
export const GROUP_ABOVE = 300;
/** The node that stands for every object allocated outside the learner's code. */
export const RUNTIME_NODE = 'runtime';

export interface GraphObject {
  /** The seq of its heap.alloc: an address allocated again is another object. */
  readonly seq: number;
  readonly addr: number;
  /** "file:line" of its allocation in the learner's code; null for the runtime's. */
  readonly site: string | null;
  readonly line: number;
  /** Its name in the lens: "L21#3" is the third object allocated at line 21. */
  readonly name: string;
  /** Its node when drawn alone ("o<seq>"), and its site's node when grouped. */
  readonly id: string;
  readonly group: string;
  readonly size: number;
  /** Its changes of colour, in order: [seq, colour, GC cycle] ("freed" at its heap.free). */
  readonly history: [number, GcColor | 'freed', number][];
}

export interface GraphEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  /** The first seq that found it. */
  readonly seq: number;
  /**
   * Not said by the probes but inferred: Green Tea's span scan shades an object without
   * naming the one it was scanning, which is the object that goroutine turned black last.
   */
  readonly inferred: boolean;
}

/** An edge as drawn: between the nodes that draw its ends, found first at `seq`. */
export type DrawnEdge = GraphEdge;

export type NodeKind = 'root' | 'object' | 'group' | 'runtime';

export interface GraphNode {
  readonly id: string;
  readonly kind: NodeKind;
  readonly label: string;
  x: number;
  y: number;
}

/** "L21#3" in the learner's main.go; "print.go:307#1" elsewhere (a package's code inlined in theirs). */
function siteName(file: string | undefined, line: number | undefined, n: number): string {
  const base = (file ?? '').split('/').pop() ?? '';
  return base === 'main.go' || base === '' ? `L${line}#${n}` : `${base}:${line}#${n}`;
}

function rootId(root: GcRoot | undefined, rootG: number | undefined): string {
  if (root === 'stack') return `root:g${rootG ?? 0}`;
  return `root:${root ?? 'other'}`;
}

function rootLabel(id: string): string {
  if (id === 'root:globals') return 'globals';
  if (id.startsWith('root:g')) return `${id.slice(5)}'s stack`;
  return 'other roots';
}

export class HeapGraph {
  /** Events read so far. */
  private read = 0;
  private readonly current = new Map<number, GraphObject>();
  /** Every object allocated at an address, first first (an address is reused once freed). */
  private readonly byAddr = new Map<number, GraphObject[]>();
  readonly objects = new Map<number, GraphObject>();
  private readonly perSite = new Map<string, number>();
  private learner = 0;
  readonly edges = new Map<string, GraphEdge>();
  readonly roots = new Set<string>();
  /** The seq each GC cycle's marking began at, and the seq its mark termination began at. */
  readonly cycles: { mark: number; end: number | null; t: number; endT: number | null }[] = [];
  /** Live objects the lens follows, after each allocation and free: the heap plot's line. */
  readonly live: { t: number; n: number }[] = [];
  /** The heap's bytes live and goal as the tracer sampled them (heap.size): the plot's lines. */
  readonly sizes: { t: number; live: number; goal: number }[] = [];
  /** The heap dumps a lens reconstructed from dumps was read from (heap.dump), in order. */
  readonly dumps: { t: number; seq: number; n: number }[] = [];
  /** Reconstructed from heap dumps (run.start.gcLens.source): no marking was seen. */
  fromDumps = false;
  private liveNow = 0;
  /** Green Tea (run.start.gcLens.perSpan): the span scan's shades name no holder. */
  private perSpan = false;
  /** Per goroutine, the object it turned black last in this cycle (the one it is scanning). */
  private scanning = new Map<number, number>();
  /** Bumped whenever a node or an edge is added: the drawing adds what is new. */
  version = 0;

  /** Reads the events not read yet. */
  sync(events: { length: number; event(seq: number): SlowmoEvent | undefined }): void {
    for (; this.read < events.length; this.read++) {
      const e = events.event(this.read);
      if (e) this.add(e);
    }
  }

  /** Whether the learner's objects are drawn per allocation site. */
  get grouped(): boolean {
    return this.learner > GROUP_ABOVE;
  }

  /** The node that draws an object. */
  nodeOf(o: GraphObject): string {
    if (o.site === null) return RUNTIME_NODE;
    return this.grouped ? o.group : o.id;
  }

  private drawn: { version: number; edges: DrawnEdge[]; groups: string[] } | null = null;

  /** The edges as drawn (ends mapped to the nodes that draw them), and the group nodes. */
  drawnGraph(): { edges: DrawnEdge[]; groups: string[] } {
    if (this.drawn?.version === this.version) return this.drawn;
    const edges = new Map<string, DrawnEdge>();
    for (const e of this.edges.values()) {
      const source = this.drawnEnd(e.source);
      const target = this.drawnEnd(e.target);
      if (source === target) continue;
      const id = `${source}>${target}`;
      const had = edges.get(id);
      if (!had || e.seq < had.seq)
        edges.set(id, { id, source, target, seq: e.seq, inferred: e.inferred });
    }
    const groups = new Set<string>([RUNTIME_NODE]);
    if (this.grouped)
      for (const o of this.objects.values()) if (o.site !== null) groups.add(o.group);
    this.drawn = { version: this.version, edges: [...edges.values()], groups: [...groups] };
    return this.drawn;
  }

  private add(e: SlowmoEvent): void {
    switch (e.kind) {
      case 'run.start':
        this.perSpan = e.gcLens?.perSpan === true;
        this.fromDumps = e.gcLens?.source === 'dumps';
        break;
      case 'heap.size':
        this.sizes.push({ t: e.t, live: e.live, goal: e.goal });
        this.version++;
        break;
      case 'heap.dump':
        this.dumps.push({ t: e.t, seq: e.seq, n: e.n });
        this.version++;
        break;
      case 'heap.alloc': {
        const site = e.file !== undefined && e.line !== undefined ? `${e.file}:${e.line}` : null;
        const n = site === null ? 0 : (this.perSite.get(site) ?? 0) + 1;
        if (site !== null) {
          this.perSite.set(site, n);
          this.learner++;
        }
        const name = siteName(e.file, e.line, n);
        // An address allocated again without a free seen replaces its object: as many live.
        const old = this.current.get(e.addr);
        if (!old || old.history.some((h) => h[1] === 'freed')) this.count(e.t, 1);
        const o: GraphObject = {
          ...{ seq: e.seq, addr: e.addr, site, line: e.line ?? 0, name, size: e.size },
          ...{ id: `o${e.seq}`, group: `site:${site}` },
          history: [],
        };
        this.objects.set(e.seq, o);
        const at = this.byAddr.get(e.addr) ?? [];
        at.push(o);
        this.byAddr.set(e.addr, at);
        this.current.set(e.addr, o);
        this.version++;
        break;
      }
      case 'gc.color':
        this.current.get(e.addr)?.history.push([e.seq, e.color, this.cycles.length]);
        this.colorEdge(e);
        break;
      case 'heap.free': {
        const o = this.current.get(e.addr);
        if (o && !o.history.some((h) => h[1] === 'freed')) this.count(e.t, -1);
        o?.history.push([e.seq, 'freed', this.cycles.length]);
        break;
      }
      case 'gc': {
        if (e.phase === 'mark') {
          this.cycles.push({ mark: e.seq, end: null, t: e.t, endT: null });
          this.scanning.clear();
        }
        const last = this.cycles[this.cycles.length - 1];
        if (e.phase === 'marktermination' && last && last.end === null) {
          last.end = e.seq;
          last.endT = e.t;
        }
        break;
      }
      case 'heap.edge':
        this.edge(e.to, e.from, e.root, e.rootG, e.seq);
        break;
      default:
    }
  }

  private colorEdge(e: Extract<SlowmoEvent, { kind: 'gc.color' }>): void {
    const named = e.from !== undefined || e.root !== undefined;
    // Black by the marking with no pointer named: scanned (a noscan object shaded straight to
    // black names the pointer that reached it).
    if (e.color === 'black' && e.by === 'mark' && !named) {
      this.scanning.set(e.g, e.addr);
      return;
    }
    const from = named ? e.from : this.scanning.get(e.g);
    if (!named && !(this.perSpan && e.by === 'mark')) return;
    // Inferred between the learner's objects only: the runtime's are shaded from many places.
    const mine = (addr: number | undefined) =>
      addr !== undefined && (this.current.get(addr)?.site ?? null) !== null;
    if (!named && !(mine(from) && mine(e.addr))) return;
    this.edge(e.addr, from, e.root, e.rootG, e.seq, !named);
  }

  private edge(
    to: number,
    from: number | undefined,
    root: GcRoot | undefined,
    rootG = 0,
    seq = 0,
    inferred = false,
  ): void {
    const target = this.current.get(to);
    if (!target || (from === undefined && root === undefined)) return;
    const holder = from !== undefined ? this.current.get(from) : undefined;
    // A pointer from memory the lens does not follow is a root of "other" kind.
    const source = holder ? `o${holder.seq}` : rootId(from !== undefined ? 'other' : root, rootG);
    if (!holder) this.roots.add(source);
    const id = `${source}>o${target.seq}`;
    if (this.edges.has(id)) return;
    this.edges.set(id, { id, source, target: `o${target.seq}`, seq, inferred });
    this.version++;
  }

  private count(t: number, by: number): void {
    this.liveNow += by;
    this.live.push({ t, n: this.liveNow });
  }

  /** The object at an address at event `seq`, if the lens follows one there. */
  objectAt(addr: number, seq: number): GraphObject | undefined {
    const at = this.byAddr.get(addr) ?? [];
    for (let i = at.length - 1; i >= 0; i--) if (at[i]!.seq <= seq) return at[i];
    return undefined;
  }

  /** The object a node id names ("o<seq>"), if it is one. */
  objectOf(id: string): GraphObject | undefined {
    return id.startsWith('o') ? this.objects.get(Number(id.slice(1))) : undefined;
  }

  /** An edge as drawn: its ends mapped to the nodes that draw them. */
  drawnEnd(id: string): string {
    const o = this.objectOf(id);
    return o ? this.nodeOf(o) : id;
  }

  /** Every node with its place (see layout). */
  nodes(): GraphNode[] {
    return layout(this);
  }
}

/** Pixels between nodes' centres. */
export const GAP = { x: 64, y: 44 };
const ROOT_X = 0;
/** The runtime's objects, in a column of their own between the roots and the learner's. */
const RUNTIME_X = 150;
const FIRST_X = 250;

/**
 * Roots in a column on the left, the runtime's objects beside them; then the objects the
 * marking reached, nearest the roots first, in columns of a few rows that snake (down, up,
 * down) so that a list's next node is beside it; then, apart, the objects it never reached.
 */
export function layout(g: HeapGraph): GraphNode[] {
  const out: GraphNode[] = [];
  const roots = [...g.roots].sort(rootOrder);
  roots.forEach((id, i) =>
    out.push({ id, kind: 'root', label: rootLabel(id), x: ROOT_X, y: i * GAP.y }),
  );
  const nodes = drawnNodes(g);
  const runtime = nodes.get(RUNTIME_NODE);
  nodes.delete(RUNTIME_NODE);
  const depth = depths(g, roots);
  const order = (a: string, b: string) =>
    (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || nodes.get(a)!.first - nodes.get(b)!.first;
  const reached = [...nodes.keys()].filter((id) => depth.has(id)).sort(order);
  const never = [...nodes.keys()].filter((id) => !depth.has(id)).sort(order);
  const rows = Math.max(5, roots.length, Math.ceil(Math.sqrt(nodes.size / 2)));
  // Below the globals' row, so that the pointers from the globals to the learner's objects
  // do not pass through it.
  if (runtime)
    out.push({ id: RUNTIME_NODE, ...runtime, x: RUNTIME_X, y: Math.floor(rows / 2) * GAP.y });
  const dx = GAP.x * (g.grouped ? 2 : 1);
  const dy = GAP.y * (g.grouped ? 1.6 : 1);
  const place = (ids: string[], x0: number): number => {
    ids.forEach((id, i) => {
      const col = Math.floor(i / rows);
      const row = col % 2 === 0 ? i % rows : rows - 1 - (i % rows);
      out.push({ id, ...nodes.get(id)!, x: x0 + col * dx, y: row * dy });
    });
    return x0 + Math.ceil(ids.length / rows) * dx;
  };
  const end = place(reached, FIRST_X);
  place(never, end + (reached.length > 0 ? GAP.x * 1.5 : 0));
  return out;
}

/** The nodes drawn: an object each, or a group per site, and the runtime's; first allocation first. */
function drawnNodes(g: HeapGraph): Map<string, { kind: NodeKind; label: string; first: number }> {
  const nodes = new Map<string, { kind: NodeKind; label: string; first: number }>();
  for (const o of g.objects.values()) {
    const id = g.nodeOf(o);
    if (nodes.has(id)) continue;
    const kind: NodeKind = id === RUNTIME_NODE ? 'runtime' : g.grouped ? 'group' : 'object';
    const label =
      kind === 'runtime' ? "runtime's objects" : kind === 'group' ? `line ${o.line}` : o.name;
    nodes.set(id, { kind, label, first: o.seq });
  }
  return nodes;
}

function rootOrder(a: string, b: string): number {
  const rank = (id: string) => (id === 'root:globals' ? 0 : id === 'root:other' ? 2 : 1);
  return rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true });
}

/** Each drawn node's distance from the roots over the pointers found. */
function depths(g: HeapGraph, roots: string[]): Map<string, number> {
  const out = new Map<string, number>();
  const next = new Map<string, string[]>();
  for (const e of g.edges.values()) {
    const from = g.drawnEnd(e.source);
    const list = next.get(from) ?? [];
    list.push(g.drawnEnd(e.target));
    next.set(from, list);
  }
  let frontier = roots;
  for (let d = 1; frontier.length > 0; d++) {
    const found: string[] = [];
    for (const id of frontier) {
      for (const to of next.get(id) ?? []) {
        if (!out.has(to)) {
          out.set(to, d);
          found.push(to);
        }
      }
    }
    frontier = found;
  }
  return out;
}
