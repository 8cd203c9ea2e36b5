/**
 * One client's WebSocket on `/api/runs`. Every message is parsed with the
 * protocol's schemas; one that fails gets an `error` naming the field and the
 * connection goes on. A connection may have `perConnection` runs at once;
 * when it closes, its runs are stopped (queued ones leave the queue, running
 * ones are killed with everything they started).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type { Bridge, RunHandle } from '../bridge';
import {
  parseClientMessage,
  ProtocolError,
  ServerMessageSchema,
  type ClientMessage,
  type ServerMessage,
} from '../protocol';
import { Outbox, type Socket } from './outbox';

/**
 * The run id of a refused message, found in its text: decoding all of a
 * message refused for its size would cost what refusing it saved.
 */
function idOf(raw: string): string | undefined {
  const quoted = /"id"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(raw)?.[1];
  if (quoted === undefined) return undefined;
  try {
    return (JSON.parse(quoted) as string).slice(0, 64);
  } catch {
    return undefined;
  }
}

export class Connection {
  private readonly runs = new Map<string, RunHandle>();
  private readonly socket: Socket;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly bridge: Bridge,
    private readonly log: FastifyBaseLogger,
  ) {
    this.socket = {
      get bufferedAmount() {
        return ws.bufferedAmount;
      },
      get open() {
        return ws.readyState === ws.OPEN;
      },
      send: (text) => ws.send(text),
    };
    ws.on('message', (data, isBinary) => {
      const raw = isBinary ? undefined : data.toString();
      this.receive(raw);
    });
    ws.on('close', () => this.close());
    ws.on('error', (err) => this.log.warn({ err }, 'websocket error'));
  }

  private send(msg: ServerMessage): void {
    // Messages other than events are few: check each against the protocol on the way out.
    if (this.socket.open) this.ws.send(JSON.stringify(ServerMessageSchema.parse(msg)));
  }

  private receive(raw: string | undefined): void {
    if (raw === undefined) {
      this.send({
        type: 'error',
        code: 'bad_request',
        message: 'send JSON text messages, not binary ones',
      });
      return;
    }
    let msg: ClientMessage;
    try {
      msg = parseClientMessage(raw);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      const id = idOf(raw);
      this.send({
        type: 'error',
        ...(id ? { id } : {}),
        code: 'bad_request',
        message: err.message,
        field: err.field,
      });
      return;
    }
    if (msg.type === 'run') this.startRun(msg);
    else this.control(msg);
  }

  private startRun(req: Extract<ClientMessage, { type: 'run' }>): void {
    const { id } = req;
    if (this.runs.has(id)) {
      this.send({
        type: 'error',
        id,
        code: 'duplicate_id',
        field: 'id',
        message: `run "${id}" is already going on this connection; use a new id`,
      });
      return;
    }
    const max = this.bridge.config.perConnection;
    if (this.runs.size >= max) {
      this.send({
        type: 'error',
        id,
        code: 'too_many_runs',
        message: `this connection has ${max} runs queued or running already; wait for one to end`,
      });
      return;
    }
    const outbox = new Outbox(this.socket, id, this.bridge.config);
    const started = performance.now();
    const handle = this.bridge.run(req, {
      status: (phase, position) =>
        outbox.message({
          type: 'status',
          id,
          phase,
          ...(position !== undefined ? { position } : {}),
        }),
      compileError: (diagnostics) => outbox.message({ type: 'compile_error', id, diagnostics }),
      event: (e, held) => {
        outbox.event(e);
        // A step's event: the learner is waiting for it and no other follows to batch with it.
        // run.start: the first picture is drawn from it, as soon as it comes.
        if (held || e.kind === 'run.start') outbox.flush();
      },
      end: (end) => {
        outbox.flush();
        const msg = ServerMessageSchema.parse({
          type: 'end',
          id,
          ...end,
          stats: {
            ...end.stats,
            ...(outbox.undelivered ? { undelivered: outbox.undelivered } : {}),
          },
        });
        outbox.message(msg);
        this.log.info(
          {
            run: id,
            reason: end.reason,
            exitCode: end.exitCode,
            lost: end.lost,
            ...end.stats,
            ms: Math.round(performance.now() - started),
          },
          'run ended',
        );
      },
      error: (code, message, field) => {
        outbox.message({ type: 'error', id, code, message, ...(field ? { field } : {}) });
        this.log.info({ run: id, code, message }, 'run refused');
      },
    });
    outbox.attach(handle);
    this.runs.set(id, handle);
    void handle.done.finally(() => {
      outbox.close();
      this.runs.delete(id);
    });
  }

  private control(msg: Extract<ClientMessage, { type: 'control' }>): void {
    const run = this.runs.get(msg.id);
    if (!run) {
      this.send({
        type: 'error',
        id: msg.id,
        code: 'unknown_run',
        field: 'id',
        message: `no run "${msg.id}" is going on this connection`,
      });
      return;
    }
    if (msg.action === 'stop') {
      run.stop();
      return;
    }
    const refused = run.control(msg.action, msg.value);
    if (refused)
      this.send({
        type: 'error',
        id: msg.id,
        code: 'bad_control',
        field: 'action',
        message: refused,
      });
  }

  /** The client went away: stop everything it started. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const run of this.runs.values()) run.stop();
  }

  /** Settles when every run of this connection is over. */
  async settled(): Promise<void> {
    await Promise.all([...this.runs.values()].map((r) => r.done));
  }
}
