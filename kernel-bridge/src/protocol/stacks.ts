/**
 * Reading what the Go runtime prints when a program dies: the first line
 * (`panic: …`, `fatal error: …`, `SIGQUIT: quit`) and the goroutine dump
 * after it (runtime/traceback.go):
 *
 *   goroutine 1 [chan receive]:                 (Go 1.23+ may add gp=… m=… mp=…)
 *   main.main()
 *   \t/src/main.go:8 +0x25                       (an inlined frame has no +0x…)
 *   created by main.main in goroutine 1
 *   \t/src/main.go:7 +0x76
 *
 * The text is the program's stderr as the run recorded it, in whatever
 * chunks it was written: joined first, then read line by line.
 */

export interface StackFrame {
  /** As printed: `main.worker`, `main.(*Pool).run`, `runtime.gopark`. */
  fn: string;
  file: string;
  line: number;
}

export interface DumpedGoroutine {
  goid: number;
  /** `running`, `runnable`, `syscall`, or the wait reason (`chan receive`); without ", 2 minutes". */
  state: string;
  /** Innermost first. */
  frames: StackFrame[];
  /** The `go` statement that started it, when printed. */
  createdBy?: StackFrame & { goid?: number };
}

export type CrashKind = 'panic' | 'fatal' | 'signal';

export interface Crash {
  kind: CrashKind;
  /**
   * The message after `panic: ` or `fatal error: ` (first line), or the
   * signal line (`SIGQUIT: quit`).
   */
  message: string;
  /** Lines after the first that belong to the message (`[signal SIGSEGV …]`, a re-panic). */
  more: string[];
  goroutines: DumpedGoroutine[];
}

const HEADER = /^goroutine (\d+)(?: [a-z]+=\S+)* \[([^\]]*)\]:\s*$/;
const SITE = /^\t(.+):(\d+)(?: \+0x[0-9a-f]+)?(?: .*)?$/;
const CREATED = /^created by (.+?)(?: in goroutine (\d+))?$/;
const START = /^(panic: |fatal error: |SIG[A-Z0-9]+: )/;

/** The goroutine blocks of a dump, in the order printed. */
export function parseGoroutineDump(text: string): DumpedGoroutine[] {
  const out: DumpedGoroutine[] = [];
  let g: DumpedGoroutine | null = null;
  let fn: string | null = null;
  let created: { fn: string; goid?: number } | null = null;
  for (const line of text.split('\n')) {
    const header = HEADER.exec(line);
    if (header) {
      const state = (header[2] ?? '').split(', ')[0] ?? '';
      g = { goid: Number(header[1]), state, frames: [] };
      out.push(g);
      fn = null;
      created = null;
      continue;
    }
    if (g === null) continue;
    if (line.trim() === '') {
      g = null;
      continue;
    }
    const site = SITE.exec(line);
    if (site) {
      const at = { file: site[1] as string, line: Number(site[2]) };
      if (created) {
        g.createdBy = { ...created, ...at };
        created = null;
      } else if (fn !== null) {
        g.frames.push({ fn, ...at });
      }
      fn = null;
      continue;
    }
    const by = CREATED.exec(line);
    if (by) {
      created = { fn: by[1] as string };
      if (by[2]) created.goid = Number(by[2]);
      continue;
    }
    // `main.f(0x1, {0x2, 0x3})`, `main.(*T).m(...)`: the name is what precedes the last "(".
    const open = line.lastIndexOf('(');
    fn = line.endsWith(')') && open > 0 ? line.slice(0, open) : null;
  }
  return out;
}

/**
 * How the program died, from its stderr: null when the runtime printed no
 * crash (a clean exit, os.Exit, or a kill that left it no time to print).
 */
export function parseCrash(stderr: string): Crash | null {
  const lines = stderr.split('\n');
  const first = lines.findIndex((l) => START.test(l));
  if (first < 0) return null;
  const head = lines[first] as string;
  const kind: CrashKind = head.startsWith('panic: ')
    ? 'panic'
    : head.startsWith('fatal error: ')
      ? 'fatal'
      : 'signal';
  const message = kind === 'signal' ? head : head.slice(head.indexOf(': ') + 2);
  const more: string[] = [];
  for (let i = first + 1; i < lines.length; i++) {
    const l = lines[i] as string;
    if (l.trim() === '' || HEADER.test(l) || /^(PC|goroutine )/.test(l)) break;
    more.push(l.trim());
  }
  return { kind, message, more, goroutines: parseGoroutineDump(lines.slice(first).join('\n')) };
}
