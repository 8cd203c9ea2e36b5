/**
 * The controls of a run: one toolbar over the picture (to the start of main,
 * one event back, play/pause, one event forward, to the end, speed, "next
 * event of a kind", show runtime goroutines, stop) and the scrubber under
 * it, with the toggles of the timeline and the goroutine table beside it.
 * They only report what the person asked for; the run widget decides.
 */
import type { EventKind, SlowmoEvent } from '@go-slowmo/kernel-bridge/protocol';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

export type ControlRequest =
  | { type: 'first' }
  | { type: 'back' }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'forward' }
  | { type: 'stepline' }
  | { type: 'last' }
  | { type: 'seek'; seq: number }
  | { type: 'speed'; eventsPerSecond: number }
  | { type: 'next-kind'; jump: Jump }
  | { type: 'runtime'; show: boolean }
  | { type: 'timeline'; show: boolean }
  | { type: 'table'; show: boolean }
  | { type: 'gc'; show: boolean }
  | { type: 'profile'; show: boolean }
  | { type: 'compare'; show: boolean }
  | { type: 'stop' };

export interface Jump {
  label: string;
  kinds: EventKind[];
  /** Narrows the kinds further (a wake-up is a g.runnable that is not a creation). */
  only?: (e: SlowmoEvent) => boolean;
}

/** The kinds a learner jumps between, in words. */
export const JUMPS: Jump[] = [
  { label: 'goroutine created', kinds: ['g.create'] },
  { label: 'goroutine parks', kinds: ['g.waiting'] },
  {
    label: 'goroutine wakes',
    kinds: ['g.runnable'],
    only: (e) => e.kind === 'g.runnable' && (e.reason === 'ready' || e.reason === 'netpoll'),
  },
  { label: 'goroutine runs', kinds: ['g.running'] },
  { label: 'steal', kinds: ['steal'] },
  { label: 'system call', kinds: ['g.syscall', 'g.syscall.exit'] },
  { label: 'GC / stop-the-world', kinds: ['gc', 'stw'] },
  { label: 'output', kinds: ['output'] },
  // The GC lens's events (only runs recorded with it have them).
  { label: 'object shaded or scanned (GC lens)', kinds: ['gc.color', 'gc.span'] },
  { label: 'object freed (GC lens)', kinds: ['heap.free'] },
];

/** The speed slider runs from one event every five seconds to full speed, on a log scale. */
const SLOWEST = 0.2;
const FASTEST = 10_000;
const STEPS = 100;

/** Events per second at a slider position; the far right is full speed (Infinity). */
export function speedAt(position: number): number {
  if (position >= STEPS) return Infinity;
  return SLOWEST * (FASTEST / SLOWEST) ** (position / STEPS);
}

export function positionOf(speed: number): number {
  if (!Number.isFinite(speed)) return STEPS;
  const p = (Math.log(speed / SLOWEST) / Math.log(FASTEST / SLOWEST)) * STEPS;
  return Math.max(0, Math.min(STEPS - 1, Math.round(p)));
}

export function speedWords(speed: number): string {
  if (!Number.isFinite(speed)) return 'full speed';
  if (speed < 1) return `1 event / ${Math.round(1 / speed)} s`;
  return `${speed < 10 ? Math.round(speed * 10) / 10 : Math.round(speed)} ev/s`;
}

function button(label: string, title: string, cls: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `jp-slowmo-btn ${cls}`;
  b.textContent = label;
  b.title = title;
  b.setAttribute('aria-label', title);
  return b;
}

/** A button that stays pressed while what it opens is open. */
function toggle(label: string, title: string, cls: string): HTMLButtonElement {
  const b = button(label, title, `jp-slowmo-toggle ${cls}`);
  b.setAttribute('aria-label', label.replace(/^\S+ /, ''));
  b.setAttribute('aria-pressed', 'false');
  return b;
}

function pressed(b: HTMLButtonElement): boolean {
  return b.getAttribute('aria-pressed') === 'true';
}

function group(...children: HTMLElement[]): HTMLElement {
  const g = document.createElement('span');
  g.className = 'jp-slowmo-group';
  g.append(...children);
  return g;
}

/** What the controls reflect of the view. */
export interface ControlsView {
  seq: number;
  last: number;
  t: number;
  playing: boolean;
  live: boolean;
  /** Live runtime goroutines at this point (hidden or not). */
  runtime: number;
  /** Where the learner's program starts (|◀ goes there first). */
  mainStart: number;
}

