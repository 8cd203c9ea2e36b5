/**
 * One timer for the whole of a build: writing the sources, the tracer's
 * helper, `go build`, and removing the build's directory all count, so a
 * request cannot hold its slot past the build limit in the parts around the
 * compiler. The learner's stop ends it the same way, with its own reason.
 */
export class BuildDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private reason: string | undefined;
  private readonly onOuterAbort = (): void => this.stop('the build was cancelled');

  constructor(
    seconds: number,
    private readonly outer?: AbortSignal,
  ) {
    this.timer = setTimeout(
      () => this.stop(`the build took longer than ${seconds} s and was stopped`),
      seconds * 1000,
    );
    if (outer?.aborted) this.onOuterAbort();
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  /** Aborted when the time is up or the build is cancelled. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the build was stopped; undefined while it may go on. */
  get why(): string | undefined {
    return this.reason;
  }

  private stop(why: string): void {
    if (this.reason) return;
    this.reason = why;
    this.controller.abort(new Error(why));
  }

  /** Waits for `work`, but no longer than the deadline (the work may go on after). */
  async within(work: Promise<unknown>): Promise<void> {
    if (this.signal.aborted) return;
    let onAbort = (): void => {};
    const expired = new Promise<void>((resolve) => {
      onAbort = resolve;
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([work.then(() => undefined), expired]);
    } finally {
      this.signal.removeEventListener('abort', onAbort);
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }
}
