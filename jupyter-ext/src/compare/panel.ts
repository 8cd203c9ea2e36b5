/**
 * The run compared with the one before, in the cell output: what changed between them (the
 * protocol's run-diff, as the recording keeps it), and the two runs' timelines one above the
 * other on one time axis from each program's start, so a learner sees 1 P against 4, or Go 1.25
 * against 1.26, or their change, at the same scale. Zooming or panning one moves the other.
 */
import {
  diffDuration,
  LaneBuilder,
  type Lanes,
  type RunDifference,
  type SlowmoEvent,
} from '@go-slowmo/kernel-bridge/protocol';
import { Panel, Widget } from '@lumino/widgets';
import type { Recording, SavedComparison } from '../recording';
import { TimelineView } from '../timeline/view';
import { clampScale, type TimeScale } from '../timeline/scale';
import { el } from '../dom';

function value(v: string | number, unit: RunDifference['unit']): string {
  if (unit === 'ns') return diffDuration(Number(v));
  if (typeof v === 'number') return v.toLocaleString('en');
  return v === '' ? '(nothing)' : JSON.stringify(v);
}

/** How a run was made, in a few words: `Go 1.27.4, GOMAXPROCS 4, eBPF`. */
export function settingWords(s: {
  goVersion: string;
  gomaxprocs: number;
  backend: string;
}): string {
  const backend =
    s.backend === 'ebpf' ? 'eBPF' : s.backend === 'trace' ? 'execution tracer' : s.backend;
  return `${s.goVersion.replace(/^go/, 'Go ')}, GOMAXPROCS ${s.gomaxprocs}, ${backend}`;
}

/**
 * A timeline whose time axis is shared with a partner's: both end where the longer run ends
 * (a shorter run is not stretched), and a zoom or a pan of one is the other's too, both
 * measured from their programs' starts.
 */
class LinkedTimeline extends TimelineView {
  partner: LinkedTimeline | null = null;
  /** Where the program starts in this run (ns): the two runs line up there. */
  offset = 0;
  /** The common axis's length from the program's start: the longer run's. */
  span = 0;
  /** Both runs shown whole from their program's start (until a zoom or a pan). */
  fitted = true;

  override get end(): number {
    return Math.max(this.offset + this.span, super.end);
  }

  override setScale(scale: TimeScale): void {
    this.fitted = false;
    this.put(scale);
    const p = this.partner;
    if (!p) return;
    p.fitted = false;
    const shift = p.offset - this.offset;
    p.follow({ from: this.scale.from + shift, to: this.scale.to + shift, width: p.lanesWidth() });
  }

  override fitAll(): void {
    this.fitCommon();
    this.partner?.fitCommon();
  }

  /** Whole, from the program's start, on the common axis. */
  fitCommon(): void {
    this.fitted = true;
    this.put({ from: this.offset, to: this.offset + this.span, width: this.lanesWidth() });
  }

  private follow(scale: TimeScale): void {
    this.put(scale);
  }

  /** As TimelineView.setScale, inside the common axis (past this run's own end when shorter). */
  private put(scale: TimeScale): void {
    this.whole = false;
    this.scale = clampScale(scale, this.end);
    this.request();
  }
}

export class ComparePanel extends Panel {
  private readonly lanesBox = new Panel();
  private before: LinkedTimeline | null = null;
  private now: LinkedTimeline | null = null;
  /** A new width keeps a timeline's ns per pixel: shown whole, the two are fitted again. */
  private sizeWatch: ResizeObserver | null = null;

  constructor(
    comparison: SavedComparison,
    nowStart: { goVersion: string; gomaxprocs: number; backend: string } | null,
    beforeRun: Recording | undefined,
    /** The picture's seq at a time of the run now (clicking its timeline moves the picture). */
    seqAtTime: (t: number) => number,
  ) {
    super();
    this.addClass('jp-slowmo-compare');
    const bar = new Widget();
    bar.addClass('jp-slowmo-compare-bar');
    bar.node.append(
      el('span', 'jp-slowmo-compare-title', 'Compared with the run before'),
      el(
        'span',
        'jp-slowmo-compare-settings',
        `before: ${settingWords(comparison.before)} → now: ${nowStart ? settingWords(nowStart) : '?'}`,
      ),
    );
    this.addWidget(bar);
    this.addWidget(this.differences(comparison));
    if (beforeRun) this.showLanes(beforeRun, nowStart, seqAtTime);
    else {
      const note = new Widget();
      note.addClass('jp-slowmo-compare-note');
      note.node.textContent =
        'The notebook keeps this list, not the run before: run the cell again (after a change, or with other settings) to see both timelines here.';
      this.addWidget(note);
    }
  }

