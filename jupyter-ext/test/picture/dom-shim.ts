/**
 * jsdom has no DragEvent, which @lumino/dragdrop subclasses when it loads.
 * Import this before anything that imports @lumino/widgets.
 */
if (typeof globalThis.DragEvent === 'undefined') {
  class DragEvent extends MouseEvent {
    readonly dataTransfer: DataTransfer | null = null;
  }
  (globalThis as { DragEvent?: unknown }).DragEvent = DragEvent;
}

export {};
