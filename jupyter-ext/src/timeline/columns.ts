/**
 * The goroutine table's columns: what each shows of a goroutine's analysis,
 * in words, and how it sorts. Pure, so the order is tested without a page.
 */
import {
  baseName,
  fileWords,
  functionName,
  isLearnerFile,
  type GoroutineStats,
} from '@go-slowmo/kernel-bridge/protocol';
import { timeWords } from './scale';

export interface Column {
  readonly id: string;
  readonly title: string;
  /** What the header's tooltip says. */
  readonly help: string;
  /** The value it sorts by (null sorts last). */
  readonly value: (g: GoroutineStats) => number | string | null;
  readonly text: (g: GoroutineStats) => string;
  /** Numbers are right-aligned and sort largest first on the first click. */
  readonly numeric: boolean;
}

const time = (ns: number | null): string => (ns === null ? '–' : timeWords(ns));
const duration = (ns: number): string => (ns === 0 ? '0' : timeWords(ns));

/** "chan receive 10 ms, sleep 2.3 ms": the waiting time by reason, longest first. */
export function waitingWords(g: GoroutineStats): string {
  const parts = Object.entries(g.waitingBy)
    .filter(([, ns]) => ns > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, ns]) => `${reason || 'unknown'} ${timeWords(ns)}`);
  return parts.join(', ');
}

/** What it waited for longest (null: never waited). */
function topReason(g: GoroutineStats): string | null {
  let best: string | null = null;
  let most = 0;
  for (const [reason, ns] of Object.entries(g.waitingBy)) {
    if (ns > most) [best, most] = [reason, ns];
  }
  return best;
}

export const COLUMNS: readonly Column[] = [
  {
    id: 'goid',
    title: 'id',
    help: 'The goroutine id',
    numeric: true,
    value: (g) => g.goid,
    text: (g) => `g${g.goid}`,
  },
  {
    id: 'fn',
    title: 'function',
    help: 'The function it runs',
    numeric: false,
    value: (g) => (g.goid === 1 ? 'main' : g.fn ? functionName(g.fn) : 'runtime'),
    text: (g) =>
      g.goid === 1 ? 'main' : g.fn ? functionName(g.fn) : 'runtime (creation not seen)',
  },
  {
    id: 'site',
    title: 'created at',
    help: 'Where its go statement is',
    numeric: false,
    value: (g) =>
      g.file && g.goid !== 1 ? `${baseName(g.file)}:${String(g.line).padStart(6, '0')}` : null,
    text: (g) => {
      // g1 is started by the runtime to run main: no go statement of the program's.
      if (!g.file || g.goid === 1) return '–';
      return isLearnerFile(g.file) ? `${g.file}:${g.line}` : fileWords(g.file, g.line);
    },
  },
  {
    id: 'created',
    title: 'born',
    help: 'When it was created',
    numeric: true,
    value: (g) => g.createdAt,
    text: (g) => time(g.createdAt),
  },
  {
    id: 'ended',
    title: 'ended',
    help: 'When it exited (– : still alive at the end)',
    numeric: true,
    value: (g) => g.endedAt,
    text: (g) => time(g.endedAt),
  },
  {
    id: 'runs',
    title: 'runs',
    help: 'How many times it started running',
    numeric: true,
    value: (g) => g.runs,
    text: (g) => g.runs.toLocaleString('en'),
  },
  {
    id: 'running',
    title: 'running',
    help: 'Time running on a P',
    numeric: true,
    value: (g) => g.running,
    text: (g) => duration(g.running),
  },
  {
    id: 'runnable',
    title: 'runnable',
    help: 'Time runnable but not running: waiting for a P (the scheduler latency)',
    numeric: true,
    value: (g) => g.runnable,
    text: (g) => duration(g.runnable),
  },
  {
    id: 'waiting',
    title: 'waiting',
    help: 'Time blocked (parked), by what it waited for',
    numeric: true,
    value: (g) => g.waiting,
    text: (g) => duration(g.waiting),
  },
  {
    id: 'syscall',
    title: 'syscall',
    help: 'Time in system calls',
    numeric: true,
    value: (g) => g.syscall,
    text: (g) => duration(g.syscall),
  },
  {
    id: 'ps',
    title: 'Ps',
    help: 'The Ps it ran on',
    numeric: true,
    value: (g) => g.ps.length,
    text: (g) => (g.ps.length === 0 ? '–' : g.ps.map((p) => `P${p}`).join(' ')),
  },
  {
    id: 'stolen',
    title: 'stolen',
    help: 'Times another P stole it from a run queue',
    numeric: true,
    value: (g) => g.stolen,
    text: (g) => String(g.stolen),
  },
  {
    id: 'preempted',
    title: 'preempted',
    help: 'Times the runtime preempted it',
    numeric: true,
    value: (g) => g.preempted,
    text: (g) => String(g.preempted),
  },
  {
    id: 'waitingFor',
    title: 'waiting for',
    help: 'Its waiting time by what it waited for, longest first',
    numeric: false,
    value: (g) => topReason(g),
    text: (g) => waitingWords(g) || '–',
  },
];

export interface SortOrder {
  readonly column: string;
  readonly descending: boolean;
}

/** The goroutines in a column's order (ties by id; values missing last either way). */
export function sortRows(rows: readonly GoroutineStats[], order: SortOrder): GoroutineStats[] {
  const col = COLUMNS.find((c) => c.id === order.column) ?? COLUMNS[0]!;
  const sign = order.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const va = col.value(a);
    const vb = col.value(b);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
    } else if (va !== vb) {
      return (va < vb ? -1 : 1) * sign;
    }
    return a.goid - b.goid;
  });
}

/** A click on a column's header: the same column flips its order, a new one starts largest (or A) first. */
export function nextOrder(current: SortOrder, column: string): SortOrder {
  if (current.column === column) return { column, descending: !current.descending };
  const col = COLUMNS.find((c) => c.id === column);
  return { column, descending: col?.numeric === true && column !== 'goid' };
}
