/**
 * The cell output of a Go-slowmo run, top to bottom: the status in words,
 * one toolbar (steps, play, speed, "next of a kind", runtime goroutines,
 * stop), the ending banner, the source beside the G/M/P picture (a bar
 * between them resizes; a narrow output stacks them), the narration of the
 * current event, the scrubber with the timeline and goroutine table toggles
 * beside it, the timeline and the table when opened (what is open is saved
 * with the output), then what a learner opens when they want it: the
 * program's output, the checkpoints, the legend.
 *
 * It shows one point of the run (the cursor): live runs follow their newest
 * event unless the person scrubs away; finished runs open on their last
 * event. Runtime goroutines are hidden by default: from the picture, from
 * stepping and "next of a kind", and from the lit lines; |◀ goes to the start
 * of main, and from there to the runtime's start-up.
 */
import {
  explainEnding,
  findPatterns,
  isFolded,
  isRuntimeEvent,
  isRuntimeGoroutine,
  mainStart,
  narrate,
  narrationContext,
  whyRunning,
  whyRunningText,
  type Ending,
  type Lanes,
  type PatternNote,
  type SchedState,
  type SlowmoEvent,
} from '@go-slowmo/kernel-bridge/protocol';
import { Signal } from '@lumino/signaling';
import { Panel, PanelLayout, Widget } from '@lumino/widgets';
import { HeapGraph } from '../gc/graph';
import { lensFrame, markerOf } from '../gc/frame';
import { GcLensPanel } from '../gc/panel';
import { legendNode, PictureView, type Cause } from '../picture';
import { outcomeExtras } from '../predict/checkpoint-row';
import { ProfilePanel, type PickedLine } from '../profile/panel';
import { RaceList } from './race-list';
import { beforeRun } from '../compare/before-runs';
import { ComparePanel } from '../compare/panel';
import type { ProfileEvent } from '../profile/tree';
import { waitsAt } from '../profile/words';
import type { RunStore } from '../store';
import { AnnotationFeed } from '../timeline/annotations';
import { LaneFeed } from '../timeline/feed';
import { PatternsList } from '../timeline/patterns-list';
import { TimelinePanel } from '../timeline/panel';
import { GoroutineTable } from '../timeline/table';
import type { ViewState } from './view-state';
import { ControlsBar, speedWords, type ControlRequest, type Jump } from './controls';
import { finishedText } from './status-words';
import { Divider } from './divider';
import { EndingBanner } from './ending-banner';
import { FailureLensPanel, lensOf, type FailureLens } from './failure-lens';
import { chromeTraceFile, download, exportButton, runName } from './export';
import { OutputPane } from './output-pane';
import { isFile, litLines, SourcePane, type LitLine } from './source-pane';

/** At or below this speed, goroutines glide between places; above it they jump. */
const ANIMATE_UP_TO = 10;
/** The picture's narrowest useful width beside the source; narrower stacks them. */
const MIN_STAGE = 400;

function text(cls: string, tag = 'div'): HTMLElement {
  const el = document.createElement(tag);
  el.className = cls;
  return el;
}

/** A folded section (output, checkpoints, legend): a <details> whose summary says what is inside. */
class Fold extends Widget {
  readonly summary = document.createElement('summary');
  constructor(cls: string, title: string, open: boolean, content: Widget) {
    super({ node: document.createElement('details') });
    this.addClass('jp-slowmo-fold');
    this.addClass(cls);
    this.summary.textContent = title;
    this.node.appendChild(this.summary);
    (this.node as HTMLDetailsElement).open = open;
    // A layout, so the content gets Lumino's attach and resize messages (the terminal needs them).
    const layout = new PanelLayout();
    this.layout = layout;
    layout.addWidget(content);
  }
}

