/**
 * The run widgets on the page, by their node: a cell's prediction panel
 * finds the picture of the same cell here to move it to the deciding moment
 * (the renderer makes run widgets; the panel only knows the cell's node).
 */
interface Movable {
  readonly node: HTMLElement;
  move(seq: number): void;
}

const runs = new WeakMap<HTMLElement, Movable>();

/** Keeps the run widget findable by its node; returns it. */
export function registerRun<T extends Movable>(run: T): T {
  runs.set(run.node, run);
  return run;
}

/** Moves the picture of the run inside `within` to `seq` and brings it into view. */
export function moveRun(within: HTMLElement, seq: number): boolean {
  const node = within.querySelector<HTMLElement>('.jp-slowmo-run');
  const run = node ? runs.get(node) : undefined;
  if (!run) return false;
  run.move(seq);
  node!.querySelector('.jp-slowmo-main')?.scrollIntoView({ block: 'nearest' });
  return true;
}
