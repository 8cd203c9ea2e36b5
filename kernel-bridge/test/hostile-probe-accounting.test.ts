/**
 * The recorder of a run (slowmo-probe, root) is the run's to pay for, not the
 * host's: it lives in a control group of its own with a memory cap, beside
 * the program's (issue 14, item 1). And a recorder that cannot end the run
 * in its grace period is killed, and the run then says that its loss is
 * unknown, never 0 (item 7): caused for real by stopping the real probe with
 * SIGSTOP, so that it cannot answer SIGTERM. A recorder that runs out of its
 * memory ends the run with the recorder's limit named, and the bridge goes on.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BridgeServer } from '../src/server/app';
import { explainEnding, initialState, replay } from '../src/protocol';
import { Client, ebpfDescribe, startTestBridge, wsUrl, type RunLog } from './support/bridge';

jest.setTimeout(90_000);

const MiB = 1024 * 1024;
const PROBE_MEMORY = 200 * MiB;
const PROGRAM_MEMORY = 96 * MiB;

/** Prints a line every 20 ms for ever: a run that is going until it is stopped. */
const TICKER = `package main

import (
	"fmt"
	"time"
)

func main() {
	for i := 0; ; i++ {
		fmt.Println("tick", i)
		time.Sleep(20 * time.Millisecond)
	}
}
`;

/**
 * 50,000 goroutines that stay: a recorder must follow each of them, so its
 * memory grows with them whatever it bounds (the tracer's peaks near 35 MiB).
 */
const CROWD = `package main

import "time"

func main() {
	block := make(chan int)
	for i := 0; i < 50000; i++ {
		go func() { <-block }()
	}
	time.Sleep(time.Minute)
}
`;

/** Children of this process (the bridge runs in it) that are the probe engine. */
function probePids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm === 'slowmo-probe' && ppid === process.pid) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** The directory of the memory control group a process is in (cgroup v1 or v2). */
function memoryGroup(pid: number | 'self'): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  for (const line of lines) {
    const [, controllers, where] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (controllers?.split(',').includes('memory'))
      return path.join('/sys/fs/cgroup/memory', where!);
  }
  const unified = lines.find((l) => l.startsWith('0::'));
  return path.join('/sys/fs/cgroup', unified!.slice(3));
}

/** A memory group's cap in bytes (memory.max or, in v1, memory.limit_in_bytes). */
function memoryCap(dir: string): number {
  const v2 = path.join(dir, 'memory.max');
  return Number(
    readFileSync(existsSync(v2) ? v2 : path.join(dir, 'memory.limit_in_bytes'), 'utf8'),
  );
}

