/**
 * A persistent map from small non-negative integers (goids, M ids) to values:
 * a 32-way trie with path copying, in front of which the latest few sets wait
 * in a short list. `set` returns a new map sharing every untouched part with
 * the old one, so the reducer can stay pure (and keep keyframes for free).
 *
 * The list is what makes an event cheap: a goroutine changes several times
 * in a row (runnable, running, waiting), and the scheduler works on a few at
 * a time, so a set mostly replaces an entry of the list (a copy of at most
 * RECENT pairs) instead of copying a path of the trie (three 32-slot nodes
 * for a few thousand goroutines). When a set brings a key the full list
 * lacks, the list goes into the trie at once, the nodes it shares copied
 * only once.
 */

const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;
/** Keys are below 2^31 so that `>>>` stays exact; goids in a traced run never come near. */
export const INTMAP_MAX_KEY = 2 ** 31 - 1;
/** How many of the latest sets wait in front of the trie. */
const RECENT = 8;

type Node = unknown[];
const NO_RECENT: readonly unknown[] = Object.freeze([]);

function emptyNode(): Node {
  return new Array<unknown>(WIDTH).fill(undefined);
}

/** The value under key in the trie (root, shift), or undefined. */
function lookup(root: Node | undefined, shift: number, key: number): unknown {
  let node = root;
  if (node === undefined) return undefined;
  if (shift + BITS < 31 && key >>> (shift + BITS) !== 0) return undefined;
  for (let s = shift; s > 0; s -= BITS) {
    node = node[(key >>> s) & MASK] as Node | undefined;
    if (node === undefined) return undefined;
  }
  return node[key & MASK];
}

/**
 * Writes pairs ([key, value, key, value, ...]) into the trie: the nodes on
 * their paths are copied once (the copies, in `fresh`, then change in place)
 * and every other node is shared. Returns the new root and shift.
 */
function writeAll(
  root: Node | undefined,
  shift: number,
  pairs: readonly unknown[],
): [Node | undefined, number] {
  const fresh: Node[] = []; // a few nodes: a list beats a Set
  const own = (node: Node | undefined): Node => {
    if (node !== undefined && fresh.includes(node)) return node;
    const copy = node ? node.slice() : emptyNode();
    fresh.push(copy);
    return copy;
  };
  for (let i = 0; i < pairs.length; i += 2) {
    const key = pairs[i] as number;
    // Grow upwards until the key fits under the root.
    while (shift + BITS < 31 && key >>> (shift + BITS) !== 0) {
      if (root !== undefined) {
        const up = own(undefined);
        up[0] = root;
        root = up;
      }
      shift += BITS;
    }
    root = own(root);
    let node = root;
    for (let s = shift; s > 0; s -= BITS) {
      const j = (key >>> s) & MASK;
      const child = own(node[j] as Node | undefined);
      node[j] = child;
      node = child;
    }
    node[key & MASK] = pairs[i + 1];
  }
  return [root, shift];
}

export class IntMap<V> {
  private static readonly EMPTY = new IntMap<never>(undefined, 0, 0, NO_RECENT);

  private constructor(
    private readonly root: Node | undefined,
    private readonly shift: number,
    readonly size: number,
    /** The latest sets not in the trie yet, [key, value, ...], one pair per key. */
    private readonly recent: readonly unknown[],
  ) {}

  static empty<V>(): IntMap<V> {
    return IntMap.EMPTY as IntMap<V>;
  }

  static from<V>(entries: Iterable<readonly [number, V]>): IntMap<V> {
    let map = IntMap.empty<V>();
    for (const [k, v] of entries) map = map.set(k, v);
    return map;
  }

  get(key: number): V | undefined {
    const r = this.recent;
    for (let i = 0; i < r.length; i += 2) if (r[i] === key) return r[i + 1] as V;
    if (key < 0 || key > INTMAP_MAX_KEY) return undefined;
    return lookup(this.root, this.shift, key) as V | undefined;
  }

  has(key: number): boolean {
    return this.get(key) !== undefined;
  }

  /** A new map with `key` set; `value` must not be undefined (undefined means absent). */
  set(key: number, value: V): IntMap<V> {
    if (!Number.isInteger(key) || key < 0 || key > INTMAP_MAX_KEY) {
      throw new RangeError(`IntMap key must be an integer in [0, ${INTMAP_MAX_KEY}], got ${key}`);
    }
    const r = this.recent;
    const n = r.length;
    for (let i = 0; i < n; i += 2) {
      if (r[i] !== key) continue;
      if (r[i + 1] === value) return this;
      const copy = r.slice();
      copy[i + 1] = value;
      return new IntMap<V>(this.root, this.shift, this.size, copy);
    }
    const old = lookup(this.root, this.shift, key);
    if (old === value) return this;
    const size = old === undefined ? this.size + 1 : this.size;
    if (n < 2 * RECENT) {
      const copy = new Array<unknown>(n + 2);
      for (let i = 0; i < n; i++) copy[i] = r[i];
      copy[n] = key;
      copy[n + 1] = value;
      return new IntMap<V>(this.root, this.shift, size, copy);
    }
    const [root, shift] = writeAll(this.root, this.shift, r);
    return new IntMap<V>(root, shift, size, [key, value]);
  }

  /** Calls `fn` for every entry in ascending key order. */
  forEach(fn: (value: V, key: number) => void): void {
    const [root, shift] = writeAll(this.root, this.shift, this.recent);
    if (root === undefined) return;
    const walk = (node: Node, shift: number, base: number): void => {
      for (let i = 0; i < WIDTH; i++) {
        const child = node[i];
        if (child === undefined) continue;
        const key = base + i * 2 ** shift;
        if (shift === 0) fn(child as V, key);
        else walk(child as Node, shift - BITS, key);
      }
    };
    walk(root, shift, 0);
  }

  values(): V[] {
    const out: V[] = [];
    this.forEach((v) => out.push(v));
    return out;
  }

  entries(): [number, V][] {
    const out: [number, V][] = [];
    this.forEach((v, k) => out.push([k, v]));
    return out;
  }
}
