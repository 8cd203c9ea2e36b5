/**
 * Back-pressure and the run's limits, over a real socket with the real probe:
 * while the recorder holds a program stopped so as to lose none of its events
 * (a client that does not read holds the bridge back, which holds the probe
 * back), that time is not the program's. It does not count against the wall
 * limit, or a slow client would end at the time limit a program that had
 * barely run; it counts against the idle limit, so that a client that stops
 * reading altogether gives its run slot back.
 */
import { readFileSync } from 'node:fs';
import type { BridgeServer } from '../src/server/app';
import {
  Client,
  ebpfDescribe,
  processesOf,
  runUids,
  startTestBridge,
  wsUrl,
} from './support/bridge';
import { BUSY_OWNER } from './support/busy-owner';

jest.setTimeout(120_000);

const UID_BASE = 64300;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The client side of the socket, whose reading a test pauses as a stuck tab would. */
function socketOf(client: Client): import('node:net').Socket {
  return (client.ws as unknown as { _socket: import('node:net').Socket })._socket;
}

/** The program of one of the server's runs is stopped (state T): the probe holds it. */
function programStopped(server: BridgeServer): boolean {
  return processesOf(runUids(server)).some((pid) => {
    try {
      // The sandbox shows it the binary as /prog/main (backends/probe-run.ts).
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('/prog/main\0')) return false;
      return /^State:\s+T/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      return false; // gone meanwhile
    }
  });
}

/** Waits until the probe has stopped the program for back-pressure (the client reads nothing). */
async function held(server: BridgeServer): Promise<void> {
  let stopped = false;
  for (let i = 0; i < 3000 && !stopped; i++) {
    await sleep(20);
    stopped = programStopped(server);
  }
  expect(stopped).toBe(true);
}

/** Runs of the server under way (asked over HTTP: the client's own socket is not read). */
async function runsUnderWay(server: BridgeServer): Promise<number> {
  const info = (await (await fetch(`${server.url}/api/info`)).json()) as {
    queue: { running: number };
  };
  return info.queue.running;
}

ebpfDescribe()('back-pressure and the limits of a run', () => {
  describe('a wall limit of 5 s', () => {
    let server: BridgeServer;
    beforeAll(async () => {
      server = await startTestBridge({
        uidBase: UID_BASE,
        parallel: 1,
        highWaterBytes: 64 * 1024,
        limits: { wallSeconds: 5 },
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    test('a run held stopped for 6 s by a client that reads nothing outlives the wall limit and ends exit: that time is not the program’s', async () => {
      const client = await Client.connect(wsUrl(server));
      // Not read from the start, the kernel's socket buffers stay small and the run is held soon.
      socketOf(client).pause();
      let log;
      try {
        client.send({ type: 'run', id: 'held', code: BUSY_OWNER });
        await held(server);
        await sleep(6000); // longer than the wall limit
      } finally {
        socketOf(client).resume();
        log = await client.finished('held');
        client.close();
      }
      expect(log.end).toMatchObject({ reason: 'exit', exitCode: 0, lost: 0 });
      // It took longer than the limit, held stopped by the probe for part of it.
      expect(log.end?.stats.runMs).toBeGreaterThan(6000);
      expect(log.end?.stats.throttledMs).toBeGreaterThan(0);
    });
  });

  describe('an idle limit of 2 s', () => {
    let server: BridgeServer;
    beforeAll(async () => {
      server = await startTestBridge({
        uidBase: UID_BASE + 1000,
        parallel: 1,
        highWaterBytes: 64 * 1024,
        limits: { idleSeconds: 2 },
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    test('a client that stops reading for good gets its run ended idle, and the slot back', async () => {
      const client = await Client.connect(wsUrl(server));
      socketOf(client).pause();
      let busy = 1;
      let log;
      try {
        client.send({ type: 'run', id: 'unread', code: BUSY_OWNER });
        await held(server);
        // The run ends while nobody reads: the bridge gives its slot back.
        for (let i = 0; i < 600 && busy > 0; i++) {
          await sleep(50);
          busy = await runsUnderWay(server);
        }
      } finally {
        socketOf(client).resume();
        log = await client.finished('unread');
        client.close();
      }
      expect(busy).toBe(0);
      expect(log.end).toMatchObject({
        reason: 'idle',
        limit: { name: 'idleSeconds', value: 2, unit: 's' },
      });
      expect(log.events.at(-1)).toMatchObject({ kind: 'run.end', reason: 'idle' });
    });
  });
});
