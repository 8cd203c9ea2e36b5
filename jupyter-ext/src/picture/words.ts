/**
 * The words in the picture: header, banner, P states, tooltips. Kept apart
 * from the layout so they can be read (and reworded) in one place.
 */
import {
  baseName,
  lossWords,
  throttleWords,
  type GState,
  type SchedState,
} from '@go-slowmo/kernel-bridge/protocol';
import { GLYPH } from './metrics';

/** Cuts `text` to about `width` scene units at font size `font`, with an ellipsis. */
export function fit(text: string, width: number, font: number): string {
  const max = Math.max(3, Math.floor(width / (font * GLYPH)));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** One line about a goroutine: who made it, what it is doing, where. */
export function describe(g: GState | undefined, goid: number): string {
  const parts = [`g${goid}`];
  if (g?.site) parts.push(`${g.site.fn} (go at ${baseName(g.site.file)}:${g.site.line})`);
  else parts.push(goid === 1 ? 'main' : 'runtime');
  if (g) {
    let status: string = g.status;
    if (g.wait) {
      status = `waiting: ${g.wait.reason}`;
      if (g.wait.file) status += ` at ${baseName(g.wait.file)}:${g.wait.line ?? '?'}`;
    }
    parts.push(status);
    if (g.at) parts.push(`now at ${baseName(g.at.file)}:${g.at.line}`);
  }
  return parts.join(' · ');
}

export function procStateText(s: string): string {
  switch (s) {
    case 'gcstop':
      return 'stopped for GC';
    case 'syscall':
      return 'in syscall';
    default:
      return s;
  }
}

/** What ran (Go version, Ps, backend) and how it ended. */
export function headerText(state: SchedState): string {
  const parts: string[] = [];
  const run = state.run;
  if (run === null) parts.push('waiting for the program to start');
  else {
    parts.push(run.goVersion, `GOMAXPROCS ${run.gomaxprocs}`, `${run.backend} backend`);
    if (run.paced) {
      parts.push(
        run.paced.sysmon === 'see-pauses' ? 'sysmon sees pauses' : 'pauses hidden from sysmon',
      );
    }
    if (!run.fidelity.runq || !run.fidelity.runnext) parts.push('dashed = inferred');
  }
  const end = state.end;
  if (end !== null) {
    if (end.reason === 'exit') parts.push(`exited with code ${end.exitCode}`);
    else if (end.reason === 'signal') parts.push(`killed by ${end.signal ?? 'a signal'}`);
    else parts.push(`stopped: ${end.reason}`);
    const loss = lossWords(end.lost);
    if (loss) parts.push(loss);
    const throttled = throttleWords(end.throttledMs);
    if (throttled) parts.push(throttled);
  }
  return parts.join(' · ');
}

const GC_TEXT: Record<string, string> = {
  sweepterm: 'GC: sweep termination',
  mark: 'GC: marking (beside your goroutines)',
  marktermination: 'GC: mark termination',
};

export function bannerText(state: SchedState): string {
  if (state.stw !== null) return `Stop the world: ${state.stw || 'runtime'}`;
  return GC_TEXT[state.gc] ?? `GC: ${state.gc}`;
}
