/**
 * GC phases through a real bridge on both backends and every supported Go
 * (issue 21, item 5): each phase is said where the runtime sets it, with
 * the world stopped — mark inside the stop for sweep termination, mark
 * termination and off inside the stop for mark termination — and no cycle
 * is said without its stops. The program (bpf/internal/gccheck's, which
 * the Go tests run too) starts cycles by allocating on two Ps at once, so
 * that several goroutines reach the heap's trigger together, and by
 * runtime.GC.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BridgeServer } from '../src/server/app';
import { script } from './support/events';
import { gcPhaseProblems } from './support/gc-phases';
import { Client, ebpfDescribe, startTestBridge, wsUrl, type RunLog } from './support/bridge';

jest.setTimeout(300_000);

const BPF = join(__dirname, '..', '..', 'bpf');
const PROGRAM = readFileSync(join(BPF, 'internal', 'gccheck', 'testdata', 'gc.go'), 'utf8');
const VERSIONS = readFileSync(join(BPF, 'go-versions.txt'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => /^go1\.\d+/.test(l));
const CASES = VERSIONS.flatMap((v) => (['ebpf', 'trace'] as const).map((b) => [v, b] as const));

test('the check finds a phase outside its stop, a cycle without a stop, and counts cycles', () => {
  const s = script().start(2);
  const stw = (begin: boolean, reason = '') => s.add('stw', { begin, reason });
  const gc = (phase: 'sweepterm' | 'mark' | 'marktermination' | 'off') => s.add('gc', { phase });
  gc('sweepterm');
  stw(true, 'GC sweep termination');
  gc('mark');
  stw(false);
  stw(true, 'GC mark termination');
  stw(false); // more work found: marking goes on
  stw(true, 'GC mark termination');
  gc('marktermination');
  gc('off');
  stw(false);
  expect(gcPhaseProblems(s.events)).toEqual({ cycles: 1, problems: [] });
  // The old eBPF probes: a goroutine's gcStart that starts no cycle, and off after the world runs.
  gc('sweepterm');
  gc('mark');
  stw(true, 'GC mark termination');
  stw(false);
  gc('marktermination');
  gc('off');
  const { cycles, problems } = gcPhaseProblems(s.events);
  expect(cycles).toBe(2);
  expect(problems).toEqual([
    expect.stringMatching(/mark before the stop/),
    expect.stringMatching(/stops \(GC mark termination\) with sweepterm/),
    expect.stringMatching(/marktermination set in no stop of the world/),
    expect.stringMatching(/off set in no stop of the world/),
  ]);
});

ebpfDescribe()('GC phases through the bridge', () => {
  let server: BridgeServer;
  let client: Client;
  const runs = new Map<string, Promise<RunLog>>();

  beforeAll(async () => {
    server = await startTestBridge({ perConnection: CASES.length });
    client = await Client.connect(wsUrl(server));
    for (const [goVersion, backend] of CASES) {
      const id = `gc-${goVersion}-${backend}`;
      runs.set(id, client.run(id, PROGRAM, { backend, goVersion, gomaxprocs: 2 }));
    }
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  test.each(CASES)(
    '%s under %s: every phase inside its stop of the world',
    async (goVersion, backend) => {
      const log = await runs.get(`gc-${goVersion}-${backend}`)!;
      const start = log.events[0];
      const { cycles, problems } = gcPhaseProblems(log.events);
      expect({
        refused: log.error?.message ?? null,
        run: start?.kind === 'run.start' ? [start.goVersion, start.backend] : null,
        end: log.end && [log.end.reason, log.end.exitCode, log.end.lost],
        enoughCycles: cycles >= 3 || cycles,
        problems: problems.slice(0, 5),
      }).toEqual({
        refused: null,
        run: [goVersion, backend],
        end: ['exit', 0, 0],
        enoughCycles: true,
        problems: [],
      });
    },
  );
});
