/**
 * The browser's side of the wire protocol: one WebSocket to the bridge
 * (through jupyter-server-proxy at `<base_url>/slowmo/api/runs`, so Jupyter's
 * login covers it), shared by every run on the page and opened on first use.
 * Each message is parsed with the protocol's schemas and routed by run id.
 */
import {
  parseBridgeInfo,
  parseServerMessage,
  type BridgeInfo,
  type ControlAction,
  type Diagnostic,
  type EndMessage,
  type RunPhase,
  type RunRequestInput,
  type SlowmoEvent,
} from '@go-slowmo/kernel-bridge/protocol';

/** WebSocket.OPEN, without needing the global (tests run in Node with the ws package). */
const OPEN = 1;

export interface RunHandlers {
  status(phase: RunPhase, position?: number): void;
  events(events: SlowmoEvent[]): void;
  compileError(diagnostics: Diagnostic[]): void;
  end(end: EndMessage): void;
  /** The run was refused or the connection was lost. */
  error(message: string, field?: string): void;
}

export interface RunControl {
  control(action: ControlAction, value?: number): void;
}

/** The WebSocket URL of the bridge behind Jupyter's proxy. */
export function bridgeUrl(baseUrl: string, location: { protocol: string; host: string }): string {
  const base = new URL(baseUrl, `${location.protocol}//${location.host}`);
  base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  return new URL('slowmo/api/runs', base.href.endsWith('/') ? base.href : `${base.href}/`).href;
}

export class BridgeClient {
  private socket: WebSocket | null = null;
  private opening: Promise<WebSocket> | null = null;
  private readonly runs = new Map<string, RunHandlers>();

  constructor(
    private readonly url: string,
    private readonly makeSocket: (url: string) => WebSocket = (u) => new WebSocket(u),
  ) {}

  private open(): Promise<WebSocket> {
    if (this.socket && this.socket.readyState === OPEN) return Promise.resolve(this.socket);
    this.opening ??= new Promise<WebSocket>((resolve, reject) => {
      const ws = this.makeSocket(this.url);
      ws.onopen = () => {
        this.socket = ws;
        this.opening = null;
        resolve(ws);
      };
      ws.onerror = () => {
        this.opening = null;
        reject(new Error(`cannot reach the go-slowmo bridge at ${this.url}`));
      };
      ws.onclose = () => {
        this.socket = null;
        for (const [id, h] of this.runs) {
          h.error('the connection to the go-slowmo bridge was lost; run the cell again');
          this.runs.delete(id);
        }
      };
      ws.onmessage = (ev: MessageEvent) => this.receive(String(ev.data));
    });
    return this.opening;
  }

  private receive(text: string): void {
    let msg;
    try {
      msg = parseServerMessage(text);
    } catch (err) {
      console.error('go-slowmo: ignoring a message the bridge should not have sent:', err);
      return;
    }
    const h = msg.id !== undefined ? this.runs.get(msg.id) : undefined;
    if (!h) {
      if (msg.type === 'error') console.warn(`go-slowmo bridge: ${msg.message}`);
      return;
    }
    switch (msg.type) {
      case 'status':
        h.status(msg.phase, msg.position);
        if (msg.phase === 'done') this.runs.delete(msg.id);
        break;
      case 'events':
        h.events(msg.events);
        break;
      case 'compile_error':
        h.compileError(msg.diagnostics);
        break;
      case 'end':
        h.end(msg);
        break;
      case 'error':
        this.runs.delete(msg.id ?? '');
        h.error(msg.message, msg.field);
        break;
    }
  }

  /** GET /api/info, asked once per page; undefined when the bridge cannot say. */
  private info(): Promise<BridgeInfo | undefined> {
    this.infoAsked ??= fetch(this.url.replace(/^ws/, 'http').replace(/\/api\/runs$/, '/api/info'))
      .then((r) => (r.ok ? r.json() : undefined))
      .then((json) => parseBridgeInfo(json))
      .catch(() => undefined);
    return this.infoAsked;
  }

  private infoAsked: Promise<BridgeInfo | undefined> | undefined;

  /**
   * Why eBPF is not available on this bridge (from GET /api/info), or
   * undefined when it is or the bridge cannot say.
   */
  async ebpfUnavailable(): Promise<string | undefined> {
    const ebpf = (await this.info())?.backends.ebpf;
    return ebpf?.available === false ? ebpf.why : undefined;
  }

  /** The Go versions the bridge has installed, oldest first ([] when it cannot say). */
  async goVersions(): Promise<string[]> {
    return (await this.info())?.go.installed ?? [];
  }

  /** Starts a run; its messages go to handlers until it ends. */
  async run(request: RunRequestInput, handlers: RunHandlers): Promise<RunControl> {
    let ws: WebSocket;
    try {
      ws = await this.open();
    } catch (err) {
      handlers.error((err as Error).message);
      return { control: () => {} };
    }
    this.runs.set(request.id, handlers);
    ws.send(JSON.stringify(request));
    return {
      control: (action, value) => {
        if (this.socket?.readyState === OPEN) {
          this.socket.send(
            JSON.stringify({
              type: 'control',
              id: request.id,
              action,
              ...(value !== undefined ? { value } : {}),
            }),
          );
        }
      },
    };
  }
}
