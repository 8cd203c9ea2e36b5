/**
 * The recording as a Chrome Trace Event file (chromeTrace) that Perfetto UI
 * and chrome://tracing open, downloaded from the widget: a live run once it
 * has ended, a saved output from the events it keeps.
 */
import { chromeTrace, type SlowmoEvent } from '@go-slowmo/kernel-bridge/protocol';

/** A short stable name from the program's text, so two cells' files do not clash. */
export function runName(source: string, backend: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < source.length; i++) {
    h ^= source.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  const safe = backend.replace(/[^a-z0-9]+/gi, '') || 'go';
  return `${safe}-${(h >>> 0).toString(16).padStart(8, '0')}`;
}

/** The file: its name and its JSON text. */
export function chromeTraceFile(
  events: readonly SlowmoEvent[],
  name: string,
): { filename: string; text: string } {
  return { filename: `run-${name}.json`, text: JSON.stringify(chromeTrace(events)) };
}

/** Hands a text file to the browser's downloads. */
export function download(filename: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoked later: some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The toolbar's button; enable() says whether there is a finished recording to export. */
export function exportButton(onClick: () => void): {
  button: HTMLButtonElement;
  enable: (ready: boolean, live: boolean) => void;
} {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'jp-slowmo-btn jp-slowmo-export';
  b.textContent = '⤓ Chrome trace';
  b.setAttribute('aria-label', 'Download Chrome trace');
  b.onclick = onClick;
  const enable = (ready: boolean, live: boolean) => {
    b.disabled = !ready;
    b.title = ready
      ? 'Download the run as Chrome Trace Event JSON, to open in Perfetto UI (ui.perfetto.dev) or chrome://tracing'
      : live
        ? 'Download Chrome trace: ready when the run ends'
        : 'Download Chrome trace: no events recorded';
  };
  enable(false, false);
  return { button: b, enable };
}
