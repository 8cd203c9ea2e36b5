/**
 * The runtime's own lines on the timeline: a strip above the lanes, shown when the run asked for
 * GODEBUG schedtrace or gctrace. A mark per schedtrace line, green where the picture's model
 * agrees with it and orange where it differs (protocol/analysis/schedtrace-check.ts), its
 * window as a faint band; a mark per GC cycle. Hover for the numbers and why they may differ,
 * click to move the picture to the line.
 *
 * It follows the view's time scale: the view calls `place` after each frame it draws. A
 * schedtrace mark stands where the line's own clock says the runtime sampled (the recording
 * read it later), a gctrace mark at its cycle's end as the recording saw it.
 */
import {
  checkSchedtrace,
  type EventOf,
  type SchedtraceCheck,
  type Timeline,
} from '@go-slowmo/kernel-bridge/protocol';
import { Widget } from '@lumino/widgets';
import { GUTTER } from './layout';
import { xOf, type TimeScale } from './scale';
import { gctraceWords, schedtraceWords } from './runtime-words';

type Line = EventOf<'schedtrace'> | EventOf<'gctrace'>;

export class RuntimeStrip extends Widget {
  private readonly lines: Line[] = [];
  private readonly marks: HTMLElement[] = [];
  private readonly bands: HTMLElement[] = [];
  private readonly rowOf = {
    sched: document.createElement('div'),
    gc: document.createElement('div'),
  };
  private readonly tip = document.createElement('div');
  private fed = 0;
  /** When each GC cycle the recording saw ended (its phase back to off), cycle 1 first. */
  private readonly cycleEnds: number[] = [];
  /** The checks by the schedtrace event's seq, made once the run has ended. */
  private checks: Map<number, SchedtraceCheck> | null = null;
  private scale: TimeScale | null = null;

  constructor(private readonly seek: (seq: number) => void) {
    super();
    this.addClass('jp-slowmo-runtime-strip');
    for (const [key, name, title] of [
      ['sched', 'schedtrace', 'GODEBUG=schedtrace: the runtime’s own counts, beside the picture’s'],
      ['gc', 'gctrace', 'GODEBUG=gctrace: a line per GC cycle'],
    ] as const) {
      const row = this.rowOf[key];
      row.className = `jp-slowmo-runtime-row jp-slowmo-runtime-${key}`;
      const label = document.createElement('span');
      label.className = 'jp-slowmo-runtime-label';
      label.style.width = `${GUTTER}px`;
      label.textContent = name;
      label.title = title;
      row.appendChild(label);
      this.node.appendChild(row);
    }
    this.tip.className = 'jp-slowmo-tip jp-slowmo-runtime-tip';
    this.tip.hidden = true;
    this.hide();
  }

  override dispose(): void {
    this.tip.remove();
    super.dispose();
  }

  /** Takes the timeline's new events; shows the strip once there is a line to show. */
  sync(timeline: Timeline): void {
    const n = timeline.length;
    let added = false;
    for (let seq = this.fed; seq < n; seq++) {
      const e = timeline.event(seq);
      if (e?.kind === 'gc' && e.phase === 'off') this.cycleEnds.push(e.t);
      if (e?.kind === 'schedtrace' || e?.kind === 'gctrace') {
        this.lines.push(e);
        this.addMark(e);
        added = true;
      }
      if (e?.kind === 'run.end' && this.checks === null && this.lines.length > 0) {
        this.checks = new Map(checkSchedtrace(timeline.slice()).map((c) => [c.seq, c]));
        this.judge();
      }
    }
    this.fed = n;
    if (added && this.isHidden) this.show();
    if (added && this.scale) this.place(this.scale);
  }

  private addMark(e: Line): void {
    const mark = document.createElement('span');
    mark.className = `jp-slowmo-runtime-mark jp-slowmo-runtime-${e.kind}`;
    mark.dataset.seq = String(e.seq);
    const band = document.createElement('span');
    band.className = 'jp-slowmo-runtime-band';
    band.hidden = true;
    const row = e.kind === 'schedtrace' ? this.rowOf.sched : this.rowOf.gc;
    row.append(band, mark);
    mark.onmouseenter = () => this.showTip(e, mark);
    mark.onmouseleave = () => {
      this.tip.hidden = true;
    };
    mark.onclick = () => this.seek(e.seq);
    this.marks.push(mark);
    this.bands.push(band);
  }

  /** Colours the schedtrace marks by their checks. */
  private judge(): void {
    this.lines.forEach((e, i) => {
      if (e.kind !== 'schedtrace') return;
      const c = this.checks?.get(e.seq);
      const mark = this.marks[i];
      if (c && mark) mark.dataset.agrees = String(c.agrees);
    });
    this.node.dataset.checked = 'true';
    if (this.scale) this.place(this.scale);
  }

  private showTip(e: Line, mark: HTMLElement): void {
    this.tip.textContent =
      e.kind === 'schedtrace' ? schedtraceWords(e, this.checks?.get(e.seq)) : gctraceWords(e);
    this.tip.hidden = false;
    // On the page itself, fixed to the window: the timeline panel clips what overflows it, and
    // the notebook's windowed list (a transform) would be what `fixed` is fixed to.
    if (this.tip.parentNode !== document.body) document.body.appendChild(this.tip);
    const at = mark.getBoundingClientRect();
    const left = Math.max(4, Math.min(at.left + 10, window.innerWidth - this.tip.offsetWidth - 4));
    const below = at.bottom + 4;
    const top =
      below + this.tip.offsetHeight > window.innerHeight
        ? Math.max(4, at.top - this.tip.offsetHeight - 4)
        : below;
    this.tip.style.left = `${left}px`;
    this.tip.style.top = `${top}px`;
  }

  /**
   * Where a line stands: a schedtrace line where the runtime sampled it (its own clock), once
   * checked; a gctrace line at the end of its cycle as the recording saw it, when it saw that
   * cycle end before reading the line; else when the line was read.
   */
  private timeOf(e: Line, c: SchedtraceCheck | undefined): number {
    if (c) return c.sampled;
    if (e.kind === 'gctrace') {
      const end = this.cycleEnds[e.cycle - 1];
      if (end !== undefined && end <= e.at) return end;
    }
    return e.at;
  }

  /** Places the marks at the view's time scale (x from the lanes' left edge). */
  place(scale: TimeScale): void {
    this.scale = scale;
    if (this.isHidden) return;
    this.lines.forEach((e, i) => {
      const mark = this.marks[i] as HTMLElement;
      const band = this.bands[i] as HTMLElement;
      const c = e.kind === 'schedtrace' ? this.checks?.get(e.seq) : undefined;
      const x = xOf(scale, this.timeOf(e, c));
      const inView = x >= -6 && x <= scale.width + 6;
      mark.hidden = !inView;
      mark.style.left = `${GUTTER + x}px`;
      if (c && inView) {
        const from = Math.max(0, xOf(scale, c.from));
        const to = Math.min(scale.width, xOf(scale, c.to));
        band.hidden = to - from < 1;
        band.style.left = `${GUTTER + from}px`;
        band.style.width = `${to - from}px`;
      } else {
        band.hidden = true;
      }
    });
  }
}
