/**
 * One valid example of every event kind (context fields left out): the
 * table that tests of the event schemas and their fast path mutate.
 */
import type { EventKind } from '../../src/protocol';

export const VALID_EVENTS: Record<EventKind, Record<string, unknown>> = {
  'run.start': {
    goVersion: 'go1.26.8',
    gomaxprocs: 4,
    backend: 'trace',
    fidelity: { runq: false, runnext: false, steals: false, lines: true },
  },
  'g.create': { goid: 8, parent: 7, fn: 'main.worker', file: 'main.go', line: 12 },
  'g.runnable': {
    goid: 8,
    queue: 'runnext',
    qp: 0,
    reason: 'ready',
    by: 7,
    file: 'main.go',
    line: 24,
  },
  'g.running': { goid: 8, inheritTime: true },
  'g.waiting': { goid: 8, reason: 'chan receive', file: 'main.go', line: 14 },
  'g.syscall': { goid: 8 },
  'g.syscall.exit': { goid: 8 },
  'g.exit': { goid: 8 },
  steal: { thief: 1, victim: 0, goids: [8, 9] },
  'p.state': { state: 'idle', pm: -1 },
  'm.state': { state: 'spinning' },
  runq: { qp: 0, runnext: 8, goids: [9, 10] },
  globalq: { goids: [11], more: 3 },
  gc: { phase: 'mark' },
  stw: { begin: true, reason: 'GC sweep termination' },
  line: { goid: 8, file: 'main.go', line: 15 },
  output: { stream: 'stdout', data: 'hello\n' },
  'user.task': { begin: true, task: 3, parent: 1, name: 'request 3' },
  'user.region': { begin: true, task: 3, name: 'fetch', depth: 1 },
  'user.log': { task: 3, category: 'stage', message: 'fetched 12 rows' },
  'run.end': { exitCode: 0, signal: null, lost: 0, reason: 'exit' },
};
