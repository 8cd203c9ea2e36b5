/**
 * `{"type": "call", "fn": "runtime.GC"}`: a call to a function happened, as
 * far as the recorded frames show one. A few functions leave a mark only they
 * make: runtime.GC parks its caller "wait for GC cycle" (debug.FreeOSMemory
 * calls it), time.Sleep parks it "sleep", runtime.Gosched makes it yield. Any
 * other function is seen when a goroutine starts in it (`go F()`). `by`
 * narrows the caller to the goroutines of one function (`main.main` is g1).
 * With "not", a lesson forbids a call its exercise rules out.
 */
import { z } from 'zod';
import type { SlowmoEvent } from '../events';
import { functionName } from '../goroutines';
import { eventNumber, fileWords } from '../words';
import type { Found } from './compare';
import { runsFunction } from './facts';

export const CallCheckSchema = z.object({
  type: z.literal('call'),
  fn: z.string().min(1),
  by: z.string().min(1).optional(),
});
export type CallCheck = z.infer<typeof CallCheckSchema>;

interface Signature {
  /** The goroutine that made the call, when `e` is the call's mark. */
  caller(e: SlowmoEvent): number | null;
  /** What the mark shows, after "g1 (main) ". */
  seen: string;
  /** How the call would have shown, for a learner told none was seen. */
  how: string;
}

function parkedFor(reason: string) {
  return (e: SlowmoEvent) => (e.kind === 'g.waiting' && e.reason === reason ? e.goid : null);
}

const SIGNATURES: Record<string, Signature> = {
  'runtime.GC': {
    caller: parkedFor('wait for GC cycle'),
    seen: 'waited for the collection it asked for (runtime.GC, or debug.FreeOSMemory, which calls it)',
    how: 'runtime.GC parks its caller until the collection it starts is over',
  },
  'time.Sleep': {
    caller: parkedFor('sleep'),
    seen: 'slept (time.Sleep)',
    how: 'time.Sleep parks its caller with the reason "sleep"',
  },
  'runtime.Gosched': {
    caller: (e) => (e.kind === 'g.runnable' && e.reason === 'yield' ? e.goid : null),
    seen: 'yielded its P (runtime.Gosched)',
    how: 'runtime.Gosched makes its caller yield',
  },
};

/** Any other function: seen where a goroutine starts in it, made by its parent. */
function goStatement(fn: string): Signature {
  return {
    caller: (e) => (e.kind === 'g.create' && runsFunction(fn, e.goid, e.fn) ? e.parent : null),
    seen: `started a goroutine in ${fn} (go ${functionName(fn)}(…))`,
    how: `a call to ${fn} shows only where a go statement starts a goroutine in it`,
  };
}

function where(e: SlowmoEvent): string {
  if ((e.kind === 'g.waiting' || e.kind === 'g.create') && e.file) {
    return ` at ${fileWords(e.file, e.line)}`;
  }
  return '';
}

export function evalCall(check: CallCheck, events: readonly SlowmoEvent[]): Found {
  const sig = SIGNATURES[check.fn] ?? goStatement(check.fn);
  const callers = new Set<number>();
  const fns = new Map<number, string>([[1, 'runtime.main']]);
  if (check.by === 'main.main') callers.add(1);
  const by = check.by ? ` by ${check.by}` : '';
  for (const e of events) {
    if (e.kind === 'g.create') {
      fns.set(e.goid, e.fn);
      if (check.by && runsFunction(check.by, e.goid, e.fn)) callers.add(e.goid);
    }
    const caller = sig.caller(e);
    if (caller === null || caller === 0 || (check.by && !callers.has(caller))) continue;
    const fn = fns.get(caller);
    const name = fn === undefined ? `g${caller}` : `g${caller} (${functionName(fn)})`;
    return {
      passed: true,
      reason: `a call to ${check.fn}${by} happened: ${name} ${sig.seen}${where(e)} (event ${eventNumber(e.seq)})`,
      seq: e.seq,
    };
  }
  return { passed: false, reason: `no call to ${check.fn}${by} was seen (${sig.how})` };
}
