/**
 * What the learner's source says about a blocking operation: which channel,
 * mutex or WaitGroup a line names, and whether a goroutine's function, from
 * where it stands, still sends, receives, unlocks or calls Done on it.
 *
 * The recording names no object (an event carries no channel or mutex
 * address), so the failure lenses name objects by the expression the line
 * uses (`mu.Lock()` -> `mu`). This is reading text, not type-checking: two
 * variables of one name in different functions are taken for one, and what
 * these functions find is said to come "from the source", never as seen.
 */

/** Line `line` (1-based) of `file`, or undefined past its end or when the source is not known. */
export type SourceLookup = (file: string, line: number) => string | undefined;

export type WaitOp = 'receive' | 'send' | 'lock' | 'rlock' | 'wait' | 'other';

const IDENT = String.raw`[A-Za-z_][\w.]*(?:\[[^\]]*\])?`;

/** Code without its string literals and line comment, so that `"a <- b"` names nothing. */
function code(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"|`[^`]*`|'(?:[^'\\]|\\.)*'/g, '""').replace(/\/\/.*$/, '');
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The object a blocking line operates on: `mu` in `mu.Lock()`, `ch` in `v := <-ch`. */
export function objectOf(text: string, op: WaitOp): string | null {
  const c = code(text);
  const first = (re: RegExp): string | null => re.exec(c)?.[1] ?? null;
  switch (op) {
    case 'lock':
      return first(new RegExp(`(${IDENT})\\.Lock\\(\\)`));
    case 'rlock':
      return first(new RegExp(`(${IDENT})\\.RLock\\(\\)`));
    case 'wait':
      return first(new RegExp(`(${IDENT})\\.Wait\\(\\)`));
    case 'send':
      return first(new RegExp(`^\\s*(${IDENT})\\s*<-`));
    case 'receive':
      return (
        first(new RegExp(`\\brange\\s+(${IDENT})\\s*\\{?\\s*$`)) ??
        first(new RegExp(`<-\\s*(${IDENT})`))
      );
    default:
      return null;
  }
}

/** Whether a line of code sends on `obj` (or closes it, which wakes every receiver). */
export function sendsOn(text: string, obj: string): boolean {
  const c = code(text);
  const o = escape(obj);
  return (
    new RegExp(`(^|[^\\w.])${o}\\s*<-`).test(c) || new RegExp(`close\\(\\s*${o}\\s*\\)`).test(c)
  );
}

/** Whether a line of code receives from `obj`. */
export function receivesFrom(text: string, obj: string): boolean {
  const c = code(text);
  const o = escape(obj);
  return new RegExp(`<-\\s*${o}(?![\\w.\\[])`).test(c) || new RegExp(`\\brange\\s+${o}\\b`).test(c);
}

function calls(text: string, obj: string, method: string): boolean {
  return new RegExp(`(^|[^\\w.])${escape(obj)}\\.${method}\\(`).test(code(text));
}

/** The function around a line: its first and last lines, and whether the line is inside a loop of it. */
export interface FunctionSpan {
  start: number;
  end: number;
  inLoop: boolean;
}

function braces(text: string): number {
  const c = code(text);
  return (c.match(/\{/g)?.length ?? 0) - (c.match(/\}/g)?.length ?? 0);
}

/**
 * The innermost `func` (declaration or literal) enclosing `line`, found by
 * counting braces upwards; null when the source is not known there.
 */
export function functionAround(
  source: SourceLookup,
  file: string,
  line: number,
): FunctionSpan | null {
  if (source(file, line) === undefined) return null;
  let depth = 0;
  let opened = 0;
  let inLoop = false;
  let start = 0;
  for (let i = line - 1; i >= 1; i--) {
    const text = source(file, i);
    if (text === undefined) break;
    depth += braces(text);
    if (depth <= opened) continue;
    // This line opens a block around `line`.
    opened = depth;
    if (/\bfunc\b/.test(code(text))) {
      start = i;
      break;
    }
    if (/^\s*for\b/.test(code(text))) inLoop = true;
  }
  if (start === 0) return null;
  let level = 0;
  for (let i = start; ; i++) {
    const text = source(file, i);
    if (text === undefined) return { start, end: i - 1, inLoop };
    level += braces(text);
    if (level <= 0 && i > start) return { start, end: i, inLoop };
  }
}

/** A line of the function where it does something to the object, from where the goroutine stands. */
export interface SourceHit {
  line: number;
}

/**
 * The first line from `line` (or from the function's start, when `line` is
 * in a loop) to the function's end that passes `test`, or a deferred one
 * above it: what the goroutine standing at `line` may still do.
 */
export function stillDoes(
  source: SourceLookup,
  file: string,
  line: number,
  test: (text: string) => boolean,
): SourceHit | null {
  const span = functionAround(source, file, line);
  if (span === null) return null;
  const from = span.inLoop ? span.start : line;
  for (let i = from; i <= span.end; i++) {
    const text = source(file, i);
    if (text !== undefined && test(text)) return { line: i };
  }
  // A deferred call above it still runs, at the function's return.
  for (let i = span.start; i < from; i++) {
    const text = source(file, i);
    if (text !== undefined && /^\s*defer\b/.test(text) && test(text)) return { line: i };
  }
  return null;
}

/** The ways a goroutine standing at a line may still release an object. */
export const willSend = (obj: string) => (text: string) => sendsOn(text, obj);
export const willReceive = (obj: string) => (text: string) => receivesFrom(text, obj);
export const willDone = (obj: string) => (text: string) => calls(text, obj, 'Done');
export const willSignal = (obj: string) => (text: string) =>
  calls(text, obj, 'Signal') || calls(text, obj, 'Broadcast');

/**
 * Whether the goroutine standing at `line` holds `obj` locked by its
 * function's text: a `obj.Lock()` (or `RLock`) above it not yet matched by
 * an `obj.Unlock()` (a deferred Unlock runs only at the return). The line of
 * the Lock that holds it, or null.
 */
export function holds(
  source: SourceLookup,
  file: string,
  line: number,
  obj: string,
): SourceHit | null {
  const span = functionAround(source, file, line);
  if (span === null) return null;
  const held: number[] = [];
  for (let i = span.start; i < line; i++) {
    const text = source(file, i);
    if (text === undefined) continue;
    if (/^\s*defer\b/.test(text)) continue;
    if (calls(text, obj, 'Lock') || calls(text, obj, 'RLock')) held.push(i);
    else if (calls(text, obj, 'Unlock') || calls(text, obj, 'RUnlock')) held.pop();
  }
  const last = held[held.length - 1];
  return last === undefined ? null : { line: last };
}
