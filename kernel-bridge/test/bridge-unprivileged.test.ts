/**
 * Without privilege (a laptop, a locked-down course server, Binder): the
 * bridge runs as an ordinary user, says why eBPF is unavailable, and serves
 * runs end to end with the trace backend in its sandbox. The test drops to
 * uid 65534 with setpriv, so it needs root to start; the bridge it starts has
 * none.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, output } from './support/bridge';
import { guardedDescribe } from './support/guard';

jest.setTimeout(180_000);

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'kernel-bridge', 'dist', 'src', 'cli.js');
const canDrop = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;
const maybe = guardedDescribe(canDrop ? undefined : 'needs root and setpriv to drop privilege');

const HELLO = `package main

import "fmt"

func main() {
	done := make(chan bool)
	go func() {
		fmt.Println("traced hello")
		done <- true
	}()
	<-done
}
`;

maybe('the bridge as an unprivileged user', () => {
  let bridge: ChildProcess;
  let url = '';

  beforeAll(async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'slowmo-nobody-'));
    chmodSync(home, 0o777);
    bridge = spawn(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        '--',
        process.execPath,
        CLI,
        'serve',
        '--port',
        '0',
        '--work-dir',
        path.join(home, 'work'),
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: home,
          GOMODCACHE: path.join(home, 'gomod'),
          GOCACHE: path.join(home, 'gocache'),
          LANG: 'C.UTF-8',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    url = await new Promise<string>((resolve, reject) => {
      let said = '';
      const timer = setTimeout(
        () => reject(new Error(`the bridge did not start:\n${said}`)),
        60_000,
      );
      bridge.stderr!.on('data', (d: Buffer) => {
        said += d.toString();
        const m = /listens on (http:\/\/\S+)/.exec(said);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      bridge.on('exit', (code) => reject(new Error(`the bridge exited with ${code}:\n${said}`)));
    });
  });
  afterAll(() => {
    bridge?.kill('SIGTERM');
  });

  test('/api/info says eBPF is unavailable and why, and that the trace backend is available', async () => {
    const info = (await (await fetch(`${url}/api/info`)).json()) as {
      backends: {
        ebpf: { available: boolean; why?: string };
        trace: { available: boolean; why?: string };
      };
      sandbox: { cgroups: string };
    };
    expect(info.backends.ebpf).toEqual({ available: false, why: expect.stringMatching(/root/) });
    expect(info.backends.trace).toEqual({ available: true });
    expect(info.sandbox.cgroups).toBe('none');
  });

  test('a run with backend auto is traced end to end, in the sandbox, as that user', async () => {
    const client = await Client.connect(`${url.replace('http', 'ws')}/api/runs`);
    const log = await client.run('traced', HELLO);
    client.close();
    expect(log.error).toBeUndefined();
    expect(log.events[0]).toMatchObject({
      kind: 'run.start',
      backend: 'trace',
      fidelity: { runq: false },
    });
    expect(log.events.find((e) => e.kind === 'g.create' && e.file === 'main.go')).toMatchObject({
      line: 7,
    });
    expect(log.events.some((e) => e.kind === 'g.waiting' && e.reason === 'chan receive')).toBe(
      true,
    );
    expect(output(log)).toBe('traced hello\n');
    expect(log.end).toMatchObject({ reason: 'exit', exitCode: 0 });
  });

  test('paced mode is refused with the reason, not faked', async () => {
    const client = await Client.connect(`${url.replace('http', 'ws')}/api/runs`);
    const log = await client.run('paced', HELLO, { mode: 'paced' });
    client.close();
    expect(log.error).toMatchObject({
      code: 'backend_unavailable',
      field: 'mode',
      message: expect.stringContaining('eBPF'),
    });
  });
});
