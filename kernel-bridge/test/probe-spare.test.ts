/**
 * Recorders loaded before they are needed (src/backends/probe-spare.ts),
 * with a real bridge, real builds and real eBPF: after an eBPF run one
 * recorder waits with every probe loaded; the next run is recorded by it;
 * a run that never starts (a compile error) leaves it waiting; it is in the
 * memory group it will be charged to, with the recorder's cap; and closing
 * the bridge ends it and removes its group.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import type { BridgeServer } from '../src/server/app';
import { Client, ebpfDescribe, output, startTestBridge, wsUrl } from './support/bridge';

const PROBE_MEMORY = 96 * 1024 * 1024;

const program = (word: string): string => `package main

import "fmt"

func main() {
	done := make(chan string)
	go func() { done <- "${word}" }()
	fmt.Println(<-done)
}
`;

function unlessGone<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/** The BPF programs a process holds. */
function bpfPrograms(pid: number): number {
  return unlessGone(() => readdirSync(`/proc/${pid}/fd`), []).filter(
    (fd) => unlessGone(() => readlinkSync(`/proc/${pid}/fd/${fd}`), '') === 'anon_inode:bpf-prog',
  ).length;
}

function running(pid: number): boolean {
  const stat = unlessGone(() => readFileSync(`/proc/${pid}/stat`, 'utf8'), '');
  return stat !== '' && !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
}

/** The memory control group directory of a process (cgroup v2, or v1's memory hierarchy). */
function memoryGroup(pid: number): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  for (const line of lines) {
    const [, controllers, where] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (controllers?.split(',').includes('memory'))
      return path.join('/sys/fs/cgroup/memory', where!);
  }
  return path.join('/sys/fs/cgroup', lines.find((l) => l.startsWith('0::'))!.slice(3));
}

function memoryCap(dir: string): number {
  const v2 = path.join(dir, 'memory.max');
  return Number(
    readFileSync(existsSync(v2) ? v2 : path.join(dir, 'memory.limit_in_bytes'), 'utf8'),
  );
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

ebpfDescribe()('a recorder loaded before its run', () => {
  let server: BridgeServer;
  let client: Client;
  let closed = false;

  beforeAll(async () => {
    server = await startTestBridge({
      parallel: 1,
      limits: { wallSeconds: 30, probeMemoryBytes: PROBE_MEMORY },
    });
    client = await Client.connect(wsUrl(server));
  });
  afterAll(async () => {
    client?.close();
    if (!closed) await server?.close();
  });

  test('waits loaded after a run, records the next one, and outlasts a compile error', async () => {
    const spares = server.bridge.spares;
    expect(spares.pids()).toEqual([]); // none before any eBPF run
    const first = await client.run('first', program('one'), { backend: 'ebpf' });
    expect(first.end).toMatchObject({ reason: 'exit', exitCode: 0, lost: 0 });

    // One spare waits for the next run, with every probe loaded and no program of its own.
    expect(spares.pids()).toHaveLength(1);
    const [spare] = spares.pids() as [number];
    await spares.ready();
    expect(bpfPrograms(spare)).toBeGreaterThan(20);
    expect(readFileSync(`/proc/${spare}/cmdline`, 'utf8').split('\0')).toContain('preload');
    // Already in the group its run's recorder is charged to, with the recorder's cap.
    const group = memoryGroup(spare);
    expect(path.basename(group)).toMatch(/^run-\d+-\d+-probe$/);
    expect(memoryCap(group)).toBe(PROBE_MEMORY);

    // A program that does not compile never takes it.
    const broken = await client.run('broken', 'package main\n\nfunc main() { x }\n', {
      backend: 'ebpf',
    });
    expect(broken.compileError).toBeDefined();
    expect(spares.pids()).toEqual([spare]);
    expect(running(spare)).toBe(true);

    // The next run is recorded by the spare: it is used up, and another waits.
    const second = await client.run('second', program('two'), { backend: 'ebpf' });
    expect(second.end).toMatchObject({ reason: 'exit', exitCode: 0, lost: 0 });
    expect(output(second)).toBe('two\n');
    expect(second.events.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['run.start', 'g.create', 'g.waiting', 'run.end']),
    );
    await until('the used spare to end', () => !running(spare));
    expect(existsSync(group)).toBe(false); // its group went with its run
    expect(spares.pids()).toHaveLength(1);
    expect(spares.pids()).not.toContain(spare);

    // Closing the bridge ends the waiting spare and removes its group.
    const [next] = spares.pids() as [number];
    await spares.ready(); // it has joined its group by then
    const nextGroup = memoryGroup(next);
    expect(path.basename(nextGroup)).toMatch(/^run-\d+-\d+-probe$/);
    closed = true;
    await server.close();
    expect(running(next)).toBe(false);
    expect(existsSync(nextGroup)).toBe(false);
  }, 120_000);
});
