/**
 * The timeline as the widget shows it: a bar with the lanes a learner can
 * add (threads, goroutines), the arrows switch, "whole run" and how to move
 * around, a key to the colours, then the canvas.
 */
import type { Timeline } from '@go-slowmo/kernel-bridge/protocol';
import { Signal, type ISignal } from '@lumino/signaling';
import { Panel, Widget } from '@lumino/widgets';
import { currentPalette, type Palette } from '../picture/palette';
import { ANNOTATION_COLORS } from './annotation-draw';
import type { UserAnnotations } from './annotations';
import { RaceStrip } from './race-strip';
import { RuntimeStrip } from './runtime-strip';
import { TimelineView } from './view';

export interface LaneChoice {
  ms: boolean;
  goroutines: boolean;
}

function check(label: string, title: string, cls: string): [HTMLLabelElement, HTMLInputElement] {
  const box = document.createElement('input');
  box.type = 'checkbox';
  const l = document.createElement('label');
  l.className = `jp-slowmo-timeline-check ${cls}`;
  l.title = title;
  l.append(box, document.createTextNode(` ${label}`));
  return [l, box];
}

/** The key: what each colour and mark means, in the theme's colours. */
function keyEntries(p: Palette, annotations: { regions: boolean; logs: boolean }): string[][] {
  const t = p.timeline;
  const marks = p.dark ? ANNOTATION_COLORS.dark : ANNOTATION_COLORS.light;
  // The program's own marks, only when it made some (trace.WithRegion, trace.Log).
  const own = [
    ...(annotations.regions
      ? [['region', marks.region, 'region (band on its goroutine’s lane)']]
      : []),
    ...(annotations.logs ? [['log', marks.log, 'log ◆ (on its goroutine’s lane)']] : []),
  ];
  return [
    [
      'goroutine colour',
      'linear-gradient(90deg,#d9480f,#2f9e44,#1971c2)',
      'running (its colour, as in the picture)',
    ],
    [
      'runnable',
      'linear-gradient(90deg,#d9480f,#2f9e44,#1971c2)',
      'runnable: waiting for a P (faint)',
    ],
    ['sched', t.sched.fill, 'in the scheduler'],
    ['syscall', t.syscall.fill, 'system call'],
    ['spinning', t.spinning.fill, 'M spinning'],
    ['waiting', t.waiting.fill, 'waiting (blocked)'],
    ['gc', t.gc.fill, 'GC'],
    ['stw', t.stw.fill, 'stop the world'],
    ['steal', p.arrow.steal.stroke, 'steal ↓'],
    ['wake', p.arrow.wake.stroke, 'wake-up ↓'],
    ...own,
  ];
}

export class TimelinePanel extends Panel {
  readonly view: TimelineView;
  /** The runtime's schedtrace and gctrace lines (GODEBUG), above the lanes when the run has some. */
  readonly runtimeStrip: RuntimeStrip;
  /** The race detector's reports (a run built with -race), above the lanes when the run has some. */
  readonly raceStrip: RaceStrip;
  private readonly bar = new Widget();
  private readonly key = document.createElement('div');
  private readonly ms: HTMLInputElement;
  private readonly gs: HTMLInputElement;
  private readonly changed = new Signal<this, LaneChoice>(this);
  private annotated = { regions: false, logs: false };

  constructor(seqAtTime: (t: number) => number, choice: LaneChoice) {
    super();
    this.addClass('jp-slowmo-timeline');
    this.view = new TimelineView(seqAtTime);
    const [msLabel, ms] = check(
      'threads (Ms)',
      'A lane per M: running Go code with its P, in a system call, spinning, idle',
      'jp-slowmo-timeline-ms',
    );
    const [gsLabel, gs] = check(
      'goroutines',
      'A lane per goroutine: running, runnable, waiting (and why), in a system call',
      'jp-slowmo-timeline-gs',
    );
    const [arrowLabel, arrows] = check(
      'arrows',
      'Steals and wake-ups as arrows between lanes',
      'jp-slowmo-timeline-arrows',
    );
    this.ms = ms;
    this.gs = gs;
    ms.checked = choice.ms;
    gs.checked = choice.goroutines;
    arrows.checked = true;
    const emit = () => {
      this.view.setLanes({ ms: ms.checked, goroutines: gs.checked });
      this.changed.emit({ ms: ms.checked, goroutines: gs.checked });
    };
    ms.onchange = emit;
    gs.onchange = emit;
    arrows.onchange = () => {
      this.view.arrows = arrows.checked;
      this.view.request();
    };
    const fit = document.createElement('button');
    fit.type = 'button';
    fit.className = 'jp-slowmo-btn jp-slowmo-timeline-fit';
    fit.textContent = 'whole run';
    fit.title = 'Zoom out to the whole run (key 0)';
    fit.onclick = () => this.view.fitAll();
    const hint = document.createElement('span');
    hint.className = 'jp-slowmo-timeline-hint';
    hint.textContent =
      'click to seek · drag the time ruler to scrub · drag to pan · Ctrl+wheel to zoom · hover for words';
    const title = document.createElement('span');
    title.className = 'jp-slowmo-timeline-title';
    title.textContent = 'Timeline';
    this.bar.addClass('jp-slowmo-timeline-bar');
    this.bar.node.append(title, msLabel, gsLabel, arrowLabel, fit, hint);
    this.key.className = 'jp-slowmo-timeline-key';
    this.bar.node.appendChild(this.key);
    this.runtimeStrip = new RuntimeStrip((seq) => this.view.seek(seq));
    this.raceStrip = new RaceStrip((seq) => this.view.seek(seq));
    this.view.afterDraw = (scale) => {
      this.runtimeStrip.place(scale);
      this.raceStrip.place(scale);
    };
    this.addWidget(this.bar);
    this.addWidget(this.runtimeStrip);
    this.addWidget(this.raceStrip);
    this.addWidget(this.view);
    this.view.setLanes(choice);
    this.view.themeChanged = () => this.drawKey();
    this.drawKey();
  }

  /** The lanes chosen changed (saved with the output). */
  get laneChoice(): ISignal<this, LaneChoice> {
    return this.changed;
  }

  get choice(): LaneChoice {
    return { ms: this.ms.checked, goroutines: this.gs.checked };
  }

  /** The run's schedtrace and gctrace lines and its races so far, on the strips above the lanes. */
  showRuntimeTraces(timeline: Timeline): void {
    this.runtimeStrip.sync(timeline);
    this.raceStrip.sync(timeline);
  }

  /** The program's regions and logs, drawn over the goroutine lanes; the key names them once there are some. */
  showAnnotations(annotations: UserAnnotations): void {
    this.view.annotations = annotations;
    const has = { regions: annotations.regions.size > 0, logs: annotations.logs.size > 0 };
    if (has.regions === this.annotated.regions && has.logs === this.annotated.logs) return;
    this.annotated = has;
    this.drawKey();
  }

  /** The key in the current theme's colours. */
  drawKey(): void {
    this.key.replaceChildren();
    const p = currentPalette();
    for (const [name = '', color = '', words = ''] of keyEntries(p, this.annotated)) {
      const item = document.createElement('span');
      item.className = 'jp-slowmo-timeline-key-item';
      item.dataset.key = name;
      const swatch = document.createElement('span');
      swatch.className = 'jp-slowmo-timeline-swatch';
      swatch.style.background = color;
      if (name === 'runnable') swatch.style.opacity = String(p.timeline.runnableOpacity);
      item.append(swatch, document.createTextNode(words));
      this.key.appendChild(item);
    }
  }
}