export class ControlsBar extends Widget {
  readonly requested = new Signal<this, ControlRequest>(this);
  private readonly playBtn = button('▶', 'Play', 'jp-slowmo-play');
  private readonly firstBtn = button('|◀', 'To the start of main', 'jp-slowmo-first');
  private readonly stopBtn = button('■ Stop', 'Stop the program', 'jp-slowmo-stop');
  private readonly speed = document.createElement('input');
  private readonly speedText = document.createElement('span');
  private readonly runtimeBox = document.createElement('input');
  private readonly runtimeText = document.createElement('span');
  private readonly jump = document.createElement('select');
  private readonly timelineBtn = toggle(
    '▤ Timeline',
    'Show the run over time: a lane per P (and per M, per goroutine), under the picture',
    'jp-slowmo-timeline-toggle',
  );
  private readonly tableBtn = toggle(
    '☰ Goroutines',
    'Show the goroutine table: each goroutine’s runs, and its time running, runnable and waiting',
    'jp-slowmo-table-toggle',
  );
  private readonly gcBtn = toggle(
    '◐ GC lens',
    'Show the heap as the collector marks it: objects white, grey and black at this event, the pointers it found, the roots',
    'jp-slowmo-gc-toggle',
  );
  private readonly profileBtn = toggle(
    '▦ Profiles',
    'Show the runtime’s own profiles of this run as flame graphs: CPU, block, mutex, goroutines, wall clock',
    'jp-slowmo-profile-toggle',
  );
  private readonly compareBtn = toggle(
    '⇄ vs run before',
    'Compare this run with the cell’s run before it: what changed (settings, output, goroutines, steals, preemptions, times) and both timelines on one time axis',
    'jp-slowmo-compare-toggle',
  );
  /** The toggles beside the scrubber, and the widget's own tools after them. */
  private readonly tools = group(
    this.timelineBtn,
    this.tableBtn,
    this.gcBtn,
    this.profileBtn,
    this.compareBtn,
  );
  private playing = false;
  /** The scrubber and the position, under the picture. */
  readonly scrub = new Widget();
  private readonly scrubber = document.createElement('input');
  private readonly position = document.createElement('span');

  constructor(initialSpeed: number) {
    super();
    this.addClass('jp-slowmo-controls');
    const emit = (r: ControlRequest) => () => this.requested.emit(r);
    const back = button('◀', 'One event back', 'jp-slowmo-back');
    const fwd = button('▶|', 'One event forward', 'jp-slowmo-forward');
    const line = button('step line ↓', 'Step to the next line', 'jp-slowmo-stepline');
    line.onclick = emit({ type: 'stepline' });
    const last = button('▶▶|', 'To the last event (follow a live run)', 'jp-slowmo-last');
    this.firstBtn.onclick = emit({ type: 'first' });
    back.onclick = emit({ type: 'back' });
    fwd.onclick = emit({ type: 'forward' });
    last.onclick = emit({ type: 'last' });
    this.playBtn.onclick = () => this.requested.emit({ type: this.playing ? 'pause' : 'play' });
    this.stopBtn.onclick = emit({ type: 'stop' });

    this.speed.type = 'range';
    this.speed.min = '0';
    this.speed.max = String(STEPS);
    this.speed.value = String(positionOf(initialSpeed));
    this.speed.title = 'Speed: from one event every five seconds to full speed';
    this.speed.setAttribute('aria-label', 'Speed');
    this.speed.className = 'jp-slowmo-speed';
    this.speedText.className = 'jp-slowmo-speed-text';
    this.speedText.textContent = speedWords(initialSpeed);
    this.speed.oninput = () => {
      const eventsPerSecond = speedAt(Number(this.speed.value));
      this.speedText.textContent = speedWords(eventsPerSecond);
      this.requested.emit({ type: 'speed', eventsPerSecond });
    };

    const jump = this.jump;
    jump.className = 'jp-slowmo-jump';
    jump.title = 'Jump to the next event of a kind';
    jump.setAttribute('aria-label', 'Jump to the next event of a kind');
    const none = document.createElement('option');
    none.textContent = 'next…';
    none.value = '';
    jump.appendChild(none);
    JUMPS.forEach((j, i) => {
      const o = document.createElement('option');
      o.value = String(i);
      o.textContent = `next ${j.label}`;
      jump.appendChild(o);
    });
    jump.onchange = () => {
      const j = JUMPS[Number(jump.value)];
      if (jump.value !== '' && j) this.requested.emit({ type: 'next-kind', jump: j });
      jump.value = '';
    };

    const runtime = document.createElement('label');
    runtime.className = 'jp-slowmo-runtime';
    runtime.title =
      "The runtime's own goroutines (GC workers, the sweeper, the finalizer…): hidden from the picture, stepping and narration unless shown";
    this.runtimeBox.type = 'checkbox';
    this.runtimeBox.onchange = () =>
      this.requested.emit({ type: 'runtime', show: this.runtimeBox.checked });
    runtime.append(this.runtimeBox, this.runtimeText);

    this.wireToggles();

    this.node.append(
      group(this.firstBtn, back, this.playBtn, fwd, last),
      line,
      group(this.speed, this.speedText),
      jump,
      runtime,
      this.stopBtn,
    );

    this.scrub.addClass('jp-slowmo-scrub');
    this.scrubber.type = 'range';
    this.scrubber.min = '0';
    this.scrubber.max = '0';
    this.scrubber.className = 'jp-slowmo-scrubber';
    this.scrubber.setAttribute('aria-label', 'Position in the run');
    this.scrubber.oninput = () =>
      this.requested.emit({ type: 'seek', seq: Number(this.scrubber.value) });
    this.position.className = 'jp-slowmo-position';
    // Beside the scrubber, over what they open: the run over time, and per goroutine.
    this.scrub.node.append(this.scrubber, this.position, this.tools);
  }

