/**
 * @jest-environment node
 *
 * The cell executor against the real bridge (started here, with real builds
 * and probes): other cells go to JupyterLab's own executor untouched;
 * Go-slowmo cells of one notebook run one at a time, in the order asked,
 * even when "Run all" asks for all at once; each ends with the saved bundle
 * and its checkpoints evaluated; a prediction not answered yet is asked for
 * first. The notebook and cell models are minimal
 * stand-ins for JupyterLab's (the browser tests use the real ones).
 */
import { startServer, makeConfig, type BridgeServer } from '@go-slowmo/kernel-bridge';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { BridgeClient } from '../src/client';
import { SlowmoCellExecutor } from '../src/executor';
import { registerAsker } from '../src/predict/asking';
import { RUN_MIME, unpack } from '../src/recording';
import { guardedDescribe } from './support/guard';

jest.setTimeout(120_000);

const PROBE = path.join(__dirname, '..', '..', 'bpf', 'bin', 'slowmo-probe');
const ebpf = spawnSync(PROBE, ['check']).status === 0 && process.getuid?.() === 0;
const maybe = guardedDescribe(ebpf ? undefined : 'eBPF is unavailable (slowmo-probe check)');

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
}

/** Just what the executor touches of a JupyterLab cell. */
function fakeCell(source: string, metadata: Record<string, unknown> = {}) {
  const outputs: Output[] = [];
  const model = {
    type: 'code',
    metadata,
    executionCount: null as number | null,
    executionState: 'idle',
    getMetadata: (k: string) => metadata[k],
    sharedModel: { getSource: () => source },
    outputs: {
      clear: () => (outputs.length = 0),
      add: (o: Output) => outputs.push(o),
      list: outputs,
    },
  };
  return { model, editor: null, outputs };
}

function fakeNotebook(cells: ReturnType<typeof fakeCell>[]) {
  return { cells: { length: cells.length, get: (i: number) => cells[i]!.model } };
}

const program = (word: string) => `package main

import "fmt"

func main() {
	done := make(chan bool)
	go func() {
		fmt.Println("${word}")
		done <- true
	}()
	<-done
}
`;

