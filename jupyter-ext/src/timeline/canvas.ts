/**
 * A canvas's 2D context, or null where there is none to draw on (jsdom has
 * canvases but no context, and says so on the console each time it is asked).
 */
export function context2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D | null {
  if (typeof navigator !== 'undefined' && /jsdom/i.test(navigator.userAgent)) return null;
  return canvas.getContext('2d');
}