  /** The toggles beside the scrubber ask to open or close what they name. */
  private wireToggles(): void {
    this.timelineBtn.onclick = () =>
      this.requested.emit({ type: 'timeline', show: !pressed(this.timelineBtn) });
    this.tableBtn.onclick = () =>
      this.requested.emit({ type: 'table', show: !pressed(this.tableBtn) });
    this.gcBtn.onclick = () => this.requested.emit({ type: 'gc', show: !pressed(this.gcBtn) });
    this.profileBtn.onclick = () =>
      this.requested.emit({ type: 'profile', show: !pressed(this.profileBtn) });
    this.compareBtn.onclick = () =>
      this.requested.emit({ type: 'compare', show: !pressed(this.compareBtn) });
    // Only runs recorded with the GC lens have one, only runs with profiles those, and only a
    // cell's second run and later a run before.
    this.gcBtn.hidden = true;
    this.profileBtn.hidden = true;
    this.compareBtn.hidden = true;
  }

  /** Adds a tool (the export) beside the toggles. */
  addTool(el: HTMLElement): void {
    this.tools.appendChild(el);
  }

  /** Shows which of the timeline, the goroutine table and the GC lens are open. */
  setOpen(open: {
    timeline: boolean;
    table: boolean;
    gc?: boolean;
    profile?: boolean;
    compare?: boolean;
  }): void {
    this.timelineBtn.setAttribute('aria-pressed', String(open.timeline));
    this.tableBtn.setAttribute('aria-pressed', String(open.table));
    this.gcBtn.setAttribute('aria-pressed', String(!!open.gc));
    this.profileBtn.setAttribute('aria-pressed', String(!!open.profile));
    this.compareBtn.setAttribute('aria-pressed', String(!!open.compare));
  }

  /** Offers the GC lens: the run was recorded with it. */
  offerGcLens(on: boolean): void {
    this.gcBtn.hidden = !on;
  }

  /** Offers the profiles: the run collected some. */
  offerProfiles(on: boolean): void {
    this.profileBtn.hidden = !on;
  }

  /** Offers the comparison with the run before: `differences` found (null: no run before). */
  offerCompare(differences: number | null): void {
    this.compareBtn.hidden = differences === null;
    if (differences !== null)
      this.compareBtn.textContent = `⇄ vs run before (${differences === 0 ? 'same' : differences})`;
  }

  /** Whether runtime goroutines are shown (the checkbox). */
  get showRuntime(): boolean {
    return this.runtimeBox.checked;
  }

  /** Reflects the view: where it is, how far the run goes, whether it plays, whether it can be stopped. */
  sync(view: ControlsView): void {
    this.playing = view.playing;
    this.playBtn.textContent = view.playing ? '❚❚' : '▶';
    this.playBtn.title = view.playing ? 'Pause' : 'Play';
    this.playBtn.setAttribute('aria-label', this.playBtn.title);
    this.firstBtn.title =
      view.seq > view.mainStart
        ? 'To the start of main'
        : 'To the first event (the runtime starting up)';
    this.scrubber.max = String(Math.max(0, view.last));
    this.scrubber.value = String(Math.max(0, view.seq));
    this.position.textContent =
      view.last < 0
        ? 'no events yet'
        : `event ${view.seq + 1} of ${view.last + 1} · ${(view.t / 1e6).toFixed(3)} ms`;
    const n = view.runtime;
    this.runtimeText.textContent = this.runtimeBox.checked
      ? `show runtime goroutines (${n} shown)`
      : `show runtime goroutines (${n} hidden)`;
    this.stopBtn.hidden = !view.live;
  }
}
