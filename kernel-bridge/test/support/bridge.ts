/**
 * A real bridge on a real socket for tests, and a small client that speaks
 * the wire protocol: the same schemas parse every message it receives.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { makeConfig, type BridgeConfigInput } from '../../src/config';
import {
  parseServerMessage,
  type ClientMessage,
  type ServerMessage,
  type SlowmoEvent,
} from '../../src/protocol';
import { startServer, type BridgeServer } from '../../src/server/app';
import { guardedDescribe } from './guard';

export const PROBE = join(__dirname, '..', '..', '..', 'bpf', 'bin', 'slowmo-probe');

/** eBPF tests are skipped where eBPF cannot load, except in CI, where that fails. */
export function ebpfDescribe(): jest.Describe {
  const check = spawnSync(PROBE, ['check'], { encoding: 'utf8' });
  const available = check.status === 0 && process.getuid?.() === 0;
  return guardedDescribe(
    available ? undefined : `eBPF is unavailable: ${check.stdout || check.stderr || check.error}`,
  );
}

/** Builds share one Go cache across test files, so std compiles once per machine. */
export const TEST_WORK_DIR = join(tmpdir(), 'slowmo-bridge-tests');

export async function startTestBridge(config: BridgeConfigInput): Promise<BridgeServer> {
  return startServer(
    makeConfig({
      host: '127.0.0.1',
      port: 0,
      workDir: TEST_WORK_DIR,
      logLevel: 'silent',
      ...config,
    }),
  );
}

export function wsUrl(server: BridgeServer, query = ''): string {
  return `${server.url.replace(/^http/, 'ws')}/api/runs${query}`;
}

/** What one run sent, in order. */
export interface RunLog {
  messages: ServerMessage[];
  events: SlowmoEvent[];
  statuses: Extract<ServerMessage, { type: 'status' }>[];
  end?: Extract<ServerMessage, { type: 'end' }>;
  compileError?: Extract<ServerMessage, { type: 'compile_error' }>;
  error?: Extract<ServerMessage, { type: 'error' }>;
}

export class Client {
  private readonly logs = new Map<string, RunLog>();
  private readonly waiters = new Map<string, () => void>();
  /** Every message with a run id, in the order received, across runs. */
  readonly timeline: ServerMessage[] = [];
  /** Errors without a run id. */
  readonly errors: Extract<ServerMessage, { type: 'error' }>[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = parseServerMessage(data.toString());
      const id = msg.id;
      if (id === undefined) {
        if (msg.type === 'error') this.errors.push(msg);
        this.waiters.get('')?.();
        return;
      }
      const log = this.log(id);
      this.timeline.push(msg);
      log.messages.push(msg);
      if (msg.type === 'events') log.events.push(...msg.events);
      if (msg.type === 'status') log.statuses.push(msg);
      if (msg.type === 'end') log.end = msg;
      if (msg.type === 'compile_error') log.compileError = msg;
      if (msg.type === 'error') log.error = msg;
      const over =
        msg.type === 'end' ||
        msg.type === 'error' ||
        (msg.type === 'status' && msg.phase === 'done' && log.compileError !== undefined);
      if (over) this.waiters.get(id)?.();
    });
  }

  static connect(url: string, headers: Record<string, string> = {}): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(new Client(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  log(id: string): RunLog {
    let log = this.logs.get(id);
    if (!log) {
      log = { messages: [], events: [], statuses: [] };
      this.logs.set(id, log);
    }
    return log;
  }

  send(msg: ClientMessage | Record<string, unknown> | string): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** Resolves when the run has ended (end, compile error, or error). */
  finished(id: string): Promise<RunLog> {
    const log = this.log(id);
    if (
      log.end ||
      log.error ||
      (log.compileError && log.statuses.some((s) => s.phase === 'done'))
    ) {
      return Promise.resolve(log);
    }
    return new Promise((resolve) => this.waiters.set(id, () => resolve(log)));
  }

  /** Resolves at the next error without a run id. */
  nextError(): Promise<Extract<ServerMessage, { type: 'error' }>> {
    const seen = this.errors.length;
    return new Promise((resolve) =>
      this.waiters.set('', () => {
        if (this.errors.length > seen) resolve(this.errors[seen]!);
      }),
    );
  }

  async run(id: string, code: string, extra: Record<string, unknown> = {}): Promise<RunLog> {
    this.send({ type: 'run', id, code, ...extra });
    return this.finished(id);
  }

  close(): void {
    this.ws.close();
  }

  /** Drops the connection without a goodbye, as a crashed browser tab would. */
  vanish(): void {
    this.ws.terminate();
  }
}

/** Every uid a bridge's runs may take: its claimed range (sandbox/uids.ts). */
export function runUids(server: BridgeServer): number[] {
  const range = server.bridge.uids;
  return range ? Array.from({ length: range.count }, (_, i) => range.first + i) : [];
}

/** Pids of processes running as one of the given uids. */
export function processesOf(uids: number[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      if (uid && uids.includes(Number(uid))) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

export function output(log: RunLog): string {
  return log.events.map((e) => (e.kind === 'output' ? e.data : '')).join('');
}