export class RunWidget extends Panel {
  readonly picture = new PictureView();
  readonly controls: ControlsBar;
  readonly output = new OutputPane();
  readonly source: SourcePane;
  private readonly status = new Widget({ node: text('jp-slowmo-status') });
  private readonly narration = new Widget({ node: text('jp-slowmo-narration') });
  private readonly ending = new EndingBanner();
  /** Under the banner once the run is over: what the blocked goroutines wait on (a deadlock, a leak). */
  private readonly lens = new FailureLensPanel((goid, seq) => {
    this.move(seq);
    this.select(goid);
  });
  /** The failure lens, found once at the run's end and kept while the picture moves back. */
  private failure: { lens: FailureLens | null } | null = null;
  private readonly checks = new Widget({ node: text('jp-slowmo-checkpoints') });
  private readonly diagnostics = new Widget({ node: text('jp-slowmo-diagnostics') });
  private readonly notice = new Widget({ node: text('jp-slowmo-notice') });
  private readonly main = new Panel();
  /** The timeline and the goroutine table, made when first opened. */
  private readonly extras = new Panel();
  private timeline: TimelinePanel | null = null;
  private table: GoroutineTable | null = null;
  /** The GC lens (runs recorded with it), made when first opened, and its graph of the run. */
  private gcLens: GcLensPanel | null = null;
  private heapGraph: HeapGraph | null = null;
  /** The profiles' flame graphs (runs that collected profiles), made when first opened. */
  private profilePanel: ProfilePanel | null = null;
  /** The run's profile events, and how far the recording has been looked through for them. */
  private profiles: { scanned: number; list: ProfileEvent[] } = { scanned: 0, list: [] };
  /** The race detector's reports (runs built with -race), made when the first comes. */
  private raceList: RaceList | null = null;
  private racesScanned = 0;
  /** The comparison with the run before (a cell's second run and later), made when first opened. */
  private comparePanel: ComparePanel | null = null;
  /** A frame of the learner's code picked in a flame graph: the renderer lights its line in the cell. */
  readonly lineLit = new Signal<this, PickedLine>(this);
  private feed: LaneFeed | null = null;
  private annotationFeed: AnnotationFeed | null = null;
  /** The patterns of the finished run, beside the timeline and the table (made when first shown). */
  private patterns: PatternsList | null = null;
  /** The notes found, and for how many events (patterns are looked for once the run has ended). */
  private notes: { length: number; notes: PatternNote[] } | null = null;
  private readonly exporter = exportButton(() => this.exportTrace());
  /** The goroutine picked in the table or the timeline (0: none). */
  private selected = 0;
  private view: ViewState;
  private readonly divider: Divider;
  private readonly outputFold = new Fold('jp-slowmo-output-fold', 'Output', true, this.output);
  private readonly checkFold = new Fold(
    'jp-slowmo-checkpoint-fold',
    'Checkpoints',
    true,
    this.checks,
  );
  private mainWatch: ResizeObserver | null = null;
  /** The source pane's width beside the picture (its width in the stacked layout is not it). */
  private sourceWidth = 0;
  private cursor = -1;
  private following = true;
  private playing = false;
  private speed: number;
  private frame = 0;
  private timer: number | undefined;
  private lastShown = -2;
  private showRuntime = false;
  /** A sentence that answers the last request (e.g. "no more steals"), shown until the next move. */
  private said = '';
  /** Where main begins (-1: not found yet, looked for again as events arrive). */
  private mainAt = -1;
  private mainScanned = 0;
  /** The ending explained, once per run (the recording does not change after its end). */
  private explained: { ending: Ending | null } | null = null;
  /** Pictures drawn so far (the benchmark counts them). */
  private frames = 0;
  private readonly sourceLines: string[];

  constructor(
    readonly store: RunStore,
    view: ViewState = {},
    /** Keeps what is open with the output (its metadata). */
    private readonly saveView?: (view: ViewState) => void,
  ) {
    super();
    this.view = view;
    this.addClass('jp-slowmo-run');
    this.speed = store.options.mode === 'paced' ? 2 : 5;
    this.controls = new ControlsBar(this.speed);
    this.source = new SourcePane(store.source);
    this.sourceLines = store.source.split('\n');
    this.source.node.style.width = `calc(${this.source.columns + 6}ch + 8px)`;
    this.divider = new Divider(this.source.node);

    const stage = new Panel();
    stage.addClass('jp-slowmo-stage');
    stage.addWidget(this.picture);
    stage.addWidget(this.narration);
    this.main.addClass('jp-slowmo-main');
    this.main.addWidget(this.source);
    this.main.addWidget(this.divider);
    this.main.addWidget(stage);

    const key = new Widget({ node: document.createElement('div') });
    const legend = new Fold('jp-slowmo-legend', 'Legend', false, key);
    // Drawn in the theme's colours each time it is opened (the theme may have changed).
    legend.node.addEventListener('toggle', () => {
      if ((legend.node as HTMLDetailsElement).open) key.node.replaceChildren(legendNode());
    });

    this.addWidget(this.status);
    this.addWidget(this.notice);
    this.addWidget(this.controls);
    this.addWidget(this.ending);
    this.addWidget(this.lens);
    this.addWidget(this.diagnostics);
    this.addWidget(this.main);
    this.addWidget(this.controls.scrub);
    this.extras.addClass('jp-slowmo-extras');
    this.addWidget(this.extras);
    this.addWidget(this.outputFold);
    this.addWidget(this.checkFold);
    this.addWidget(legend);

    this.controls.requested.connect((_, r) => this.handle(r));
    this.controls.addTool(this.exporter.button);
    this.picture.goroutineClicked.connect((_, goid) => {
      this.select(goid);
      this.focusGoroutine(goid);
    });
    store.changed.connect(this.schedule, this);
    if (view.timeline) this.openTimeline(true, false);
    if (view.table) this.openTable(true, false);
    if (view.gc) this.openGcLens(true, false);
    if (view.profile) this.openProfiles(true, false);
    if (view.compare) this.openCompare(true, false);
    this.controls.setOpen({
      timeline: !!view.timeline,
      table: !!view.table,
      gc: !!view.gc,
      profile: !!view.profile,
      compare: !!view.compare,
    });
    // A finished run opens on its last event: the final picture, as the SVG shows it.
    this.cursor = store.timeline.length - 1;
    this.schedule();
  }

