/**
 * What one run sends to one client: events gathered into `events` messages
 * (flushed at `batchEvents` events or after `batchMs`), in seq order, and
 * every other message after the events before it. When the socket's send
 * buffer passes the high-water mark the run stops being read (the eBPF probe
 * then stops the program until its events can go on: run.end.throttledMs),
 * so a slow client slows the program, never makes the bridge hold unbounded
 * memory.
 */
import type { ServerMessage, SlowmoEvent } from '../protocol';

export interface Socket {
  readonly bufferedAmount: number;
  readonly open: boolean;
  send(text: string): void;
}

export interface Flow {
  pauseReading(): void;
  resumeReading(): void;
}

const DRAIN_POLL_MS = 5;

export class Outbox {
  private pending: SlowmoEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private drainTimer: NodeJS.Timeout | undefined;
  private flow: Flow | undefined;
  /** Events that could not be sent because the client went away. */
  undelivered = 0;

  constructor(
    private readonly socket: Socket,
    private readonly id: string,
    private readonly opts: { batchEvents: number; batchMs: number; highWaterBytes: number },
  ) {}

  /** The run to slow down when the client cannot keep up. */
  attach(flow: Flow): void {
    this.flow = flow;
  }

  event(e: SlowmoEvent): void {
    this.pending.push(e);
    if (this.pending.length >= this.opts.batchEvents) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.opts.batchMs);
  }

  /** Sends a message after the events before it. */
  message(msg: ServerMessage): void {
    this.flush();
    this.write(msg);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    if (!this.socket.open) {
      this.undelivered += events.length;
      return;
    }
    this.write({ type: 'events', id: this.id, events });
    if (this.socket.bufferedAmount > this.opts.highWaterBytes && !this.drainTimer) {
      this.flow?.pauseReading();
      this.drainTimer = setInterval(() => {
        if (!this.socket.open || this.socket.bufferedAmount < this.opts.highWaterBytes / 2) {
          clearInterval(this.drainTimer);
          this.drainTimer = undefined;
          this.flow?.resumeReading();
        }
      }, DRAIN_POLL_MS);
    }
  }

  close(): void {
    this.flush();
    clearInterval(this.drainTimer);
    this.drainTimer = undefined;
  }

  private write(msg: ServerMessage): void {
    if (this.socket.open) this.socket.send(JSON.stringify(msg));
  }
}
