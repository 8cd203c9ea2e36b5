/**
 * Who asks a cell's learner for their prediction: the cell's panel registers
 * here (attach.ts), and the executor asks through it before a run. Apart
 * from the panel so that the executor does not load the widgets.
 */
const askers = new WeakMap<object, () => void>();

export function registerAsker(cell: object, ask: () => void): void {
  askers.set(cell, ask);
}

/**
 * Asks for the cell's missing answers; false when nothing can ask for them
 * (no panel: then the run goes ahead and its prediction is unanswered).
 */
export function askFirst(cell: object): boolean {
  const ask = askers.get(cell);
  ask?.();
  return ask !== undefined;
}
