import { parseEvent, type SlowmoEvent } from '@go-slowmo/kernel-bridge/protocol';

/** How every sample run begins: two Ps, P0 running runtime.main (goroutine 1). */
export function runBeginning(goVersion: string): object[] {
  return [
    {
      kind: 'run.start',
      m: -1,
      p: -1,
      g: 0,
      goVersion,
      gomaxprocs: 2,
      backend: 'ebpf',
      fidelity: { runq: true, runnext: true, steals: true, lines: false },
    },
    { kind: 'p.state', m: 0, p: 0, g: 0, state: 'running', pm: 0 },
    {
      kind: 'g.create',
      m: 0,
      p: 0,
      g: 0,
      goid: 1,
      parent: 0,
      fn: 'runtime.main',
      file: 'proc.go',
      line: 1,
    },
    { kind: 'g.running', m: 0, p: 0, g: 0, goid: 1, inheritTime: false },
  ];
}

/** A small but complete run, as the bridge would send it. */
export function sampleEvents(goroutines = 3): SlowmoEvent[] {
  const raw = runBeginning('go1.26.8');
  for (let i = 0; i < goroutines; i++) {
    const goid = 20 + i;
    raw.push(
      {
        kind: 'g.create',
        m: 0,
        p: 0,
        g: 1,
        goid,
        parent: 1,
        fn: 'main.main.func1',
        file: 'main.go',
        line: 9,
      },
      { kind: 'g.runnable', m: 0, p: 0, g: 1, goid, queue: 'runnext', qp: 0, reason: 'create' },
    );
  }
  raw.push(
    { kind: 'g.waiting', m: 0, p: 0, g: 1, goid: 1, reason: 'chan receive' },
    {
      kind: 'g.waiting',
      m: 0,
      p: 0,
      g: 1,
      goid: 1,
      reason: 'chan receive',
      file: 'main.go',
      line: 12,
    },
    { kind: 'globalq', m: 0, p: 0, g: 0, goids: [], more: 3 },
    { kind: 'output', m: -1, p: -1, g: 0, stream: 'stdout', data: 'hello\n' },
    { kind: 'run.end', m: -1, p: -1, g: 0, exitCode: 0, signal: null, lost: 0, reason: 'exit' },
  );
  return raw.map((e, seq) => parseEvent({ seq, t: seq * 1000, ...e }));
}
