/**
 * A hostile class against the build: programs whose binaries are huge, that
 * ask for cgo, requests with tens of thousands of files. Real builds through a
 * real bridge on a real socket; the caches on real files. Each ends with a
 * message that says what, why and how to fix it, the caches stay within
 * their bounds, and the bridge keeps answering.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, promises as fs, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BinaryCache } from '../src/binary-cache';
import { buildOutOfMemory, cgoImport } from '../src/build-messages';
import { goCacheBytes, GoBuildCache } from '../src/go-cache';
import { parseServerMessage, REQUEST_LIMITS } from '../src/protocol';
import type { BridgeServer } from '../src/server/app';
import {
  Client,
  ebpfDescribe,
  output,
  startTestBridge,
  TEST_WORK_DIR,
  wsUrl,
} from './support/bridge';

jest.setTimeout(120_000);

const MiB = 1024 * 1024;
const UID_BASE = 64900;
const BUILD_UID = 64000;

/** A program whose binary holds `bytes` of data: the array has an initial value, so it is stored. */
function bigBinary(bytes: number, tag = ''): string {
  return `package main

import "fmt"

var big = [${bytes}]byte{1: 1}

func main() { fmt.Println("big${tag}", big[1], len(big)) }
`;
}

/**
 * A work directory of its own (its binary cache is bounded small, which must
 * not evict other test files' binaries), with a copy of the shared Go cache
 * so that the standard library is not compiled again.
 */
function ownWorkDir(name: string): string {
  const dir = join(tmpdir(), `slowmo-hostile-build-${name}`);
  rmSync(join(dir, 'bin'), { recursive: true, force: true });
  const cache = join(dir, `gocache-${BUILD_UID}`);
  const shared = join(TEST_WORK_DIR, `gocache-${BUILD_UID}`);
  if (!existsSync(cache) && existsSync(shared)) {
    mkdirSync(dir, { recursive: true });
    spawnSync('cp', ['-a', shared, cache]);
  }
  return dir;
}

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

/**
 * Polls `/api/health` from a thread of its own (its clock does not stop when
 * the bridge's event loop is busy) and reports the slowest answer.
 */
class HealthPoller {
  private readonly worker: Worker;

  constructor(url: string) {
    this.worker = new Worker(
      `
      const { parentPort, workerData } = require('node:worker_threads');
      const http = require('node:http');
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      let worst = 0, answers = 0, stop = false;
      parentPort.on('message', () => { stop = true; });
      (function poll() {
        if (stop) return parentPort.postMessage({ worst, answers });
        const t = performance.now();
        http.get(workerData.url, { agent }, (res) => {
          res.resume();
          res.on('end', () => {
            worst = Math.max(worst, performance.now() - t);
            answers++;
            setTimeout(poll, 10);
          });
        }).on('error', (err) => parentPort.postMessage({ error: err.message }));
      })();
      `,
      { eval: true, workerData: { url } },
    );
  }

  /** Stops polling; the slowest answer in ms and how many came. */
  async stop(): Promise<{ worst: number; answers: number; error?: string }> {
    const result = new Promise<{ worst: number; answers: number }>((resolve) =>
      this.worker.once('message', resolve),
    );
    this.worker.postMessage('stop');
    const r = await result;
    await this.worker.terminate();
    return r;
  }
}

/**
 * Makes a message in a thread of its own (`make` is a function body that
 * returns it), sends it on a new WebSocket, and resolves with the first
 * answer and how long it took from the send.
 */
