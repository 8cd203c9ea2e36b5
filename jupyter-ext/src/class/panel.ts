/**
 * The teacher panel: a class folder graded as `slowmo check --class` grades
 * it. While it goes: how many notebooks are read, then how many learners are
 * graded, who is being graded and how many runs wait for the bridge. Then,
 * first what a teacher reads first (who passed, the most missed checkpoints,
 * the most common wrong predictions, what could not be graded), the CSV and
 * JUnit files to download, and the table: a row per learner, a column per
 * checkpoint or prediction, each cell marked by a symbol and a word as well
 * as its colour, the learner's totals at the end of the row.
 */
import type { ClassGrades, ClassJob } from '@go-slowmo/kernel-bridge/protocol';
import { Widget } from '@lumino/widgets';
import { el } from '../dom';
import { columns, learnerRows, MARKS, problemText, type Column, type LearnerRow } from './table';

/** Saves `text` as a file named `name`, as a browser download. */
function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a', '');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What the panel's buttons ask of JupyterLab. */
export interface ClassActions {
  /** Opens a notebook by its path inside the class folder. */
  open(notebook: string): void;
  /** Grades the folder again (after learners handed in again). */
  regrade(): void;
}

export class ClassPanel extends Widget {
  private readonly status = el('div', 'jp-slowmo-class-status');
  private readonly body = el('div', 'jp-slowmo-class-body');

  constructor(
    readonly folder: string,
    private readonly actions: ClassActions,
  ) {
    super();
    this.addClass('jp-slowmo-class');
    this.node.append(
      el('h2', 'jp-slowmo-class-title', `Class: ${folder || '/'}`),
      this.status,
      this.body,
    );
    this.reading(0, 0);
  }

  reading(read: number, found: number): void {
    if (read === 0) this.body.replaceChildren();
    this.status.dataset.phase = 'reading';
    this.status.textContent =
      found === 0 ? 'Reading the folder…' : `Reading the notebooks: ${read} of ${found}…`;
  }

  progress(job: ClassJob): void {
    this.status.dataset.phase = 'grading';
    const parts = [`Graded ${job.graded} of ${plural(job.total, 'learner')}`];
    if (job.grading.length > 0) parts.push(`grading now: ${job.grading.join(', ')}`);
    const waiting = job.total - job.graded - job.grading.length;
    if (waiting > 0) parts.push(`${waiting} waiting`);
    if (job.queued > 0) parts.push(`${plural(job.queued, 'run')} queued at the bridge`);
    this.status.textContent = `${parts.join(' · ')}…`;
  }

  failed(why: string): void {
    this.status.dataset.phase = 'error';
    this.status.textContent = `The class could not be graded: ${why}`;
  }

  showGrades(grades: ClassGrades): void {
    const total = grades.learners.length;
    const passed = grades.learners.filter((l) => l.passed).length;
    this.status.dataset.phase = 'done';
    this.status.textContent = `${plural(total, 'learner')}: ${passed} passed every checkpoint, ${total - passed} did not.`;
    const cols = columns(grades.rows);
    this.body.replaceChildren(
      this.summary(grades, total),
      this.downloads(grades),
      this.table(cols, learnerRows(grades, cols)),
    );
  }

  private summary(grades: ClassGrades, total: number): HTMLElement {
    const box = el('div', 'jp-slowmo-class-summary');
    const section = (cls: string, title: string, items: HTMLElement[]) => {
      if (items.length === 0) return;
      const s = el('section', `jp-slowmo-class-top jp-slowmo-class-top-${cls}`);
      const list = el('ul', '');
      list.append(...items);
      s.append(el('h3', '', title), list);
      box.append(s);
    };
    const of = (n: number) => el('span', 'jp-slowmo-class-count', `${n} of ${total}`);
    const learners = (n: number) => (n === 1 && total === 1 ? 'learner' : 'learners');
    section(
      'missed',
      'Most missed checkpoints',
      grades.missed.map((m) => {
        const li = el('li', '');
        li.title = `checkpoint ${m.checkpoint}`;
        li.append(of(m.learners), ` ${learners(m.learners)} missed `, el('strong', '', m.title));
        return li;
      }),
    );
    section(
      'wrong',
      'Most common wrong predictions',
      grades.wrong.map((w) => {
        const li = el('li', '');
        li.title = `prediction ${w.checkpoint}`;
        li.append(
          of(w.learners),
          ` ${learners(w.learners)} answered `,
          el('q', '', w.answer),
          ' to ',
          el('strong', '', w.title),
        );
        return li;
      }),
    );
    section(
      'problems',
      'Could not be graded',
      grades.rows
        .filter((r) => r.kind === 'problem')
        .map((r) => {
          const li = el('li', '');
          li.dataset.learner = r.learner;
          li.append(el('strong', '', r.learner), el('span', '', ` ${problemText(r)}`));
          return li;
        }),
    );
    if (box.childElementCount === 0)
      box.append(el('p', 'jp-slowmo-class-none', 'No checkpoint missed, no prediction wrong.'));
    return box;
  }

