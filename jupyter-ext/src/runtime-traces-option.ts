/**
 * What the runtime-traces cell option (runtime-traces.ts) does to a cell's `godebug`: pure, so
 * it is tested without JupyterLab.
 */

/** What the option sets: a schedtrace line every 10 ms and a line per GC cycle. */
export const RUNTIME_TRACES = 'schedtrace=10,gctrace=1';

/** Whether a cell's godebug shows the runtime's traces. */
export function hasRuntimeTraces(godebug: unknown): boolean {
  return typeof godebug === 'string' && /(^|,)\s*(schedtrace|gctrace)=/.test(godebug);
}

/**
 * The cell's godebug after the option is toggled: the traces (and scheddetail, which needs
 * schedtrace) taken out of it, or added to what it has.
 */
export function toggledGodebug(godebug: unknown): string | undefined {
  const items =
    typeof godebug === 'string'
      ? godebug
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : [];
  const traces = /^(schedtrace|gctrace|scheddetail)=/;
  const rest = items.filter((s) => !traces.test(s));
  const next = hasRuntimeTraces(godebug) ? rest : [...rest, RUNTIME_TRACES];
  return next.length === 0 ? undefined : next.join(',');
}