  /** The differences as a table, what stayed the same under it. */
  private differences(c: SavedComparison): Widget {
    const w = new Widget();
    w.addClass('jp-slowmo-compare-list');
    if (c.differences.length === 0) {
      w.node.append(el('p', 'jp-slowmo-compare-none', 'No difference found between the two runs.'));
    } else {
      const table = el('table', 'jp-slowmo-compare-table');
      const head = el('tr', '');
      for (const h of ['', 'before', 'now', '']) head.append(el('th', '', h));
      table.append(head);
      for (const d of c.differences) {
        const row = el('tr', 'jp-slowmo-compare-row');
        row.dataset.what = d.what;
        row.title = d.words;
        row.append(
          el('th', 'jp-slowmo-compare-what', d.what),
          el('td', 'jp-slowmo-compare-before', value(d.a, d.unit)),
          el('td', 'jp-slowmo-compare-now', value(d.b, d.unit)),
          el('td', 'jp-slowmo-compare-words', d.words),
        );
        table.append(row);
      }
      w.node.append(table);
    }
    if (c.same.length > 0)
      w.node.append(el('p', 'jp-slowmo-compare-same', `The same in both: ${c.same.join(', ')}.`));
    return w;
  }

  /** The two timelines, linked. */
  private showLanes(
    beforeRun: Recording,
    nowStart: { goVersion: string; gomaxprocs: number; backend: string } | null,
    seqAtTime: (t: number) => number,
  ): void {
    const bar = new Widget();
    bar.addClass('jp-slowmo-compare-lanes-bar');
    const whole = el('button', 'jp-slowmo-btn jp-slowmo-compare-fit', 'whole runs');
    whole.type = 'button';
    whole.title = 'Both runs whole, on one time axis';
    whole.onclick = () => this.now?.fitAll();
    bar.node.append(
      el(
        'span',
        'jp-slowmo-compare-hint',
        'Both runs from their program’s start, on one time axis: zoom or pan one and the other follows.',
      ),
      whole,
    );
    this.lanesBox.addClass('jp-slowmo-compare-lanes');
    this.before = new LinkedTimeline(() => -1);
    this.now = new LinkedTimeline(seqAtTime);
    this.before.partner = this.now;
    this.now.partner = this.before;
    this.before.lanes = LaneBuilder.from(beforeRun.events).lanes();
    this.lanesBox.addWidget(this.label('before', settingWords(startOf(beforeRun.events))));
    this.lanesBox.addWidget(this.before);
    this.lanesBox.addWidget(this.label('now', nowStart ? settingWords(nowStart) : ''));
    this.lanesBox.addWidget(this.now);
    this.addWidget(bar);
    this.addWidget(this.lanesBox);
  }

  private label(which: string, words: string): Widget {
    const w = new Widget();
    w.addClass('jp-slowmo-compare-label');
    w.node.dataset.run = which;
    w.node.textContent = words ? `${which}: ${words}` : which;
    return w;
  }

  protected override onAfterAttach(): void {
    if (this.sizeWatch === null && typeof ResizeObserver !== 'undefined') {
      this.sizeWatch = new ResizeObserver(() => {
        if (this.now?.fitted) this.now.fitAll();
      });
      this.sizeWatch.observe(this.lanesBox.node);
    }
  }

  protected override onBeforeDetach(): void {
    this.sizeWatch?.disconnect();
    this.sizeWatch = null;
  }

  /** The timeline clicked in the run now asks the picture to move there. */
  get nowTimeline(): TimelineView | null {
    return this.now;
  }

  /** Draws both timelines: the run now as far as it goes, with the picture's moment. */
  showRuns(now: Lanes, t: number | null): void {
    const before = this.before;
    const nowView = this.now;
    if (!before || !nowView || !before.lanes) return;
    before.offset = before.lanes.main?.t ?? before.lanes.start;
    nowView.offset = now.main?.t ?? now.start;
    // One axis: the longer program, measured from each one's start.
    const span = Math.max(before.lanes.end - before.offset, now.end - nowView.offset);
    before.span = span;
    nowView.span = span;
    const common = { seq: -1, runtime: false, selected: 0 };
    before.showLanes({ ...common, lanes: before.lanes, t: null });
    nowView.showLanes({ ...common, lanes: now, t });
    if (nowView.fitted) nowView.fitAll();
  }
}

function startOf(events: readonly SlowmoEvent[]): {
  goVersion: string;
  gomaxprocs: number;
  backend: string;
} {
  const s = events.find((e) => e.kind === 'run.start');
  return s?.kind === 'run.start' ? s : { goVersion: '?', gomaxprocs: 0, backend: '?' };
}