/** Waits for a condition, polling; fails saying what it waited for. */
async function until<T>(what: string, f: () => T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether a process has children (a recorder at work has its program's sandbox). */
function hasChildren(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/task`).some(
      (tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim() !== '',
    );
  } catch {
    return false; // gone meanwhile
  }
}

/**
 * Starts a run and waits until its program has printed, so that its probe is
 * at work; returns that probe (the only one with a program: a spare recorder
 * waiting for the next run, probe-spare.ts, has none).
 */
async function going(client: Client, id: string, backend: 'ebpf' | 'trace'): Promise<number> {
  client.send({ type: 'run', id, code: TICKER, backend, mode: 'record' });
  const log = client.log(id);
  await until(`${id} to print`, () =>
    log.events.some((e) => e.kind === 'output') ? true : log.end || log.error ? true : undefined,
  );
  expect(log.error).toBeUndefined();
  const mine = probePids().filter(hasChildren);
  expect(mine).toHaveLength(1);
  return mine[0]!;
}

function stop(client: Client, id: string): Promise<RunLog> {
  client.send({ type: 'control', id, action: 'stop' });
  return client.finished(id);
}

ebpfDescribe()('the recorder of a run', () => {
  let server: BridgeServer;
  let client: Client;

  beforeAll(async () => {
    server = await startTestBridge({
      parallel: 2,
      limits: { wallSeconds: 30, memoryBytes: PROGRAM_MEMORY, probeMemoryBytes: PROBE_MEMORY },
    });
    client = await Client.connect(wsUrl(server));
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  test.each(['ebpf', 'trace'] as const)(
    '%s: the probe is in a memory group of its own with its cap, not the bridge’s nor the program’s',
    async (backend) => {
      const id = `accounted-${backend}`;
      const probe = await going(client, id, backend);
      const group = memoryGroup(probe);
      expect(group).not.toBe(memoryGroup('self'));
      expect(path.basename(group)).toMatch(/-probe$/);
      expect(memoryCap(group)).toBe(PROBE_MEMORY);
      // The program's group is another one, with the learner's limit.
      const program = path.join(path.dirname(group), path.basename(group).replace(/-probe$/, ''));
      expect(memoryCap(program)).toBe(PROGRAM_MEMORY);
      const log = await stop(client, id);
      expect(log.end).toMatchObject({ reason: 'stopped' });
      expect(typeof log.end?.lost).toBe('number');
      // Both groups go with the run.
      await until('the groups to go', () =>
        existsSync(group) || existsSync(program) ? undefined : true,
      );
    },
  );

  test('a probe that cannot end the run in its grace period is killed, and the run says its loss is unknown', async () => {
    const id = 'frozen';
    const probe = await going(client, id, 'ebpf');
    // Stopped, the probe cannot answer the SIGTERM that asks it to end the run.
    process.kill(probe, 'SIGSTOP');
    const log = await stop(client, id);
    const end = log.events.at(-1);
    expect(end).toMatchObject({ kind: 'run.end', reason: 'stopped', lost: null });
    expect(log.end).toMatchObject({ reason: 'stopped', lost: null });
    expect(log.events.some((e) => e.kind === 'run.end' && e.lost === 0)).toBe(false);
    expect(existsSync(`/proc/${probe}`)).toBe(false);
    // The bridge serves the next run as before.
    const next = await client.run('after-frozen', 'package main\n\nfunc main() {}\n');
    expect(next.end).toMatchObject({ reason: 'exit', exitCode: 0, lost: 0 });
  });
});

ebpfDescribe()('a recorder out of memory', () => {
  let server: BridgeServer;
  let client: Client;

  afterEach(async () => {
    client?.close();
    await server?.close();
  });

  /** The bridge goes on as before (with the tracer, which fits in any cap allowed). */
  async function nextRunWorks(): Promise<void> {
    const next = await client.run(`next-${Date.now()}`, 'package main\n\nfunc main() {}\n', {
      backend: 'trace',
    });
    expect(next.end).toMatchObject({ reason: 'exit', exitCode: 0, lost: 0 });
  }

  test('killed by the kernel at its cap: the run ends at the recorder’s limit, its loss unknown', async () => {
    server = await startTestBridge({
      limits: { wallSeconds: 50, memoryBytes: 512 * MiB, probeMemoryBytes: 16 * MiB },
    });
    client = await Client.connect(wsUrl(server));
    const log = await client.run('crowd', CROWD, { backend: 'trace' });
    expect(log.end).toMatchObject({
      reason: 'memory-limit',
      lost: null,
      limit: { name: 'probeMemoryBytes', value: 16, unit: 'MiB' },
    });
    expect(log.events.at(-1)).toMatchObject({
      kind: 'run.end',
      reason: 'memory-limit',
      lost: null,
    });
    const state = replay(log.events, initialState());
    const ending = explainEnding(log.events, state, { limit: log.end!.limit! })!;
    expect(ending.title).toBe(
      "Stopped: recording the program took more than 16 MiB, the recorder's memory limit on this server",
    );
    expect(ending.detail).toContain('some events may be missing');
    await nextRunWorks();
  });

  test('too small to load its probes: the run ends at the recorder’s limit, saying so', async () => {
    // The eBPF recorder's ring buffer alone is 32 MiB: the kernel refuses to make it.
    server = await startTestBridge({ limits: { probeMemoryBytes: 24 * MiB } });
    client = await Client.connect(wsUrl(server));
    const log = await client.run('cramped', TICKER, { backend: 'ebpf' });
    expect(log.end).toMatchObject({
      reason: 'memory-limit',
      limit: { name: 'probeMemoryBytes', value: 24, unit: 'MiB' },
    });
    // The program never started. When the kernel kills the recorder while it
    // loads, the bridge cannot tell that from a kill mid-run: unknown (null),
    // never a made-up count.
    expect([0, null]).toContain(log.end?.lost);
    expect(log.events[0]).toMatchObject({ kind: 'output', stream: 'stderr' });
    // Either the kernel refuses the ring buffer (the loader's own error, ENOMEM)
    // or it kills the recorder mid-load: both are said against the limit.
    expect((log.events[0] as { data: string }).data).toMatch(
      /^slowmo: the probe engine failed: it ran out of its memory \(24 MiB, the limit probeMemoryBytes\)(: .*cannot allocate memory| and the kernel killed it)/,
    );
    await nextRunWorks();
  });
});
