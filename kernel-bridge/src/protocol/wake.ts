/**
 * Who woke whom, in words: "g1 (main) sent on the channel at main.go:24 and
 * woke g7 (worker)". A `g.runnable` carries the waker (`by`) and the waker's
 * line when the backend saw them; what the waker did is read from what the
 * woken goroutine was waiting for (in the state before the event), and made
 * exact by the waker's source line when the caller can look it up (a send
 * and a close both wake a receiver).
 */
import type { EventOf } from './events';
import type { SchedState } from './state';
import { isLearnerFile } from './goroutines';
import { fileWords } from './words';

/** The text of a learner's source line, when the caller has the sources. */
export type SourceLookup = (file: string, line: number) => string | undefined;

/** What the waker did, read from its own line: `close(ch)`, `wg.Done()`, `mu.Unlock()`, `ch <- v`. */
function deedFromSource(text: string): string | undefined {
  const code = text.replace(/\/\/.*$/, '');
  if (/\bclose\(/.test(code)) return 'closed the channel';
  if (/\.Done\(\)/.test(code)) return 'called wg.Done';
  if (/\.R?Unlock\(\)/.test(code)) return 'unlocked the mutex';
  if (/\.(Signal|Broadcast)\(\)/.test(code)) return 'signalled the condition';
  if (/\w[\w.[\]]*\s*<-/.test(code)) return 'sent on the channel';
  if (/<-/.test(code)) return 'received from the channel';
  return undefined;
}

/** What the waker must have done, from what the woken goroutine waited for. */
function deedFromWait(reason: string): string {
  switch (reason) {
    case 'chan receive':
      // A send wakes one receiver; a close wakes them all. Only the line tells which.
      return 'sent on (or closed) the channel';
    case 'chan send':
      return 'received from the channel';
    case 'select':
      return 'used a channel the select was waiting on';
    case 'sync.WaitGroup.Wait':
      return 'called wg.Done';
    case 'sync.Mutex.Lock':
    case 'sync.RWMutex.Lock':
    case 'sync.RWMutex.RLock':
      return 'unlocked the mutex';
    case 'semacquire':
      return 'released a semaphore (wg.Done or mu.Unlock)';
    case 'sync.Cond.Wait':
      return 'signalled the condition';
    default:
      return 'made it runnable';
  }
}

/**
 * The sentence for a wake-up, or undefined when there is nothing to say
 * beyond "it was woken" (no waker, not a sleep). `name` names goroutines
 * ("g7 (worker)"); `where` is where the woken one goes.
 */
export function wakeText(
  e: EventOf<'g.runnable'>,
  before: SchedState | undefined,
  name: (goid: number) => string,
  where: string,
  source?: SourceLookup,
): string | undefined {
  const woken = before?.gs.get(e.goid);
  const wait = woken?.status === 'waiting' ? woken.wait : null;
  if (wait?.reason === 'sleep') {
    const at = wait.file ? ` (${fileWords(wait.file, wait.line)})` : '';
    return `${name(e.goid)}'s sleep${at} is over; it goes to ${where}`;
  }
  const { by, file, line: wakerLine } = e;
  if (by === undefined || by === e.goid) return undefined;
  const line = file && wakerLine ? source?.(file, wakerLine) : undefined;
  const deed =
    (line !== undefined ? deedFromSource(line) : undefined) ?? deedFromWait(wait?.reason ?? '');
  // A waker's line outside the learner's files (an inlined wg.Done reports sync's) places nothing for them.
  const at = file && isLearnerFile(file) ? ` at ${fileWords(file, wakerLine)}` : '';
  if (deed === 'made it runnable') {
    return `${name(by)} woke ${name(e.goid)}${at}; it goes to ${where}`;
  }
  return `${name(by)} ${deed}${at} and woke ${name(e.goid)}; it goes to ${where}`;
}