  /** The seq shown now. */
  get seq(): number {
    return this.cursor;
  }

  private get last(): number {
    return this.store.timeline.length - 1;
  }

  protected override onAfterAttach(): void {
    // Side by side when both fit, else the source above the picture.
    if (this.mainWatch === null && typeof ResizeObserver !== 'undefined') {
      this.mainWatch = new ResizeObserver(() => this.arrange());
      this.mainWatch.observe(this.main.node);
    }
    this.arrange();
  }

  protected override onBeforeDetach(): void {
    this.mainWatch?.disconnect();
    this.mainWatch = null;
  }

  private arrange(): void {
    const width = this.main.node.clientWidth;
    if (width <= 0) return;
    // Stacked, the source takes the whole width: decide on the width it has side by side.
    if (!this.main.hasClass('jp-mod-stacked')) this.sourceWidth = this.source.node.offsetWidth;
    const stacked = width < this.sourceWidth + MIN_STAGE;
    if (stacked === this.main.hasClass('jp-mod-stacked')) return;
    this.main.toggleClass('jp-mod-stacked', stacked);
    this.divider.setStacked(stacked);
  }

  private schedule(): void {
    if (this.frame || this.isDisposed) return;
    const raf =
      globalThis.requestAnimationFrame ??
      ((cb: FrameRequestCallback) => setTimeout(() => cb(0), 16));
    this.frame = raf(() => {
      this.frame = 0;
      this.render();
    }) as unknown as number;
  }

  /** Whether a goroutine belongs to the runtime (decided on the newest state, which knows every creation). */
  private isRuntime = (goid: number): boolean => {
    const g = this.store.timeline.state.gs.get(goid);
    return g !== undefined && isRuntimeGoroutine(g);
  };

  /**
   * Whether stepping passes over event `seq`: it only concerns hidden runtime
   * goroutines, or it is one of the goroutines an overflow moved to the
   * global queue (said once, at the put that overflowed).
   */
  private skipped(seq: number): boolean {
    const timeline = this.store.timeline;
    const e = timeline.event(seq);
    if (e === undefined) return false;
    if (isFolded(e, undefined, timeline.event(seq - 1))) return true;
    return !this.showRuntime && isRuntimeEvent(e, timeline.state);
  }

  /** The seq where the learner's program starts, once the events say. */
  private mainSeq(): number {
    const timeline = this.store.timeline;
    if (this.mainAt < 0 && this.mainScanned < timeline.length) {
      this.mainScanned = timeline.length;
      const at = mainStart(timeline.slice());
      if (at > 0) this.mainAt = at;
    }
    return Math.max(0, this.mainAt);
  }

