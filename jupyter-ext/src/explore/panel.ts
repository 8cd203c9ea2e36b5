/**
 * The explorer in a cell's output: while the runs go on, how many have ended; then each distinct
 * output with how often it came (a bar and a share), what it printed, and its runs as buttons
 * that open the run in the picture below; and how many distinct schedules (orders of the
 * program's own goroutines' key steps) the runs took. A concurrent program is a set of runs:
 * this is the set, with any member one click away.
 */
import type { Exploration, OutcomeGroup } from '@go-slowmo/kernel-bridge/protocol';
import { Panel, Widget } from '@lumino/widgets';
import { RunStore } from '../store';
import { RunWidget } from '../widget/run-widget';
import type { ExploreData } from './saved';
import type { ExploreStore } from './explore-store';
import { el } from '../dom';

/** What a run printed, its last newline dropped: `(nothing)` when it printed nothing. */
function printed(stdout: string): string {
  return stdout === '' ? '(nothing)' : stdout.replace(/\n$/, '');
}

export class ExplorePanel extends Panel {
  private readonly head = new Widget();
  private readonly list = new Widget();
  /** The run opened from the list, under it. */
  private opened: RunWidget | null = null;
  private openedTitle = new Widget();

  constructor(
    private readonly data: ExploreData,
    /** The runs, while this page has them. */
    private readonly store: ExploreStore | undefined,
  ) {
    super();
    this.addClass('jp-slowmo-explore');
    this.head.addClass('jp-slowmo-explore-head');
    this.list.addClass('jp-slowmo-explore-list');
    this.addWidget(this.head);
    this.addWidget(this.list);
    store?.changed.connect(this.render, this);
    this.render();
  }

  private render(): void {
    const error = this.store?.error ?? this.data.error;
    const x = this.store?.exploration ?? this.data.exploration;
    const total = this.data.total;
    this.head.node.replaceChildren();
    this.list.node.replaceChildren();
    if (error) {
      this.head.node.append(el('span', 'jp-slowmo-explore-error', `Exploration stopped: ${error}`));
      return;
    }
    if (!x) {
      const done = this.store?.done ?? 0;
      this.head.node.append(
        el(
          'span',
          'jp-slowmo-explore-title',
          `Exploring: run ${Math.min(done + 1, total)} of ${total}…`,
        ),
      );
      const bar = el('progress', 'jp-slowmo-explore-progress');
      bar.max = total;
      bar.value = done;
      this.head.node.append(bar);
      if (!this.store)
        this.head.node.append(
          el(
            'span',
            'jp-slowmo-explore-note',
            'This exploration was still going when the notebook was saved.',
          ),
        );
      return;
    }
    this.showExploration(x);
  }

  private showExploration(x: Exploration): void {
    const total = x.runs.length;
    const settings = [
      ...new Set(x.runs.map((r) => `${r.go.replace(/^go/, 'Go ')}, GOMAXPROCS ${r.procs}`)),
    ];
    const outcomes = x.outcomes.length;
    this.head.node.append(
      el(
        'span',
        'jp-slowmo-explore-title',
        `${total} runs: ${outcomes === 1 ? 'always the same output' : `${outcomes} different outputs`}`,
      ),
      el('span', 'jp-slowmo-explore-settings', settings.join('; ')),
      el(
        'span',
        'jp-slowmo-explore-schedules',
        `${x.schedules.length} distinct schedule${x.schedules.length === 1 ? '' : 's'} (orders in which your goroutines were made, first ran, waited, woke and ended)`,
      ),
    );
    for (const o of x.outcomes) this.list.node.append(this.outcome(o, total));
    if (!this.store)
      this.list.node.append(
        el(
          'p',
          'jp-slowmo-explore-note',
          'The notebook keeps these counts, not the runs: explore again to open one.',
        ),
      );
  }

  private outcome(o: OutcomeGroup, total: number): HTMLElement {
    const row = el('div', 'jp-slowmo-explore-outcome');
    row.dataset.count = String(o.count);
    const share = Math.round((100 * o.count) / total);
    const bar = el('div', 'jp-slowmo-explore-bar');
    const fill = el('div', 'jp-slowmo-explore-fill');
    fill.style.width = `${(100 * o.count) / total}%`;
    bar.append(fill);
    const head = el(
      'div',
      'jp-slowmo-explore-count',
      `${o.count} of ${total} runs (${share}%) · exit code ${o.exitCode}`,
    );
    const out = el('pre', 'jp-slowmo-explore-stdout', printed(o.stdout));
    const runs = el('div', 'jp-slowmo-explore-runs');
    runs.append(el('span', 'jp-slowmo-explore-runs-label', 'open a run:'));
    for (const id of o.runs) {
      const b = el('button', 'jp-slowmo-btn jp-slowmo-explore-run', id);
      b.type = 'button';
      b.dataset.run = id;
      const rec = this.store?.recordings.get(id);
      b.disabled = rec === undefined;
      b.title = rec ? `Open run ${id} in the picture below` : 'Explore again to open a run';
      b.onclick = () => this.open(id, b);
      runs.append(b);
    }
    row.append(head, bar, out, runs);
    return row;
  }

  /** Opens a run in the picture under the list (one at a time). */
  private open(id: string, button: HTMLButtonElement): void {
    const rec = this.store?.recordings.get(id);
    if (!rec) return;
    this.opened?.dispose();
    this.openedTitle.dispose();
    for (const b of this.list.node.querySelectorAll('.jp-slowmo-explore-run'))
      b.setAttribute('aria-pressed', String(b === button));
    // Which run the picture below is, so a learner scrolling to it still knows.
    this.openedTitle = new Widget({
      node: el(
        'div',
        'jp-slowmo-explore-opened-title',
        `Run ${id} of ${this.data.total}, in the picture:`,
      ),
    });
    this.opened = new RunWidget(RunStore.fromRecording(rec));
    this.opened.addClass('jp-slowmo-explore-opened');
    this.opened.node.dataset.run = id;
    this.addWidget(this.openedTitle);
    this.addWidget(this.opened);
  }

  override dispose(): void {
    this.store?.changed.disconnect(this.render, this);
    super.dispose();
  }
}
