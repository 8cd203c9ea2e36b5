/**
 * Step line over a real WebSocket, with real builds and the real probe
 * (eBPF): `stepline` runs a paced program until a goroutine reaches another
 * line of it, then it waits again; where there are no line events (a record
 * run, the trace backend, a run already resumed) the bridge says so at once
 * rather than wait for a line that cannot come. Also: the sysmon choice of a
 * paced run reaches the probe and comes back in run.start.
 */
import type { BridgeServer } from '../src/server/app';
import type { SlowmoEvent } from '../src/protocol';
import {
  Client,
  ebpfDescribe,
  output,
  startTestBridge,
  wsUrl,
  type RunLog,
} from './support/bridge';

jest.setTimeout(180_000);

/** main calls a worker whose loop runs lines 9 to 11 again and again. */
const WORKER = `package main

import "fmt"

func work(n int) int {
	total := 0
	for i := 0; i < n; i++ {
		total += i
		total *= 3
		total %= 1000003
	}
	return total
}

func main() {
	fmt.Println("total", work(40))
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

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean, within = 10_000): Promise<void> {
  for (let t = 0; t < within; t += 20) {
    if (ok()) return;
    await sleep(20);
  }
  throw new Error(`waited ${within} ms for ${what}`);
}

const where = (e: Extract<SlowmoEvent, { kind: 'line' }>): string => `${e.file}:${e.line}`;

/** Sends a control and waits for the bridge's refusal, which must come at once. */
async function refused(client: Client, log: RunLog, id: string): Promise<RunLog['error']> {
  const before = log.messages.filter((m) => m.type === 'error').length;
  client.send({ type: 'control', id, action: 'stepline' });
  await until(
    'the refusal of stepline',
    () => log.messages.filter((m) => m.type === 'error').length > before,
    2_000,
  );
  return log.error;
}

ebpfDescribe()('step line over WebSocket', () => {
  let server: BridgeServer;

  beforeAll(async () => {
    server = await startTestBridge({ uidBase: 64300, parallel: 2, perConnection: 8 });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('stepline after stepline lands on successive lines of the program, each delivering events', async () => {
    const client = await Client.connect(wsUrl(server));
    client.send({ type: 'run', id: 'lines', code: WORKER, mode: 'paced' });
    const log = client.log('lines');
    await until('run.start', () => log.events.length >= 1, 60_000);
    expect(log.events[0]).toMatchObject({
      kind: 'run.start',
      fidelity: { lines: true },
      paced: { sysmon: 'hide-pauses' },
    });

    // goid -> the line its last line event named, as a client keeps it.
    const at = new Map<number, string>();
    let seen = 1;
    let previous = '';
    const visits = new Map<number, number>();
    for (let i = 1; i <= 12; i++) {
      const from = seen;
      let stop: Extract<SlowmoEvent, { kind: 'line' }> | undefined;
      client.send({ type: 'control', id: 'lines', action: 'stepline' });
      await until(`stepline ${i} to reach a new line`, () => {
        for (; !stop && seen < log.events.length; seen++) {
          const e = log.events[seen]!;
          if (e.kind === 'run.end') throw new Error(`stepline ${i}: the program ended`);
          if (e.kind !== 'line') continue;
          if (at.get(e.goid) !== where(e)) stop = e;
          at.set(e.goid, where(e));
        }
        return stop !== undefined;
      });
      // It stopped on that line: nothing more comes without a command. No event can say
      // that nothing happens, so this one wait is a window of time: 400 ms of silence.
      await sleep(400);
      expect(log.events.length).toBe(seen);
      expect(seen - from).toBeGreaterThanOrEqual(1);
      expect(stop).toMatchObject({ goid: 1, file: 'main.go' });
      const here = `${stop!.goid} ${where(stop!)}`;
      expect(here).not.toBe(previous);
      previous = here;
      visits.set(stop!.line, (visits.get(stop!.line) ?? 0) + 1);
    }
    // Lines 9 and 10 are the loop's body: the steps go round it.
    expect(visits.get(9) ?? 0).toBeGreaterThanOrEqual(2);
    expect(visits.get(10) ?? 0).toBeGreaterThanOrEqual(2);

    client.send({ type: 'control', id: 'lines', action: 'resume' });
    const done = await client.finished('lines');
    client.close();
    expect(done.end).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(output(done)).toMatch(/^total \d+\n$/);
  });

  test('a paced run asked to let sysmon see the pauses says so in run.start', async () => {
    const client = await Client.connect(wsUrl(server));
    client.send({ type: 'run', id: 'see', code: WORKER, mode: 'paced', sysmon: 'see-pauses' });
    const log = client.log('see');
    await until('run.start', () => log.events.length >= 1, 60_000);
    expect(log.events[0]).toMatchObject({ kind: 'run.start', paced: { sysmon: 'see-pauses' } });
    client.send({ type: 'control', id: 'see', action: 'resume' });
    const done = await client.finished('see');
    client.close();
    expect(done.end).toMatchObject({ reason: 'exit', exitCode: 0 });
  });

  test('without line events stepline is refused at once, with a reason, and the run goes on', async () => {
    const client = await Client.connect(wsUrl(server));
    const cases = [
      { id: 'record', run: {}, says: /paced/ },
      { id: 'traced', run: { backend: 'trace' }, says: /eBPF backend/ },
      { id: 'resumed', run: { mode: 'paced', pace: 1000 }, says: /after "resume"/ },
    ];
    for (const c of cases) {
      client.send({ type: 'run', id: c.id, code: SPIN, ...c.run });
      const log = client.log(c.id);
      await until(`${c.id}: run.start`, () => log.events.length >= 1, 60_000);
      if (c.id === 'resumed') client.send({ type: 'control', id: c.id, action: 'resume' });
      expect(await refused(client, log, c.id)).toMatchObject({
        code: 'bad_control',
        field: 'action',
        message: expect.stringMatching(c.says),
      });
      expect(log.end).toBeUndefined();
      await until(`${c.id}: its output`, () => output(log).includes('spinning'), 30_000);
      client.send({ type: 'control', id: c.id, action: 'stop' });
      // Not client.finished: it takes the refusal for the run's end.
      await until(`${c.id}: its end`, () => log.end !== undefined, 30_000);
      expect(log.end?.reason).toBe('stopped');
    }
    client.close();
  });
});
