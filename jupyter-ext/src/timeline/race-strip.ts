/**
 * The race detector's reports on the timeline (a run built with -race): a strip above the lanes,
 * shown once the run has a `race` event, with a red mark at each race's moment (when its report
 * began: the racing access). Hover for the two accesses, click to move the picture to the race.
 * It follows the view's time scale as the runtime strip does: the panel calls `place` after
 * each frame the view draws.
 */
import { raceGoroutineWords, type EventOf, type Timeline } from '@go-slowmo/kernel-bridge/protocol';
import { Widget } from '@lumino/widgets';
import { GUTTER } from './layout';
import { timeWords, xOf, type TimeScale } from './scale';

type Race = EventOf<'race'>;

/** A race in a line: "goroutine 8 read main.go:16 · goroutine 7 wrote main.go:16 before". */
export function raceLine(race: Race): string {
  return race.accesses
    .map(
      (a) =>
        `${raceGoroutineWords(a)} ${a.op === 'read' ? 'read' : 'wrote'}${a.atomic ? ' (atomic)' : ''} ${a.file ? `${a.file}:${a.line}` : 'outside your code'}${a.previous ? ' before' : ''}`,
    )
    .join(' · ');
}

export class RaceStrip extends Widget {
  private readonly races: Race[] = [];
  private readonly marks: HTMLElement[] = [];
  private readonly row = document.createElement('div');
  private fed = 0;
  private scale: TimeScale | null = null;

  constructor(private readonly seek: (seq: number) => void) {
    super();
    this.addClass('jp-slowmo-race-strip');
    this.row.className = 'jp-slowmo-runtime-row jp-slowmo-race-row';
    const label = document.createElement('span');
    label.className = 'jp-slowmo-runtime-label';
    label.style.width = `${GUTTER}px`;
    label.textContent = 'races';
    label.title = 'The race detector (-race): a mark where each data race it reported happened';
    this.row.appendChild(label);
    this.node.appendChild(this.row);
    this.hide();
  }

  /** Takes the timeline's new events; shows the strip once there is a race. */
  sync(timeline: Timeline): void {
    let added = false;
    for (let s = timeline.nextOfKind(this.fed - 1, ['race']); s >= 0;) {
      const e = timeline.event(s);
      if (e?.kind === 'race') {
        this.addMark(e, this.races.length + 1);
        added = true;
      }
      s = timeline.nextOfKind(s, ['race']);
    }
    this.fed = timeline.length;
    if (added && this.isHidden) this.show();
    if (added && this.scale) this.place(this.scale);
  }

  private addMark(race: Race, n: number): void {
    this.races.push(race);
    const mark = document.createElement('span');
    mark.className = 'jp-slowmo-race-mark';
    mark.dataset.seq = String(race.seq);
    mark.title = `Data race ${n} at ${timeWords(race.at)}: ${raceLine(race)} (click: the picture there)`;
    mark.onclick = () => this.seek(race.seq);
    this.row.appendChild(mark);
    this.marks.push(mark);
  }

  /** Places the marks at the view's time scale (x from the lanes' left edge). */
  place(scale: TimeScale): void {
    this.scale = scale;
    if (this.isHidden) return;
    this.races.forEach((race, i) => {
      const mark = this.marks[i] as HTMLElement;
      const x = xOf(scale, race.at);
      mark.hidden = x < -6 || x > scale.width + 6;
      mark.style.left = `${GUTTER + x}px`;
    });
  }
}
