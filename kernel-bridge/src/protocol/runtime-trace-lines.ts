/**
 * The runtime's schedtrace and gctrace lines, parsed as the runtime prints them on every
 * supported Go (1.22 to 1.27; runtime/proc.go `schedtrace`, runtime/mgc.go
 * `gcMarkTermination`):
 *
 *   SCHED 10ms: gomaxprocs=2 idleprocs=0 threads=5 spinningthreads=0 needspinning=1 idlethreads=2 runqueue=0 [0 0]
 *   (1.26+: `[ 0 0 ] schedticks=[ 21 3 ]`; with scheddetail, ` gcwaiting=false nmidlelocked=0
 *   stopwait=0 sysmonwait=false` instead, then a line per P, M and G:)
 *     P0: status=1 schedtick=21 syscalltick=0 m=0 runqsize=0 gfreecnt=0 timerslen=0
 *     M0: p=0 curg=1 mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning=false blocked=false lockedg=nil
 *     G1: status=4(chan receive) m=nil lockedm=nil
 *   gc 1 @0.004s 2%: 0.010+0.25+0.003 ms clock, 0.021+0.10/0.15/0.045+0.007 ms cpu, 3->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)
 *   (1.26+: `2% (checking for goroutine leaks): …` when it looked for leaks)
 *
 * Each function returns undefined for a line that is not of its kind.
 */
import type { GctraceFields, SchedG, SchedM, SchedP, SchedtraceFields } from './runtime-trace';

/** The schedtrace header's fields; `detailed` when scheddetail lines follow it. */
export type SchedHeader = Omit<SchedtraceFields, 'at' | 'detail'> & {
  detailed?: {
    gcwaiting: boolean;
    nmidlelocked: number;
    stopwait: number;
    sysmonwait: boolean;
  };
};

const HEADER =
  /^SCHED (\d+)ms: gomaxprocs=(\d+) idleprocs=(\d+) threads=(\d+) spinningthreads=(\d+)(?: needspinning=(\d+))? idlethreads=(\d+) runqueue=(\d+)(.*)$/;
const DETAIL_TAIL =
  /^ gcwaiting=(true|false) nmidlelocked=(-?\d+) stopwait=(\d+) sysmonwait=(true|false)$/;
/** `[0 1]` before 1.26, `[ 0 1 ] schedticks=[ 5 3 ]` from 1.26. */
const QUEUES_TAIL = /^ \[ ?([\d ]*?) ?\](?: schedticks=\[ ([\d ]*?) ?\])?$/;

const numbers = (s: string): number[] => (s.trim() === '' ? [] : s.trim().split(/ +/).map(Number));

export function parseSchedHeader(line: string): SchedHeader | undefined {
  const h = HEADER.exec(line);
  if (!h) return undefined;
  const n = (i: number) => Number(h[i]);
  const base = {
    uptimeMs: n(1),
    gomaxprocs: n(2),
    idleprocs: n(3),
    threads: n(4),
    spinningthreads: n(5),
    ...(h[6] !== undefined ? { needspinning: n(6) } : {}),
    idlethreads: n(7),
    runqueue: n(8),
  };
  const tail = h[9] ?? '';
  const d = DETAIL_TAIL.exec(tail);
  if (d) {
    const detailed = {
      gcwaiting: d[1] === 'true',
      nmidlelocked: Number(d[2]),
      stopwait: Number(d[3]),
      sysmonwait: d[4] === 'true',
    };
    return { ...base, runqs: [], detailed };
  }
  const q = QUEUES_TAIL.exec(tail);
  if (!q) return undefined;
  const runqs = numbers(q[1] ?? '');
  if (runqs.length !== base.gomaxprocs) return undefined;
  return { ...base, runqs, ...(q[2] !== undefined ? { schedticks: numbers(q[2]) } : {}) };
}

const P_LINE =
  /^ {2}P(\d+): status=(\d+) schedtick=(\d+) syscalltick=(\d+) m=(\d+|nil) runqsize=(\d+) gfreecnt=(\d+) timerslen=(\d+)$/;
/** preemptoff is a free string (may hold spaces): the fields after it are found from the end. */
const M_LINE =
  /^ {2}M(\d+): p=(\d+|nil) curg=(\d+|nil) mallocing=\d+ throwing=\d+ preemptoff=.* locks=\d+ dying=\d+ spinning=(true|false) blocked=(true|false) lockedg=(\d+|nil)$/;
const G_LINE = /^ {2}G(\d+): status=(\d+)\((.*)\) m=(\d+|nil) lockedm=(\d+|nil)$/;

const id = (s: string | undefined) => (s === undefined || s === 'nil' ? -1 : Number(s));

export type DetailLine =
  { kind: 'P'; p: SchedP } | { kind: 'M'; m: SchedM } | { kind: 'G'; g: SchedG };

export function parseDetailLine(line: string): DetailLine | undefined {
  let r = P_LINE.exec(line);
  if (r) {
    const n = (i: number) => Number(r?.[i]);
    return {
      kind: 'P',
      p: {
        id: n(1),
        status: n(2),
        schedtick: n(3),
        syscalltick: n(4),
        m: id(r[5]),
        runqsize: n(6),
        gfreecnt: n(7),
        timerslen: n(8),
      },
    };
  }
  r = M_LINE.exec(line);
  if (r) {
    return {
      kind: 'M',
      m: {
        id: Number(r[1]),
        p: id(r[2]),
        curg: Math.max(0, id(r[3])),
        spinning: r[4] === 'true',
        blocked: r[5] === 'true',
        lockedg: Math.max(0, id(r[6])),
      },
    };
  }
  r = G_LINE.exec(line);
  if (r) {
    return {
      kind: 'G',
      g: {
        goid: Number(r[1]),
        status: Number(r[2]),
        reason: (r[3] ?? '').slice(0, 64),
        m: id(r[4]),
      },
    };
  }
  return undefined;
}

const MS = String.raw`(\d+(?:\.\d+)?)`;
const GC_LINE = new RegExp(
  String.raw`^gc (\d+) @(\d+(?:\.\d+)?)s (\d+)%( \(checking for goroutine leaks\))?: ` +
    String.raw`${MS}\+${MS}\+${MS} ms clock, ${MS}\+${MS}/${MS}/${MS}\+${MS} ms cpu, ` +
    String.raw`(\d+)->(\d+)->(\d+) MB, (\d+) MB goal, (\d+) MB stacks, (\d+) MB globals, (\d+) P( \(forced\))?$`,
);

export function parseGcLine(line: string): Omit<GctraceFields, 'at'> | undefined {
  const r = GC_LINE.exec(line);
  if (!r) return undefined;
  const n = (i: number) => Number(r[i]);
  return {
    cycle: n(1),
    startS: n(2),
    cpuPercent: n(3),
    ...(r[4] ? { leakCheck: true } : {}),
    clockMs: { sweepTerm: n(5), mark: n(6), markTerm: n(7) },
    cpuMs: { sweepTerm: n(8), assist: n(9), background: n(10), idle: n(11), markTerm: n(12) },
    heapMB: { start: n(13), end: n(14), live: n(15) },
    goalMB: n(16),
    stacksMB: n(17),
    globalsMB: n(18),
    procs: n(19),
    forced: r[20] !== undefined,
  };
}
