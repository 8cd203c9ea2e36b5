/**
 * A program stopped for a limit, or by the learner, tells where it was: the
 * real bridge runs real programs that never end, and before run.end comes
 * the Go runtime's dump of every goroutine's stack on stderr (the probe
 * engine sends SIGQUIT before it kills), while the end keeps the limit's
 * reason and says which limit it was.
 */
import type { BridgeServer } from '../src/server/app';
import type { SlowmoEvent } from '../src/protocol';
import { DUMP_BYTES } from '../src/run-limits';
import { Client, ebpfDescribe, startTestBridge, wsUrl, type RunLog } from './support/bridge';

jest.setTimeout(120_000);

const UID_BASE = 64500;
const WALL_SECONDS = 2;
const OUTPUT_BYTES = 64 * 1024;

// An empty `for {}` would not do: Go's line table puts its jump on line 1.
const SPIN = `package main

import (
	"fmt"
	"sync/atomic"
)

var n atomic.Int64

func main() {
	fmt.Println("spinning")
	for {
		n.Add(1)
	}
}
`;
const LOOP_LINE = SPIN.split('\n').findIndex((l) => l.includes('n.Add(1)')) + 1;

const CHATTER = `package main

import "fmt"

func main() {
	for i := 0; ; i++ {
		fmt.Printf("line %d of a program that never stops talking\\n", i)
	}
}
`;

function written(log: RunLog, stream: 'stdout' | 'stderr'): string {
  return log.events.map((e) => (e.kind === 'output' && e.stream === stream ? e.data : '')).join('');
}

/**
 * Asserts that stderr holds the stack dump, with main's goroutine at the loop. The runtime prints
 * in full only the goroutine on the thread that took the signal; the eBPF backend knows which
 * thread runs main's goroutine. The trace backend signals the thread that spent the most user
 * time just before, but the tracer moves a spinning goroutine between threads every generation
 * (10 ms), so main's may have moved meanwhile: then the dump says so (`mayBeElsewhere`).
 */
function expectStacks(log: RunLog, userMain = 'main', mayBeElsewhere = false): void {
  const dump = written(log, 'stderr');
  expect(dump.startsWith('SIGQUIT: quit')).toBe(true);
  // Go 1.22+ print `goroutine 1 gp=… m=… [running]:`; a goroutine the runtime
  // had to stop to print it reads `[runnable]`, with the same stack.
  expect(dump).toMatch(/goroutine 1 [^\n]*\[(running|runnable)\]:/);
  const atLoop = new RegExp(`main\\.${userMain}\\(\\)\\n\\t\\S*main\\.go:${LOOP_LINE} `);
  const elsewhere =
    /goroutine 1 [^\n]*\[running\]:\n\tgoroutine running on other thread; stack unavailable\n/;
  if (mayBeElsewhere && elsewhere.test(dump)) expect(dump).not.toMatch(atLoop);
  else expect(dump).toMatch(atLoop);
  // Whole, to the registers it ends with: the program ended of the quit, not
  // of the kill that follows it half a second later.
  expect(dump).toMatch(/\ngs +0x[0-9a-f]+\n$/);
  const end = log.events.findIndex((e) => e.kind === 'run.end');
  expect(end).toBe(log.events.length - 1);
  expect(log.events.every((e, i) => e.seq === i)).toBe(true);
}

async function whenSaid(log: RunLog, text: string): Promise<void> {
  const said = (): boolean =>
    log.events.some((e: SlowmoEvent) => e.kind === 'output' && e.data.includes(text));
  for (let waited = 0; !said(); waited += 50) {
    if (waited > 60_000 || log.end) throw new Error(`the program never said "${text}"`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

ebpfDescribe()('a program stopped by a limit or by the learner prints its stacks', () => {
  let server: BridgeServer;
  let client: Client;

  beforeAll(async () => {
    server = await startTestBridge({
      uidBase: UID_BASE,
      parallel: 2,
      limits: { wallSeconds: WALL_SECONDS, cpuSeconds: 60, outputBytes: OUTPUT_BYTES },
    });
    client = await Client.connect(wsUrl(server));
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  test('an endless loop stopped by the time limit (eBPF)', async () => {
    const log = await client.run('spin-ebpf', SPIN, { backend: 'ebpf', gomaxprocs: 2 });
    expect(log.end).toMatchObject({
      reason: 'timeout',
      exitCode: -1,
      limit: { name: 'wallSeconds', value: WALL_SECONDS, unit: 's' },
    });
    expect(log.events.at(-1)).toMatchObject({ kind: 'run.end', reason: 'timeout', exitCode: -1 });
    expectStacks(log);
    // run.end's t counts from run.start, about when the bridge's clock started.
    const over = log.events.at(-1)!.t / 1e6 - WALL_SECONDS * 1000;
    expect(over).toBeLessThan(1000);
  });

  test('an endless loop stopped by the time limit (trace)', async () => {
    const log = await client.run('spin-trace', SPIN, { backend: 'trace', gomaxprocs: 2 });
    expect(log.events[0]).toMatchObject({ kind: 'run.start', backend: 'trace' });
    expect(log.end).toMatchObject({
      reason: 'timeout',
      exitCode: -1,
      limit: { name: 'wallSeconds', value: WALL_SECONDS, unit: 's' },
    });
    // The trace backend's helper renames the learner's main; the lines stay.
    expectStacks(log, 'slowmoUserMain', true);
  });

  test('a run the learner stops', async () => {
    const id = 'spin-stop';
    client.send({ type: 'run', id, code: SPIN, backend: 'ebpf', gomaxprocs: 2 });
    const log = client.log(id);
    await whenSaid(log, 'spinning');
    client.send({ type: 'control', id, action: 'stop' });
    await client.finished(id);
    expect(log.end).toMatchObject({ reason: 'stopped', exitCode: -1 });
    expect(log.end!.limit).toBeUndefined();
    expectStacks(log);
  });

  test('past the output limit, only the dump passes, and only so far', async () => {
    const log = await client.run('chatter', CHATTER, { backend: 'ebpf' });
    expect(log.end).toMatchObject({
      reason: 'output-limit',
      limit: { name: 'outputBytes', value: OUTPUT_BYTES, unit: 'bytes' },
    });
    expect(Buffer.byteLength(written(log, 'stdout'))).toBe(OUTPUT_BYTES);
    const dump = written(log, 'stderr');
    expect(dump.startsWith('SIGQUIT: quit')).toBe(true);
    expect(dump).toMatch(/goroutine 1 [^\n]*\[(running|runnable|syscall)\]:/);
    expect(Buffer.byteLength(dump)).toBeLessThanOrEqual(DUMP_BYTES);
  });

  test('a program that ends by itself has no limit and no dump', async () => {
    const log = await client.run('hello', 'package main\n\nfunc main() { println("bye") }\n');
    expect(log.end).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(log.end!.limit).toBeUndefined();
    expect(written(log, 'stderr')).toBe('bye\n');
  });
});
