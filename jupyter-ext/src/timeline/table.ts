/**
 * The goroutine table: one row per goroutine with its analysis (runs, time
 * running, runnable, waiting by reason, in syscalls, its Ps, steals and
 * preemptions), sortable by any column, above it a small chart of
 * goroutines by state over time. A click on a row picks that goroutine in
 * the picture and the timeline; a click on the chart seeks there.
 *
 * The analysis reads every lane, so a live run redoes it at most twice a
 * second; a finished one once.
 */
import {
  analyzeGoroutines,
  stateCounts,
  type GoroutineAnalysis,
  type StateCounts,
  type GoroutineStats,
  type Lanes,
} from '@go-slowmo/kernel-bridge/protocol';
import { Signal, type ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { currentPalette, type Palette } from '../picture/palette';
import { context2d } from './canvas';
import { COLUMNS, nextOrder, sortRows, type SortOrder } from './columns';
import { onThemeChange } from './theme';
import { isRuntimeLane } from './layout';
import { CHART_H, CHART_STATES, chartTime, drawChart, stateColors } from './states-chart';

/** A live run's analysis is redone at most this often (ms). */
const LIVE_EVERY_MS = 500;

export interface TableShow {
  readonly lanes: Lanes;
  readonly live: boolean;
  readonly runtime: boolean;
  readonly selected: number;
  /** The picture's time, for the chart's mark. */
  readonly t: number | null;
}

export class GoroutineTable extends Widget {
  private readonly caption = document.createElement('div');
  private readonly chartKey = document.createElement('div');
  readonly chart = document.createElement('canvas');
  private readonly scroll = document.createElement('div');
  private readonly table = document.createElement('table');
  private readonly body = document.createElement('tbody');
  private readonly headers = new Map<string, HTMLTableCellElement>();
  private readonly picked = new Signal<this, number>(this);
  private readonly seeking = new Signal<this, number>(this);
  private readonly ordered = new Signal<this, SortOrder>(this);
  analysis: GoroutineAnalysis | null = null;
  private analyzedSeq = -2;
  private analyzedAt = 0;
  private shownKey = '';
  private last: TableShow | null = null;
  private readonly unwatchTheme = onThemeChange(() => this.last && this.renderChart(this.last));
  /** The chart's width, from its resize events (read while drawing, it would lay the page out). */
  private chartWidth = 0;
  private readonly chartWatch =
    typeof ResizeObserver === 'undefined'
      ? null
      : new ResizeObserver(() => {
          this.chartWidth = this.chart.clientWidth;
          if (this.last) this.renderChart(this.last);
        });

  constructor(public order: SortOrder = { column: 'goid', descending: false }) {
    super();
    this.addClass('jp-slowmo-goroutines');
    this.caption.className = 'jp-slowmo-goroutines-caption';
    this.chartKey.className = 'jp-slowmo-timeline-key jp-slowmo-goroutines-key';
    this.chart.className = 'jp-slowmo-goroutines-chart';
    this.chart.title = 'Goroutines by state over the run; click to seek there';
    this.chart.onclick = (e) => this.chartClick(e);
    this.scroll.className = 'jp-slowmo-goroutines-scroll';
    this.table.className = 'jp-slowmo-goroutines-table';
    this.table.append(this.head(), this.body);
    this.scroll.appendChild(this.table);
    this.node.append(this.caption, this.chartKey, this.chart, this.scroll);
    this.chartWatch?.observe(this.chart);
    // Browser tests read the analysis through the node.
    (this.node as unknown as { slowmoTable: GoroutineTable }).slowmoTable = this;
    this.body.onclick = (e) => {
      const row = (e.target as HTMLElement).closest('tr');
      if (row?.dataset.goid) this.picked.emit(Number(row.dataset.goid));
    };
  }

  /** A row was clicked: its goid. */
  get goroutinePicked(): ISignal<this, number> {
    return this.picked;
  }

  /** The chart was clicked: a time (ns). */
  get timeRequested(): ISignal<this, number> {
    return this.seeking;
  }

  /** The order changed (saved with the output). */
  get orderChanged(): ISignal<this, SortOrder> {
    return this.ordered;
  }

  private head(): HTMLTableSectionElement {
    const head = document.createElement('thead');
    const tr = document.createElement('tr');
    for (const col of COLUMNS) {
      const th = document.createElement('th');
      th.dataset.column = col.id;
      th.title = `${col.help}. Click to sort.`;
      th.tabIndex = 0;
      th.textContent = col.title;
      if (col.numeric) th.classList.add('jp-mod-numeric');
      const sort = () => this.sortBy(col.id);
      th.onclick = sort;
      th.onkeydown = (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          sort();
        }
      };
      this.headers.set(col.id, th);
      tr.appendChild(th);
    }
    head.appendChild(tr);
    return head;
  }

  /** Sorts by a column (again: the other way). */
  sortBy(column: string): void {
    this.order = nextOrder(this.order, column);
    this.ordered.emit(this.order);
    this.shownKey = '';
    if (this.last) this.showTable(this.last);
  }

  /** Shows the analysis of the lanes so far (redone when they grew, at most twice a second live). */
  showTable(show: TableShow): void {
    this.last = show;
    const lanes = show.lanes;
    const now = performance.now();
    const stale = lanes.lastSeq !== this.analyzedSeq;
    if (
      this.analysis === null ||
      (stale && (!show.live || now - this.analyzedAt >= LIVE_EVERY_MS))
    ) {
      this.analysis = analyzeGoroutines(lanes);
      this.analyzedSeq = lanes.lastSeq;
      this.analyzedAt = now;
    }
    this.renderRows(show);
    this.renderChart(show);
  }

  private renderRows(show: TableShow): void {
    const a = this.analysis!;
    const key = `${this.analyzedSeq}|${show.runtime}|${this.order.column}|${this.order.descending}`;
    if (key === this.shownKey) {
      this.markSelected(show.selected);
      return;
    }
    this.shownKey = key;
    const rows = a.goroutines.filter((g) => show.runtime || !g.runtime);
    const hidden = a.goroutines.length - rows.length;
    this.caption.textContent =
      `${rows.length.toLocaleString('en')} goroutine${rows.length === 1 ? '' : 's'}` +
      (hidden > 0 ? ` (${hidden} of the runtime's hidden)` : '') +
      ' · click a row to pick it in the picture and the timeline (again to let go), a heading to sort';
    const frag = document.createDocumentFragment();
    for (const g of sortRows(rows, this.order)) frag.appendChild(this.row(g, show.selected));
    this.body.replaceChildren(frag);
    for (const [id, th] of this.headers) {
      const on = id === this.order.column;
      th.setAttribute(
        'aria-sort',
        on ? (this.order.descending ? 'descending' : 'ascending') : 'none',
      );
      th.dataset.arrow = on ? (this.order.descending ? '▼' : '▲') : '';
    }
  }

  /** Marks the picked goroutine's row (and no other). */
  private markSelected(goid: number): void {
    for (const tr of this.body.querySelectorAll('tr[aria-selected="true"]')) {
      if ((tr as HTMLElement).dataset.goid !== String(goid)) tr.removeAttribute('aria-selected');
    }
    this.body.querySelector(`tr[data-goid="${goid}"]`)?.setAttribute('aria-selected', 'true');
  }

  private row(g: GoroutineStats, selected: number): HTMLTableRowElement {
    const tr = document.createElement('tr');
    tr.dataset.goid = String(g.goid);
    if (g.goid === selected) tr.setAttribute('aria-selected', 'true');
    if (g.runtime) tr.classList.add('jp-mod-runtime');
    for (const col of COLUMNS) {
      const td = document.createElement('td');
      td.textContent = col.text(g);
      td.dataset.column = col.id;
      if (col.numeric) td.classList.add('jp-mod-numeric');
      tr.appendChild(td);
    }
    return tr;
  }

  private renderChart(show: TableShow): void {
    const a = this.analysis!;
    const palette = currentPalette();
    const w = this.chartWidth || 600;
    // Drawn again only when something in it changed (the cursor moves with every event shown).
    const key = `${this.analyzedSeq}|${show.runtime}|${show.t}|${w}|${palette.dark}`;
    if (key === this.chartShown) return;
    this.chartShown = key;
    this.drawChartKey(palette);
    const dpr = globalThis.devicePixelRatio || 1;
    if (this.chart.width !== Math.round(w * dpr)) this.chart.width = Math.round(w * dpr);
    if (this.chart.height !== Math.round(CHART_H * dpr))
      this.chart.height = Math.round(CHART_H * dpr);
    const ctx = context2d(this.chart);
    if (ctx === null) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    drawChart(ctx, this.counts(show), a.end, w, palette, show.t);
  }

  private chartShown = '';

  /** The chart's key in the theme's colours. */
  private drawChartKey(palette: Palette): void {
    if (this.chartKey.dataset.dark === String(palette.dark)) return;
    this.chartKey.dataset.dark = String(palette.dark);
    const colors = stateColors(palette);
    this.chartKey.replaceChildren(
      ...CHART_STATES.map((s) => {
        const item = document.createElement('span');
        item.className = 'jp-slowmo-timeline-key-item';
        const sw = document.createElement('span');
        sw.className = 'jp-slowmo-timeline-swatch';
        sw.style.background = colors[s];
        item.append(sw, document.createTextNode(s));
        return item;
      }),
    );
  }

  /** The chart counts the goroutines the table lists (the runtime's only when shown). */
  private counts(show: TableShow): StateCounts {
    const a = this.analysis!;
    if (show.runtime) return a.counts;
    const key = this.analyzedSeq;
    if (this.mineCounts?.seq !== key) {
      const goroutines = show.lanes.goroutines.filter((g) => !isRuntimeLane(g));
      this.mineCounts = { seq: key, counts: stateCounts({ ...show.lanes, goroutines }) };
    }
    return this.mineCounts.counts;
  }

  private mineCounts: { seq: number; counts: StateCounts } | null = null;

  private chartClick(e: MouseEvent): void {
    const a = this.analysis;
    if (a === null) return;
    const box = this.chart.getBoundingClientRect();
    this.seeking.emit(chartTime(e.clientX - box.left, box.width, a.start, a.end));
  }

  override dispose(): void {
    this.unwatchTheme();
    this.chartWatch?.disconnect();
    Signal.clearData(this);
    super.dispose();
  }
}
