/**
 * The race detector's reports under the picture (a run built with -race): one entry per race,
 * naming its two accesses (which goroutine read or wrote, on which line, where that goroutine
 * was made). A line picked lights it in the cell's code, as a profile's frame does; the entry's
 * time moves the picture to the race. Hidden while the run has none.
 */
import {
  isLearnerFile,
  raceGoroutineWords,
  type EventOf,
  type RaceAccess,
  type Timeline,
} from '@go-slowmo/kernel-bridge/protocol';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import type { PickedLine } from '../profile/panel';
import { timeWords } from '../timeline/scale';

type Race = EventOf<'race'>;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text = '') {
  const e = document.createElement(tag);
  e.className = cls;
  if (text) e.textContent = text;
  return e;
}

export class RaceList extends Widget {
  /** A line of an access was picked: light it in the cell. */
  readonly linePicked = new Signal<this, PickedLine>(this);
  /** A race was picked: move the picture to it. */
  readonly racePicked = new Signal<this, number>(this);
  private readonly caption = el('div', 'jp-slowmo-races-caption');
  private readonly list = el('ol', 'jp-slowmo-races-list');
  private count = 0;
  private fed = 0;

  constructor() {
    super();
    this.addClass('jp-slowmo-races');
    const why = el(
      'div',
      'jp-slowmo-races-why',
      'Two goroutines touched the same memory, one of them writing, with nothing ordering the two (a mutex, a channel, a WaitGroup). A program that raced exits with status 66.',
    );
    this.node.append(this.caption, why, this.list);
    this.hide();
  }

  /** Takes the timeline's new races; shows the list once there is one. */
  sync(timeline: Timeline): void {
    for (let s = timeline.nextOfKind(this.fed - 1, ['race']); s >= 0;) {
      const e = timeline.event(s);
      if (e?.kind === 'race') this.add(e);
      s = timeline.nextOfKind(s, ['race']);
    }
    this.fed = timeline.length;
    if (this.count > 0 && this.isHidden) this.show();
  }

  private add(race: Race): void {
    this.count++;
    this.caption.textContent = `Data races · ${this.count} found by the race detector (-race)`;
    const item = el('li', 'jp-slowmo-race');
    item.dataset.seq = String(race.seq);
    const when = el('button', 'jp-slowmo-race-when', `${this.count}. at ${timeWords(race.at)}`);
    when.type = 'button';
    when.title = `The picture at this race (memory ${race.addr})`;
    when.onclick = () => this.racePicked.emit(race.seq);
    item.appendChild(when);
    for (const a of race.accesses) item.appendChild(this.access(race, a));
    this.list.appendChild(item);
  }

  /** "goroutine 8 (g21) read main.go:16 · made at main.go:13". */
  private access(race: Race, a: RaceAccess): HTMLElement {
    const row = el('div', 'jp-slowmo-race-access');
    row.dataset.op = a.op;
    row.dataset.previous = String(a.previous);
    const verb = `${a.op === 'read' ? 'read' : 'wrote'}${a.atomic ? ' atomically' : ''}`;
    row.append(`${a.previous ? 'before, ' : ''}${raceGoroutineWords(a)} ${verb} `);
    row.appendChild(this.lineLink(race, a, `${raceGoroutineWords(a)} ${verb} here`));
    if (a.created) {
      row.append(' · made at ');
      row.appendChild(
        this.lineLink(race, a.created, `${raceGoroutineWords(a)} was made here (its go statement)`),
      );
    }
    return row;
  }

  /** A line as a link that lights it, or plain text when it is not in the learner's code. */
  private lineLink(race: Race, at: { fn: string; file: string; line: number }, words: string) {
    if (!isLearnerFile(at.file) || at.line <= 0) {
      return el('span', 'jp-slowmo-race-place', at.fn || 'outside your code');
    }
    const b = el('button', 'jp-slowmo-race-line', `${at.file}:${at.line}`);
    b.type = 'button';
    b.title = `${at.fn}: light this line in the cell`;
    b.dataset.line = String(at.line);
    b.onclick = () => {
      this.linePicked.emit({ fn: at.fn, file: at.file, line: at.line, words });
      this.racePicked.emit(race.seq);
    };
    return b;
  }
}