  private handle(r: ControlRequest): void {
    const live = this.store.live;
    const paced = live && this.store.options.mode === 'paced';
    this.said = '';
    switch (r.type) {
      case 'first': {
        const main = this.mainSeq();
        this.move(this.cursor > main ? main : 0);
        break;
      }
      case 'back': {
        let s = this.cursor - 1;
        while (s > 0 && this.skipped(s)) s--;
        this.move(s);
        break;
      }
      case 'forward': {
        // At the newest event of a paced live run, "forward" asks the program for one more.
        if (paced && this.cursor >= this.last) {
          this.following = true;
          this.store.control?.control('step');
          break;
        }
        let s = this.cursor + 1;
        while (s < this.last && this.skipped(s)) s++;
        this.move(s);
        break;
      }
      case 'last':
        this.following = true;
        this.move(this.last);
        break;
      case 'seek':
        this.move(r.seq);
        break;
      case 'stepline':
        this.stepLine(paced);
        break;
      case 'play':
        if (paced && this.cursor >= this.last) {
          this.following = true;
          this.pace();
        }
        this.setPlaying(true);
        break;
      case 'pause':
        if (paced) this.store.control?.control('pause');
        this.setPlaying(false);
        break;
      case 'speed':
        this.speed = r.eventsPerSecond;
        if (paced && this.playing) this.pace();
        if (this.playing) this.setPlaying(true);
        break;
      case 'next-kind':
        this.nextOf(r.jump);
        break;
      case 'runtime':
        this.showRuntime = r.show;
        this.schedule();
        break;
      case 'timeline':
        this.openTimeline(r.show);
        break;
      case 'table':
        this.openTable(r.show);
        break;
      case 'gc':
        this.openGcLens(r.show);
        break;
      case 'profile':
        this.openProfiles(r.show);
        break;
      case 'compare':
        this.openCompare(r.show);
        break;
      case 'stop':
        this.store.control?.control('stop');
        break;
    }
  }

  /** Lets the live slow-motion program run at the chosen speed (full speed: unpaced). */
  private pace(): void {
    if (Number.isFinite(this.speed)) this.store.control?.control('speed', this.speed);
    else this.store.control?.control('resume');
  }

  /**
   * Step line: live in slow motion, the program runs until a goroutine
   * reaches another line of the program; in a recording, to its next line
   * event. Only slow motion with eBPF has line events: otherwise say so.
   */
  private stepLine(paced: boolean): void {
    const run = this.store.timeline.state.run;
    if (run && !run.fidelity.lines) {
      this.said = `Stepping by line needs the eBPF backend: this run was watched by ${run.backend === 'trace' ? 'the execution tracer' : run.backend}, which sees no lines.`;
      this.schedule();
      return;
    }
    if (paced && this.cursor >= this.last) {
      this.following = true;
      this.store.control?.control('stepline');
      return;
    }
    const timeline = this.store.timeline;
    for (
      let s = timeline.nextOfKind(this.cursor, ['line']);
      s >= 0;
      s = timeline.nextOfKind(s, ['line'])
    ) {
      if (!this.skipped(s)) {
        this.move(s);
        return;
      }
    }
    this.said =
      this.store.options.mode === 'paced'
        ? `No line after event ${this.cursor + 1}.`
        : 'Stepping by line needs slow motion: a recording at full speed has no line events. Switch the cell to ◐ Slow motion in its toolbar and run it again.';
    this.schedule();
  }

  /** To the next event of a kind that is not hidden; says so when there is none. */
  private nextOf({ kinds, label, only }: Jump): void {
    const timeline = this.store.timeline;
    for (
      let s = timeline.nextOfKind(this.cursor, kinds);
      s >= 0;
      s = timeline.nextOfKind(s, kinds)
    ) {
      const e = timeline.event(s);
      if (!this.skipped(s) && (!only || (e && only(e)))) {
        this.move(s);
        return;
      }
    }
    this.said = `No ${label} after event ${this.cursor + 1}${
      this.store.live ? ' yet' : ''
    }${this.showRuntime ? '' : ' (runtime goroutines are hidden)'}.`;
    this.schedule();
  }

  /** Moves the cursor (clamped); leaving the end stops following a live run. */
  move(seq: number): void {
    this.cursor = Math.max(0, Math.min(this.last, seq));
    this.following = this.cursor >= this.last;
    this.schedule();
  }

  private setPlaying(on: boolean): void {
    this.playing = on;
    clearInterval(this.timer);
    this.timer = undefined;
    if (on) {
      // Replay from the start of main.
      if (this.cursor >= this.last && !this.store.live) this.cursor = this.mainSeq() - 1;
      // Many events per tick at high speeds: the picture is drawn once per frame anyway.
      const tick = Math.max(16, 1000 / this.speed);
      const perTick = Math.max(1, Math.round((this.speed * tick) / 1000));
      this.timer = setInterval(() => {
        if (this.cursor >= this.last) {
          if (!this.store.live) this.setPlaying(false);
          return;
        }
        let s = Math.min(this.last, this.cursor + perTick);
        while (s < this.last && this.skipped(s)) s++;
        this.cursor = s;
        this.schedule();
      }, tick) as unknown as number;
    }
    this.schedule();
  }

