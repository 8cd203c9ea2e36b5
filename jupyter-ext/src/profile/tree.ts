/**
 * A profile's samples merged into the tree a flame graph draws: each sample's stack walked
 * from its root (the stacks are leaf first), frames with the same function and line merged
 * at each depth, a node's value the sum of the samples through it. Merged by line rather
 * than by function alone, because a click on a frame lights one source line.
 *
 * Filtered to the learner's code (the default), a stack keeps only the learner's frames (their
 * files and package main, as the profile checkpoints decide it), so `main.main → main.wait` reads as the learner wrote
 * it with the runtime's and the standard library's frames in between left out; a sample with
 * none of the learner's frames counts under one node of its own, so the shares still add
 * up to the whole profile.
 */
import { isOwnFrame, type SlowmoEvent } from '@go-slowmo/kernel-bridge/protocol';

export type ProfileEvent = Extract<SlowmoEvent, { kind: 'profile' }>;
export type ProfileFrame = ProfileEvent['frames'][number];

export interface FlameNode {
  /** The function, e.g. `main.wait`; the root's is the profile's kind. */
  readonly fn: string;
  readonly file: string;
  /** 0 when the binary did not say (and for the root and the outside node). */
  readonly line: number;
  /** The samples' values through this node, in the profile's unit. */
  value: number;
  /** The part of `value` whose stacks end here (time in this frame itself). */
  self: number;
  /** The learner's own code, or the runtime and libraries. */
  readonly own: boolean;
  /** Heaviest first. */
  readonly children: FlameNode[];
}

/** The node standing for the samples in which none of the learner's frames appear. */
export const OUTSIDE = '(outside your code)';

function node(fn: string, file: string, line: number, own: boolean): FlameNode {
  return { fn, file, line, value: 0, self: 0, own, children: [] };
}

/** The tree of one profile; `all` keeps every frame, else only the learner's (see above). */
export function buildTree(profile: ProfileEvent, all = false): FlameNode {
  const root = node(profile.profile, '', 0, false);
  const own = profile.frames.map(isOwnFrame);
  // Children by key per node, only while building.
  const index = new Map<FlameNode, Map<string, FlameNode>>();
  const child = (parent: FlameNode, frame: ProfileFrame, mine: boolean): FlameNode => {
    let byKey = index.get(parent);
    if (byKey === undefined) index.set(parent, (byKey = new Map()));
    const key = `${frame.fn}\u0000${frame.file}\u0000${frame.line}`;
    let c = byKey.get(key);
    if (c === undefined) {
      c = node(frame.fn, frame.file, frame.line, mine);
      byKey.set(key, c);
      parent.children.push(c);
    }
    return c;
  };
  const outside: ProfileFrame = { fn: OUTSIDE, file: '', line: 0 };
  for (const sample of profile.samples) {
    if (!(sample.value > 0)) continue;
    root.value += sample.value;
    let at = root;
    let kept = 0;
    for (let i = sample.stack.length - 1; i >= 0; i--) {
      const idx = sample.stack[i]!;
      const frame = profile.frames[idx];
      if (frame === undefined || (!all && !own[idx])) continue;
      at = child(at, frame, own[idx]!);
      at.value += sample.value;
      kept++;
    }
    if (kept === 0 && !all) {
      at = child(root, outside, false);
      at.value += sample.value;
    }
    at.self += sample.value;
  }
  sortTree(root);
  return root;
}

function sortTree(n: FlameNode): void {
  n.children.sort((a, b) => b.value - a.value || a.fn.localeCompare(b.fn) || a.line - b.line);
  for (const c of n.children) sortTree(c);
}

/** Every node of the tree with its depth (the root at 0), parents before children. */
export function* walk(root: FlameNode, depth = 0): Generator<[FlameNode, number]> {
  yield [root, depth];
  for (const c of root.children) yield* walk(c, depth + 1);
}
