/**
 * JupyterLab's theme changes by an attribute on the body: what the timeline
 * and the table draw themselves (canvas, swatches) is drawn again then.
 */

/** Calls `redraw` whenever the theme changes; returns what stops it. */
export function onThemeChange(redraw: () => void): () => void {
  if (typeof MutationObserver === 'undefined' || typeof document === 'undefined') return () => {};
  const watch = new MutationObserver(redraw);
  watch.observe(document.body, { attributes: true, attributeFilter: ['data-jp-theme-light'] });
  return () => watch.disconnect();
}
