/**
 * Waiting in tests for what the widget does in animation frames, instead of
 * for a fixed time: jsdom runs requestAnimationFrame callbacks in the order
 * they were asked for, so a frame asked for after the widget's has seen it.
 */

/** Resolves after the next animation frame, i.e. after every frame callback queued before. */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

/** Waits frame by frame until `ok()` holds; fails naming `what` after `within` ms. */
export async function untilFrame(what: string, ok: () => boolean, within = 5000): Promise<void> {
  const end = performance.now() + within;
  while (!ok()) {
    if (performance.now() > end) throw new Error(`waited ${within} ms for ${what}`);
    await nextFrame();
  }
}
