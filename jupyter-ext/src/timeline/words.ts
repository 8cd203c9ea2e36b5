/**
 * The timeline's tooltips in plain words: what a slice of a P, an M, a
 * goroutine or the GC track was doing, for how long, and what an arrow
 * stands for.
 */
import {
  waitWords,
  type LaneArrow,
  type LaneSlice,
  type Lanes,
} from '@go-slowmo/kernel-bridge/protocol';
import { laneName, type Row } from './layout';
import { timeWords } from './scale';

type Name = (goid: number) => string;

function namer(lanes: Lanes): Name {
  return (goid) => laneName(lanes.byGoid.get(goid), goid);
}

const QUEUE_WORDS: Record<string, (p: number) => string> = {
  runnext: (p) => `in P${p}'s runnext slot (next to run there)`,
  local: (p) => `in P${p}'s local run queue`,
  global: () => 'in the global run queue',
};

const RUNNABLE_WHY: Record<string, string> = {
  create: 'just created',
  ready: 'woken',
  preempt: 'preempted',
  yield: 'it yielded',
  overflow: 'moved when a local queue overflowed',
  steal: 'stolen by another P',
  netpoll: 'woken by the network poller',
  syscall: 'back from a system call without a P',
  other: '',
};

function pWords(s: LaneSlice, p: number, name: Name): string {
  const m = s.m >= 0 ? ` on M${s.m}` : '';
  switch (s.kind) {
    case 'running':
      return `P${p} ran ${name(s.goid)}${m}`;
    case 'sched':
      return `P${p}${m} was in the scheduler, looking for a goroutine to run`;
    case 'syscall':
      return `${name(s.goid)} was in a system call; its thread${m} kept P${p}`;
    case 'gcstop':
      return `P${p} was stopped for the garbage collector`;
    default:
      return `P${p} was idle: no goroutine to run`;
  }
}

function mWords(s: LaneSlice, m: number, name: Name): string {
  const p = s.p >= 0 ? ` holding P${s.p}` : ' without a P';
  switch (s.kind) {
    case 'running':
      return s.goid > 0
        ? `M${m} ran ${name(s.goid)}'s Go code${p}`
        : `M${m} ran the scheduler (g0)${p}`;
    case 'syscall':
      return `M${m} was in a system call for ${name(s.goid)},${p}`;
    case 'spinning':
      return `M${m} was spinning: looking for work to run or steal`;
    default:
      return `M${m} was idle (parked, no work)`;
  }
}

function gWords(s: LaneSlice, goid: number, name: Name): string {
  const g = name(goid);
  switch (s.kind) {
    case 'running':
      return `${g} ran${s.p >= 0 ? ` on P${s.p}` : ''}${s.m >= 0 ? ` (M${s.m})` : ''}`;
    case 'runnable': {
      const where =
        s.queue !== null
          ? QUEUE_WORDS[s.queue]!(s.p)
          : s.p >= 0
            ? `handed to P${s.p}`
            : 'in no queue';
      const why = RUNNABLE_WHY[s.reason ?? ''] ?? '';
      return `${g} was runnable ${where}${why ? ` (${why})` : ''}, waiting for a P to run it`;
    }
    case 'waiting':
      return `${g} was ${waitWords(s.reason ?? '')}`;
    default:
      return `${g} was in a system call${s.m >= 0 ? ` on M${s.m}` : ''}`;
  }
}

const GC_WORDS: Record<string, string> = {
  sweepterm: 'GC: sweep termination (finishing the last cycle’s sweep)',
  mark: 'GC: marking live memory, beside the program',
  marktermination: 'GC: mark termination',
};

/** What one slice of a row says, and when. */
export function sliceWords(row: Row, s: LaneSlice, lanes: Lanes): string {
  const name = namer(lanes);
  let what: string;
  if (row.kind === 'p') what = pWords(s, row.id, name);
  else if (row.kind === 'm') what = mWords(s, row.id, name);
  else if (row.kind === 'g') what = gWords(s, row.id, name);
  else if (s.kind === 'stw') what = `The world was stopped${s.reason ? ` (${s.reason})` : ''}`;
  else what = GC_WORDS[s.kind] ?? `GC: ${s.kind}`;
  const lasting = s.open ? 'so far' : `for ${timeWords(s.end - s.start)}`;
  return `${what} ${lasting}, from ${timeWords(s.start)} (event ${s.startSeq + 1}${
    s.endSeq > s.startSeq ? ` to ${s.endSeq + 1}` : ''
  })`;
}

/** A merged run of slices too short to tell apart at this zoom. */
export function manyWords(count: number, from: number, to: number): string {
  return `${count.toLocaleString('en')} short slices between ${timeWords(from)} and ${timeWords(to)}: zoom in (wheel) to tell them apart`;
}

/** What an arrow stands for. */
export function arrowWords(a: LaneArrow, lanes: Lanes): string {
  const name = namer(lanes);
  if (a.kind === 'steal') {
    const gs = a.goids.map((g) => name(g)).join(', ');
    return `P${a.toP} stole ${gs} from P${a.fromP}'s run queue at ${timeWords(a.t)} (event ${a.seq + 1})`;
  }
  const to = a.toP >= 0 ? `P${a.toP}'s queue` : 'the global queue';
  return `${name(a.fromG)} woke ${name(a.toG)}, who went to ${to}, at ${timeWords(a.t)} (event ${a.seq + 1})`;
}
