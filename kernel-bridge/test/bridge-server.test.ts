/**
 * The bridge over a real socket, with real builds and the real probe engine:
 * what a notebook (or any client) sees when it runs code, makes mistakes,
 * sends garbage, goes away mid-run, or arrives together with nine others.
 */
import type { BridgeServer } from '../src/server/app';
import { summarize, replay, initialState } from '../src/protocol';
import {
  Client,
  ebpfDescribe,
  output,
  processesOf,
  runUids,
  startTestBridge,
  wsUrl,
} from './support/bridge';
import { BUSY_OWNER, BUSY_OWNER_PRINTS, runqDisagreements } from './support/busy-owner';

jest.setTimeout(120_000);

const HELLO = `package main

import "fmt"

func main() {
	done := make(chan bool)
	go func() {
		fmt.Println("hello from a goroutine")
		done <- true
	}()
	<-done
}
`;

const SPIN = `package main

import "fmt"

func main() {
	fmt.Println("spinning")
	x := 0
	for {
		x++
	}
}
`;

const HIGH_WATER = 64 * 1024;

const PINGPONG = `package main

func main() {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	for i := 0; i < 20000; i++ {
		ping <- i
		<-pong
	}
}
`;

const UID_BASE = 64100;
const PARALLEL = 2;

ebpfDescribe()('the bridge over WebSocket', () => {
  let server: BridgeServer;

  beforeAll(async () => {
    server = await startTestBridge({
      uidBase: UID_BASE,
      parallel: PARALLEL,
      perConnection: 12,
      highWaterBytes: HIGH_WATER,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('a run streams statuses, then events from run.start to run.end in seq order, then end', async () => {
    const client = await Client.connect(wsUrl(server));
    const log = await client.run('hello', HELLO);
    client.close();

    expect(log.error).toBeUndefined();
    expect(log.statuses.map((s) => s.phase)).toEqual(
      expect.arrayContaining(['compiling', 'running', 'done']),
    );
    const kinds = log.messages.map((m) => m.type);
    expect(kinds.indexOf('end')).toBeGreaterThan(kinds.lastIndexOf('events'));
    expect(log.events.map((e) => e.seq)).toEqual(log.events.map((_, i) => i));
    expect(log.events[0]?.kind).toBe('run.start');
    expect(log.events.at(-1)?.kind).toBe('run.end');
    expect(output(log)).toBe('hello from a goroutine\n');
    // The goroutine the learner wrote is there, created at its line in the learner's file.
    const mine = log.events.find((e) => e.kind === 'g.create' && e.fn === 'main.main.func1');
    expect(mine).toMatchObject({ file: 'main.go', line: 7 });
    expect(log.end).toMatchObject({ exitCode: 0, reason: 'exit', lost: 0 });
    expect(log.end?.stats.events).toBe(log.events.length);
    // The stream reduces to a finished program: no goroutine of main left running.
    const final = summarize(replay(log.events, initialState()));
    expect(final.goroutines[String(mine?.kind === 'g.create' ? mine.goid : -1)]).toBe('dead');
  });

  test('the second run of the same program is not rebuilt; a changed one builds again', async () => {
    const client = await Client.connect(wsUrl(server));
    const unique = HELLO.replace('a goroutine', `goroutine ${process.pid}-${Date.now()}`);
    const first = await client.run('again-1', unique);
    const second = await client.run('again-2', unique);
    const changed = await client.run('again-3', unique.replace('goroutine', 'changed goroutine'));
    client.close();
    expect(first.end?.stats.cached).toBe(false);
    expect(second.end?.stats.cached).toBe(true);
    expect(second.end?.stats.compileMs).toBeLessThan(first.end!.stats.compileMs!);
    expect(changed.end?.stats.cached).toBe(false);
    expect(output(changed)).toContain('changed goroutine');
  });

  test("a compile error comes back as diagnostics on the learner's files, file:line:col", async () => {
    const client = await Client.connect(wsUrl(server));
    const log = await client.run('broken', undefined as unknown as string, {
      code: undefined,
      files: { 'main.go': 'package main\n\nfunc main() {\n\tx := 1\n\thelp()\n}\n' },
    });
    // An error in another package main imports (go stops there, before main).
    const inPackage = await client.run('broken-util', undefined as unknown as string, {
      code: undefined,
      files: {
        'main.go': 'package main\n\nimport "slowmo/util"\n\nfunc main() {\n\t_ = util.Y\n}\n',
        'util/extra.go': 'package util\n\nvar Y int = "text"\n',
      },
    });
    client.close();
    expect(inPackage.compileError?.diagnostics).toEqual([
      {
        file: 'util/extra.go',
        line: 3,
        column: 13,
        message: expect.stringContaining('cannot use "text"'),
      },
    ]);
    expect(log.end).toBeUndefined();
    const diags = log.compileError?.diagnostics ?? [];
    expect(diags).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: 'main.go',
          line: 4,
          column: 2,
          message: expect.stringContaining('declared and not used'),
        }),
        expect.objectContaining({
          file: 'main.go',
          line: 5,
          column: 2,
          message: expect.stringContaining('undefined: help'),
        }),
      ]),
    );
    for (const d of diags) expect(d.file).not.toMatch(/^\/|src\/|tmp/);
    expect(log.statuses.at(-1)?.phase).toBe('done');
  });

  test('a bad request gets an error naming the field, and the connection and server go on', async () => {
    const client = await Client.connect(wsUrl(server));
    client.send({ type: 'run', id: 'bad-1', code: 42 });
    client.send({ type: 'run', id: 'bad-2', code: 'package main', gomaxprocs: 0 });
    client.send({ type: 'run', id: 'bad 3', code: 'x' });
    const bad1 = await client.finished('bad-1');
    const bad2 = await client.finished('bad-2');
    expect(bad1.error).toMatchObject({ code: 'bad_request', field: 'code' });
    expect(bad2.error).toMatchObject({ code: 'bad_request', field: 'gomaxprocs' });
    const noId = client.nextError();
    client.send('this is not JSON');
    expect(await noId).toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('not valid JSON'),
    });
    expect((await client.finished('bad 3')).error).toMatchObject({
      code: 'bad_request',
      field: 'id',
    });

    client.send({ type: 'control', id: 'nobody', action: 'step' });
    expect((await client.finished('nobody')).error).toMatchObject({ code: 'unknown_run' });
    const unknownGo = await client.run('old-go', HELLO, { goVersion: '1.9' });
    expect(unknownGo.error).toMatchObject({ code: 'go_version', field: 'goVersion' });

    // Still healthy: the same connection runs a program.
    const ok = await client.run('after-bad', HELLO);
    expect(ok.end?.reason).toBe('exit');
    client.close();
    const health = await fetch(`${server.url}/api/health`);
    expect(await health.json()).toMatchObject({ ok: true });
  });

  test('a client that vanishes mid-run leaves no process behind', async () => {
    const uids = runUids(server);
    const client = await Client.connect(wsUrl(server));
    client.send({ type: 'run', id: 'spin', code: SPIN });
    const log = client.log('spin');
    for (let i = 0; i < 400 && !output(log).includes('spinning'); i++) await sleep(25);
    expect(output(log)).toContain('spinning');
    expect(processesOf(uids).length).toBeGreaterThan(0);

    client.vanish();
    let left = processesOf(uids);
    for (let i = 0; i < 200 && left.length > 0; i++) {
      await sleep(25);
      left = processesOf(uids);
    }
    expect(left).toEqual([]);
    // And its slot is free again.
    let running = -1;
    for (let i = 0; i < 200 && running !== 0; i++) {
      const info = (await (await fetch(`${server.url}/api/info`)).json()) as {
        queue: { running: number };
      };
      running = info.queue.running;
      if (running !== 0) await sleep(25);
    }
    expect(running).toBe(0);
  });

  test('a stop control ends a running program with reason "stopped"', async () => {
    const client = await Client.connect(wsUrl(server));
    client.send({ type: 'run', id: 'to-stop', code: SPIN });
    const log = client.log('to-stop');
    for (let i = 0; i < 400 && !output(log).includes('spinning'); i++) await sleep(25);
    client.send({ type: 'control', id: 'to-stop', action: 'stop' });
    const done = await client.finished('to-stop');
    client.close();
    expect(done.end).toMatchObject({ reason: 'stopped' });
    expect(done.events.at(-1)).toMatchObject({ kind: 'run.end', reason: 'stopped' });
  });

  test('a slow client slows the run down instead of growing the bridge; every event is delivered or counted', async () => {
    const client = await Client.connect(wsUrl(server));
    const socket = (client.ws as unknown as { _socket: import('node:net').Socket })._socket;
    const log = client.log('chatty');
    client.send({ type: 'run', id: 'chatty', code: PINGPONG });
    // Stop reading, as a tab in the background would, and watch what the
    // bridge holds for this client. The kernel's socket buffers fill first
    // (they grow only while the client reads: pause before anything came);
    // from when the bridge's own buffer passes the high-water mark, watch 1.5 s more.
    socket.pause();
    let held = 0;
    const watch = async (ms: number, enough: number): Promise<void> => {
      for (const until = Date.now() + ms; Date.now() < until && held <= enough; await sleep(5))
        for (const ws of server.app.websocketServer.clients)
          held = Math.max(held, ws.bufferedAmount);
    };
    await watch(15_000, HIGH_WATER);
    await watch(1500, 1024 * 1024);
    const endedWhilePaused = log.end !== undefined;
    socket.resume();
    await client.finished('chatty');
    client.close();
    // It stopped reading the run at the high-water mark plus the batch in
    // flight; without back-pressure the bridge holds what the run makes.
    expect(held).toBeGreaterThan(HIGH_WATER);
    expect(held).toBeLessThan(512 * 1024);
    // The run waited for the client instead of racing ahead into the bridge's memory.
    expect(endedWhilePaused).toBe(false);
    expect(log.end?.reason).toBe('exit');
    expect(log.events.map((e) => e.seq)).toEqual(log.events.map((_, i) => i));
    expect(log.end?.stats.events).toBe(log.events.length);
    expect(log.end?.stats.undelivered ?? 0).toBe(0);
    const end = log.events.at(-1);
    expect(end).toMatchObject({ kind: 'run.end', lost: log.end?.lost });
  });

  test('a client that stops reading for 2 s during a busy run slows the program instead of losing events', async () => {
    const client = await Client.connect(wsUrl(server));
    const socket = (client.ws as unknown as { _socket: import('node:net').Socket })._socket;
    const log = client.log('busy');
    client.send({ type: 'run', id: 'busy', code: BUSY_OWNER });
    // Once the program runs and its events flow, the client stops reading for 2 s.
    for (let i = 0; i < 1500 && log.events.length === 0 && !log.end; i++) await sleep(20);
    expect(log.events[0]?.kind).toBe('run.start');
    socket.pause();
    await sleep(2000);
    const endedWhilePaused = log.end !== undefined;
    socket.resume();
    await client.finished('busy');
    client.close();
    expect(endedWhilePaused).toBe(false);
    // Nothing lost, nothing undelivered: the probe stopped the program instead, and says for how long.
    expect(log.end).toMatchObject({ reason: 'exit', exitCode: 0, lost: 0 });
    expect(log.end?.stats.undelivered ?? 0).toBe(0);
    expect(log.end?.stats.throttledMs).toBeGreaterThan(0);
    expect(log.events.map((e) => e.seq)).toEqual(log.events.map((_, i) => i));
    expect(log.events.at(-1)).toMatchObject({
      kind: 'run.end',
      lost: 0,
      throttledMs: log.end?.stats.throttledMs,
    });
    expect(output(log)).toBe(BUSY_OWNER_PRINTS);
    const { snapshots, disagreements } = runqDisagreements(log.events);
    expect(snapshots).toBeGreaterThan(0);
    expect(disagreements.slice(0, 5)).toEqual([]);
  });

  test('paced: the run waits at its start, a step delivers exactly one event, resume runs it to the end', async () => {
    const client = await Client.connect(wsUrl(server));
    client.send({ type: 'run', id: 'paced', code: HELLO, mode: 'paced' }); // no pace: start paused
    const log = client.log('paced');
    const count = async (n: number, within = 10_000): Promise<void> => {
      for (let t = 0; t < within && log.events.length < n; t += 20) await sleep(20);
    };
    await count(1);
    expect(log.events.map((e) => e.kind)).toEqual(['run.start']);
    await sleep(500);
    expect(log.events).toHaveLength(1); // paused: nothing comes without a command
    for (let i = 1; i <= 3; i++) {
      client.send({ type: 'control', id: 'paced', action: 'step' });
      await count(i + 1);
      await sleep(300);
      expect(log.events.map((e) => e.seq)).toEqual(Array.from({ length: i + 1 }, (_, k) => k));
    }
    client.send({ type: 'control', id: 'paced', action: 'resume' });
    const done = await client.finished('paced');
    client.close();
    expect(done.end).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(output(done)).toBe('hello from a goroutine\n');
  });

  test('record mode refuses paced-mode controls with a reason', async () => {
    const client = await Client.connect(wsUrl(server));
    client.send({ type: 'run', id: 'rec', code: SPIN });
    const log = client.log('rec');
    for (let i = 0; i < 400 && !output(log).includes('spinning'); i++) await sleep(25);
    client.send({ type: 'control', id: 'rec', action: 'step' });
    for (let i = 0; i < 100 && !log.error; i++) await sleep(20);
    expect(log.error).toMatchObject({
      code: 'bad_control',
      message: expect.stringContaining('paced'),
    });
    client.send({ type: 'control', id: 'rec', action: 'stop' });
    // The error did not end the run; the stop does.
    for (let i = 0; i < 400 && !log.end; i++) await sleep(25);
    client.close();
    expect(log.end?.reason).toBe('stopped');
  });

  test('ten runs submitted at once all finish, in order of arrival, with their queue positions', async () => {
    const client = await Client.connect(wsUrl(server));
    const ids = Array.from({ length: 10 }, (_, i) => `batch-${i}`);
    // Different programs, so every run builds and the queue really fills.
    ids.forEach((id, i) =>
      client.send({ type: 'run', id, code: HELLO.replace('a goroutine', `goroutine ${i}`) }),
    );
    const logs = await Promise.all(ids.map((id) => client.finished(id)));
    client.close();

    for (const log of logs) {
      expect(log.error).toBeUndefined();
      expect(log.end).toMatchObject({ reason: 'exit', exitCode: 0 });
    }
    // Runs 3..10 waited; each was told its place, and its place only ever went down.
    for (let i = PARALLEL; i < ids.length; i++) {
      const positions = logs[i]!.statuses.filter((s) => s.phase === 'queued').map(
        (s) => s.position!,
      );
      expect(positions[0]).toBe(i - PARALLEL + 1);
      expect(positions).toEqual([...positions].sort((a, b) => b - a));
    }
    // They started compiling in the order they arrived.
    const compiled = client.timeline
      .filter((m) => m.type === 'status' && m.phase === 'compiling')
      .map((m) => m.id);
    expect(compiled).toEqual(ids);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
