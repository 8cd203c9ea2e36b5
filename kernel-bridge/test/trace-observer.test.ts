/**
 * The trace backend's observer effect stays bounded (issue 15), through a
 * real bridge and its sandbox: a program that makes events faster than the
 * bridge takes them is slowed by the probe (back-pressure) instead of
 * leaving its trace to be read for tens of seconds after it, and the
 * runtime's own churn (a background sweeper yielding thousands of times
 * after a collection) does not reach the recording the learner steps
 * through. The programs are bpf/internal/trace/testdata's, whose Go tests
 * check the same at the probe.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BridgeServer } from '../src/server/app';
import { apply, initialState, isRuntimeEvent, type SlowmoEvent } from '../src/protocol';
import { Client, PROBE, startTestBridge, wsUrl } from './support/bridge';
import { guardedDescribe } from './support/guard';

jest.setTimeout(120_000);

const TESTDATA = path.join(__dirname, '..', '..', 'bpf', 'internal', 'trace', 'testdata');
const PROCS = 2;

function source(name: string): string {
  return readFileSync(path.join(TESTDATA, `${name}.go`), 'utf8');
}

/** The program's own time: built with go, run alone (best of two). */
function plainMs(name: string): number {
  const dir = mkdtempSync(path.join(tmpdir(), `slowmo-plain-${name}-`));
  writeFileSync(path.join(dir, 'main.go'), source(name));
  writeFileSync(path.join(dir, 'go.mod'), 'module prog\n\ngo 1.22\n');
  execFileSync('go', ['build', '-o', 'prog', '.'], {
    cwd: dir,
    env: { ...process.env, CGO_ENABLED: '0' },
  });
  let best = Infinity;
  for (let i = 0; i < 2; i++) {
    const start = performance.now();
    const run = spawnSync(path.join(dir, 'prog'), {
      env: { ...process.env, GOMAXPROCS: String(PROCS) },
    });
    expect(run.status).toBe(0);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

function end(events: readonly SlowmoEvent[]): Extract<SlowmoEvent, { kind: 'run.end' }> {
  const last = events[events.length - 1];
  if (last?.kind !== 'run.end') throw new Error(`the recording ends with ${last?.kind}`);
  return last;
}

const canRun = process.getuid?.() === 0 && existsSync(PROBE);
guardedDescribe(canRun ? undefined : `needs root (the sandbox) and ${PROBE} (make -C bpf)`)(
  'the trace backend, watched through the bridge',
  () => {
    let server: BridgeServer;
    let client: Client;
    beforeAll(async () => {
      server = await startTestBridge({ parallel: 1 });
      client = await Client.connect(wsUrl(server));
    });
    afterAll(async () => {
      client?.close();
      await server?.close();
    });

    test.each(['owner', 'fanout'])(
      '%s ends with its own exit, nothing lost, and says how long it was stopped',
      async (name) => {
        const plain = plainMs(name);
        const log = await client.run(`${name}-${Date.now()}`, source(name), {
          backend: 'trace',
          gomaxprocs: PROCS,
        });
        const last = end(log.events);
        // run.start to run.end, on the probe's clock: sandbox start and the drain included.
        const traced = last.t / 1e6;
        const ratio = traced / plain;
        console.log(
          `${name}: plain ${plain.toFixed(0)} ms, traced ${traced.toFixed(0)} ms (x${ratio.toFixed(2)}; issue 15's goal x3); ` +
            `${log.events.length} events, stopped ${last.throttledMs ?? 0} ms for back-pressure`,
        );
        // Before, the owner ran into the wall limit (reason timeout, loss unknown).
        expect(last).toMatchObject({ exitCode: 0, reason: 'exit', lost: 0 });
        expect(last.throttledMs).toEqual(expect.any(Number));
        // No bound on the ratio here: through this bridge (its client in the same
        // process) on two shared cores the owner took x1.6-x7 in most runs and up
        // to x30 in some (bpf/internal/trace/throttle.go says why). The probe's
        // Go test bounds it with a reader of known speed; make bench prints it.
      },
    );

    test("the runtime's churn after a collection stays out of the recording", async () => {
      const log = await client.run(`sweep-${Date.now()}`, source('sweep'), {
        backend: 'trace',
        gomaxprocs: PROCS,
      });
      expect(end(log.events)).toMatchObject({ exitCode: 0, reason: 'exit' });
      let state = initialState();
      let runtime = 0;
      for (const e of log.events) {
        if (isRuntimeEvent(e, state)) runtime++;
        state = apply(state, e);
      }
      const shown = log.events.length - runtime;
      console.log(
        `sweep: ${log.events.length} events, ${shown} shown, ${runtime} the runtime's own`,
      );
      // Before, bgsweep's yields made 20,000-40,000 events of a recording the learner sees 150 of.
      expect(runtime).toBeLessThan(3 * shown);
    });
  },
);
