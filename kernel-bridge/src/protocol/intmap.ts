/**
 * A persistent map from small non-negative integers (goids, M ids) to values:
 * a 32-way trie with path copying. `set` returns a new map sharing every
 * untouched node with the old one, so the reducer can stay pure (and keep
 * keyframes for free) at a cost of a few short array copies per event instead
 * of copying every goroutine of the program.
 */

const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;
/** Keys are below 2^31 so that `>>>` stays exact; goids in a traced run never come near. */
export const INTMAP_MAX_KEY = 2 ** 31 - 1;

type Node = readonly unknown[];

function emptyNode(): unknown[] {
  return new Array<unknown>(WIDTH).fill(undefined);
}

/** Set by setIn: whether the key had a value before (saves a second walk). */
let replaced = false;

function setIn(node: Node | undefined, shift: number, key: number, value: unknown): Node {
  const copy = node ? node.slice() : emptyNode();
  const i = (key >>> shift) & MASK;
  if (shift === 0) {
    replaced = copy[i] !== undefined;
    copy[i] = value;
  } else {
    copy[i] = setIn(copy[i] as Node | undefined, shift - BITS, key, value);
  }
  return copy;
}

export class IntMap<V> {
  private static readonly EMPTY = new IntMap<never>(undefined, 0, 0);

  private constructor(
    private readonly root: Node | undefined,
    private readonly shift: number,
    readonly size: number,
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
    let node = this.root;
    if (node === undefined || key < 0 || key > INTMAP_MAX_KEY) return undefined;
    if (this.shift + BITS < 31 && key >>> (this.shift + BITS) !== 0) return undefined;
    for (let s = this.shift; s > 0; s -= BITS) {
      node = node[(key >>> s) & MASK] as Node | undefined;
      if (node === undefined) return undefined;
    }
    return node[key & MASK] as V | undefined;
  }

  has(key: number): boolean {
    return this.get(key) !== undefined;
  }

  /** A new map with `key` set; `value` must not be undefined (undefined means absent). */
  set(key: number, value: V): IntMap<V> {
    if (!Number.isInteger(key) || key < 0 || key > INTMAP_MAX_KEY) {
      throw new RangeError(`IntMap key must be an integer in [0, ${INTMAP_MAX_KEY}], got ${key}`);
    }
    let root = this.root;
    let shift = this.shift;
    // Grow upwards until the key fits under the root.
    while (shift + BITS < 31 && key >>> (shift + BITS) !== 0) {
      if (root !== undefined) {
        const up = emptyNode();
        up[0] = root;
        root = up;
      }
      shift += BITS;
    }
    const next = setIn(root, shift, key, value);
    return new IntMap<V>(next, shift, replaced ? this.size : this.size + 1);
  }

  /** Calls `fn` for every entry in ascending key order. */
  forEach(fn: (value: V, key: number) => void): void {
    if (this.root === undefined) return;
    const walk = (node: Node, shift: number, base: number): void => {
      for (let i = 0; i < WIDTH; i++) {
        const child = node[i];
        if (child === undefined) continue;
        const key = base + i * 2 ** shift;
        if (shift === 0) fn(child as V, key);
        else walk(child as Node, shift - BITS, key);
      }
    };
    walk(this.root, this.shift, 0);
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
