/**
 * The colours of everything in the picture except the goroutines (which keep
 * their own colour in every theme, see colors.ts). The live view picks the
 * palette of JupyterLab's current theme; the standalone SVG uses the light one
 * on a white background, which reads the same on GitHub in light and dark mode.
 */
import type { FrameRole, FrameTone, TextRole, ThreadLook } from './items';

export interface Paint {
  readonly fill: string;
  readonly ink: string;
  readonly stroke: string;
}

export interface Palette {
  readonly dark: boolean;
  readonly background: string;
  readonly ink: string;
  readonly muted: string;
  readonly lane: Paint;
  readonly proc: Record<FrameTone, Paint>;
  readonly slot: Paint;
  readonly runSlot: Paint;
  readonly queue: Paint;
  readonly more: Paint;
  readonly thread: Record<ThreadLook, Paint>;
  readonly banner: { readonly gc: Paint; readonly stw: Paint };
  readonly tint: string;
  readonly tintOpacity: number;
  readonly highlight: string;
  /** Steal and wake-up arrows: the line (stroke) and the plate of words under them. */
  readonly arrow: { readonly steal: Paint; readonly wake: Paint };
  /** The timeline's lanes (goroutines keep their own colours there too). */
  readonly timeline: TimelinePaints;
}

/**
 * What the timeline paints besides goroutines: a P in the scheduler (on g0),
 * a system call, an M spinning, a goroutine waiting, many slices too short to
 * tell apart, the GC's track and its bands over the Ps, the cursor.
 */
export interface TimelinePaints {
  readonly sched: Paint;
  readonly syscall: Paint;
  readonly spinning: Paint;
  readonly waiting: Paint;
  readonly mixed: Paint;
  readonly gc: Paint;
  readonly stw: Paint;
  /** The GC and stop-the-world bands drawn across the P lanes, with their opacity. */
  readonly gcBand: string;
  readonly stwBand: string;
  readonly bandOpacity: number;
  /** A runnable goroutine: its colour at this opacity over the lane. */
  readonly runnableOpacity: number;
  readonly cursor: string;
  /** The outline of the selected goroutine's slices. */
  readonly selected: string;
}

export const LIGHT: Palette = {
  dark: false,
  background: '#ffffff',
  ink: '#1f2328',
  muted: '#656d76',
  lane: { fill: '#f6f8fa', ink: '#1f2328', stroke: '#d0d7de' },
  proc: {
    plain: { fill: '#ffffff', ink: '#1f2328', stroke: '#8c959f' },
    running: { fill: '#f3f8ff', ink: '#1f2328', stroke: '#3b6fb6' },
    idle: { fill: '#fafafa', ink: '#656d76', stroke: '#c4c9cf' },
    syscall: { fill: '#fff8ef', ink: '#1f2328', stroke: '#d0822a' },
    gcstop: { fill: '#f4f0fa', ink: '#1f2328', stroke: '#8a63d2' },
  },
  slot: { fill: '#ffffff', ink: '#656d76', stroke: '#b6bec7' },
  runSlot: { fill: '#e8f5e9', ink: '#2e7d32', stroke: '#4caf50' },
  queue: { fill: '#f6f8fa', ink: '#656d76', stroke: '#c4c9cf' },
  more: { fill: '#e6e8eb', ink: '#3d444d', stroke: '#9aa3ad' },
  thread: {
    running: { fill: '#37474f', ink: '#ffffff', stroke: '#1c262b' },
    spinning: { fill: '#ffb74d', ink: '#3e2700', stroke: '#e65100' },
    idle: { fill: '#eceff1', ink: '#546e7a', stroke: '#90a4ae' },
    new: { fill: '#bbdefb', ink: '#0d3c61', stroke: '#64b5f6' },
    none: { fill: '#ffffff', ink: '#656d76', stroke: '#c4c9cf' },
  },
  banner: {
    gc: { fill: '#fff4d6', ink: '#6b4f00', stroke: '#e0b341' },
    stw: { fill: '#c62828', ink: '#ffffff', stroke: '#8e0000' },
  },
  tint: '#c62828',
  tintOpacity: 0.07,
  highlight: '#ffd33d',
  arrow: {
    steal: { fill: '#fff4e6', ink: '#9a3412', stroke: '#d9480f' },
    wake: { fill: '#e7f5ff', ink: '#1c4f8a', stroke: '#1971c2' },
  },
  timeline: {
    sched: { fill: '#d6e4f5', ink: '#1f2328', stroke: '#7d9cc4' },
    syscall: { fill: '#f6b26b', ink: '#3e2700', stroke: '#d0822a' },
    spinning: { fill: '#ffd8a8', ink: '#3e2700', stroke: '#e65100' },
    waiting: { fill: '#d0d7de', ink: '#1f2328', stroke: '#8c959f' },
    mixed: { fill: '#8c959f', ink: '#1f2328', stroke: '#6e7781' },
    gc: { fill: '#fff4d6', ink: '#6b4f00', stroke: '#e0b341' },
    stw: { fill: '#c62828', ink: '#ffffff', stroke: '#8e0000' },
    gcBand: '#e0b341',
    stwBand: '#c62828',
    bandOpacity: 0.18,
    runnableOpacity: 0.3,
    cursor: '#1f2328',
    selected: '#1f2328',
  },
};

