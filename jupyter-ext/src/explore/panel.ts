/**
 * The explorer in a cell's output: while the runs go on, how many have ended; then each distinct
 * output with how often it came (a bar and a share), what it printed, and its runs as buttons
 * that open the run in the picture below; and how many distinct schedules (orders of the
 * program's own goroutines' key steps) the runs took. A concurrent program is a set of runs:
 * this is the set, with any member one click away.
 */
import {
  parsePerturbSpec,
  perturbedWords,
  perturbLabel,
  type Exploration,
  type ExploredRun,
  type OutcomeGroup,
  type Perturbation,
} from '@go-slowmo/kernel-bridge/protocol';
import { Panel, Widget } from '@lumino/widgets';
import { RunStore } from '../store';
import { RunWidget } from '../widget/run-widget';
import type { ExploreData } from './saved';
import type { ExploreStore } from './explore-store';
import { perSetting, settingWords } from './sweep';
import { el } from '../dom';

/** The mark of a perturbed run's button: a label, not a colour alone. */
const PERTURBED_MARK = '✱';

/** The kinds the explorer's form offers, as perturb specs take them. */
const KINDS: [spec: string, label: string][] = [
  ['yield', 'yield (runtime.Gosched)'],
  ['sleep=1ms', 'pause 1 ms'],
  ['sleep=10ms', 'pause 10 ms'],
];