  /** Shows or hides the timeline (made the first time), and keeps the choice with the output. */
  private openTimeline(open: boolean, save = true): void {
    if (open && this.timeline === null) {
      const timeline = this.store.timeline;
      this.timeline = new TimelinePanel((t) => timeline.seqAtTime(t), {
        ms: !!this.view.ms,
        goroutines: !!this.view.goroutines,
      });
      this.timeline.view.seekRequested.connect((_, seq) => this.move(seq));
      this.timeline.view.goroutineSelected.connect((_, goid) => this.select(goid));
      this.timeline.laneChoice.connect((_, c) => this.remember(c));
      this.extras.insertWidget(0, this.timeline);
    }
    this.timeline?.setHidden(!open);
    if (save) this.remember({ timeline: open });
    this.schedule();
  }

  /** Shows or hides the goroutine table (made the first time), and keeps the choice with the output. */
  private openTable(open: boolean, save = true): void {
    if (open && this.table === null) {
      const timeline = this.store.timeline;
      this.table = new GoroutineTable(this.view.sort);
      // A second click on the picked row lets it go.
      this.table.goroutinePicked.connect((_, goid) =>
        this.select(this.selected === goid ? 0 : goid),
      );
      this.table.timeRequested.connect((_, t) => this.move(timeline.seqAtTime(t)));
      this.table.orderChanged.connect((_, sort) => this.remember({ sort }));
      this.extras.addWidget(this.table);
    }
    this.table?.setHidden(!open);
    if (save) this.remember({ table: open });
    this.schedule();
  }

  /** Shows or hides the GC lens (made the first time), and keeps the choice with the output. */
  private openGcLens(open: boolean, save = true): void {
    if (open && this.gcLens === null) {
      this.gcLens = new GcLensPanel();
      this.heapGraph = new HeapGraph();
      // Under the picture, over the timeline: the two follow the same event.
      this.extras.insertWidget(0, this.gcLens);
    }
    this.gcLens?.setHidden(!open);
    if (save) this.remember({ gc: open });
    this.schedule();
  }

  /** The GC lens at the picture's event (only while open). */
  private renderGcLens(state: SchedState, event: SlowmoEvent | undefined): void {
    this.controls.offerGcLens(this.store.timeline.state.heap !== null);
    const lens = this.gcLens;
    if (lens === null || lens.isHidden || this.heapGraph === null) return;
    this.heapGraph.sync(this.store.timeline);
    const end = this.store.timeline.state.t;
    lens.show(
      this.heapGraph,
      lensFrame(this.heapGraph, state, event),
      state.heap?.lens ?? null,
      end,
    );
  }

  /** Shows or hides the profiles (made the first time), and keeps the choice with the output. */
  private openProfiles(open: boolean, save = true): void {
    if (open && this.profilePanel === null) {
      this.profilePanel = new ProfilePanel();
      this.profilePanel.linePicked.connect((_, line) => this.lineLit.emit(line));
      // A moment of waiting: the picture there, brought into view (it is above the graph).
      this.profilePanel.momentPicked.connect((_, seq) => {
        this.move(seq);
        this.main.node.scrollIntoView?.({ block: 'nearest' });
      });
      this.extras.insertWidget(0, this.profilePanel);
    }
    this.profilePanel?.setHidden(!open);
    if (save) this.remember({ profile: open });
    this.schedule();
  }

  /** Shows or hides the comparison with the run before, and keeps the choice with the output. */
  private openCompare(open: boolean, save = true): void {
    if (open && this.comparePanel === null && this.store.compare) {
      const c = this.store.compare;
      this.comparePanel = new ComparePanel(
        c,
        this.store.timeline.state.run,
        beforeRun(c.session),
        (t) => this.store.timeline.seqAtTime(t),
      );
      this.comparePanel.nowTimeline?.seekRequested.connect((_, seq) => this.move(seq));
      this.extras.insertWidget(0, this.comparePanel);
    }
    this.comparePanel?.setHidden(!open);
    if (save) this.remember({ compare: open });
    this.schedule();
  }

  /** The comparison: offered once the run has one, drawn while open. */
  private renderCompare(event: SlowmoEvent | undefined): void {
    const c = this.store.compare;
    this.controls.offerCompare(c ? c.differences.length : null);
    const panel = this.comparePanel;
    if (panel === null || panel.isHidden) return;
    this.feed ??= new LaneFeed();
    panel.showRuns(this.feed.sync(this.store.timeline), event?.t ?? null);
  }

