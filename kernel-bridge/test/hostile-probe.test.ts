/**
 * What a hostile program can make the probe engine do. The probe runs as
 * root, outside the run's memory limit, and every byte the program writes
 * passes through it: whatever the program does, the probe's own memory stays
 * bounded and the output limit ends the run as the output arrives, on both
 * backends. The probe's peak RSS is read from /proc while it runs.
 */
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import type { BridgeServer } from '../src/server/app';
import {
  Client,
  ebpfDescribe,
  output,
  PROBE,
  processesOf,
  startTestBridge,
  wsUrl,
  type RunLog,
} from './support/bridge';

jest.setTimeout(120_000);

const UID_BASE = 64700;
const MiB = 1024 * 1024;
const OUTPUT_BYTES = 1 * MiB;
const WALL_SECONDS = 10;
/** The most the probe may hold, in bytes of resident memory. */
const PROBE_RSS_BOUND = 200 * MiB;
/** A probe past this is killed at once, so that a failing test does not take the machine down. */
const PROBE_RSS_KILL = 600 * MiB;

const HOARDERS = {
  // Without its tracer, the trace backend gets no events to release output against.
  trace: `package main

import (
	"os"
	"runtime/trace"
)

func main() {
	trace.Stop()
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = 'x'
	}
	for {
		os.Stdout.Write(chunk)
	}
}
`,
  ebpf: `package main

import "os"

func main() {
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = 'x'
	}
	for {
		os.Stdout.Write(chunk)
	}
}
`,
};

// "é" cut by the probe's 4096-byte reads: once within an output event, once
// where one event of 64 KiB (16 reads) ends and the next begins.
const FIRST = `${'a'.repeat(4095)}é and more\n`;
const SECOND = `${'b'.repeat(16 * 4096 - 1)}é the end\n`;
const ACCENTS = `package main

import (
	"os"
	"strings"
	"time"
)

func main() {
	os.Stdout.WriteString(strings.Repeat("a", 4095) + "é and more\\n")
	// Let the probe read all of it, so that the next write starts a read.
	time.Sleep(100 * time.Millisecond)
	os.Stdout.WriteString(strings.Repeat("b", 16*4096-1) + "é the end\\n")
}
`;

function stdoutOf(log: RunLog): string {
  return log.events
    .map((e) => (e.kind === 'output' && e.stream === 'stdout' ? e.data : ''))
    .join('');
}

/** What `read` returns, or `fallback` when the process it reads is gone. */
function unlessGone<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/** The pids of a process's descendants (the bridge runs in this one). */
function descendants(pid: number): number[] {
  const found: number[] = [];
  for (const tid of unlessGone(() => readdirSync(`/proc/${pid}/task`), [])) {
    const children = unlessGone(
      () => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8'),
      '',
    );
    for (const child of children.split(' ').filter(Boolean).map(Number)) {
      found.push(child, ...descendants(child));
    }
  }
  return found;
}

/**
 * Watches every probe the bridge starts and keeps the highest peak RSS
 * (VmHWM, which the kernel keeps, so a poll that comes late still sees the
 * peak so far) any of them reached.
 */
class ProbeMemory {
  private readonly probe = realpathSync(PROBE);
  private timer: NodeJS.Timeout | undefined;
  peakBytes = 0;
  probesSeen = new Set<number>();
  killed = false;

  start(): void {
    this.timer = setInterval(() => this.poll(), 10);
  }

  stop(): void {
    clearInterval(this.timer);
    this.poll();
  }

  reset(): void {
    this.peakBytes = 0;
    this.probesSeen.clear();
    this.killed = false;
  }

  /** The probes running now. */
  running(): number[] {
    return descendants(process.pid).filter(
      (pid) => unlessGone(() => realpathSync(`/proc/${pid}/exe`), '') === this.probe,
    );
  }

  private poll(): void {
    for (const pid of this.running()) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const kB = (field: string): number =>
          Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
        this.probesSeen.add(pid);
        this.peakBytes = Math.max(this.peakBytes, kB('VmHWM') * 1024);
        if (kB('VmRSS') * 1024 > PROBE_RSS_KILL) {
          this.killed = true;
          process.kill(pid, 'SIGKILL');
        }
      } catch {
        // Gone meanwhile, or not ours to read.
      }
    }
  }
}

ebpfDescribe()('a hostile program against the probe engine', () => {
  let server: BridgeServer;
  let client: Client;
  const memory = new ProbeMemory();

  beforeAll(async () => {
    server = await startTestBridge({
      uidBase: UID_BASE,
      parallel: 1,
      limits: { wallSeconds: WALL_SECONDS, outputBytes: OUTPUT_BYTES },
    });
    client = await Client.connect(wsUrl(server));
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });
  beforeEach(() => {
    memory.reset();
    memory.start();
  });
  afterEach(() => {
    memory.stop();
    // The run is over: nothing of it is left, the probe included (a spare
    // recorder waiting for the next run, backends/probe-spare.ts, is none of it).
    expect(processesOf([UID_BASE])).toEqual([]);
    const spares = server.bridge.spares.pids();
    expect(memory.running().filter((pid) => !spares.includes(pid))).toEqual([]);
  });

  test.each(['trace', 'ebpf'] as const)(
    '%s: endless output with nothing to release it against ends at the output limit, with the probe under 200 MB',
    async (backend) => {
      const log = await client.run(`hoard-${backend}`, HOARDERS[backend], { backend });
      memory.stop();
      // The run's probe, and any the bridge ran for the build (trace-prepare).
      expect(memory.probesSeen.size).toBeGreaterThanOrEqual(1);
      expect(memory.killed).toBe(false);
      expect(memory.peakBytes).toBeLessThan(PROBE_RSS_BOUND);
      expect(log.end).toMatchObject({ reason: 'output-limit' });
      expect(log.events[0]).toMatchObject({ kind: 'run.start', backend });
      // Quickly: the limit, then at most the half second the stack dump may take.
      expect(log.end?.stats.runMs).toBeLessThan(5000);
      expect(Buffer.byteLength(stdoutOf(log))).toBe(OUTPUT_BYTES);
      console.log(
        `${backend} hoarder: probe peak RSS ${(memory.peakBytes / MiB).toFixed(1)} MiB, ended ${log.end?.reason} after ${log.end?.stats.runMs} ms`,
      );
    },
  );

  test.each(['trace', 'ebpf'] as const)(
    "%s: a character cut by the probe's reads arrives whole",
    async (backend) => {
      const log = await client.run(`accents-${backend}`, ACCENTS, { backend });
      expect(log.end).toMatchObject({ reason: 'exit', exitCode: 0 });
      expect(output(log)).toBe(FIRST + SECOND);
    },
  );
});
