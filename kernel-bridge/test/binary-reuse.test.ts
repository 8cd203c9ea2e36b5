/**
 * A build is reused only when it would come out the same: the helper files a
 * build adds come from the probe, so a probe built anew (a new version of
 * the project) builds every program afresh rather than running binaries made
 * with the old helpers. Work directories are shared between checkouts on a
 * machine (os.tmpdir()), so this is what a fresh clone's first runs meet.
 */
import { copyFileSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BridgeServer } from '../src/server/app';
import { Client, ebpfDescribe, output, PROBE, startTestBridge, wsUrl } from './support/bridge';

const HELLO = `package main

import "fmt"

func main() { fmt.Println("built at ${process.pid}-${Date.now()}") }
`;

ebpfDescribe()('binaries kept between runs', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'slowmo-probe-copy-'));
  const probe = path.join(dir, 'slowmo-probe');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function twice(): Promise<(boolean | undefined)[]> {
    const server: BridgeServer = await startTestBridge({ probeBinary: probe, uidBase: 64800 });
    try {
      const client = await Client.connect(wsUrl(server));
      const first = await client.run('reuse-1', HELLO, { backend: 'trace' });
      const second = await client.run('reuse-2', HELLO, { backend: 'trace' });
      client.close();
      expect(output(second)).toMatch(/^built at /);
      return [first.end?.stats.cached, second.end?.stats.cached];
    } finally {
      await server.close();
    }
  }

  test('are reused by the same probe, and not by a probe built since', async () => {
    copyFileSync(PROBE, probe);
    utimesSync(probe, new Date(2026, 0, 1), new Date(2026, 0, 1));
    expect(await twice()).toEqual([false, true]);
    // The same probe after a restart: still the same build.
    expect(await twice()).toEqual([true, true]);
    utimesSync(probe, new Date(2026, 0, 2), new Date(2026, 0, 2));
    expect(await twice()).toEqual([false, true]);
  }, 240_000);
});
