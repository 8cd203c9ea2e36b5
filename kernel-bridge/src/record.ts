/**
 * One run recorded to its end through the bridge, headless: what `slowmo
 * check` does for each cell and `slowmo explore` for each of its runs.
 */
import type { Bridge } from './bridge';
import type { Diagnostic, RunRequest, SlowmoEvent } from './protocol';

export interface Recorded {
  events: SlowmoEvent[];
  /** The program did not compile. */
  diagnostics?: Diagnostic[];
  /** The bridge refused or failed the run: why, and its error code (`internal` when it failed). */
  error?: string;
  errorCode?: string;
}

/** Runs a validated request; resolves with its events or why it did not run. */
export function recordRun(bridge: Bridge, req: RunRequest): Promise<Recorded> {
  return new Promise((resolve) => {
    const events: SlowmoEvent[] = [];
    const handle = bridge.run(req, {
      status: () => {},
      compileError: (diagnostics) => resolve({ events, diagnostics }),
      event: (e) => events.push(e),
      end: () => resolve({ events }),
      error: (code, message) => resolve({ events, error: message, errorCode: code }),
    });
    void handle.done;
  });
}

/** Compile errors as the terminal shows them: `file:line:col: message`. */
export function diagnosticLines(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`);
}
