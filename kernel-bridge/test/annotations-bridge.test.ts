/**
 * The program's own annotations through the whole bridge: a Go program with
 * tasks, nested regions and logs on several goroutines, run with each
 * backend; both must say the same tasks, regions and logs (names, nesting,
 * goroutine, order on each goroutine), and the reducer and narration must
 * read them from the real streams.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  evaluateCheckpoint,
  initialState,
  narrate,
  replay,
  type CheckInput,
  type SchedState,
  type SlowmoEvent,
} from '../src/protocol';
import type { BridgeServer } from '../src/server/app';
import {
  Client,
  ebpfDescribe,
  output,
  startTestBridge,
  wsUrl,
  type RunLog,
} from './support/bridge';

jest.setTimeout(300_000);

/** The same program the probe's Go tests run on both backends. */
const PROGRAM = readFileSync(
  path.join(__dirname, '..', '..', 'bpf', 'internal', 'trace', 'testdata', 'annotate.go'),
  'utf8',
);

/**
 * Each goroutine's annotations in order, named by the function it runs (ids
 * may differ between runs), tasks by name: sorted by goroutine.
 */
function annotationView(events: readonly SlowmoEvent[]): string[] {
  const fnOf = new Map<number, string>([[1, 'main']]);
  const taskName = new Map<number, string>([[0, 'background']]);
  const per = new Map<number, string[]>();
  for (const e of events) {
    let line: string;
    if (e.kind === 'g.create' && e.goid !== 1) {
      fnOf.set(e.goid, e.fn);
      continue;
    } else if (e.kind === 'user.task') {
      if (e.begin) taskName.set(e.task, e.name);
      line = `${e.begin ? 'begins' : 'ends'} task ${e.name} in ${taskName.get(e.parent)}`;
    } else if (e.kind === 'user.region') {
      line = `${e.begin ? 'begins' : 'ends'} region ${e.name} of ${taskName.get(e.task)} at ${e.depth}`;
    } else if (e.kind === 'user.log') {
      line = `logs ${e.category}=${e.message} in ${taskName.get(e.task)}`;
    } else {
      continue;
    }
    per.set(e.g, [...(per.get(e.g) ?? []), line]);
  }
  return [...per].map(([g, lines]) => `${fnOf.get(g)}: ${lines.join('; ')}`).sort();
}

ebpfDescribe()('annotations through the bridge, on both backends', () => {
  let server: BridgeServer;
  let client: Client;
  const runs = new Map<string, Promise<RunLog>>();
  const events = async (backend: string) => (await runs.get(backend)!).events;

  beforeAll(async () => {
    server = await startTestBridge({ perConnection: 4, limits: { wallSeconds: 60 } });
    client = await Client.connect(wsUrl(server));
    for (const backend of ['ebpf', 'trace']) {
      runs.set(backend, client.run(`annotate-${backend}`, PROGRAM, { backend, gomaxprocs: 2 }));
    }
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  test('both backends say the same tasks, regions and logs on the same goroutines', async () => {
    for (const backend of ['ebpf', 'trace']) {
      const log = await runs.get(backend)!;
      expect(log.end).toMatchObject({ exitCode: 0, reason: 'exit' });
      expect(output(log)).toBe('[499500 1999000 4498500]\n');
    }
    const ebpf = annotationView(await events('ebpf'));
    const trace = annotationView(await events('trace'));
    expect(ebpf).toHaveLength(4);
    expect(ebpf).toEqual(trace);
    // Sorted: "main.handle: …" before "main: …".
    expect(ebpf[3]).toBe(
      'main: begins task batch in background; begins region fan out of batch at 0; ' +
        'ends region fan out of batch at 0; logs result=[499500 1999000 4498500] in batch; ' +
        'ends task batch in background; logs =done in background',
    );
    for (const [i, worker] of ebpf.slice(0, 3).entries()) {
      const req = `request ${i}`;
      expect(worker).toBe(
        `main.handle: begins task ${req} in batch; begins region handle of ${req} at 0; ` +
          `begins region fetch of ${req} at 1; logs rows=${1000 * (i + 1)} in ${req}; ` +
          `ends region fetch of ${req} at 1; begins region store of ${req} at 1; ` +
          `logs stage=stored in ${req}; ends region store of ${req} at 1; ` +
          `ends region handle of ${req} at 0; ends task ${req} in batch`,
      );
    }
  });

  test.each(['ebpf', 'trace'])(
    '%s: the reducer holds the open regions, and narration says them',
    async (backend) => {
      let state: SchedState = initialState();
      const said: string[] = [];
      // At each log in fetch: the regions open on its goroutine, and whether its task is open.
      const atRows: [string[] | undefined, boolean][] = [];
      for (const e of await events(backend)) {
        if (e.kind === 'user.log' && e.category === 'rows') {
          const open = state.regions.get(e.g)?.map((r) => r.name);
          atRows.push([open, state.tasks.get(e.task)?.ended === null]);
        }
        if (e.kind.startsWith('user.')) said.push(narrate(e, state));
        state = replay([e], state);
      }
      expect(atRows).toEqual(Array(3).fill([['handle', 'fetch'], true]));
      // Every region ended and every task too.
      expect(state.regions.values().flat()).toEqual([]);
      // (Task ids follow the order the workers ran in: sorted by name.)
      const tasks = state.tasks.values().map((t) => [t.name, t.ended !== null]);
      expect(tasks.sort()).toEqual([
        ['batch', true],
        ['request 0', true],
        ['request 1', true],
        ['request 2', true],
      ]);
      expect(said).toEqual(
        expect.arrayContaining([
          'g1 (main) begins task "batch"',
          expect.stringMatching(
            /^g\d+ \(handle\) begins region "fetch" in task "request 1", inside region "handle"$/,
          ),
          expect.stringMatching(/^g\d+ \(handle\) logs "stored" \("stage"\) in task "request 2"$/),
          'g1 (main) logs "done"',
        ]),
      );
    },
  );

  test.each(['ebpf', 'trace'])('%s: checkpoints can ask for regions and tasks', async (backend) => {
    const recorded = await events(backend);
    const checks: CheckInput[] = [
      { type: 'event', kind: 'user.region', where: { name: 'fetch', begin: true }, min: 3, max: 3 },
      { type: 'event', kind: 'user.log', where: { category: 'stage', message: 'stored' }, min: 3 },
      { type: 'state', metric: { name: 'inRegion', region: 'fan out' }, op: '==', value: 1 },
      { type: 'state', metric: { name: 'openTasks' }, op: '>=', value: 2 },
      { type: 'state', when: 'end', metric: { name: 'openTasks' }, op: '==', value: 0 },
    ];
    expect(checks.map((c) => evaluateCheckpoint(c, recorded))).toEqual(
      checks.map(() => expect.objectContaining({ passed: true })),
    );
    const never: CheckInput = {
      type: 'event',
      kind: 'user.region',
      where: { name: 'fetch', depth: 0 },
    };
    expect(evaluateCheckpoint(never, recorded)).toMatchObject({
      passed: false,
      reason: 'no region named "fetch" began or ended (with depth 0) (needed at least 1)',
    });
  });
});