  private downloads(grades: ClassGrades): HTMLElement {
    const bar = el('div', 'jp-slowmo-class-downloads');
    const button = (label: string, file: { name: string; text: string }, type: string) => {
      const b = el(
        'button',
        'jp-Button jp-mod-styled jp-mod-reject jp-slowmo-class-download',
        label,
      );
      b.title = `Save ${file.name}: what slowmo check --class writes`;
      b.onclick = () => download(file.name, file.text, type);
      return b;
    };
    const again = el(
      'button',
      'jp-Button jp-mod-styled jp-mod-accept jp-slowmo-class-again',
      'Grade Again',
    );
    again.title = 'Read the folder and grade every learner again';
    again.onclick = () => this.actions.regrade();
    bar.append(
      button(`Download CSV (${grades.csv.name})`, grades.csv, 'text/csv'),
      button(`Download JUnit XML (${grades.junit.name})`, grades.junit, 'application/xml'),
      again,
    );
    return bar;
  }

  private table(cols: readonly Column[], rows: readonly LearnerRow[]): HTMLElement {
    const wrap = el('div', 'jp-slowmo-class-scroll');
    const table = el('table', 'jp-slowmo-class-table');
    const head = el('tr', '');
    head.append(el('th', 'jp-slowmo-class-learner', 'Learner'));
    for (const c of cols) {
      const th = el('th', '');
      th.dataset.checkpoint = c.checkpoint;
      th.title = `${c.prediction ? 'prediction' : 'checkpoint'} ${c.checkpoint}`;
      th.append(
        el('span', 'jp-slowmo-class-kind', c.prediction ? 'prediction' : 'checkpoint'),
        el('span', '', c.title),
      );
      head.append(th);
    }
    head.append(el('th', '', 'Checkpoints'), el('th', '', 'Predictions right'));
    const thead = el('thead', '');
    thead.append(head);
    const tbody = el('tbody', '');
    for (const r of rows) {
      const tr = el('tr', '');
      tr.dataset.learner = r.learner;
      const name = el('th', 'jp-slowmo-class-learner');
      name.scope = 'row';
      const mark = el('span', '', r.passed ? '✔ ' : '✘ ');
      if (r.notebook) {
        const open = el('button', 'jp-slowmo-class-open', r.learner);
        open.title = `Open ${r.notebook}`;
        const notebook = r.notebook;
        open.onclick = () => this.actions.open(notebook);
        name.append(mark, open);
      } else name.append(mark, r.learner);
      name.dataset.passed = String(r.passed);
      tr.append(name);
      const graded = r.cells.some((c) => c.status !== 'missing');
      if (!graded && r.problems.length > 0) {
        const td = el('td', 'jp-slowmo-class-cell jp-slowmo-class-problem');
        td.colSpan = Math.max(1, cols.length);
        td.textContent = `${MARKS.problem.symbol} ${r.problems.join('; ')}`;
        tr.append(td);
      } else {
        for (const c of r.cells) {
          const td = el(
            'td',
            `jp-slowmo-class-cell jp-slowmo-class-${c.status}`,
            `${MARKS[c.status].symbol} ${c.text}`,
          );
          td.dataset.status = c.status;
          if (c.reason) td.title = c.reason;
          tr.append(td);
        }
        if (r.problems.length > 0)
          name.append(
            el('div', 'jp-slowmo-class-note', `${MARKS.problem.symbol} ${r.problems.join('; ')}`),
          );
      }
      tr.append(
        el('td', 'jp-slowmo-class-total', `${r.checkpoints.passed} of ${r.checkpoints.total}`),
        el('td', 'jp-slowmo-class-total', `${r.predictions.right} of ${r.predictions.total}`),
      );
      tbody.append(tr);
    }
    table.append(thead, tbody);
    wrap.append(table);
    return wrap;
  }
}
