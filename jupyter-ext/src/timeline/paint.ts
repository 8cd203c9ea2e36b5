/**
 * What colours a slice: a key per slice (the goroutine running, "in the
 * scheduler", "in a syscall"…), the same key for slices that look the same
 * so that merged runs keep their colour, and the paint of each key in a
 * palette. Goroutines keep the picture's colours.
 */
import type { LaneSlice } from '@go-slowmo/kernel-bridge/protocol';
import { tokenPaint, textColorOn } from '../picture/colors';
import type { Palette } from '../picture/palette';
import { MIXED } from './cull';
import type { RowKind } from './layout';

/** The key of a slice in a row of `kind`; null for what is not drawn (idle). */
export function keyOf(kind: RowKind, s: LaneSlice): string | null {
  switch (s.kind) {
    case 'running':
      return s.goid > 0 ? `g${s.goid}` : 'sched';
    case 'sched':
      return 'sched';
    case 'syscall':
      return 'sys';
    case 'gcstop':
      return 'gc';
    case 'spinning':
      return 'spin';
    case 'runnable':
      return `r${s.goid}`;
    case 'waiting':
      return 'wait';
    case 'idle':
      return null;
    case 'stw':
      return 'stw';
    default:
      // The GC track's phases.
      return kind === 'gc' ? 'gc' : null;
  }
}

export interface KeyPaint {
  readonly fill: string;
  /** Words drawn on it. */
  readonly ink: string;
  /** Drawn at this opacity over the lane (a runnable goroutine). */
  readonly alpha: number;
  /** The goroutine it stands for, 0 for none. */
  readonly goid: number;
}

/** Paints per key for one palette, made once each. */
export class Paints {
  private readonly cache = new Map<string, KeyPaint>();

  constructor(
    readonly palette: Palette,
    private readonly isRuntime: (goid: number) => boolean,
  ) {}

  of(key: string): KeyPaint {
    let paint = this.cache.get(key);
    if (paint === undefined) {
      paint = this.make(key);
      this.cache.set(key, paint);
    }
    return paint;
  }

  private make(key: string): KeyPaint {
    const t = this.palette.timeline;
    const plain = (p: { fill: string; ink: string }): KeyPaint => ({
      fill: p.fill,
      ink: p.ink,
      alpha: 1,
      goid: 0,
    });
    const head = key[0];
    if ((head === 'g' || head === 'r') && key !== 'gc') {
      const goid = Number(key.slice(1));
      const fill = tokenPaint(goid, this.isRuntime(goid)).fill;
      if (head === 'g') return { fill, ink: textColorOn(fill), alpha: 1, goid };
      return { fill, ink: this.palette.ink, alpha: t.runnableOpacity, goid };
    }
    switch (key) {
      case 'sched':
        return plain(t.sched);
      case 'sys':
        return plain(t.syscall);
      case 'spin':
        return plain(t.spinning);
      case 'wait':
        return plain(t.waiting);
      case 'stw':
        return plain(t.stw);
      case 'gc':
        return plain(t.gc);
      case MIXED:
        return plain(t.mixed);
      default:
        return plain(t.mixed);
    }
  }
}
