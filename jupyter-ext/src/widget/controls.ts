/**
 * The timeline bar: play/pause, one event back and forward, to start and
 * end, speed, a scrubber over the whole run, and "next event of a kind".
 * It only reports what the person asked for; the run widget decides.
 */
import type { EventKind } from '@go-slowmo/kernel-bridge/protocol';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

export type ControlRequest =
  | { type: 'first' }
  | { type: 'back' }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'forward' }
  | { type: 'last' }
  | { type: 'seek'; seq: number }
  | { type: 'speed'; eventsPerSecond: number }
  | { type: 'next-kind'; kinds: EventKind[] }
  | { type: 'stop' };

/** The kinds a learner jumps between, in words. */
export const JUMPS: { label: string; kinds: EventKind[] }[] = [
  { label: 'goroutine created', kinds: ['g.create'] },
  { label: 'goroutine parks', kinds: ['g.waiting'] },
  { label: 'goroutine runs', kinds: ['g.running'] },
  { label: 'steal', kinds: ['steal'] },
  { label: 'system call', kinds: ['g.syscall', 'g.syscall.exit'] },
  { label: 'GC / stop-the-world', kinds: ['gc', 'stw'] },
  { label: 'output', kinds: ['output'] },
];

export const SPEEDS = [1, 2, 5, 10, 30, 100, 1000, 10000];

function button(label: string, title: string, cls: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `jp-slowmo-btn ${cls}`;
  b.textContent = label;
  b.title = title;
  b.setAttribute('aria-label', title);
  return b;
}

export class ControlsBar extends Widget {
  readonly requested = new Signal<this, ControlRequest>(this);
  private readonly playBtn = button('▶', 'Play', 'jp-slowmo-play');
  private readonly stopBtn = button('■ Stop', 'Stop the program', 'jp-slowmo-stop');
  private readonly scrubber = document.createElement('input');
  private readonly position = document.createElement('span');
  private readonly speed = document.createElement('select');
  private playing = false;

  constructor(initialSpeed: number) {
    super();
    this.addClass('jp-slowmo-controls');
    const emit = (r: ControlRequest) => () => this.requested.emit(r);
    const first = button('|◀', 'To the first event', 'jp-slowmo-first');
    const back = button('◀', 'One event back', 'jp-slowmo-back');
    const fwd = button('▶|', 'One event forward', 'jp-slowmo-forward');
    const last = button('▶▶|', 'To the last event (follow a live run)', 'jp-slowmo-last');
    first.onclick = emit({ type: 'first' });
    back.onclick = emit({ type: 'back' });
    fwd.onclick = emit({ type: 'forward' });
    last.onclick = emit({ type: 'last' });
    this.playBtn.onclick = () => this.requested.emit({ type: this.playing ? 'pause' : 'play' });
    this.stopBtn.onclick = emit({ type: 'stop' });

    for (const s of SPEEDS) {
      const o = document.createElement('option');
      o.value = String(s);
      o.textContent = `${s} ev/s`;
      this.speed.appendChild(o);
    }
    this.speed.value = String(
      SPEEDS.reduce((a, b) => (Math.abs(b - initialSpeed) < Math.abs(a - initialSpeed) ? b : a)),
    );
    this.speed.title = 'Playback speed, in events per second';
    this.speed.className = 'jp-slowmo-speed';
    this.speed.onchange = () =>
      this.requested.emit({ type: 'speed', eventsPerSecond: Number(this.speed.value) });

    this.scrubber.type = 'range';
    this.scrubber.min = '0';
    this.scrubber.max = '0';
    this.scrubber.className = 'jp-slowmo-scrubber';
    this.scrubber.setAttribute('aria-label', 'Position in the run');
    this.scrubber.oninput = () =>
      this.requested.emit({ type: 'seek', seq: Number(this.scrubber.value) });

    const jump = document.createElement('select');
    jump.className = 'jp-slowmo-jump';
    jump.title = 'Jump to the next event of a kind';
    const none = document.createElement('option');
    none.textContent = 'next…';
    none.value = '';
    jump.appendChild(none);
    JUMPS.forEach((j, i) => {
      const o = document.createElement('option');
      o.value = String(i);
      o.textContent = j.label;
      jump.appendChild(o);
    });
    jump.onchange = () => {
      const j = JUMPS[Number(jump.value)];
      if (jump.value !== '' && j) this.requested.emit({ type: 'next-kind', kinds: j.kinds });
      jump.value = '';
    };

    this.position.className = 'jp-slowmo-position';
    this.node.append(
      first,
      back,
      this.playBtn,
      fwd,
      last,
      this.speed,
      this.scrubber,
      jump,
      this.position,
      this.stopBtn,
    );
  }

  /** Reflects the view: where it is, how far the run goes, whether it plays, whether it can be stopped. */
  sync(view: { seq: number; last: number; t: number; playing: boolean; live: boolean }): void {
    this.playing = view.playing;
    this.playBtn.textContent = view.playing ? '❚❚' : '▶';
    this.playBtn.title = view.playing ? 'Pause' : 'Play';
    this.scrubber.max = String(Math.max(0, view.last));
    this.scrubber.value = String(Math.max(0, view.seq));
    this.position.textContent =
      view.last < 0
        ? 'no events yet'
        : `event ${view.seq + 1} of ${view.last + 1} · ${(view.t / 1e6).toFixed(3)} ms`;
    this.stopBtn.hidden = !view.live;
  }
}
