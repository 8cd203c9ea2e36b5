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
  'heap.alloc': {
    addr: 824634335232,
    size: 16,
    noscan: false,
    file: 'main.go',
    line: 18,
    fn: 'main.build',
  },
  'gc.color': { addr: 824634335232, color: 'grey', by: 'mark', from: 824634335248 },
  'heap.edge': { to: 824634335232, root: 'stack', rootG: 1 },
  'gc.span': { base: 824634327040, size: 16, objects: [824634335232, 824634335248] },
  'heap.free': { addr: 824634335232, size: 16 },
  'heap.limit': { objects: 20000 },
  profile: {
    profile: 'block',
    unit: 'nanoseconds',
    frames: [
      { fn: 'main.wait', file: '/src/main.go', line: 14 },
      { fn: 'main.main', file: '/src/main.go', line: 30 },
    ],
    samples: [{ stack: [0, 1], value: 20000000 }],
    truncated: false,
  },
  'run.end': { exitCode: 0, signal: null, lost: 0, reason: 'exit' },
};
