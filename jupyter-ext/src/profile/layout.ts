/**
 * Where each node of a flame tree is drawn: an icicle, the whole profile on the top row and
 * each call below its caller, as wide as its share of the profile. Nodes too narrow to see
 * are left out (their time still widens their callers).
 */
import { walk, type FlameNode } from './tree';

export interface FlameBox {
  readonly node: FlameNode;
  readonly depth: number;
  /** Left edge and width, as shares of the whole profile (0 to 1). */
  readonly x: number;
  readonly w: number;
}

/** The boxes of a tree, parents before children; none narrower than `minShare`. */
export function layoutTree(root: FlameNode, minShare = 0.002): FlameBox[] {
  const boxes: FlameBox[] = [];
  const total = root.value;
  if (total <= 0) return boxes;
  const place = (n: FlameNode, depth: number, x: number): void => {
    const w = n.value / total;
    if (w < minShare) return;
    boxes.push({ node: n, depth, x, w });
    let at = x;
    for (const c of n.children) {
      place(c, depth + 1, at);
      at += c.value / total;
    }
  };
  place(root, 0, 0);
  return boxes;
}

/** How many rows the tree needs (its deepest node, plus the root's row). */
export function depthOf(root: FlameNode): number {
  let deepest = 0;
  for (const [, d] of walk(root)) deepest = Math.max(deepest, d);
  return deepest + 1;
}
