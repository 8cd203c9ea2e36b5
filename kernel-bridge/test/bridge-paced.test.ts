/**
 * Slow motion takes as long as the learner likes: over a real WebSocket,
 * with real builds and the real probe (eBPF), a paced run's wall-clock
 * limit counts only the time its program was allowed to run, and a paced
 * run left paused and untouched ends `idle` and gives its slot back. Record
 * runs still meet the wall limit as before.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import type { BridgeServer } from '../src/server/app';
import type { ServerMessage } from '../src/protocol';
import {
  Client,
  ebpfDescribe,
  output,
  startTestBridge,
  wsUrl,
  type RunLog,
} from './support/bridge';

jest.setTimeout(180_000);

/** main hands 5 jobs to 3 workers, each of which prints what it did. */
const WORKERS = `package main

import (
	"fmt"
	"sync"
)

func main() {
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 1; w <= 3; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for j := range jobs {
				fmt.Println("job", j, "done")
			}
		}(w)
	}
	for j := 1; j <= 5; j++ {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	fmt.Println("all done")
}
`;
const WORKERS_OUTPUT = [
  'all done',
  'job 1 done',
  'job 2 done',
  'job 3 done',
  'job 4 done',
  'job 5 done',
];

const HELLO = `package main

import "fmt"

func main() {
	fmt.Println("hello")
}
`;

/** Never ends, and spends its time asleep (so the CPU limit is not what stops it). */
const SLEEPER = `package main

import (
	"fmt"
	"time"
)

func main() {
	fmt.Println("tick")
	for {
		time.Sleep(50 * time.Millisecond)
	}
}
`;

/** A client that also notes when each message arrived. */
async function timedClient(server: BridgeServer): Promise<{
  client: Client;
  when: (id: string, match: (m: ServerMessage) => boolean) => number | undefined;
}> {
  const client = await Client.connect(wsUrl(server));
  const arrivals: { at: number; msg: ServerMessage }[] = [];
  client.ws.on('message', (data) => {
    arrivals.push({ at: performance.now(), msg: JSON.parse(data.toString()) as ServerMessage });
  });
  const when = (id: string, match: (m: ServerMessage) => boolean): number | undefined =>
    arrivals.find((a) => a.msg.id === id && match(a.msg))?.at;
  return { client, when };
}

async function until(cond: () => boolean, within = 30_000): Promise<void> {
  for (let t = 0; t < within && !cond(); t += 20) await sleep(20);
  if (!cond()) throw new Error(`still waiting after ${within} ms`);
}

function lines(log: RunLog): string[] {
  return output(log).trim().split('\n').sort();
}

const isRunStart = (m: ServerMessage): boolean =>
  m.type === 'events' && m.events.some((e) => e.kind === 'run.start');

