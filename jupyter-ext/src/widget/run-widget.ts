/**
 * The cell output of a Go-slowmo run: the G/M/P picture with the source
 * beside it, the narration of the current event under it, the timeline bar,
 * the program's output in a terminal, the checkpoints, and a legend. It
 * shows one point of the run (the cursor): live runs follow their newest
 * event unless the person scrubs away; finished runs replay.
 */
import { narrate, type SlowmoEvent } from '@go-slowmo/kernel-bridge/protocol';
import { BoxPanel, Panel, SplitPanel, Widget } from '@lumino/widgets';
import { legendNode, PictureView } from '../picture';
import type { RunStore } from '../store';
import { ControlsBar, type ControlRequest } from './controls';
import { OutputPane } from './output-pane';
import { litLines, SourcePane } from './source-pane';

/** At or below this speed, goroutines glide between places; above it they jump. */
const ANIMATE_UP_TO = 10;

function text(cls: string, tag = 'div'): HTMLElement {
  const el = document.createElement(tag);
  el.className = cls;
  return el;
}

export class RunWidget extends Panel {
  readonly picture = new PictureView();
  readonly controls: ControlsBar;
  readonly output = new OutputPane();
  private readonly source: SourcePane;
  private readonly status = new Widget({ node: text('jp-slowmo-status') });
  private readonly narration = new Widget({ node: text('jp-slowmo-narration') });
  private readonly checks = new Widget({ node: text('jp-slowmo-checkpoints') });
  private readonly diagnostics = new Widget({ node: text('jp-slowmo-diagnostics') });
  private readonly notice = new Widget({ node: text('jp-slowmo-notice') });
  private cursor = -1;
  private following = true;
  private playing = false;
  private speed: number;
  private frame = 0;
  private timer: number | undefined;
  private lastShown = -2;
  /** Pictures drawn so far (the benchmark counts them). */
  private frames = 0;

  constructor(readonly store: RunStore) {
    super();
    this.addClass('jp-slowmo-run');
    this.speed = store.options.mode === 'paced' ? 2 : 5;
    this.controls = new ControlsBar(this.speed);
    this.source = new SourcePane(store.source);

    const split = new SplitPanel({ orientation: 'horizontal', spacing: 4 });
    split.addClass('jp-slowmo-main');
    const left = new BoxPanel({ direction: 'top-to-bottom', spacing: 0 });
    left.addClass('jp-slowmo-stage');
    left.addWidget(this.picture);
    left.addWidget(this.narration);
    BoxPanel.setStretch(this.picture, 1);
    BoxPanel.setStretch(this.narration, 0);
    BoxPanel.setSizeBasis(this.narration, 40);
    split.addWidget(left);
    split.addWidget(this.source);
    split.setRelativeSizes([3, 1]);

    const legend = new Widget({ node: document.createElement('details') });
    legend.addClass('jp-slowmo-legend');
    const summary = document.createElement('summary');
    summary.textContent = 'Legend';
    legend.node.append(summary, legendNode());

    this.addWidget(this.status);
    this.addWidget(this.notice);
    this.addWidget(this.diagnostics);
    this.addWidget(split);
    this.addWidget(this.controls);
    this.addWidget(this.output);
    this.addWidget(this.checks);
    this.addWidget(legend);

    this.controls.requested.connect((_, r) => this.handle(r));
    this.picture.goroutineClicked.connect((_, goid) => this.focusGoroutine(goid));
    store.changed.connect(this.schedule, this);
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

  private handle(r: ControlRequest): void {
    const live = this.store.live;
    const paced = live && this.store.options.mode === 'paced';
    switch (r.type) {
      case 'first':
        this.move(0);
        break;
      case 'back':
        this.move(this.cursor - 1);
        break;
      case 'forward':
        // At the newest event of a paced live run, "forward" asks the program for one more.
        if (paced && this.cursor >= this.last) {
          this.following = true;
          this.store.control?.control('step');
        } else this.move(this.cursor + 1);
        break;
      case 'last':
        this.following = true;
        this.move(this.last);
        break;
      case 'seek':
        this.move(r.seq);
        break;
      case 'play':
        if (paced && this.cursor >= this.last) {
          this.following = true;
          this.store.control?.control('speed', this.speed);
        }
        this.setPlaying(true);
        break;
      case 'pause':
        if (paced) this.store.control?.control('pause');
        this.setPlaying(false);
        break;
      case 'speed':
        this.speed = r.eventsPerSecond;
        if (paced && this.playing) this.store.control?.control('speed', this.speed);
        if (this.playing) this.setPlaying(true);
        break;
      case 'next-kind': {
        const next = this.store.timeline.nextOfKind(this.cursor, r.kinds);
        if (next >= 0) this.move(next);
        break;
      }
      case 'stop':
        this.store.control?.control('stop');
        break;
    }
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
      if (this.cursor >= this.last && !this.store.live) this.cursor = -1; // replay from the start
      // Many events per tick at high speeds: the picture is drawn once per frame anyway.
      const tick = Math.max(16, 1000 / this.speed);
      const perTick = Math.max(1, Math.round((this.speed * tick) / 1000));
      this.timer = setInterval(() => {
        if (this.cursor >= this.last) {
          if (!this.store.live) this.setPlaying(false);
          return;
        }
        this.cursor = Math.min(this.last, this.cursor + perTick);
        this.schedule();
      }, tick) as unknown as number;
    }
    this.schedule();
  }