  /** The run's profiles: offered once there are some, drawn while open. */
  private renderProfiles(): void {
    const timeline = this.store.timeline;
    // Only the events that came since the last look: a live run grows every frame.
    if (this.profiles.scanned < timeline.length) {
      const list = [...this.profiles.list];
      for (
        let s = timeline.nextOfKind(this.profiles.scanned - 1, ['profile']);
        s >= 0;
        s = timeline.nextOfKind(s, ['profile'])
      ) {
        const e = timeline.event(s);
        if (e?.kind === 'profile') list.push(e);
      }
      this.profiles = { scanned: timeline.length, list };
    }
    this.controls.offerProfiles(this.profiles.list.length > 0);
    const panel = this.profilePanel;
    if (panel === null || panel.isHidden) return;
    panel.showProfiles(this.profiles.list, (file, line) => waitsAt(timeline, file, line));
  }

  /** The race list, made when the run's first race comes (few runs have one). */
  private renderRaces(): void {
    const timeline = this.store.timeline;
    if (this.raceList === null) {
      // Only what came since the last look: a live run grows every frame.
      const first = timeline.nextOfKind(this.racesScanned - 1, ['race']);
      this.racesScanned = timeline.length;
      if (first < 0) return;
      this.raceList = new RaceList();
      this.raceList.linePicked.connect((_, line) => this.lineLit.emit(line));
      this.raceList.racePicked.connect((_, seq) => this.move(seq));
      this.extras.insertWidget(0, this.raceList);
    }
    this.raceList.sync(timeline);
  }

  /** The object a heap event is about, by its name in the open GC lens (narration says its address). */
  private lensName(event: SlowmoEvent | undefined): string {
    if (this.gcLens?.isHidden !== false || this.heapGraph === null || event === undefined)
      return '';
    let addr = 0;
    if (event.kind === 'gc.color' || event.kind === 'heap.alloc' || event.kind === 'heap.free')
      addr = event.addr;
    else if (event.kind === 'heap.edge') addr = event.to;
    const o = addr > 0 ? this.heapGraph.objectAt(addr, event.seq) : undefined;
    return o?.site ? ` (${o.name} in the GC lens)` : '';
  }

  /** Changes what is saved of the view. */
  private remember(change: Partial<ViewState>): void {
    this.view = { ...this.view, ...change };
    this.controls.setOpen({
      timeline: !!this.view.timeline,
      table: !!this.view.table,
      gc: !!this.view.gc,
      profile: !!this.view.profile,
    });
    this.saveView?.(this.view);
  }

  /** Picks a goroutine: ringed in the picture, its lane first in the timeline, its row in the table. */
  select(goid: number): void {
    this.selected = goid;
    this.node.dataset.selected = String(this.selected);
    this.schedule();
  }

  /** The timeline and the table at the picture's event (only while open: closed, they cost nothing). */
  private renderTimeline(seq: number, event: SlowmoEvent | undefined): void {
    const panel = this.timeline?.isHidden === false ? this.timeline : null;
    const table = this.table?.isHidden === false ? this.table : null;
    if (panel === null && table === null) {
      this.patterns?.setHidden(true);
      return;
    }
    this.feed ??= new LaneFeed();
    const lanes = this.feed.sync(this.store.timeline);
    const t = event?.t ?? null;
    const common = { lanes, runtime: this.showRuntime, selected: this.selected };
    if (panel !== null) {
      this.annotationFeed ??= new AnnotationFeed();
      panel.showAnnotations(this.annotationFeed.sync(this.store.timeline, lanes.end));
      panel.showRuntimeTraces(this.store.timeline);
    }
    panel?.view.showLanes({ ...common, seq, t });
    table?.showTable({ ...common, t, live: this.store.live });
    this.renderPatterns(lanes);
  }

  /** The patterns list under the timeline and the table, once the run has ended. */
  private renderPatterns(lanes: Lanes): void {
    if (this.patterns === null) {
      this.patterns = new PatternsList();
      this.patterns.notePicked.connect((_, note) => this.showNote(note));
      this.extras.addWidget(this.patterns);
    }
    const timeline = this.store.timeline;
    if (!this.store.live && timeline.length > 0 && this.notes?.length !== timeline.length) {
      this.notes = { length: timeline.length, notes: findPatterns(lanes) };
    }
    this.patterns.setHidden(false);
    this.patterns.showNotes(this.store.live ? null : (this.notes?.notes ?? null));
  }

  /** A pattern's moment: the picture at its first event, the timeline around its stretch. */
  private showNote(note: PatternNote): void {
    this.move(note.startSeq);
    const view = this.timeline?.isHidden === false ? this.timeline.view : null;
    if (view !== null) {
      const pad = Math.max((note.end - note.start) * 0.15, 2_000);
      view.setScale({
        from: Math.max(0, note.start - pad),
        to: note.end + pad,
        width: view.lanesWidth(),
      });
    }
  }

