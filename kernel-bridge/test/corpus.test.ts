/**
 * The acceptance corpus (issue 15, bench/corpus.ts) through a real bridge
 * under both backends: every program must be recorded whole (`lost` 0), the
 * picture must stay consistent, every `runq` and `globalq` snapshot must show
 * what the reducer had already modelled from the events before it (every
 * move between run queues is an event), and the run must end with the
 * program's own exit status and output. The trace backend sends no snapshots
 * (the execution tracer does not see run queue contents), so only the eBPF
 * runs have snapshots to check. All runs are submitted at once; the bridge
 * runs them on its parallel slots.
 */
import os from 'node:os';
import type { BridgeServer } from '../src/server/app';
import {
  checkRecording,
  CORPUS,
  CORPUS_PROCS,
  corpusMismatch,
  corpusSource,
} from '../bench/corpus';
import {
  Client,
  ebpfDescribe,
  output,
  startTestBridge,
  wsUrl,
  type RunLog,
} from './support/bridge';
import { script } from './support/events';
import { invariantViolations } from './support/invariants';
import type { SchedState } from '../src/protocol';

// Runs wait in the bridge's queue behind the ones submitted before them. The
// bridge's own limits apply (a run that needs more than 20 s of wall time ends
// `timeout`, which fails it).
jest.setTimeout(300_000);

const BACKENDS = ['ebpf', 'trace'] as const;
const CASES = CORPUS.flatMap((p) => BACKENDS.map((b) => [p.name, b] as const));
/** How often the picture's consistency is checked along a recording (and at its end). */
const INVARIANT_EVERY = 4096;

/** Checks the picture's consistency along a recording (every INVARIANT_EVERY events and at its end). */
function invariantChecker(length: number): {
  inspect: (state: SchedState, i: number) => void;
  problems: string[];
} {
  const problems: string[] = [];
  return {
    problems,
    inspect(state, i) {
      if (problems.length > 0 || ((i + 1) % INVARIANT_EVERY !== 0 && i !== length - 1)) return;
      const found = invariantViolations(state);
      if (found.length > 0) problems.push(`after seq ${i}:`, ...found.slice(0, 3));
    },
  };
}

test('the check finds a snapshot the reducer did not model, a gap in seq, and run.end', () => {
  const s = script().start(2).create(2).put(2, 'local', 0).create(3).put(3, 'runnext', 0);
  s.add('runq', { qp: 0, runnext: 3, goids: [2] }); // as modelled
  s.add('runq', { qp: 0, runnext: 0, goids: [2, 3] }); // not: runnext went to the queue unseen
  s.add('globalq', { goids: [] }); // as modelled
  s.add('globalq', { goids: [7] }); // not
  s.add('run.end', { exitCode: 3, signal: null, lost: 0, reason: 'exit', throttledMs: 12 });
  const check = checkRecording(s.events);
  expect(check).toMatchObject({
    runq: 2,
    globalq: 2,
    disagreements: 2,
    runqDisagreements: 1,
    firstDisagreements: [
      'seq 6 P0: runnext modelled 3, runtime 0; queue modelled [2], runtime [2,3]',
      'seq 8 globalq: modelled [], runtime [7]',
    ],
    seqProblem: null,
    end: { exitCode: 3, reason: 'exit', lost: 0 },
    throttledMs: 12,
  });
  expect(checkRecording([...s.events.slice(0, 3), ...s.events.slice(4)]).seqProblem).toBe(
    'event 3 has seq 4',
  );
});

test('a long queue that disagrees is shown from its first difference', () => {
  const s = script().start(1);
  for (let g = 2; g < 22; g++) s.create(g).put(g, 'global', -1);
  const runtime = [...Array.from({ length: 18 }, (_, i) => 2 + i), 21, 20];
  s.add('globalq', { goids: runtime });
  expect(checkRecording(s.events).firstDisagreements).toEqual([
    `seq ${s.events.length - 1} globalq: modelled 20 long, [18..]: [20,21], runtime 20 long, [18..]: [21,20]`,
  ]);
});

ebpfDescribe()('the acceptance corpus, recorded through the bridge', () => {
  let server: BridgeServer;
  let client: Client;
  const runs = new Map<string, Promise<RunLog>>();
  const snapshotsChecked = { ebpf: 0, trace: 0 };

  beforeAll(async () => {
    // Completeness is what this test asks; a slow recording (the tracer on a
    // busy machine) is make bench's to measure, not a reason to time out here.
    server = await startTestBridge({
      parallel: os.cpus().length,
      perConnection: CASES.length,
      limits: { wallSeconds: 90 },
    });
    client = await Client.connect(wsUrl(server));
    for (const [name, backend] of CASES) {
      const id = `${name}-${backend}`;
      runs.set(id, client.run(id, corpusSource(name), { backend, gomaxprocs: CORPUS_PROCS }));
    }
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  test('every program in the corpus directory is listed with its ending, and only those', () => {
    expect(corpusMismatch()).toEqual({ unlisted: [], missing: [] });
    expect(CORPUS.length).toBeGreaterThanOrEqual(12);
  });

  test.each(CASES)(
    '%s under %s: nothing lost, a consistent picture, ends with its own status and output',
    async (name, backend) => {
      const program = CORPUS.find((p) => p.name === name)!;
      const log = await runs.get(`${name}-${backend}`)!;
      const invariants = invariantChecker(log.events.length);
      const check = checkRecording(log.events, invariants.inspect);
      snapshotsChecked[backend] += check.runq + check.globalq;
      const stdout = log.events
        .map((e) => (e.kind === 'output' && e.stream === 'stdout' ? e.data : ''))
        .join('');
      const got = {
        refused: log.error?.message ?? log.compileError?.diagnostics ?? null,
        backend: log.events[0]?.kind === 'run.start' ? log.events[0].backend : null,
        end: log.end && { reason: log.end.reason, exitCode: log.end.exitCode, lost: log.end.lost },
        runEnd: check.end && {
          reason: check.end.reason,
          exitCode: check.end.exitCode,
          lost: check.end.lost,
        },
        seqProblem: check.seqProblem,
        invariants: invariants.problems,
        disagreements:
          check.disagreements === 0
            ? 'none'
            : `${check.runqDisagreements} runq and ${check.disagreements - check.runqDisagreements} globalq ` +
              `snapshots the reducer did not model; first: ${check.firstDisagreements.join('; ')}`,
        stdout,
      };
      const own = { reason: 'exit', exitCode: program.exitCode, lost: 0 };
      const want = {
        refused: null,
        backend,
        end: own,
        runEnd: own,
        seqProblem: null,
        invariants: [],
        disagreements: 'none',
        stdout: program.stdout,
      };
      // On failure, the counts that say how far off the run was.
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        console.log(
          `${name} under ${backend}: ${check.events} events, ${check.runq} runq snapshots, ` +
            `${check.disagreements} disagreements, run.end ${JSON.stringify(check.end)}, ` +
            `output's end ${JSON.stringify(output(log).slice(-300))}`,
        );
      }
      // Let the recording go: the client holds every run's events until its test.
      log.events.length = 0;
      log.messages.length = 0;
      expect(got).toEqual(want);
    },
  );

  test('the eBPF runs had run-queue snapshots to check', async () => {
    await Promise.all(runs.values());
    expect(snapshotsChecked.ebpf).toBeGreaterThan(0);
  });
});
