/**
 * "Explore: Choose Runs and Settings…": how many runs, with which GOMAXPROCS
 * values and Go versions (the installed ones), asked in a dialog before an
 * exploration; it says how many runs that makes in all.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { EXPLORE_RUNS_MAX } from '@go-slowmo/kernel-bridge/protocol';
import { Widget } from '@lumino/widgets';
import { PROCS_VALUES } from '../cells';
import { el } from '../dom';
import { settingsOf, type Sweep } from './sweep';

function checkbox(group: string, value: string, label: string, checked: boolean): HTMLElement {
  const box = el('label', 'jp-slowmo-sweep-choice');
  const input = el('input', '');
  input.type = 'checkbox';
  input.name = group;
  input.value = value;
  input.checked = checked;
  box.append(input, document.createTextNode(` ${label}`));
  return box;
}

class SweepBody extends Widget implements Dialog.IBodyWidget<Sweep> {
  private readonly runs = el('input', 'jp-slowmo-sweep-runs');
  private readonly total = el('div', 'jp-slowmo-sweep-total');

  constructor(goVersions: string[], cell: { procs?: number; go?: string }) {
    super();
    this.addClass('jp-slowmo-sweep');
    this.runs.type = 'number';
    this.runs.min = '1';
    this.runs.max = String(EXPLORE_RUNS_MAX);
    this.runs.value = '10';
    const runsRow = el('label', 'jp-slowmo-sweep-row');
    runsRow.append(
      el('span', 'jp-slowmo-sweep-name', 'Runs per setting'),
      this.runs,
      el('span', 'jp-slowmo-sweep-note', `1 to ${EXPLORE_RUNS_MAX}`),
    );
    const procsRow = el('div', 'jp-slowmo-sweep-row');
    procsRow.append(el('span', 'jp-slowmo-sweep-name', 'GOMAXPROCS'));
    for (const p of PROCS_VALUES)
      procsRow.append(checkbox('procs', String(p), String(p), p === (cell.procs ?? 1) || p === 2));
    const goRow = el('div', 'jp-slowmo-sweep-row');
    goRow.append(el('span', 'jp-slowmo-sweep-name', 'Go'));
    const newest = goVersions[goVersions.length - 1];
    for (const v of goVersions)
      goRow.append(checkbox('go', v, v.replace(/^go/, ''), v === (cell.go ?? newest)));
    if (goVersions.length === 0)
      goRow.append(el('span', 'jp-slowmo-sweep-note', 'the cell’s (the bridge listed none)'));
    this.node.append(runsRow, procsRow, goRow, this.total);
    this.node.addEventListener('input', () => this.count());
    this.count();
  }

  private checked(group: string): string[] {
    return [...this.node.querySelectorAll<HTMLInputElement>(`input[name="${group}"]:checked`)].map(
      (i) => i.value,
    );
  }

  getValue(): Sweep {
    const n = Math.round(Number(this.runs.value));
    return {
      runs: Math.min(EXPLORE_RUNS_MAX, Math.max(1, Number.isFinite(n) ? n : 10)),
      procs: this.checked('procs').map(Number),
      goVersions: this.checked('go'),
    };
  }

  /** Says how many runs the choice makes, and which settings. */
  private count(): void {
    const s = this.getValue();
    const settings = settingsOf(s).length;
    this.total.textContent = `${s.runs * settings} runs in all: ${s.runs} with each of ${settings} setting${settings === 1 ? '' : 's'}. Runs go one after another.`;
  }
}

/** Asks for the sweep; null when the learner cancels. */
export async function askSweep(
  goVersions: string[],
  cell: { procs?: number; go?: string },
): Promise<Sweep | null> {
  const result = await showDialog<Sweep>({
    title: 'Explore: run it many times, with which settings',
    body: new SweepBody(goVersions, cell),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Explore' })],
  });
  return result.button.accept && result.value ? result.value : null;
}
