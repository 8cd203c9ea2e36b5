/**
 * The runtime-traces plugin: a Go-slowmo cell option, in its context menu and the palette, that
 * runs the program with the runtime's own text traces, GODEBUG=schedtrace=10,gctrace=1 (the
 * cell's `godebug`). The lines stay in the output; the timeline shows them as a strip checked
 * against the picture. Other settings go in the cell's metadata by hand (`godebug`, allowed by
 * the protocol's godebug.ts).
 */
import { cellOptionPlugin } from './cell-option';
import { hasRuntimeTraces, toggledGodebug } from './runtime-traces-option';

export const runtimeTracesPlugin = cellOptionPlugin({
  name: 'runtime-traces',
  description: 'A Go-slowmo cell option: the runtime’s schedtrace and gctrace (GODEBUG).',
  label: 'Runtime’s own traces (GODEBUG=schedtrace=10,gctrace=1)',
  caption:
    'Run with the runtime’s own text traces: every 10 ms a schedtrace line (idle Ps, spinning Ms, each run queue’s length) and a line per GC cycle. They stay in the output, and the timeline shows them above its lanes, each schedtrace line checked against the picture.',
  isOn: (meta) => hasRuntimeTraces(meta.godebug),
  toggle: (meta) => {
    const next = toggledGodebug(meta.godebug);
    if (next === undefined) delete meta.godebug;
    else meta.godebug = next;
  },
});