  /** Downloads the recording as Chrome Trace Event JSON. */
  private exportTrace(): void {
    const events = this.store.timeline.slice();
    if (events.length === 0) return;
    const name = runName(this.store.source, this.store.options.backend);
    const file = chromeTraceFile(events, name);
    download(file.filename, file.text);
  }

  private focusGoroutine(goid: number): void {
    const timeline = this.store.timeline;
    for (
      let s = timeline.nextOfKind(-1, ['g.create']);
      s >= 0;
      s = timeline.nextOfKind(s, ['g.create'])
    ) {
      const e = timeline.event(s);
      if (e?.kind === 'g.create' && e.goid === goid) {
        this.move(s);
        return;
      }
    }
  }

  /** What the event did to whom, for an arrow in the picture. */
  private causeOf(event: SlowmoEvent | undefined, sentence: string): Cause | undefined {
    if (event?.kind === 'steal') {
      return { kind: 'steal', thief: event.thief, victim: event.victim, goids: event.goids };
    }
    if (event?.kind === 'g.runnable' && event.by !== undefined && event.by !== event.goid) {
      const where = event.line && isFile(event.file) ? ` at line ${event.line}` : '';
      const plate = `g${event.by} woke g${event.goid}${where}`;
      return { kind: 'wake', by: event.by, goid: event.goid, text: plate || sentence };
    }
    return undefined;
  }

  private render(): void {
    const store = this.store;
    if (this.following && !this.playing) this.cursor = this.last;
    const seq = this.cursor;
    const state = store.timeline.stateAt(seq);
    const before = seq >= 0 ? store.timeline.stateAt(seq - 1) : state;
    const event: SlowmoEvent | undefined = seq >= 0 ? store.timeline.event(seq) : undefined;
    const animate =
      Math.abs(seq - this.lastShown) === 1 && (this.speed <= ANIMATE_UP_TO || !this.playing);
    this.lastShown = seq;

    const context = narrationContext(store.timeline, seq, this.lineOf);
    const sentence = event ? narrate(event, before, context) : this.waitingText();
    // Why it runs now, also on its token's tooltip.
    const note =
      event?.kind === 'g.running'
        ? {
            goid: event.goid,
            text: whyRunningText(whyRunning(before, event, context.lastSteal), event),
          }
        : undefined;
    const hide = this.showRuntime ? undefined : this.isRuntime;
    // With the GC lens open, the goroutine doing the marking is the one to see.
    const marker = this.gcLens?.isHidden === false ? markerOf(event) : 0;
    this.picture.show(state, {
      animate,
      highlight: marker || subjectOf(event),
      reveal: marker,
      cause: this.causeOf(event, sentence),
      note,
      hideRuntime: !this.showRuntime,
      selected: this.selected,
    });
    this.narration.node.textContent = this.said || sentence + this.lensName(event);
    this.narration.node.dataset.kind = event?.kind ?? '';

    const ending = seq >= 0 && seq === this.last ? this.endingNow(state) : null;
    this.ending.set(ending, this.last < 0 ? store.diagnostics : undefined);
    if (this.failure === null && seq >= 0 && seq === this.last && store.end && !store.live) {
      this.failure = { lens: lensOf(store.timeline.slice(), state, ending, this.lineOf) };
    }
    this.lens.set(this.failure?.lens ?? null);
    const lit: LitLine[] = litLines(state, event, { hide });
    for (const l of ending?.lines ?? []) {
      if (isFile(l.file)) {
        lit.unshift({
          line: l.line,
          goid: l.goid,
          kind: 'ending',
          tag: `g${l.goid} · ${l.note}`,
          note: l.note,
        });
      }
    }
    this.source.light(lit);
    this.output.showUpTo(store.timeline, seq);
    this.outputFold.summary.textContent = `Output · ${plural(this.output.lines, 'line')}`;

    this.controls.sync({
      seq,
      last: this.last,
      t: state.t,
      playing: this.playing,
      live: store.live,
      runtime: this.picture.scene?.counts.runtime ?? 0,
      mainStart: this.mainSeq(),
    });
    this.renderStatus(ending);
    this.exporter.enable(!store.live && this.last >= 0, store.live);
    this.renderTimeline(seq, event);
    this.renderGcLens(state, event);
    this.renderProfiles();
    this.renderRaces();
    this.renderCompare(event);
    this.markCounts(state, seq);
  }