  private focusGoroutine(goid: number): void {
    const created = this.store.timeline.nextOfKind(-1, ['g.create']);
    for (
      let s = created;
      s >= 0 && s <= this.last;
      s = this.store.timeline.nextOfKind(s, ['g.create'])
    ) {
      const e = this.store.timeline.event(s);
      if (e?.kind === 'g.create' && e.goid === goid) {
        this.move(s);
        return;
      }
    }
  }

  private render(): void {
    const store = this.store;
    if (this.following && !this.playing) this.cursor = this.last;
    const seq = this.cursor;
    const state = store.timeline.stateAt(seq);
    const event: SlowmoEvent | undefined = seq >= 0 ? store.timeline.event(seq) : undefined;
    const animate =
      Math.abs(seq - this.lastShown) === 1 && (this.speed <= ANIMATE_UP_TO || !this.playing);
    this.lastShown = seq;
    this.picture.show(state, { animate });
    this.narration.node.textContent = event
      ? narrate(event, store.timeline.stateAt(seq - 1))
      : this.waitingText();
    this.source.light(litLines(state, event));
    this.output.showUpTo(store.timeline, seq);
    this.controls.sync({
      seq,
      last: this.last,
      t: state.t,
      playing: this.playing,
      live: store.live,
    });
    this.renderStatus();
    // What the picture shows of the learner's own goroutines, for tests and assistive tools.
    let mine = 0;
    let waiting = 0;
    state.gs.forEach((g) => {
      if (g.site && /(^|\/)main\.go$/.test(g.site.file) && g.status !== 'dead') {
        mine++;
        if (g.status === 'waiting') waiting++;
      }
    });
    this.node.dataset.userGoroutines = String(mine);
    this.node.dataset.userWaiting = String(waiting);
    this.node.dataset.frames = String(++this.frames);
    this.toggleClass('jp-slowmo-did-not-compile', !!store.diagnostics?.length && this.last < 0);
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

  private renderStatus(): void {
    const s = this.store;
    const el = this.status.node;
    el.dataset.phase = s.phase;
    if (s.error) el.textContent = `⚠ ${s.error}`;
    else if (s.phase === 'queued')
      el.textContent = `Queued${s.position ? ` at position ${s.position}` : ''}`;
    else if (s.phase === 'compiling') el.textContent = 'Compiling…';
    else if (s.phase === 'running') el.textContent = `Running · ${this.last + 1} events`;
    else if (s.end) {
      const e = s.end;
      el.textContent =
        `Finished: ${e.reason === 'exit' ? `exit code ${e.exitCode}` : e.reason}` +
        ` · ${e.stats.events.toLocaleString('en')} events` +
        (e.lost ? ` · ${e.lost} lost` : '') +
        (e.stats.compileMs !== undefined
          ? ` · compiled in ${e.stats.compileMs} ms${e.stats.cached ? ' (cached)' : ''}`
          : '');
    } else el.textContent = s.diagnostics?.length ? 'The program did not compile' : '';

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
    for (const cp of s.checkpoints ?? []) {
      const row = text('jp-slowmo-checkpoint');
      row.dataset.passed = String(cp.passed);
      row.textContent = `${cp.passed ? '✔' : '✘'} ${cp.title} — ${cp.reason}`;
      if (cp.hint) {
        const hint = text('jp-slowmo-hint');
        hint.textContent = `Hint: ${cp.hint}`;
        row.appendChild(hint);
      }
      c.appendChild(row);
    }
  }

  override dispose(): void {
    clearInterval(this.timer);
    this.store.changed.disconnect(this.schedule, this);
    super.dispose();
  }
}
