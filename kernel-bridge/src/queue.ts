/**
 * The run queue: at most `parallel` runs build or run at once; the others
 * wait in order of arrival and are told their place whenever it changes.
 * Each admitted run holds a slot number until it ends. (The slot does not
 * pick the sandbox uid: each run takes a fresh one, see sandbox/uids.ts.)
 */
export interface Waiter {
  /** Called with the 1-based place in the queue each time it changes. */
  onPosition(position: number): void;
}

interface Entry {
  waiter: Waiter;
  resolve(slot: number): void;
  reject(err: Error): void;
  last: number;
}

export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
}

export class CancelledError extends Error {
  override readonly name = 'CancelledError';
}

export class RunQueue {
  private readonly free: number[];
  private readonly waiting: Entry[] = [];

  constructor(
    readonly parallel: number,
    private readonly maxQueued = Infinity,
  ) {
    this.free = Array.from({ length: parallel }, (_, i) => parallel - 1 - i);
  }

  get running(): number {
    return this.parallel - this.free.length;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Waits for a slot and returns its number. A waiter is told its position
   * (1 = next) before it waits; aborting the signal takes it out of the queue.
   */
  acquire(waiter: Waiter, signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) return Promise.reject(new CancelledError('cancelled'));
    const slot = this.waiting.length === 0 ? this.free.pop() : undefined;
    if (slot !== undefined) return Promise.resolve(slot);
    if (this.waiting.length >= this.maxQueued) {
      return Promise.reject(
        new QueueFullError(
          `the bridge has ${this.waiting.length} runs waiting already; try again in a minute`,
        ),
      );
    }
    return new Promise<number>((resolve, reject) => {
      const entry: Entry = { waiter, resolve, reject, last: 0 };
      this.waiting.push(entry);
      this.announce();
      signal?.addEventListener(
        'abort',
        () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) {
            this.waiting.splice(i, 1);
            reject(new CancelledError('cancelled'));
            this.announce();
          }
        },
        { once: true },
      );
    });
  }

  /** Gives a slot back; the first waiter gets it. */
  release(slot: number): void {
    const next = this.waiting.shift();
    if (next) {
      next.resolve(slot);
      this.announce();
    } else {
      this.free.push(slot);
    }
  }

  private announce(): void {
    this.waiting.forEach((e, i) => {
      if (e.last !== i + 1) {
        e.last = i + 1;
        e.waiter.onPosition(i + 1);
      }
    });
  }
}
