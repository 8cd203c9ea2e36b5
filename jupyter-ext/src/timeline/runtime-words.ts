/**
 * What the runtime-trace strip says of a schedtrace or gctrace line: the runtime's numbers beside
 * the model's, whether they agree, and why they may not. Pure, so the unit tests read the same
 * words the tooltip shows.
 */
import type {
  EventOf,
  SchedtraceCheck,
  SchedtraceFieldCheck,
} from '@go-slowmo/kernel-bridge/protocol';

const ms = (ns: number) => `${(ns / 1e6).toFixed(ns < 10e6 ? 2 : 1)} ms`;

function quantityName(f: SchedtraceFieldCheck): string {
  switch (f.quantity) {
    case 'runq':
      return `P${f.p ?? '?'} run queue`;
    case 'idleprocs':
      return 'idle Ps';
    case 'spinningthreads':
      return 'spinning Ms';
    case 'runqueue':
      return 'global queue';
  }
}

function modelRange(f: SchedtraceFieldCheck): string {
  return f.model.min === f.model.max ? String(f.model.min) : `${f.model.min}–${f.model.max}`;
}

/** Why a quantity may differ, said when it does. */
const WHY: Record<SchedtraceFieldCheck['quantity'], string> = {
  runq: 'schedtrace reads each P’s queue head and tail without the P’s lock, a moment the recording knows only within the window; a goroutine put or taken just then counts on one side only',
  idleprocs:
    'the idle P count is read under the scheduler’s lock, but the probe sees a P go idle where its M releases it, a little before or after the count changes',
  spinningthreads:
    'an M woken to look for work counts as spinning as soon as its waker says so, before its thread gets a CPU; the probes see it spin only once it runs, and may miss an M that stops spinning where no probe is',
  runqueue:
    'the global queue is read under the scheduler’s lock, while the model learns of it from its snapshots and the moves it sees',
};

/** One line per quantity: the runtime's value, the model's, agreement. */
export function schedtraceRows(check: SchedtraceCheck): string[] {
  return check.fields.map(
    (f) =>
      `${quantityName(f)}: runtime ${f.runtime}, model ${modelRange(f)} ${f.agrees ? '✓' : '✗'}`,
  );
}

/** The tooltip's words for a schedtrace line (its check once the run is over, else none yet). */
export function schedtraceWords(
  e: EventOf<'schedtrace'>,
  check: SchedtraceCheck | undefined,
): string {
  const head = `schedtrace at ${e.uptimeMs} ms of the runtime’s clock: ${e.idleprocs} of ${e.gomaxprocs} Ps idle, ${e.spinningthreads} Ms spinning, ${e.runqueue} in the global queue, local queues [${e.runqs.join(' ')}]`;
  if (check === undefined) return `${head}\n(compared with the picture once the run is over)`;
  const rows = schedtraceRows(check);
  const differ = check.fields.filter((f) => !f.agrees);
  const verdict =
    differ.length === 0
      ? 'The picture agrees: each number is one the model held within the window.'
      : `The picture differs on ${differ.map(quantityName).join(', ')}: ${[...new Set(differ.map((f) => WHY[f.quantity]))].join('; ')}.`;
  return [
    head,
    `sampled between ${ms(check.from)} and ${ms(check.to)} of the recording:`,
    ...rows.map((r) => `  ${r}`),
    verdict,
  ].join('\n');
}

/** The tooltip's words for a gctrace line. */
export function gctraceWords(e: EventOf<'gctrace'>): string {
  const c = e.clockMs;
  return [
    `GC cycle ${e.cycle}${e.forced ? ' (forced by runtime.GC)' : ''}, begun at ${e.startS} s`,
    `heap ${e.heapMB.start} MB at the start → ${e.heapMB.end} MB at the end, ${e.heapMB.live} MB marked live; goal ${e.goalMB} MB`,
    `wall clock: ${c.sweepTerm} ms stopped (sweep termination) + ${c.mark} ms marking + ${c.markTerm} ms stopped (mark termination)`,
    `the collector has used ${e.cpuPercent}% of the CPU since the program began`,
  ].join('\n');
}
