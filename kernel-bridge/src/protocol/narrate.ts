/**
 * narrate(event, before?): one short English sentence per event, for people:
 * the widget's caption under the picture and the CLI's `--format text`. With
 * the state before the event it can say what the event implies (a runnext
 * kick-out) without the reader knowing the runtime's rules.
 */
import type { EndReason, EventOf, SlowmoEvent } from './events';
import type { SchedState } from './state';

const LIST_MAX = 5;

function base(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? file : file.slice(i + 1);
}

function site(file: string | undefined, line: number | undefined): string {
  if (!file) return '';
  return line ? `${base(file)}:${line}` : base(file);
}

/** "g1", "g1 and g2", "g1, g2 and g3", "g1, g2, g3, g4, g5 and 7 more". */
export function goroutineList(goids: readonly number[], more = 0): string {
  if (goids.length === 0) return more > 0 ? `${more} goroutines` : 'nothing';
  const shown = goids.slice(0, LIST_MAX).map((id) => `g${id}`);
  const extra = goids.length - shown.length + more;
  if (extra > 0) return `${shown.join(', ')} and ${extra} more`;
  if (shown.length === 1) return shown[0] as string;
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

function place(queue: EventOf<'g.runnable'>['queue'], qp: number): string {
  if (queue === 'global' || qp < 0) return 'the global run queue';
  if (queue === 'runnext') return `P${qp}'s runnext slot`;
  return `the tail of P${qp}'s local run queue`;
}

function runnable(e: EventOf<'g.runnable'>, before?: SchedState): string {
  const where = place(e.queue, e.qp);
  const g = `g${e.goid}`;
  let text: string;
  switch (e.reason) {
    case 'create':
      text = `New ${g} goes to ${where}`;
      break;
    case 'ready':
      text = `${g} is woken up and goes to ${where}`;
      break;
    case 'preempt':
      text = `${g} is preempted and goes to ${where}`;
      break;
    case 'yield':
      text = `${g} yields (Gosched) and goes to ${where}`;
      break;
    case 'overflow':
      text = `P${e.qp}'s local queue is full: ${g} goes to ${where}`;
      break;
    case 'steal':
      text = `${g} is stolen and goes to ${where}`;
      break;
    case 'netpoll':
      text = `The network poller wakes ${g}; it goes to ${where}`;
      break;
    case 'syscall':
      text = `${g} left its system call and found no free P; it goes to ${where}`;
      break;
    default:
      text = `${g} becomes runnable in ${where}`;
  }
  const kicked = e.queue === 'runnext' ? (before?.procs[e.qp]?.runnext ?? 0) : 0;
  if (kicked !== 0 && kicked !== e.goid) text += `, kicking g${kicked} to P${e.qp}'s local queue`;
  return text;
}

const END_WORDS: Record<EndReason, string> = {
  exit: 'exited',
  signal: 'was killed by a signal',
  stopped: 'was stopped',
  timeout: 'was stopped: time limit reached',
  'cpu-limit': 'was stopped: CPU time limit reached',
  'memory-limit': 'was stopped: memory limit reached',
  'process-limit': 'was stopped: too many processes or threads',
  'output-limit': 'was stopped: too much output',
  'event-limit': 'was stopped: too many scheduler events',
  'probe-error': 'was stopped: the probe failed',
};

function quote(data: string): string {
  const cut = data.length > 60 ? `${data.slice(0, 60)}…` : data;
  return JSON.stringify(cut);
}

/** One sentence for one event; `before` is the state just before it, when the caller has it. */
export function narrate(event: SlowmoEvent, before?: SchedState): string {
  const e = event;
  switch (e.kind) {
    case 'run.start': {
      const blind = [
        !e.fidelity.runq && 'run queue contents',
        !e.fidelity.runnext && 'runnext',
        !e.fidelity.steals && 'steals',
      ].filter(Boolean);
      const backend = e.backend === 'ebpf' ? 'eBPF probes' : 'the execution tracer';
      const note = blind.length ? ` (it cannot see ${blind.join(', ')}; those are inferred)` : '';
      return `Run started: ${e.goVersion}, GOMAXPROCS=${e.gomaxprocs}, watched by ${backend}${note}`;
    }
    case 'g.create': {
      const by = e.parent === 0 ? 'The runtime' : `g${e.parent}`;
      const at = site(e.file, e.line);
      return `${by} created g${e.goid} to run ${e.fn}${at ? ` (${at})` : ''}`;
    }
    case 'g.runnable':
      return runnable(e, before);
    case 'g.running':
      return `P${e.p} runs g${e.goid} on M${e.m}${e.inheritTime ? ' (in the same time slice)' : ''}`;
    case 'g.waiting': {
      const at = site(e.file, e.line);
      return `g${e.goid} parked: ${e.reason}${at ? ` at ${at}` : ''}`;
    }
    case 'g.syscall':
      return `g${e.goid} entered a system call on M${e.m}`;
    case 'g.syscall.exit':
      return e.p >= 0
        ? `g${e.goid} returned from its system call and runs on P${e.p}`
        : `g${e.goid} returned from its system call and waits for a free P`;
    case 'g.exit':
      return `g${e.goid} finished`;
    case 'steal':
      return `P${e.thief} stole ${goroutineList(e.goids)} from P${e.victim}`;
    case 'p.state':
      switch (e.state) {
        case 'idle':
          return `P${e.p} is idle`;
        case 'running':
          return `P${e.p} is held by M${e.pm}`;
        case 'syscall':
          return `P${e.p} waits while its M is in a system call`;
        default:
          return `P${e.p} stops for the garbage collector`;
      }
    case 'm.state':
      switch (e.state) {
        case 'spinning':
          return `M${e.m} is spinning, looking for work`;
        case 'running':
          return `M${e.m} is running`;
        case 'idle':
          return `M${e.m} has nothing to do and sleeps`;
        default:
          return `M${e.m} is a new OS thread`;
      }
    case 'runq': {
      if (e.runnext === 0 && e.goids.length === 0) return `P${e.qp}'s run queue is empty`;
      const next = e.runnext !== 0 ? `runnext g${e.runnext}` : 'runnext empty';
      const queue = e.goids.length ? `, queue ${goroutineList(e.goids)}` : ', queue empty';
      return `P${e.qp}: ${next}${queue}`;
    }
    case 'globalq':
      return e.goids.length === 0 && !e.more
        ? 'The global run queue is empty'
        : `Global run queue: ${goroutineList(e.goids, e.more ?? 0)}`;
    case 'gc':
      switch (e.phase) {
        case 'sweepterm':
          return 'Garbage collection starts (sweep termination)';
        case 'mark':
          return 'Garbage collector is marking';
        case 'marktermination':
          return 'Garbage collector finishes marking';
        default:
          return 'Garbage collection is over';
      }
    case 'stw':
      return e.begin
        ? `The world stops${e.reason ? `: ${e.reason}` : ''}`
        : 'The world starts again';
    case 'line':
      return `g${e.goid} is at ${site(e.file, e.line)}`;
    case 'output':
      return `The program wrote ${quote(e.data)} to ${e.stream}`;
    case 'run.end': {
      let text = `The program ${END_WORDS[e.reason]}`;
      if (e.reason === 'exit') text += ` with code ${e.exitCode}`;
      else if (e.signal) text += ` (${e.signal})`;
      if (e.lost > 0) text += `; ${e.lost} events were lost`;
      return text;
    }
  }
}
