/**
 * The sandbox, with hostile programs run through the real bridge: each is
 * contained, its run ends with a reason that says which limit it hit, and
 * the bridge serves the next run as if nothing happened.
 */
import path from 'node:path';
import type { BridgeServer } from '../src/server/app';
import {
  Client,
  ebpfDescribe,
  output,
  processesOf,
  runUids,
  startTestBridge,
  TEST_WORK_DIR,
  wsUrl,
} from './support/bridge';

jest.setTimeout(120_000);

const MiB = 1024 * 1024;

/** The bridge's own source tree, which a program must not see. */
const BRIDGE_TREE = path.join(__dirname, '..');

/**
 * Tries the ways out: the bridge's own port on the host's loopback (which a
 * program with the host's network reaches), the internet, secrets, the
 * bridge's tree and work directory, and writes outside its /tmp.
 */
function escape(bridgePort: number, workDir: string): string {
  return `package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	_, err := net.Dial("tcp", "127.0.0.1:${bridgePort}")
	fmt.Println("dial bridge:", err)
	_, err = net.Dial("tcp", "1.1.1.1:80")
	fmt.Println("dial out:", err)
	_, err = os.ReadFile("/etc/shadow")
	fmt.Println("shadow:", err)
	fmt.Println("write /usr:", os.WriteFile("/usr/evil", []byte("x"), 0o644))
	fmt.Println("write /:", os.WriteFile("/evil", []byte("x"), 0o644))
	_, err = os.ReadDir(${JSON.stringify(BRIDGE_TREE)})
	fmt.Println("bridge tree:", err)
	_, err = os.ReadDir(${JSON.stringify(workDir)})
	fmt.Println("bridge work dir:", err)
	fmt.Println("uid:", os.Getuid(), "env:", len(os.Environ()))
	fmt.Println("write /tmp:", os.WriteFile("/tmp/mine", []byte("x"), 0o644))
}
`;
}

const PROGRAMS = {
  forkbomb: `package main

import (
	"fmt"
	"os/exec"
	"runtime"
	"time"
)

func main() {
	for i := 0; i < 100000; i++ {
		if err := exec.Command("/bin/sleep", "60").Start(); err != nil {
			fmt.Println("fork refused:", err)
			break
		}
	}
	for i := 0; i < 100000; i++ {
		go func() {
			runtime.LockOSThread()
			time.Sleep(time.Hour)
		}()
		time.Sleep(time.Microsecond)
	}
	time.Sleep(time.Hour)
}
`,
  allocate: `package main

func main() {
	var keep [][]byte
	for {
		b := make([]byte, 1<<20)
		for i := range b {
			b[i] = 1
		}
		keep = append(keep, b)
	}
}
`,
  chatter: `package main

import "fmt"

func main() {
	for i := 0; ; i++ {
		fmt.Printf("line %d of a program that never stops talking\\n", i)
	}
}
`,
  spin: `package main

func main() {
	x := 0
	for {
		x++
	}
}
`,
  sleeper: `package main

import "time"

func main() {
	time.Sleep(time.Hour)
}
`,
  hello: `package main

import "fmt"

func main() {
	fmt.Println("hello")
}
`,
};

ebpfDescribe()('the sandbox', () => {
  let server: BridgeServer;
  let client: Client;

  beforeAll(async () => {
    server = await startTestBridge({
      parallel: 2,
      limits: {
        wallSeconds: 6,
        cpuSeconds: 1.5,
        memoryBytes: 128 * MiB,
        processes: 64,
        outputBytes: 64 * 1024,
      },
    });
    client = await Client.connect(wsUrl(server));
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  afterEach(async () => {
    // Whatever a program did, nothing of it outlives its run, and the next run works.
    expect(processesOf(runUids(server))).toEqual([]);
    const next = await client.run(`next-${Date.now()}`, PROGRAMS.hello);
    expect(next.end).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(output(next)).toBe('hello\n');
  });

  test('no network, no secrets, no writes outside /tmp, no privilege, none of the bridge', async () => {
    const port = Number(new URL(server.url).port);
    const log = await client.run('escape', escape(port, TEST_WORK_DIR));
    const said = output(log);
    expect(log.end).toMatchObject({ reason: 'exit', exitCode: 0 });
    // Its own loopback has nothing listening: the bridge's port is not there.
    expect(said).toContain(`dial bridge: dial tcp 127.0.0.1:${port}: connect: connection refused`);
    expect(said).toContain('dial out: dial tcp 1.1.1.1:80: connect: network is unreachable');
    expect(said).toContain('shadow: open /etc/shadow: no such file or directory');
    expect(said).toContain('write /usr: open /usr/evil: read-only file system');
    expect(said).toContain('write /: open /evil: permission denied');
    expect(said).toContain(`bridge tree: open ${BRIDGE_TREE}: no such file or directory`);
    expect(said).toContain(`bridge work dir: open ${TEST_WORK_DIR}: no such file or directory`);
    expect(said).toMatch(/uid: (\d+) env: (\d+)/);
    const [, uid, env] = /uid: (\d+) env: (\d+)/.exec(said)!;
    expect(runUids(server)).toContain(Number(uid)); // not root: one of this bridge's run uids
    expect(Number(env)).toBeLessThanOrEqual(5); // the bridge's environment did not leak in
    expect(said).toContain('write /tmp: <nil>');
  });

  test('forking and threading without end stops at the process limit', async () => {
    const log = await client.run('forkbomb', PROGRAMS.forkbomb);
    expect(log.end?.reason).toBe('process-limit');
    expect(output(log)).toContain('fork refused');
  });

  test('allocating without end stops at the memory limit', async () => {
    const log = await client.run('allocate', PROGRAMS.allocate);
    expect(log.end?.reason).toBe('memory-limit');
  });

  test('printing without end stops at the output limit, with the output cut at the limit', async () => {
    const log = await client.run('chatter', PROGRAMS.chatter);
    expect(log.end?.reason).toBe('output-limit');
    // What it printed; its goroutines' stacks, printed on the way out, follow on stderr.
    const said = log.events
      .map((e) => (e.kind === 'output' && e.stream === 'stdout' ? e.data : ''))
      .join('');
    expect(Buffer.byteLength(said)).toBe(64 * 1024);
    expect(said.startsWith('line 0 of a program')).toBe(true);
  });

  test('a loop that never ends stops at the CPU limit', async () => {
    const log = await client.run('spin', PROGRAMS.spin);
    expect(log.end?.reason).toBe('cpu-limit');
  });

  test('a program that never ends stops at the time limit', async () => {
    const log = await client.run('sleeper', PROGRAMS.sleeper);
    expect(log.end?.reason).toBe('timeout');
    expect(log.events.at(-1)).toMatchObject({ kind: 'run.end', reason: 'timeout' });
  });
});