async function sendFromThread(
  url: string,
  make: string,
): Promise<{ answer: string; ms: number; bytes: number }> {
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const WebSocket = require('ws');
    const message = (() => { ${make} })();
    const ws = new WebSocket(workerData.url);
    ws.on('open', () => {
      const t = performance.now();
      ws.send(message);
      ws.once('message', (data) => {
        parentPort.postMessage({ answer: data.toString(), ms: performance.now() - t, bytes: message.length });
        ws.close();
      });
    });
    ws.on('error', (err) => parentPort.postMessage({ error: err.message }));
    `,
    { eval: true, workerData: { url } },
  );
  try {
    const got = await new Promise<{ answer: string; ms: number; bytes: number; error?: string }>(
      (resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      },
    );
    if (got.error) throw new Error(got.error);
    return got;
  } finally {
    await worker.terminate();
  }
}

describe('requests over the size limits', () => {
  let server: BridgeServer;

  beforeAll(async () => {
    server = await startTestBridge({ uidBase: UID_BASE, buildUid: BUILD_UID, parallel: 1 });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('a request with 60,000 nested files is refused at once, and /api/health answers in under 200 ms throughout', async () => {
    const poller = new HealthPoller(`${server.url}/api/health`);
    // From a thread of its own, like a client on another machine: making and
    // sending 2 MB is the client's work, not the bridge's.
    const sent = await sendFromThread(
      wsUrl(server),
      `
      const files = { 'main.go': 'package main\\n\\nfunc main() {}\\n' };
      for (let i = 0; i < 60000; i++) files['d' + (i % 50) + '/e' + (i % 7) + '/f' + i + '.go'] = 'package x\\n';
      return JSON.stringify({ type: 'run', id: 'many', files });
      `,
    );
    const health = await poller.stop();
    // The bridge still builds and serves an ordinary request.
    const client = await Client.connect(wsUrl(server));
    const after = await client.run('after', 'package main\n\nfunc main() { println("fine") }\n');
    client.close();

    expect(sent.bytes).toBeGreaterThan(1_900_000);
    const error = parseServerMessage(sent.answer);
    expect(error).toMatchObject({ type: 'error', id: 'many', code: 'bad_request', field: 'files' });
    const message = error.type === 'error' ? error.message : '';
    expect(message).toContain('60001 files');
    expect(message).toContain(`at most ${REQUEST_LIMITS.files}`);
    expect(message).toContain('request limit "files"');
    expect(sent.ms).toBeLessThan(server.bridge.config.limits.buildSeconds * 1000);
    expect(health.error).toBeUndefined();
    expect(health.answers).toBeGreaterThan(0);
    expect(health.worst).toBeLessThan(200);
    expect(after.compileError ?? after.error).toBeUndefined();
  });

  test.each([
    [
      'files',
      () => {
        const files: Record<string, string> = { 'main.go': 'package main\n\nfunc main() {}\n' };
        for (let i = 0; i < REQUEST_LIMITS.files; i++) files[`x/f${i}.go`] = 'package x\n';
        return { files };
      },
      'files',
    ],
    [
      'sourceBytes',
      () => ({
        files: {
          'main.go': `package main\n\nfunc main() {}\n//${'x'.repeat(900_000)}\n`,
          'a.go': `package main\n//${'x'.repeat(900_000)}\n`,
          'b.go': `package main\n//${'x'.repeat(900_000)}\n`,
        },
      }),
      'files',
    ],
    [
      'pathDepth',
      () => ({
        files: {
          'main.go': 'package main\n\nfunc main() {}\n',
          [`${'d/'.repeat(REQUEST_LIMITS.pathDepth + 1)}deep.go`]: 'package d\n',
        },
      }),
      'files.',
    ],
  ])(
    'a request over the %s limit is refused with an error naming it',
    async (limit, make, field) => {
      const client = await Client.connect(wsUrl(server));
      const log = await client.run(`over-${limit}`, '', { code: undefined, ...make() });
      client.close();
      expect(log.error?.code).toBe('bad_request');
      expect(log.error?.field?.startsWith(field)).toBe(true);
      expect(log.error?.message).toContain(`request limit "${limit}"`);
      expect(log.statuses).toEqual([]);
    },
  );
});