/** `a yield at main.go:26, in 10 of 20 runs`: what was perturbed, in how many runs. */
function perturbedSummary(at: Perturbation[], runs: number, of: number): string {
  return `${at.map(perturbLabel).join(', ')}, in ${runs} of ${of} runs`;
}

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
      // The line and kind asked stay in the form, to change.
      this.list.node.append(this.perturbForm((this.store?.perturb ?? this.data.perturb)?.at));
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
      const store = this.store;
      if (store) {
        const stop = el(
          'button',
          'jp-slowmo-btn jp-slowmo-explore-stop',
          store.stopping ? 'Stopping…' : '■ Stop',
        );
        stop.type = 'button';
        stop.disabled = store.stopping;
        stop.title = 'Stop exploring: the runs that have ended are counted';
        stop.onclick = () => store.stop();
        this.head.node.append(stop);
      }
      const perturb = this.store?.perturb ?? this.data.perturb;
      if (perturb)
        this.head.node.append(
          el(
            'span',
            'jp-slowmo-explore-perturbed',
            `Perturbed: ${perturb.at.map(perturbLabel).join(', ')}, in ${Math.round(perturb.share * 100)}% of the runs`,
          ),
        );
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
    const settings = [...new Set(x.runs.map(settingWords))];
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
    if (total < this.data.total)
      this.head.node.append(
        el(
          'span',
          'jp-slowmo-explore-stopped',
          `Stopped after ${total} of ${this.data.total} runs: these counts are of those.`,
        ),
      );
    if (x.perturb) {
      const n = x.runs.filter((r) => r.perturbed).length;
      this.head.node.append(
        el(
          'span',
          'jp-slowmo-explore-perturbed',
          `Perturbed (${PERTURBED_MARK}): ${perturbedSummary(x.perturb.at, n, total)}; the others ran as written`,
        ),
      );
    }
    for (const o of x.outcomes) this.list.node.append(this.outcome(o, total, x.runs));
    this.list.node.append(this.perturbForm(x.perturb?.at));
    if (!this.store)
      this.list.node.append(
        el(
          'p',
          'jp-slowmo-explore-note',
          'The notebook keeps these counts, not the runs: explore again to open one.',
        ),
      );
  }

  private outcome(o: OutcomeGroup, total: number, all: readonly ExploredRun[]): HTMLElement {
    const row = el('div', 'jp-slowmo-explore-outcome');
    row.dataset.count = String(o.count);
    const share = Math.round((100 * o.count) / total);
    const bar = el('div', 'jp-slowmo-explore-bar');
    const fill = el('div', 'jp-slowmo-explore-fill');
    fill.style.width = `${(100 * o.count) / total}%`;
    bar.append(fill);
    const perturbed = perturbedWords(o);
    const head = el(
      'div',
      'jp-slowmo-explore-count',
      `${o.count} of ${total} runs (${share}%) · exit code ${o.exitCode}${perturbed ? ` · ${perturbed}` : ''}`,
    );
    const out = el('pre', 'jp-slowmo-explore-stdout', printed(o.stdout));
    const runs = el('div', 'jp-slowmo-explore-runs');
    runs.append(el('span', 'jp-slowmo-explore-runs-label', 'open a run:'));
    for (const id of o.runs) {
      const perturbedBy = this.perturbedBy(id);
      const b = el(
        'button',
        'jp-slowmo-btn jp-slowmo-explore-run',
        perturbedBy ? `${id} ${PERTURBED_MARK}` : id,
      );
      b.type = 'button';
      b.dataset.run = id;
      if (perturbedBy) b.dataset.perturbed = 'true';
      const rec = this.store?.recordings.get(id);
      b.disabled = rec === undefined;
      const how = perturbedBy ? ` (perturbed: ${perturbedBy})` : '';
      b.title = rec ? `Open run ${id}${how} in the picture below` : 'Explore again to open a run';
      b.onclick = () => this.open(id, b);
      runs.append(b);
    }
    row.append(head, bar);
    // Across settings: which settings gave this output, and how often.
    const counts = perSetting(o, all);
    if (counts.length > 0)
      row.append(
        el(
          'div',
          'jp-slowmo-explore-per-setting',
          counts.map((c) => `${c.setting}: ${c.count} of ${c.of}`).join(' · '),
        ),
      );
    row.append(out, runs);
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
        `Run ${id} of ${this.data.total}${this.perturbedBy(id) ? ` (perturbed: ${this.perturbedBy(id)})` : ''}, in the picture:`,
      ),
    });
    this.opened = new RunWidget(RunStore.fromRecording(rec));
    this.opened.addClass('jp-slowmo-explore-opened');
    this.opened.node.dataset.run = id;
    this.addWidget(this.openedTitle);
    this.addWidget(this.opened);
  }

  /** `yield at main.go:26` when run `id` was perturbed. */
  private perturbedBy(id: string): string | undefined {
    const x = this.store?.exploration ?? this.data.exploration;
    const run = x?.runs.find((r) => r.id === id);
    return run?.perturbed ? (run.perturb ?? []).map(perturbLabel).join(', ') : undefined;
  }

  /**
   * Explore again, perturbed at a line of the learner's choosing (or as written): a line, a
   * kind and a button. Only while this page has the cell (`store.rerun`).
   */
  private perturbForm(current: Perturbation[] | undefined): HTMLElement {
    const form = el('div', 'jp-slowmo-explore-perturb-form');
    const rerun = this.store?.rerun;
    if (!rerun) return form;
    const first = current?.[0];
    const label = el('label', 'jp-slowmo-explore-perturb-label', 'Perturb the schedule at line ');
    const line = el('input', 'jp-slowmo-explore-perturb-line');
    line.type = 'number';
    line.min = '1';
    line.placeholder = 'line';
    line.value = first ? String(first.line) : '';
    line.setAttribute('aria-label', 'the line to perturb');
    label.append(line);
    const kind = el('select', 'jp-slowmo-explore-perturb-kind');
    kind.setAttribute('aria-label', 'what happens at the line');
    for (const [spec, text] of KINDS) {
      const o = el('option', '', text);
      o.value = spec;
      kind.append(o);
    }
    if (first?.kind === 'sleep') kind.value = `sleep=${(first.sleepNs ?? 0) / 1e6}ms`;
    const note = el('span', 'jp-slowmo-explore-perturb-note', 'in half the runs');
    const go = el(
      'button',
      'jp-slowmo-btn jp-slowmo-explore-perturb-go',
      'Explore again, perturbed',
    );
    go.type = 'button';
    go.title =
      'Run the program again as many times, half of them with a yield or a pause at the start of that line: a rare order may then come often';
    go.onclick = () => {
      try {
        rerun([parsePerturbSpec(`${line.value}:${kind.value}`, 'main.go')]);
      } catch (err) {
        note.textContent = (err as Error).message;
        note.classList.add('jp-slowmo-explore-error');
      }
    };
    form.append(label, kind, note, go);
    if (current) {
      const plain = el(
        'button',
        'jp-slowmo-btn jp-slowmo-explore-perturb-none',
        'Explore again as written',
      );
      plain.type = 'button';
      plain.onclick = () => rerun(undefined);
      form.append(plain);
    }
    return form;
  }

  override dispose(): void {
    this.store?.changed.disconnect(this.render, this);
    super.dispose();
  }
}
