/**
 * The program's source beside the picture, with the lines that matter now
 * lit in the colour of the goroutine they belong to: where the current
 * event happened, where each running goroutine is (paced mode's line
 * events), where waiting goroutines parked.
 */
import type { SchedState, SlowmoEvent } from '@go-slowmo/kernel-bridge/protocol';
import { Widget } from '@lumino/widgets';
import { goroutineColor } from '../picture';

export interface LitLine {
  line: number;
  goid: number;
  /** The current event's line is strong; others are soft. */
  strong: boolean;
}

/** The lines of the learner's main file to light for a state and its current event. */
export function litLines(
  state: SchedState,
  event: SlowmoEvent | undefined,
  file = 'main.go',
): LitLine[] {
  const lit = new Map<number, LitLine>();
  const mine = (f: string | undefined): boolean =>
    f !== undefined && (f === file || f.endsWith(`/${file}`));
  state.gs.forEach((g, goid) => {
    if (g.status === 'running' && g.at && mine(g.at.file))
      lit.set(g.at.line, { line: g.at.line, goid, strong: false });
    if (g.status === 'waiting' && g.wait?.line && mine(g.wait.file) && !lit.has(g.wait.line)) {
      lit.set(g.wait.line, { line: g.wait.line, goid, strong: false });
    }
  });
  const at = event as (SlowmoEvent & { file?: string; line?: number; goid?: number }) | undefined;
  if (at && typeof at.line === 'number' && mine(at.file)) {
    lit.set(at.line, { line: at.line, goid: at.goid ?? at.g, strong: true });
  }
  return [...lit.values()].sort((a, b) => a.line - b.line);
}

export class SourcePane extends Widget {
  private rows: HTMLElement[] = [];

  constructor(source: string) {
    super();
    this.addClass('jp-slowmo-source');
    const pre = document.createElement('pre');
    source.split('\n').forEach((text, i) => {
      const row = document.createElement('div');
      row.className = 'jp-slowmo-source-line';
      const num = document.createElement('span');
      num.className = 'jp-slowmo-source-num';
      num.textContent = String(i + 1);
      const code = document.createElement('span');
      code.textContent = text || ' ';
      row.append(num, code);
      pre.appendChild(row);
      this.rows.push(row);
    });
    this.node.appendChild(pre);
  }

  /** Lights exactly these lines. */
  light(lines: LitLine[]): void {
    for (const row of this.rows) {
      if (row.dataset.lit) {
        delete row.dataset.lit;
        row.style.removeProperty('--slowmo-lit');
      }
    }
    for (const l of lines) {
      const row = this.rows[l.line - 1];
      if (!row) continue;
      row.dataset.lit = l.strong ? 'strong' : 'soft';
      row.style.setProperty('--slowmo-lit', goroutineColor(l.goid));
      if (l.strong) row.scrollIntoView?.({ block: 'nearest' });
    }
  }
}