ebpfDescribe()('builds with hostile binaries', () => {
  let server: BridgeServer;
  let binDir: string;
  const CACHE_BYTES = 40 * MiB;
  const BINARY_BYTES = 16 * MiB;

  beforeAll(async () => {
    const workDir = ownWorkDir('caches');
    binDir = join(workDir, 'bin');
    server = await startTestBridge({
      workDir,
      uidBase: UID_BASE,
      buildUid: BUILD_UID,
      parallel: 1,
      binaryCacheBytes: CACHE_BYTES,
      limits: { binaryBytes: BINARY_BYTES },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('the binary cache stays within its byte bound after 10 big variants', async () => {
    const client = await Client.connect(wsUrl(server));
    const sizes: number[] = [];
    for (let i = 0; i < 10; i++) {
      // About 10.5 MiB each: 10 of them are 2.5 times the bound.
      const log = await client.run(`variant-${i}`, bigBinary(10 * MiB + i, `-${i}`));
      expect(log.compileError ?? log.error).toBeUndefined();
      expect(output(log)).toBe(`big-${i} 1 ${10 * MiB + i}\n`);
      sizes.push(dirBytes(binDir));
    }
    client.close();
    expect(Math.max(...sizes)).toBeLessThanOrEqual(CACHE_BYTES);
    // It is a cache: the bound keeps what fits, not nothing.
    expect(sizes.at(-1)).toBeGreaterThan(10 * MiB);
  });

  test('a binary over the size limit ends the build with what, why and how to fix it', async () => {
    const client = await Client.connect(wsUrl(server));
    const log = await client.run('oversized', bigBinary(20 * MiB));
    client.close();
    expect(log.end).toBeUndefined();
    const message = log.compileError?.diagnostics[0]?.message ?? '';
    expect(message).toMatch(/^your program's binary is 2\d MiB; the limit here is 16 MiB/);
    expect(message).toContain('allocate them at run time with make');
  });

  test('a binary too large for the build to write gets the same advice, not the linker error', async () => {
    const client = await Client.connect(wsUrl(server));
    const log = await client.run('huge', bigBinary(300 * MiB));
    client.close();
    const message = log.compileError?.diagnostics[0]?.message ?? '';
    expect(message).toMatch(/^your program's binary is too large to build here/);
    expect(message).toContain('the limit is 16 MiB');
    expect(message).toContain('allocate them at run time with make');
    expect(message).not.toContain('no space left on device');
  });

  test('a program that imports "C" is told cgo is not available here, at its import', async () => {
    const client = await Client.connect(wsUrl(server));
    const log = await client.run(
      'cgo',
      `package main

// int add(int a, int b) { return a + b; }
import "C"

import "fmt"

func main() { fmt.Println(C.add(1, 2)) }
`,
    );
    client.close();
    expect(log.compileError?.diagnostics).toEqual([
      {
        file: 'main.go',
        line: 4,
        column: 8,
        message: expect.stringMatching(/^cgo is not available here/) as unknown as string,
      },
    ]);
  });
});

ebpfDescribe()('a binary a run is about to start', () => {
  let server: BridgeServer;

  beforeAll(async () => {
    // Nothing is kept once a run is over: every binary is over the bounds as soon as it is built.
    server = await startTestBridge({
      workDir: ownWorkDir('pins'),
      uidBase: UID_BASE,
      buildUid: BUILD_UID,
      parallel: 2,
      binaryCacheEntries: 0,
      binaryCacheBytes: 0,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('is never evicted before its run is over, even by a cache bounded to nothing', async () => {
    const client = await Client.connect(wsUrl(server));
    const program = (n: number): string => `package main

import (
	"fmt"
	"time"
)

func main() {
	time.Sleep(300 * time.Millisecond)
	fmt.Println("run ${n}")
}
`;
    // Two at once: each one's build evicts whatever is not pinned.
    const logs = await Promise.all([0, 1, 2, 3].map((n) => client.run(`pinned-${n}`, program(n))));
    client.close();
    for (const [n, log] of logs.entries()) {
      expect(log.compileError ?? log.error).toBeUndefined();
      expect(log.end).toMatchObject({ reason: 'exit', exitCode: 0 });
      expect(output(log)).toBe(`run ${n}\n`);
    }
  });
});

describe('the caches on real files', () => {
  const root = join(tmpdir(), `slowmo-hostile-build-files-${process.pid}`);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('the binary cache evicts the least recently used, never a pinned one, within its bytes', async () => {
    const dir = join(root, 'bin');
    const cache = new BinaryCache(dir, { entries: 100, bytes: 3 * MiB });
    await cache.init();
    const made = join(root, 'made');
    await fs.mkdir(made, { recursive: true });
    const add = async (key: string): Promise<{ path: string; release: () => void }> => {
      await fs.writeFile(join(made, key), Buffer.alloc(MiB));
      return cache.add(key, join(made, key));
    };
    const first = await add('first');
    for (const key of ['a', 'b', 'c', 'd']) (await add(key)).release();
    // Over the bound all along, but the pinned one stays.
    expect(existsSync(first.path)).toBe(true);
    expect((await cache.usage()).bytes).toBeLessThanOrEqual(3 * MiB);
    expect(readdirSync(dir).sort()).toEqual(['c', 'd', 'first']);
    // Found again: pinned by the lookup itself, before anything else may evict it.
    const again = await cache.lookup('c');
    expect(again?.path).toBe(join(dir, 'c'));
    first.release();
    (await add('e')).release();
    await cache.settled();
    expect(readdirSync(dir).sort()).toEqual(['c', 'd', 'e']);
    again?.release();
  });

  test('the Go build cache is trimmed to its bound, only when no build uses it', async () => {
    const dir = join(root, 'gocache');
    // A real Go cache's layout: entries in two-hex-digit directories, named <hash>-a and <hash>-d.
    for (let i = 0; i < 40; i++) {
      const sub = join(dir, i.toString(16).padStart(2, '0'));
      await fs.mkdir(sub, { recursive: true });
      await fs.writeFile(join(sub, `${'ab'.repeat(32)}${i}-d`), Buffer.alloc(MiB));
      await fs.writeFile(join(sub, `${'cd'.repeat(32)}${i}-a`), 'v1 entry\n');
      const when = new Date(Date.now() - (40 - i) * 60_000);
      await fs.utimes(join(sub, `${'ab'.repeat(32)}${i}-d`), when, when);
    }
    await fs.writeFile(join(dir, 'README'), 'not an entry');
    const cache = new GoBuildCache(dir, 10 * MiB, () => {}, 0);

    const one = await cache.enter();
    const two = await cache.enter();
    one(); // Over the bound: a trim is due, but the other build still reads the cache.
    await cache.measured();
    let thirdIn = false;
    const third = cache.enter().then((leave) => {
      thirdIn = true;
      return leave;
    });
    expect(await goCacheBytes(dir)).toBeGreaterThan(40 * MiB);
    expect(thirdIn).toBe(false);
    two();
    (await third)();
    await cache.settled();
    expect(thirdIn).toBe(true);
    const left = await goCacheBytes(dir);
    expect(left).toBeLessThanOrEqual(10 * MiB);
    expect(left).toBeGreaterThan(5 * MiB);
    // The newest stayed, and what is not an entry was left alone.
    expect(existsSync(join(dir, '27', `${'ab'.repeat(32)}39-d`))).toBe(true);
    expect(existsSync(join(dir, '00', `${'ab'.repeat(32)}0-d`))).toBe(false);
    expect(existsSync(join(dir, 'README'))).toBe(true);
  });
});

describe('messages a learner reads', () => {
  test('the build memory limit is said right at 2 GiB and beyond (no 32-bit overflow)', () => {
    expect(buildOutOfMemory(2048 * MiB)).toContain('limit 2048 MiB');
    expect(buildOutOfMemory(4096 * MiB)).toContain('limit 4096 MiB');
  });

  test('import "C" is found alone or in an import block, and not elsewhere', () => {
    expect(cgoImport({ 'main.go': 'package main\n\nimport (\n\t"fmt"\n\t"C"\n)\n' })).toMatchObject(
      { file: 'main.go', line: 5, column: 2 },
    );
    expect(
      cgoImport({ 'a.go': 'package main\n', 'b.go': 'package main\nimport "C"\n' }),
    ).toMatchObject({ file: 'b.go', line: 2, column: 8 });
    expect(cgoImport({ 'main.go': 'package main\n\nimport "fmt"\n\n// "C"\n' })).toBeUndefined();
  });
});

describe('the build sizes from the environment', () => {
  const CLI = join(__dirname, '..', 'bin', 'slowmo.js');

  test('slowmo serve takes SLOWMO_BINARY_MIB into /api/info', async () => {
    const serve = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
      env: {
        ...process.env,
        SLOWMO_BINARY_MIB: '12',
        SLOWMO_BINARY_CACHE_MIB: '100',
        SLOWMO_BUILD_CACHE_MIB: '1000',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let said = '';
        serve.stderr.on('data', (d: Buffer) => {
          said += d.toString();
          const m = /listens on (http\S+)/.exec(said);
          if (m) resolve(m[1]!);
        });
        serve.once('exit', () => reject(new Error(`slowmo serve ended: ${said}`)));
      });
      const info = (await (await fetch(`${url}/api/info`)).json()) as {
        limits: Record<string, number>;
      };
      expect(info.limits.binaryBytes).toBe(12 * MiB);
    } finally {
      serve.kill('SIGTERM');
    }
  });

  test.each([
    ['SLOWMO_BINARY_MIB', '0.5', /binaryBytes/],
    ['SLOWMO_BINARY_CACHE_MIB', 'lots', /SLOWMO_BINARY_CACHE_MIB=lots: give MiB/],
    ['SLOWMO_BUILD_CACHE_MIB', '-1', /SLOWMO_BUILD_CACHE_MIB=-1: give MiB/],
  ])('%s=%s is refused at start, naming it', (name, value, said) => {
    const r = spawnSync(process.execPath, [CLI, 'serve', '--port', '0'], {
      env: { ...process.env, [name]: value },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(said);
  });
});
