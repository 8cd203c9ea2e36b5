/**
 * The program's source beside the picture, as go-slowmo shows it and more:
 * each running goroutine's line lit in its colour and tagged "M2:g7"; where
 * no line event says where a goroutine is (record mode), its last known line
 * lit lighter and tagged "last seen"; parked goroutines on the line they wait
 * at; the current event's line strongest; an ending's lines in red. Several
 * goroutines on one line get several tags.
 *
 * Tabs are gofmt's, at width 4, counted from the start of the code (the line
 * number is a box of its own, so it does not shift the tab stops).
 */
import type { SchedState, SlowmoEvent } from '@go-slowmo/kernel-bridge/protocol';
import { Widget } from '@lumino/widgets';
import { goroutineColor } from '../picture';

export type LitKind = 'event' | 'running' | 'seen' | 'waiting' | 'ending';

export interface LitLine {
  line: number;
  goid: number;
  kind: LitKind;
  /** The tag at the end of the line: "M2:g7", "g8 · chan receive", "last seen: g3". */
  tag: string;
  /** Hover words. */
  note?: string;
}

/** The lit line's strength, strongest first: the line's colour comes from the strongest. */
const RANK: Record<LitKind, number> = { ending: 0, event: 1, running: 2, waiting: 3, seen: 4 };

/** Whether `file` is the learner's `name` (a build path ends with it). */
export function isFile(file: string | undefined, name = 'main.go'): boolean {
  return file !== undefined && (file === name || file.endsWith(`/${name}`));
}

/** The lines of the learner's main file to light for a state and its current event. */
export function litLines(
  state: SchedState,
  event: SlowmoEvent | undefined,
  opts: { file?: string; hide?: (goid: number) => boolean } = {},
): LitLine[] {
  const file = opts.file ?? 'main.go';
  const lit: LitLine[] = [];
  const mine = (f: string | undefined) => isFile(f, file);
  state.gs.forEach((g, goid) => {
    if (g.status === 'dead' || opts.hide?.(goid)) return;
    const m = g.m >= 0 ? `M${g.m}:` : '';
    if (g.status === 'running' && g.at && mine(g.at.file)) {
      lit.push({ line: g.at.line, goid, kind: 'running', tag: `${m}g${goid}` });
    } else if (g.status === 'waiting' && g.wait?.line && mine(g.wait.file)) {
      const tag = `g${goid} · ${g.wait.reason}`;
      lit.push({ line: g.wait.line, goid, kind: 'waiting', tag, note: `g${goid} waits here` });
    } else if (g.seen && mine(g.seen.file) && g.status !== 'waiting') {
      const tag = g.status === 'running' ? `${m}g${goid}` : `g${goid}`;
      const note = `last seen here: no line events in record mode, so g${goid} may be further on`;
      lit.push({ line: g.seen.line, goid, kind: 'seen', tag, note });
    }
  });
  const at = event as (SlowmoEvent & { file?: string; line?: number; goid?: number }) | undefined;
  if (at && typeof at.line === 'number' && at.line > 0 && mine(at.file)) {
    const goid =
      at.kind === 'g.runnable' ? ((at as { by?: number }).by ?? at.g) : (at.goid ?? at.g);
    lit.push({
      line: at.line,
      goid,
      kind: 'event',
      tag: '',
      note: 'where the current event happened',
    });
  }
  // A race: both of its accesses, where they are in the learner's code.
  if (event?.kind === 'race') {
    for (const a of event.accesses) {
      if (a.line <= 0 || !mine(a.file)) continue;
      const verb = a.op === 'read' ? 'read' : 'wrote';
      const who = a.goid !== undefined ? `g${a.goid}` : `goroutine ${a.goroutine}`;
      lit.push({
        line: a.line,
        goid: a.goid ?? 0,
        kind: 'event',
        tag: `race · ${verb}${a.previous ? ' before' : ''}`,
        note: `the race detector: ${who} ${verb} here${a.previous ? ', before the racing access' : ''}`,
      });
    }
  }
  return lit.sort((a, b) => a.line - b.line || RANK[a.kind] - RANK[b.kind] || a.goid - b.goid);
}

/** How wide the code is, in columns, with tabs at width 4. */
export function columnsOf(source: string): number {
  let widest = 0;
  for (const text of source.split('\n')) {
    let col = 0;
    for (const ch of text) col = ch === '\t' ? col + 4 - (col % 4) : col + 1;
    widest = Math.max(widest, col);
  }
  return widest;
}

/** Tags on one line before "+N". */
const MAX_TAGS = 3;