maybe('the cell executor with the real bridge', () => {
  let server: BridgeServer;
  let client: BridgeClient;

  beforeAll(async () => {
    server = await startServer(
      makeConfig({
        host: '127.0.0.1',
        port: 0,
        logLevel: 'silent',
        uidBase: 64400,
        workDir: path.join(tmpdir(), 'slowmo-bridge-tests'),
      }),
    );
    client = new BridgeClient(
      `${server.url.replace('http', 'ws')}/api/runs`,
      (u) => new WebSocket(u) as unknown as globalThis.WebSocket,
    );
  });
  afterAll(async () => {
    await server?.close();
  });

  test('plain cells go to JupyterLab; Go-slowmo cells run one at a time in order, each saved as a bundle', async () => {
    const fallback = jest.fn(async () => true);
    const executor = new SlowmoCellExecutor(client, fallback);
    const python = fakeCell('print(42)');
    const go = ['first', 'second', 'third'].map((w, i) =>
      fakeCell(program(w), {
        slowmo: {
          checkpoints: [
            {
              id: `c${i}`,
              title: 'a goroutine of mine was created',
              check: { type: 'event', kind: 'g.create', where: { fn: 'main.main.func1' }, min: 1 },
            },
            // A source check reads the cell's code, which the executor hands over with the events.
            {
              id: `s${i}`,
              title: 'it prints its word',
              check: { type: 'source', contains: [`Println("${w}")`] },
            },
          ],
        },
      }),
    );
    const cells = [python, ...go];
    const notebook = fakeNotebook(cells);
    const order: string[] = [];
    const options = (c: (typeof cells)[number]) =>
      ({
        cell: c,
        notebook,
        notebookConfig: {},
        onCellExecutionScheduled: () => {},
        onCellExecuted: ({ success }: { success: boolean }) => {
          order.push(
            `${c.model.sharedModel.getSource().includes('first') ? 'first' : c.model.sharedModel.getSource().includes('second') ? 'second' : 'third'}:${success}`,
          );
        },
      }) as never;

    // Watch the real client: when each run is sent to the bridge, and when it ends.
    const timeline: string[] = [];
    const realRun = client.run.bind(client);
    const watched = jest.spyOn(client, 'run').mockImplementation((request, handlers) => {
      const word = /Println\("(\w+)"\)/.exec(String(request.code))?.[1] ?? '?';
      timeline.push(`start ${word}`);
      return realRun(request, {
        ...handlers,
        end: (end) => {
          timeline.push(`end ${word}`);
          handlers.end(end);
        },
      });
    });

    // "Run all": every cell at once.
    const results = await Promise.all(cells.map((c) => executor.runCell(options(c))));
    watched.mockRestore();
    // Each run went to the bridge only after the one before had ended.
    expect(timeline).toEqual([
      'start first',
      'end first',
      'start second',
      'end second',
      'start third',
      'end third',
    ]);
    expect(fallback).toHaveBeenCalledTimes(1);
    expect(results).toEqual([true, true, true, true]);
    expect(order).toEqual(['first:true', 'second:true', 'third:true']);
    go.forEach((c, i) => {
      expect(c.model.executionCount).toBe(i + 1);
      expect(c.outputs).toHaveLength(1);
      const data = c.outputs[0]!.data!;
      expect(Object.keys(data).sort()).toEqual([RUN_MIME, 'image/svg+xml', 'text/plain'].sort());
      const rec = unpack(data[RUN_MIME]);
      expect(rec.end).toMatchObject({ reason: 'exit', exitCode: 0 });
      expect(rec.checkpoints).toEqual([
        expect.objectContaining({ id: `c${i}`, passed: true }),
        expect.objectContaining({ id: `s${i}`, passed: true }),
      ]);
      expect(
        rec.events
          .filter((e) => e.kind === 'output')
          .map((e) => (e.kind === 'output' ? e.data : '')),
      ).toEqual([`${['first', 'second', 'third'][i]}\n`]);
    });
  });

  test('a cell that asks for the trace backend says so in its saved output', async () => {
    const executor = new SlowmoCellExecutor(client, async () => true);
    const cell = fakeCell(program('traced'), { slowmo: { backend: 'trace' } });
    const notebook = fakeNotebook([cell]);
    const ok = await executor.runCell({
      cell,
      notebook,
      notebookConfig: {},
      onCellExecutionScheduled: () => {},
      onCellExecuted: () => {},
    } as never);
    expect(ok).toBe(true);
    const rec = unpack(cell.outputs[0]!.data![RUN_MIME]);
    expect(rec.events[0]).toMatchObject({ kind: 'run.start', backend: 'trace' });
    expect(rec.notice).toMatch(
      /execution tracer: run queue contents, runnext and steals are inferred/,
    );
  });

  test('a compile error and a malformed cell option are reported on the cell, not thrown', async () => {
    const seen: unknown[] = [];
    const executor = new SlowmoCellExecutor(client, async () => true, {
      onDiagnostics: (_c, d) => seen.push(d),
    });
    const broken = fakeCell('package main\n\nfunc main() {\n\tx := 1\n}\n', { slowmo: {} });
    const badMeta = fakeCell(program('never'), { slowmo: { gomaxprocs: 0 } });
    const notebook = fakeNotebook([broken, badMeta]);
    const opts = (c: ReturnType<typeof fakeCell>) =>
      ({
        cell: c,
        notebook,
        notebookConfig: {},
        onCellExecutionScheduled: () => {},
        onCellExecuted: () => {},
      }) as never;
    expect(await executor.runCell(opts(broken))).toBe(false);
    const rec = unpack(broken.outputs[0]!.data![RUN_MIME]);
    expect(rec.diagnostics).toEqual([
      expect.objectContaining({ file: 'main.go', line: 4, column: 2 }),
    ]);
    expect(seen.at(-1)).toEqual(rec.diagnostics);
    expect(await executor.runCell(opts(badMeta))).toBe(false);
    expect(badMeta.outputs[0]).toMatchObject({
      output_type: 'error',
      evalue: expect.stringContaining('gomaxprocs'),
    });
  });

  test('a prediction not answered is asked for first; answered, its outcome is saved with its moment', async () => {
    const executor = new SlowmoCellExecutor(client, async () => true);
    const predict = (answers: string[]) => ({
      slowmo: {
        checkpoints: [
          {
            id: 'p',
            title: 'does a goroutine start?',
            check: {
              type: 'predict',
              question: 'Does main start a goroutine?',
              choices: [
                {
                  id: 'yes',
                  label: 'yes',
                  check: { type: 'event', kind: 'g.create', where: { fn: 'main.main.func1' } },
                },
                {
                  id: 'no',
                  label: 'no',
                  check: {
                    type: 'event',
                    kind: 'g.create',
                    where: { fn: 'main.main.func1' },
                    max: 0,
                    min: 0,
                  },
                },
              ],
              answers,
            },
          },
        ],
      },
    });
    const asked = fakeCell(program('asked'), predict([]));
    asked.outputs.push({ output_type: 'stream' });
    const notebook = fakeNotebook([asked]);
    const opts = (c: ReturnType<typeof fakeCell>) =>
      ({
        cell: c,
        notebook,
        notebookConfig: {},
        onCellExecutionScheduled: () => {},
        onCellExecuted: () => {},
      }) as never;
    let asks = 0;
    registerAsker(asked, () => asks++);
    expect(await executor.runCell(opts(asked))).toBe(false);
    expect(asks).toBe(1);
    // The last run's output stays.
    expect(asked.outputs).toEqual([{ output_type: 'stream' }]);
    // Nothing to ask with (no panel): the run goes ahead, unanswered.
    const unasked = fakeCell(program('unasked'), predict([]));
    expect(await executor.runCell(opts(unasked))).toBe(true);
    const [u] = unpack(unasked.outputs[0]!.data![RUN_MIME]).checkpoints!;
    expect(u).toMatchObject({
      passed: false,
      prediction: { status: 'unanswered', actual: ['yes'] },
    });
    const answered = fakeCell(program('answered'), predict(['no', 'yes']));
    registerAsker(answered, () => asks++);
    expect(await executor.runCell(opts(answered))).toBe(true);
    expect(asks).toBe(1);
    const [o] = unpack(answered.outputs[0]!.data![RUN_MIME]).checkpoints!;
    expect(o).toMatchObject({
      passed: false,
      seq: expect.any(Number),
      prediction: { status: 'wrong', answer: 'no', answers: ['no', 'yes'], actual: ['yes'] },
    });
  });
});