ebpfDescribe()('paced runs and the clock', () => {
  describe('a wall limit of 5 s', () => {
    const WALL = 5;
    let server: BridgeServer;
    beforeAll(async () => {
      server = await startTestBridge({
        uidBase: 64600,
        parallel: 2,
        limits: { wallSeconds: WALL, idleSeconds: 120 },
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    test('stepped 3 times, left for 20 s, then resumed: it ends with exit and all its output', async () => {
      const client = await Client.connect(wsUrl(server));
      client.send({ type: 'run', id: 'reader', code: WORKERS, mode: 'paced' });
      const log = client.log('reader');
      await until(() => log.events.length >= 1 || log.error !== undefined);
      expect(log.error).toBeUndefined();
      expect(log.events.map((e) => e.kind)).toEqual(['run.start']);
      for (let i = 1; i <= 3; i++) {
        client.send({ type: 'control', id: 'reader', action: 'step' });
        await until(() => log.events.length >= i + 1);
      }
      // The learner reads for four times the wall limit; the program waits.
      await sleep(4 * WALL * 1000);
      expect(log.end).toBeUndefined();
      expect(log.events).toHaveLength(4);

      client.send({ type: 'control', id: 'reader', action: 'resume' });
      const done = await client.finished('reader');
      client.close();
      expect(done.end).toMatchObject({ reason: 'exit', exitCode: 0, lost: 0 });
      expect(done.end?.limit).toBeUndefined();
      expect(done.events.at(-1)).toMatchObject({ kind: 'run.end', reason: 'exit' });
      expect(lines(done)).toEqual(WORKERS_OUTPUT);
      expect(done.events.map((e) => e.seq)).toEqual(done.events.map((_, i) => i));
    });
  });

  describe('an idle limit of 3 s and a wall limit of 4 s, one slot', () => {
    const IDLE = 3;
    const WALL = 4;
    let server: BridgeServer;
    beforeAll(async () => {
      server = await startTestBridge({
        uidBase: 64620,
        parallel: 1,
        limits: { wallSeconds: WALL, idleSeconds: IDLE },
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    test('/api/info reports the idle limit among the limits', async () => {
      const info = (await (await fetch(`${server.url}/api/info`)).json()) as {
        limits: Record<string, number>;
      };
      expect(info.limits).toMatchObject({ idleSeconds: IDLE, wallSeconds: WALL });
    });

    test('a paced run nobody touches ends idle, and the run waiting for its slot starts at once', async () => {
      const { client, when } = await timedClient(server);
      client.send({ type: 'run', id: 'forgotten', code: HELLO, mode: 'paced' });
      const forgotten = client.log('forgotten');
      await until(() => forgotten.events.length >= 1);
      const started = when('forgotten', isRunStart)!;
      // The next run waits for the only slot.
      client.send({ type: 'run', id: 'next', code: HELLO });
      const next = client.log('next');
      await until(() => next.statuses.some((s) => s.phase === 'queued'));
      await sleep(Math.max(0, started + IDLE * 1000 - 500 - performance.now()));
      // Paused at its start: nothing more came (what the stop lets out comes with run.end).
      expect(forgotten.events).toHaveLength(1);
      expect(forgotten.end).toBeUndefined();

      const done = await client.finished('forgotten');
      const ended = when('forgotten', (m) => m.type === 'end')!;
      expect(done.end).toMatchObject({
        reason: 'idle',
        limit: { name: 'idleSeconds', value: IDLE, unit: 's' },
      });
      expect(done.events.at(-1)).toMatchObject({ kind: 'run.end', reason: 'idle' });
      expect(ended - started).toBeGreaterThanOrEqual(IDLE * 1000 - 50);
      expect(ended - started).toBeLessThan(IDLE * 1000 + 3000);

      const after = await client.finished('next');
      client.close();
      const compiling = when('next', (m) => m.type === 'status' && m.phase === 'compiling')!;
      expect(compiling - ended).toBeLessThan(500);
      expect(after.end).toMatchObject({ reason: 'exit' });
      expect(output(after)).toBe('hello\n');
    });

    test('played at 40 events/s for longer than the wall limit, it still ends with exit: the pacer holding events back is not the program running', async () => {
      const { client, when } = await timedClient(server);
      const log = await client.run('slowly', WORKERS, { mode: 'paced', pace: 40 });
      client.close();
      expect(log.end).toMatchObject({ reason: 'exit', exitCode: 0 });
      expect(lines(log)).toEqual(WORKERS_OUTPUT);
      const took = when('slowly', (m) => m.type === 'end')! - when('slowly', isRunStart)!;
      expect(took).toBeGreaterThan(WALL * 1000);
    });

    test('a record run still ends with timeout at the wall limit', async () => {
      const { client, when } = await timedClient(server);
      const log = await client.run('endless', SLEEPER);
      client.close();
      expect(log.end).toMatchObject({
        reason: 'timeout',
        limit: { name: 'wallSeconds', value: WALL, unit: 's' },
      });
      expect(output(log)).toMatch(/^tick\n/);
      const ran = when('endless', (m) => m.type === 'end')! - when('endless', isRunStart)!;
      expect(ran).toBeGreaterThanOrEqual(WALL * 1000 - 50);
      expect(ran).toBeLessThan(WALL * 1000 + 3000);
    });

    test('a paced run let run (resume) meets the wall limit too; the idle limit does not apply to it', async () => {
      const { client, when } = await timedClient(server);
      client.send({ type: 'run', id: 'let-go', code: SLEEPER, mode: 'paced' });
      const log = client.log('let-go');
      await until(() => log.events.length >= 1);
      client.send({ type: 'control', id: 'let-go', action: 'resume' });
      const done = await client.finished('let-go');
      client.close();
      expect(done.end).toMatchObject({ reason: 'timeout' });
      expect(output(done)).toMatch(/^tick\n/);
      const ran = when('let-go', (m) => m.type === 'end')! - when('let-go', isRunStart)!;
      expect(ran).toBeGreaterThanOrEqual(WALL * 1000 - 50);
      expect(ran).toBeLessThan(WALL * 1000 + 3000);
    });
  });
});

describe('the limits from the environment (as browser tests set them)', () => {
  const CLI = path.join(__dirname, '..', 'bin', 'slowmo.js');

  test('slowmo serve takes SLOWMO_WALL_SECONDS and SLOWMO_IDLE_SECONDS into /api/info', async () => {
    const serve = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
      env: { ...process.env, SLOWMO_WALL_SECONDS: '7', SLOWMO_IDLE_SECONDS: '5' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      let said = '';
      serve.stderr.on('data', (d: Buffer) => (said += d.toString()));
      await until(() => /listens on (http\S+)/.test(said), 60_000);
      const url = /listens on (http\S+)/.exec(said)![1]!;
      const info = (await (await fetch(`${url}/api/info`)).json()) as {
        limits: Record<string, number>;
      };
      expect(info.limits).toMatchObject({ wallSeconds: 7, idleSeconds: 5 });
    } finally {
      serve.kill('SIGTERM');
    }
  });

  test('a bad value is refused at start, naming the variable', () => {
    for (const [name, value] of [
      ['SLOWMO_IDLE_SECONDS', '0'],
      ['SLOWMO_WALL_SECONDS', 'soon'],
      ['SLOWMO_IDLE_SECONDS', '100000'],
    ]) {
      const r = spawnSync(process.execPath, [CLI, 'serve', '--port', '0'], {
        env: { ...process.env, [name!]: value },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/idleSeconds|wallSeconds|SLOWMO_/);
    }
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
