/**
 * The containers' privilege split (scripts/privileged-bridge.mjs): a root
 * daemon starts the bridge for an unprivileged JupyterLab (here: a process
 * as uid 65534 with no capabilities), whose runs then get eBPF; the bridge
 * stops when the unprivileged side goes away; bad requests are refused.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, ebpfDescribe, TEST_WORK_DIR } from './support/bridge';

jest.setTimeout(120_000);

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'privileged-bridge.mjs');
const TOKEN = 'a1b2c3d4e5f6a7b8c9d0e1f2';
const HELLO = `package main

import "fmt"

func main() {
	fmt.Println("hello from the privileged bridge")
}
`;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function ask(socket: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const c = net.createConnection(socket, () => c.write(line));
    c.setEncoding('utf8');
    c.on('data', (d) => (got += d));
    c.on('close', () => resolve(got));
    c.on('error', reject);
  });
}

ebpfDescribe()('the privileged bridge daemon', () => {
  let dir: string;
  let socket: string;
  let daemon: ChildProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slowmo-priv-'));
    chmodSync(dir, 0o755);
    socket = join(dir, 'bridge.sock');
    daemon = spawn(process.execPath, [SCRIPT, 'daemon', socket], {
      env: { ...process.env, SLOWMO_WORK_DIR: TEST_WORK_DIR },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await until(
      'the daemon socket',
      () =>
        new Promise<true | undefined>((resolve) => {
          const c = net.createConnection(socket, () => {
            c.destroy();
            resolve(true);
          });
          c.on('error', () => resolve(undefined));
        }),
    );
  });
  afterAll(() => {
    daemon?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  test('refuses a bad port or token', async () => {
    expect(await ask(socket, '{"port": 80, "token": "' + TOKEN + '"}\n')).toMatch(/refused: port/);
    expect(await ask(socket, '{"port": 9000, "token": "x; rm -rf /"}\n')).toMatch(/refused: token/);
    expect(await ask(socket, 'hello\n')).toMatch(/refused: not JSON/);
  });

  test('an unprivileged client gets a root bridge with eBPF, which ends when the client does', async () => {
    const port = await freePort();
    const client = spawn(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        '--inh-caps=-all',
        '--bounding-set=-all',
        process.execPath,
        SCRIPT,
        'serve',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--token',
        TOKEN,
      ],
      { env: { PATH: process.env.PATH, SLOWMO_BRIDGE_SOCKET: socket }, stdio: 'ignore' },
    );
    const exited = new Promise<void>((r) => client.on('exit', () => r()));
    try {
      const url = `http://127.0.0.1:${port}`;
      const auth = { authorization: `token ${TOKEN}` };
      await until('the bridge', async () =>
        (await fetch(`${url}/api/health`)).ok ? true : undefined,
      );
      expect((await fetch(`${url}/api/info`)).status).toBe(403);
      const info = (await (await fetch(`${url}/api/info`, { headers: auth })).json()) as {
        backends: { ebpf: { available: boolean } };
      };
      expect(info.backends.ebpf.available).toBe(true);

      const ws = await Client.connect(`ws://127.0.0.1:${port}/api/runs`, auth);
      const log = await ws.run('r', HELLO, { backend: 'ebpf' });
      ws.close();
      expect(log.end?.reason).toBe('exit');
      expect(log.events[0]).toMatchObject({ kind: 'run.start', backend: 'ebpf' });

      const metrics = await (await fetch(`${url}/metrics`, { headers: auth })).text();
      expect(metrics).toMatch(/^slowmo_runs_ended_total\{outcome="end",reason="exit"\} 1$/m);
    } finally {
      client.kill('SIGTERM');
      await exited;
    }
    await until('the bridge to stop', async () =>
      (await fetch(`http://127.0.0.1:${port}/api/health`).then(
        () => false,
        () => true,
      ))
        ? true
        : undefined,
    );
  });
});
