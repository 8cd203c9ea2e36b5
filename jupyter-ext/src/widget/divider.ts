/**
 * The bar between the source and the picture: drag it (or focus it and use
 * the arrow keys) to give the source more or less room. The choice is kept
 * for the next outputs in this browser. When the output is too narrow for
 * both side by side, the source goes above the picture and the bar sizes its
 * height instead.
 */
import { Widget } from '@lumino/widgets';

const KEY = 'go-slowmo:source-size';
const STEP = 24;

interface Saved {
  width?: number;
  height?: number;
}

function load(): Saved {
  try {
    return JSON.parse(globalThis.localStorage?.getItem(KEY) ?? '{}') as Saved;
  } catch {
    return {};
  }
}

function save(s: Saved): void {
  try {
    globalThis.localStorage?.setItem(KEY, JSON.stringify({ ...load(), ...s }));
  } catch {
    // private mode or full: the size is simply not remembered
  }
}

export class Divider extends Widget {
  private stacked = false;

  /** `pane` is the source pane's node: its width (side by side) or height (stacked) is set. */
  constructor(
    private readonly pane: HTMLElement,
    private readonly minSize = 160,
  ) {
    super();
    this.addClass('jp-slowmo-divider');
    const n = this.node;
    n.tabIndex = 0;
    n.setAttribute('role', 'separator');
    n.setAttribute('aria-label', 'Resize the source pane (drag, or arrow keys)');
    n.title = 'Drag to resize the source';
    n.addEventListener('pointerdown', (e) => this.grab(e));
    n.addEventListener('keydown', (e) => this.key(e));
    const saved = load();
    if (saved.width) pane.style.width = `${saved.width}px`;
  }

  /** Side by side or stacked: which size the bar changes. */
  setStacked(on: boolean): void {
    this.stacked = on;
    this.node.setAttribute('aria-orientation', on ? 'horizontal' : 'vertical');
    const saved = load();
    if (on && saved.height) this.pane.style.height = `${saved.height}px`;
    if (!on) this.pane.style.removeProperty('height');
  }

  private size(): number {
    return this.stacked ? this.pane.offsetHeight : this.pane.offsetWidth;
  }

  private set(px: number): void {
    const v = Math.max(this.minSize, Math.round(px));
    if (this.stacked) {
      this.pane.style.height = `${v}px`;
      save({ height: v });
    } else {
      this.pane.style.width = `${v}px`;
      save({ width: v });
    }
    // The picture lays itself out again for its new width (its ResizeObserver).
  }

  private grab(e: PointerEvent): void {
    if (e.button !== 0) return;
    e.preventDefault();
    const start = this.stacked ? e.clientY : e.clientX;
    const from = this.size();
    const n = this.node;
    n.setPointerCapture?.(e.pointerId);
    n.classList.add('jp-mod-dragging');
    const move = (m: PointerEvent) =>
      this.set(from + (this.stacked ? m.clientY : m.clientX) - start);
    const up = () => {
      n.classList.remove('jp-mod-dragging');
      n.removeEventListener('pointermove', move);
      n.removeEventListener('pointerup', up);
      n.removeEventListener('pointercancel', up);
    };
    n.addEventListener('pointermove', move);
    n.addEventListener('pointerup', up);
    n.addEventListener('pointercancel', up);
  }

  private key(e: KeyboardEvent): void {
    const grow = this.stacked ? 'ArrowDown' : 'ArrowRight';
    const shrink = this.stacked ? 'ArrowUp' : 'ArrowLeft';
    if (e.key !== grow && e.key !== shrink) return;
    e.preventDefault();
    this.set(this.size() + (e.key === grow ? STEP : -STEP));
  }
}
