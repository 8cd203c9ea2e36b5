/**
 * The failure lens under the ending banner, once a run is over: for a
 * deadlock (or a run stopped with every goroutine blocked), each blocked
 * goroutine with what it waits on, its line and who could release it, and
 * the wait-for cycle as arrows; for a leak, the goroutines still blocked
 * when main returned, grouped by line, the never woken marked, and beside
 * each group whether the runtime's own leak detector (Go 1.26+) agrees,
 * with what it found that the lens did not and why the two may differ. A goroutine
 * or a line is a button: it moves the picture to the moment that goroutine
 * blocked (lighting its line) and selects it. The words come from the
 * protocol's analysis (analysis/blocked.ts); this only lays them out.
 */
import {
  analyzeFailure,
  type BlockedGoroutine,
  type Ending,
  type FailureLens,
  type RuntimeLeakView,
  type SchedState,
  type SlowmoEvent,
} from '@go-slowmo/kernel-bridge/protocol';
import { Widget } from '@lumino/widgets';
import { el } from '../dom';

/** What a click asks of the run widget: show this goroutine at the moment it blocked. */
export type LensPick = (goid: number, seq: number) => void;

function baseName(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

export class FailureLensPanel extends Widget {
  private shown: FailureLens | null = null;

  constructor(private readonly pick: LensPick) {
    super();
    this.addClass('jp-slowmo-lens');
    this.node.setAttribute('role', 'region');
    this.hide();
  }

  /** Shows a lens, or hides the panel for null; the same lens is not drawn again. */
  set(lens: FailureLens | null): void {
    if (lens === this.shown) return;
    this.shown = lens;
    if (lens === null) {
      delete this.node.dataset.kind;
      this.node.replaceChildren();
      this.hide();
      return;
    }
    this.node.dataset.kind = lens.kind;
    this.node.setAttribute('aria-label', lens.title);
    const title = el('div', 'jp-slowmo-lens-title', lens.title);
    const detail = el('div', 'jp-slowmo-lens-detail', lens.detail);
    const body = lens.kind === 'leak' ? this.leak(lens) : this.deadlock(lens);
    this.node.replaceChildren(title, detail, ...body);
    this.show();
  }

  private goroutine(b: Pick<BlockedGoroutine, 'goid' | 'seq'>, label: string): HTMLButtonElement {
    const button = el('button', 'jp-slowmo-lens-g', label);
    button.type = 'button';
    button.dataset.goid = String(b.goid);
    button.title = `Show g${b.goid} when it blocked`;
    button.addEventListener('click', () => this.pick(b.goid, b.seq));
    return button;
  }

  private line(b: Pick<BlockedGoroutine, 'goid' | 'seq' | 'file' | 'line'>): HTMLElement {
    if (!b.file || !b.line) return el('span', 'jp-slowmo-lens-at', 'a line not recorded');
    const button = el('button', 'jp-slowmo-lens-line', `${baseName(b.file)}:${b.line}`);
    button.type = 'button';
    button.dataset.line = String(b.line);
    button.title = `Light line ${b.line} at the moment g${b.goid} blocked there`;
    button.addEventListener('click', () => this.pick(b.goid, b.seq));
    return button;
  }

  private deadlock(lens: FailureLens): HTMLElement[] {
    const out: HTMLElement[] = [];
    if (lens.cycle) out.push(this.cycle(lens));
    const list = el('ul', 'jp-slowmo-lens-list');
    for (const b of lens.blocked) {
      const row = el('li', 'jp-slowmo-lens-row');
      row.dataset.goid = String(b.goid);
      if (lens.cycle?.includes(b.goid)) row.classList.add('jp-mod-cycle');
      const head = el('div', 'jp-slowmo-lens-head');
      const what = b.object ? `${b.words}: ` : b.words;
      head.append(this.goroutine(b, b.name), ' at ', this.line(b), ` — ${what}`);
      if (b.object) head.append(el('code', 'jp-slowmo-lens-object', b.object));
      row.append(head, el('div', 'jp-slowmo-lens-release', b.release));
      if (b.lastParty) {
        const p = b.lastParty;
        const where = p.line ? ` at ${baseName(p.file ?? '')}:${p.line}` : '';
        row.append(
          el('div', 'jp-slowmo-lens-last', `Last woken here by ${p.name}${where} (the recording).`),
        );
      }
      list.append(row);
    }
    out.push(list);
    return out;
  }

  /** The cycle as arrows: g19 —b→ g20 —a→ g19, each goroutine a button. */
  private cycle(lens: FailureLens): HTMLElement {
    const cycle = lens.cycle ?? [];
    const box = el('div', 'jp-slowmo-lens-cycle');
    box.setAttribute('aria-label', 'wait-for cycle');
    box.append(el('span', 'jp-slowmo-lens-cycle-label', 'Wait-for cycle: '));
    const byGoid = new Map(lens.blocked.map((b) => [b.goid, b]));
    [...cycle, cycle[0] as number].forEach((goid, i) => {
      const b = byGoid.get(goid);
      box.append(b ? this.goroutine(b, `g${goid}`) : el('span', '', `g${goid}`));
      if (i === cycle.length) return;
      const to = cycle[(i + 1) % cycle.length];
      const edge = lens.edges.find((e) => e.from === goid && e.to === to);
      const arrow = el('span', 'jp-slowmo-lens-arrow', ` —${edge?.object ?? '?'}→ `);
      if (edge) arrow.title = `g${goid} waits on ${edge.object}: g${to} ${edge.how}`;
      box.append(arrow);
    });
    return box;
  }

  private leak(lens: FailureLens): HTMLElement[] {
    const list = el('ul', 'jp-slowmo-lens-list');
    const byGoid = new Map(lens.blocked.map((b) => [b.goid, b]));
    for (const g of lens.groups) {
      const row = el('li', 'jp-slowmo-lens-row');
      const first = byGoid.get(g.goids[0] as number);
      const head = el('div', 'jp-slowmo-lens-head');
      if (first) head.append(this.line(first));
      head.append(` ${g.goids.length} × ${g.words}: `);
      g.goids.forEach((goid, i) => {
        const b = byGoid.get(goid);
        if (i > 0) head.append(' ');
        if (b) {
          const button = this.goroutine(b, `g${goid}`);
          if (g.neverWoken.includes(goid)) button.classList.add('jp-mod-never-woken');
          head.append(button);
        }
      });
      row.append(head);
      if (g.neverWoken.length > 0) {
        const all = g.neverWoken.length === g.goids.length;
        row.append(
          el(
            'div',
            'jp-slowmo-lens-never',
            all
              ? 'Never woken: each parked once here and nothing ever made it runnable again.'
              : `Never woken: ${g.neverWoken.map((id) => `g${id}`).join(' ')} (parked once, never runnable again).`,
          ),
        );
      }
      const verdict = lens.runtime?.groups[lens.groups.indexOf(g)];
      if (verdict) {
        const v = el('div', 'jp-slowmo-lens-runtime-verdict', verdict.words);
        v.dataset.agrees =
          verdict.notReported.length === 0
            ? 'all'
            : verdict.reported.length === 0
              ? 'none'
              : 'some';
        row.append(v);
      }
      list.append(row);
    }
    return lens.runtime ? [list, this.runtime(lens.runtime)] : [list];
  }

  /** The runtime's own detector: its summary, what it found that the lens did not, and why they differ. */
  private runtime(view: RuntimeLeakView): HTMLElement {
    const box = el('div', 'jp-slowmo-lens-runtime');
    box.dataset.status = view.status;
    box.setAttribute('aria-label', "the runtime's leak detector");
    box.append(el('div', 'jp-slowmo-lens-runtime-words', view.words));
    if (view.runtimeOnly.length > 0) {
      const list = el('ul', 'jp-slowmo-lens-list');
      for (const r of view.runtimeOnly) {
        const where = r.line ? ` at ${baseName(r.file ?? '')}:${r.line}` : '';
        const row = el(
          'li',
          'jp-slowmo-lens-runtime-only',
          `g${r.goid} — ${r.waitReason}${where}${r.fn ? ` (${r.fn})` : ''}`,
        );
        row.dataset.goid = String(r.goid);
        list.append(row);
      }
      box.append(list);
    }
    if (view.explain) box.append(el('div', 'jp-slowmo-lens-runtime-explain', view.explain));
    return box;
  }
}

export type { FailureLens };

/** The lens of a finished run: its events, the state at its end, its ending, its source's lines. */
export function lensOf(
  events: readonly SlowmoEvent[],
  end: SchedState,
  ending: Ending | null,
  source: (file: string, line: number) => string | undefined,
): FailureLens | null {
  return analyzeFailure(events, end, ending, source);
}