  /** What the picture shows of the learner's own goroutines, for tests and assistive tools. */
  private markCounts(state: SchedState, seq: number): void {
    let mine = 0;
    let waiting = 0;
    state.gs.forEach((g) => {
      if (g.site && isFile(g.site.file) && g.status !== 'dead') {
        mine++;
        if (g.status === 'waiting') waiting++;
      }
    });
    this.node.dataset.userGoroutines = String(mine);
    this.node.dataset.userWaiting = String(waiting);
    this.node.dataset.seq = String(seq);
    this.node.dataset.frames = String(++this.frames);
    this.toggleClass(
      'jp-slowmo-did-not-compile',
      !!this.store.diagnostics?.length && this.last < 0,
    );
  }

  /** A line of the learner's program, for narration to read a send from a close. */
  private readonly lineOf = (file: string, line: number): string | undefined =>
    isFile(file) ? this.sourceLines[line - 1] : undefined;

  /** The ending, explained once the run is over (null while live or for a clean exit). */
  private endingNow(state: SchedState): Ending | null {
    const end = this.store.end;
    if (!end || this.store.live) return null;
    if (this.explained === null) {
      this.explained = {
        ending: explainEnding(
          this.store.timeline.slice(),
          state,
          end.limit ? { limit: end.limit } : {},
        ),
      };
    }
    return this.explained.ending;
  }

  private waitingText(): string {
    const s = this.store;
    if (s.error) return '';
    if (s.phase === 'queued')
      return `Waiting for a free slot${s.position ? ` (position ${s.position} in the queue)` : ''}…`;
    if (s.phase === 'compiling') return 'Compiling…';
    if (s.phase === 'running') return 'Starting the program…';
    return '';
  }

  private renderStatus(ending: Ending | null): void {
    const s = this.store;
    const el = this.status.node;
    el.dataset.phase = s.phase;
    const events = plural(this.last + 1, 'event');
    let tone = 'plain';
    if (s.error) {
      el.textContent = `⚠ ${s.error}`;
      tone = 'error';
    } else if (s.phase === 'queued') {
      el.textContent = `Queued${s.position ? ` at position ${s.position}` : ''}`;
    } else if (s.phase === 'compiling') {
      el.textContent = 'Compiling…';
    } else if (s.phase === 'running' && s.options.mode === 'paced') {
      el.textContent = this.playing
        ? `Running slowly (${speedWords(this.speed)}) · ${events}`
        : `Paused at event ${this.last + 1} · step or play to go on`;
    } else if (s.phase === 'running') {
      el.textContent = `Running · ${events}`;
    } else if (s.end) {
      const e = s.end;
      el.textContent = finishedText(e, events);
      if (ending !== null || e.reason !== 'exit' || e.exitCode !== 0 || e.lost === null)
        tone = 'error';
    } else if (s.diagnostics?.length) {
      el.textContent = 'The program did not compile';
      tone = 'error';
    } else {
      el.textContent = '';
    }
    el.dataset.tone = tone;

    if (s.notice && !s.error) el.title = s.notice;
    this.notice.node.textContent = s.notice ?? '';
    this.notice.setHidden(!s.notice);
    const d = this.diagnostics.node;
    d.replaceChildren();
    for (const diag of s.diagnostics ?? []) {
      const line = text('jp-slowmo-diagnostic');
      line.textContent = `${diag.file}:${diag.line}:${diag.column}: ${diag.message}`;
      d.appendChild(line);
    }
    const c = this.checks.node;
    c.replaceChildren();
    const cps = s.checkpoints ?? [];
    for (const cp of cps) {
      const row = text('jp-slowmo-checkpoint');
      row.dataset.passed = String(cp.passed);
      row.textContent = `${cp.passed ? '✔' : '✘'} ${cp.title} — ${cp.reason}`;
      if (cp.hint && !cp.passed) {
        const hint = text('jp-slowmo-hint');
        hint.textContent = `Hint: ${cp.hint}`;
        row.appendChild(hint);
      }
      row.append(...outcomeExtras(cp, (seq) => this.move(seq)));
      c.appendChild(row);
    }
    const passed = cps.filter((cp) => cp.passed).length;
    this.checkFold.setHidden(cps.length === 0);
    this.checkFold.summary.textContent = `Checkpoints · ${passed} of ${cps.length} passed`;
  }

  override dispose(): void {
    clearInterval(this.timer);
    this.mainWatch?.disconnect();
    this.store.changed.disconnect(this.schedule, this);
    super.dispose();
  }
}

/** The goroutine an event is about, to mark in the picture. */
function subjectOf(event: SlowmoEvent | undefined): number {
  if (!event) return 0;
  const goid = (event as { goid?: number }).goid;
  return typeof goid === 'number' ? goid : 0;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;
}