export const DARK: Palette = {
  dark: true,
  background: '#111418',
  ink: '#e6edf3',
  muted: '#9ba5b0',
  lane: { fill: '#1b2027', ink: '#e6edf3', stroke: '#38414d' },
  proc: {
    plain: { fill: '#161b22', ink: '#e6edf3', stroke: '#6e7781' },
    running: { fill: '#15233a', ink: '#e6edf3', stroke: '#6ea8fe' },
    idle: { fill: '#14181e', ink: '#9ba5b0', stroke: '#3d4550' },
    syscall: { fill: '#2a2013', ink: '#e6edf3', stroke: '#e8a33d' },
    gcstop: { fill: '#221b30', ink: '#e6edf3', stroke: '#a58bf0' },
  },
  slot: { fill: '#161b22', ink: '#9ba5b0', stroke: '#4b5563' },
  runSlot: { fill: '#14301a', ink: '#7ee787', stroke: '#3fb950' },
  queue: { fill: '#1b2027', ink: '#9ba5b0', stroke: '#3d4550' },
  more: { fill: '#2d333b', ink: '#d1d7e0', stroke: '#545d68' },
  thread: {
    running: { fill: '#cfd8dc', ink: '#1c262b', stroke: '#90a4ae' },
    spinning: { fill: '#ffb74d', ink: '#3e2700', stroke: '#ffcc80' },
    idle: { fill: '#2d333b', ink: '#9ba5b0', stroke: '#545d68' },
    new: { fill: '#1e3a5f', ink: '#bbdefb', stroke: '#64b5f6' },
    none: { fill: '#161b22', ink: '#9ba5b0', stroke: '#545d68' },
  },
  banner: {
    gc: { fill: '#3d3000', ink: '#ffe58f', stroke: '#9e7c0c' },
    stw: { fill: '#da3633', ink: '#ffffff', stroke: '#ff7b72' },
  },
  tint: '#ff7b72',
  tintOpacity: 0.08,
  highlight: '#ffd33d',
  arrow: {
    steal: { fill: '#2b1a0e', ink: '#ffc078', stroke: '#ff922b' },
    wake: { fill: '#0f2238', ink: '#a5d8ff', stroke: '#4dabf7' },
  },
  timeline: {
    sched: { fill: '#2b3a52', ink: '#e6edf3', stroke: '#5b7bb0' },
    syscall: { fill: '#9a5b13', ink: '#ffffff', stroke: '#e8a33d' },
    spinning: { fill: '#5c3d10', ink: '#ffd8a8', stroke: '#ffb74d' },
    waiting: { fill: '#3a424d', ink: '#e6edf3', stroke: '#768390' },
    mixed: { fill: '#8b949e', ink: '#111418', stroke: '#6e7781' },
    gc: { fill: '#3d3000', ink: '#ffe58f', stroke: '#9e7c0c' },
    stw: { fill: '#da3633', ink: '#ffffff', stroke: '#ff7b72' },
    gcBand: '#e3b341',
    stwBand: '#ff7b72',
    bandOpacity: 0.16,
    runnableOpacity: 0.35,
    cursor: '#f0f6fc',
    selected: '#f0f6fc',
  },
};

/** JupyterLab marks the body with data-jp-theme-light="false" under a dark theme. */
export function currentPalette(doc: Document | undefined = globalThis.document): Palette {
  return doc?.body?.dataset.jpThemeLight === 'false' ? DARK : LIGHT;
}

/** Double quotes: Cytoscape's font-family parser rejects single ones. */
export const FONT_FAMILY =
  '-apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, sans-serif';

/** Typography per text role. */
export const TEXT_STYLE: Record<
  TextRole,
  { readonly size: number; readonly weight: number; readonly muted: boolean }
> = {
  header: { size: 12, weight: 400, muted: true },
  title: { size: 14, weight: 700, muted: false },
  label: { size: 13, weight: 600, muted: false },
  caption: { size: 11, weight: 400, muted: true },
  muted: { size: 12, weight: 400, muted: true },
};

export const FRAME_RADIUS: Record<FrameRole, number> = { proc: 10, slot: 6, queue: 6, lane: 8 };

export function framePaint(palette: Palette, role: FrameRole, tone: FrameTone): Paint {
  switch (role) {
    case 'proc':
      return palette.proc[tone];
    case 'slot':
      return tone === 'running' ? palette.runSlot : palette.slot;
    case 'queue':
      return palette.queue;
    default:
      return palette.lane;
  }
}