function tag(text: string, kind: LitKind, color: string, note?: string): HTMLElement {
  const el = document.createElement('span');
  el.className = 'jp-slowmo-source-tag';
  el.dataset.kind = kind;
  el.textContent = text;
  el.style.setProperty('--slowmo-tag', color);
  if (note) el.title = note;
  return el;
}

export class SourcePane extends Widget {
  private rows: HTMLElement[] = [];
  /** What the last light() lit, to skip a frame that lights the same. */
  private lastKey = '';
  private readonly litRows = new Set<HTMLElement>();
  /** The code's width in columns, at most 80: the pane's default width. */
  readonly columns: number;

  constructor(source: string) {
    super();
    this.addClass('jp-slowmo-source');
    this.columns = Math.min(80, Math.max(40, columnsOf(source)));
    const pre = document.createElement('pre');
    source.split('\n').forEach((text, i) => {
      const row = document.createElement('div');
      row.className = 'jp-slowmo-source-line';
      row.dataset.line = String(i + 1);
      const num = document.createElement('span');
      num.className = 'jp-slowmo-source-num';
      num.textContent = String(i + 1);
      const code = document.createElement('span');
      code.className = 'jp-slowmo-source-code';
      code.textContent = text || ' ';
      const tags = document.createElement('span');
      tags.className = 'jp-slowmo-source-tags';
      row.append(num, code, tags);
      pre.appendChild(row);
      this.rows.push(row);
    });
    this.node.appendChild(pre);
  }

  /**
   * Lights exactly these lines, and scrolls the strongest one into view. A
   * line shows at most MAX_TAGS goroutines' tags and "+N" for the rest (a
   * thousand goroutines parked on one line are one lit line, not a thousand
   * tags), and nothing is touched when the frame lights what the last did.
   */
  light(lines: LitLine[]): void {
    const byRow = new Map<number, LitLine[]>();
    for (const l of lines) {
      if (!this.rows[l.line - 1]) continue;
      const list = byRow.get(l.line);
      if (list) list.push(l);
      else byRow.set(l.line, [l]);
    }
    let key = '';
    for (const [line, list] of byRow) {
      const shown = list.slice(0, MAX_TAGS).map((l) => `${l.kind}${l.goid}${l.tag}`);
      key += `${line}:${shown.join(',')}:${list.length}|`;
    }
    if (key === this.lastKey) return;
    this.lastKey = key;

    for (const row of this.litRows) {
      delete row.dataset.lit;
      row.style.removeProperty('--slowmo-lit');
      row.removeAttribute('title');
      (row.lastElementChild as HTMLElement).replaceChildren();
    }
    this.litRows.clear();
    let strongest: { row: HTMLElement; rank: number } | null = null;
    for (const [line, list] of byRow) {
      const row = this.rows[line - 1] as HTMLElement;
      // Sorted strongest first per line: the first decides the line's look.
      const first = list[0] as LitLine;
      this.litRows.add(row);
      row.dataset.lit = first.kind;
      row.style.setProperty('--slowmo-lit', goroutineColor(first.goid));
      if (first.note) row.title = first.note;
      const tags = row.lastElementChild as HTMLElement;
      const tagged = list.filter((l) => l.tag);
      for (const l of tagged.slice(0, MAX_TAGS)) {
        tags.appendChild(tag(l.tag, l.kind, goroutineColor(l.goid), l.note));
      }
      if (tagged.length > MAX_TAGS) {
        const more = tagged.length - MAX_TAGS;
        tags.appendChild(
          tag(`+${more}`, 'seen', 'var(--jp-border-color1)', `${more} more goroutines here`),
        );
      }
      const rank = RANK[first.kind];
      if (strongest === null || rank < strongest.rank) strongest = { row, rank };
    }
    if (strongest) this.reveal(strongest.row);
  }

  /** Scrolls the pane (only the pane, never the notebook) so that the row is in view. */
  private reveal(row: HTMLElement): void {
    const pane = this.node;
    const top = row.offsetTop;
    const bottom = top + row.offsetHeight;
    if (top < pane.scrollTop) pane.scrollTop = Math.max(0, top - 24);
    else if (bottom > pane.scrollTop + pane.clientHeight)
      pane.scrollTop = bottom - pane.clientHeight + 24;
  }

  /** The rows lit now, for tests: line number, kind and tags. */
  get lit(): { line: number; kind: string; tags: string[] }[] {
    return [...this.litRows]
      .map((row) => ({
        line: Number(row.dataset.line),
        kind: row.dataset.lit ?? '',
        tags: [...(row.lastElementChild as HTMLElement).children].map((t) => t.textContent ?? ''),
      }))
      .sort((a, b) => a.line - b.line);
  }
}
