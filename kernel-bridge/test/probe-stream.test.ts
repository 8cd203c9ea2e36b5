/**
 * Across the parts: the eBPF probe engine (bpf/bin/slowmo-probe) runs real Go
 * programs, and its stream must follow this package's protocol to the letter
 * and reduce to a consistent picture. Needs eBPF: skipped where it cannot load,
 * except in CI, where that is a failure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEvent, summarize, Timeline } from '../src/protocol';
import { invariantViolations } from './support/invariants';
import { guardedDescribe } from './support/guard';

const PROBE = join(__dirname, '..', '..', 'bpf', 'bin', 'slowmo-probe');
const check = spawnSync(PROBE, ['check'], { encoding: 'utf8' });
const maybe = guardedDescribe(
  check.status === 0
    ? undefined
    : `eBPF is unavailable: ${check.stdout || check.stderr || check.error}`,
);

const PROGRAMS: Record<string, string> = {
  pingpong: `package main

import "fmt"

func main() {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	for i := 0; i < 50; i++ {
		ping <- i
		<-pong
	}
	close(ping)
	fmt.Println("done")
}
`,
  fanout: `package main

import (
	"runtime"
	"sync"
)

var sink [64]int

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 300000; j++ {
				sink[i] += j
			}
		}(i)
	}
	wg.Wait()
	runtime.GC()
}
`,
};

/** What each program's run must show: its goroutines (go statement's line, status at the end) and output. */
const SEEN: Record<string, { workers: object[]; printed: string }> = {
  // The echo goroutine may still be finishing when main prints and exits.
  pingpong: { workers: [{ line: 7, status: expect.any(String) }], printed: 'done\n' },
  fanout: { workers: Array(64).fill({ line: 14, status: 'dead' }), printed: '' },
};

function build(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `slowmo-${name}-`));
  writeFileSync(join(dir, 'main.go'), PROGRAMS[name] as string);
  writeFileSync(join(dir, 'go.mod'), 'module prog\n\ngo 1.22\n');
  execFileSync('go', ['build', '-o', join(dir, name), '.'], {
    cwd: dir,
    env: { ...process.env, CGO_ENABLED: '0' },
  });
  return join(dir, name);
}

maybe('the probe engine speaks this protocol', () => {
  test.each([
    ['pingpong', 1],
    ['pingpong', 2],
    ['fanout', 2],
    ['fanout', 4],
  ])(
    '%s with GOMAXPROCS=%i: every event parses and the picture stays consistent',
    (name, procs) => {
      const out = execFileSync(PROBE, ['run', '--procs', String(procs), '--', build(name)], {
        encoding: 'utf8',
        maxBuffer: 256 << 20,
      });
      const timeline = new Timeline(256);
      for (const line of out.trim().split('\n')) timeline.append(parseEvent(line));
      expect(timeline.event(0)?.kind).toBe('run.start');
      const end = timeline.event(timeline.length - 1);
      expect(end).toMatchObject({ kind: 'run.end', exitCode: 0, lost: 0, reason: 'exit' });

      // Consistent at every keyframe and at the end, not only at the end.
      for (let seq = 255; seq < timeline.length; seq += 256) {
        expect({ seq, problems: invariantViolations(timeline.stateAt(seq)) }).toEqual({
          seq,
          problems: [],
        });
      }
      const final = timeline.state;
      expect(invariantViolations(final)).toEqual([]);

      // The queues the reducer modelled from the events are the runtime's own:
      // before each snapshot is applied, the model already holds what it shows.
      const disagreements: string[] = [];
      let snapshots = 0;
      for (let seq = 1; seq < timeline.length; seq++) {
        const e = timeline.event(seq)!;
        if (e.kind !== 'runq') continue;
        snapshots++;
        const before = timeline.stateAt(seq - 1).procs[e.qp];
        const modelled = { runnext: before?.runnext ?? 0, goids: [...(before?.runq ?? [])] };
        if (JSON.stringify(modelled) !== JSON.stringify({ runnext: e.runnext, goids: e.goids })) {
          disagreements.push(
            `seq ${seq} P${e.qp}: modelled ${JSON.stringify(modelled)}, runtime ${JSON.stringify({ runnext: e.runnext, goids: e.goids })}`,
          );
        }
      }
      expect(snapshots).toBeGreaterThan(0);
      expect(disagreements.slice(0, 5)).toEqual([]);
      const statuses = Object.values(summarize(final).goroutines);
      expect(statuses.length).toBeGreaterThan(4);
      // The program's own goroutines, each seen from its go statement (and, for the
      // fan-out, every worker finished), and what it printed.
      const workers: { line: number | undefined; status: string }[] = [];
      final.gs.forEach((g) => {
        if (g.site?.fn === 'main.main.func1') workers.push({ line: g.site.line, status: g.status });
      });
      const printed = timeline
        .slice()
        .map((e) => (e.kind === 'output' ? e.data : ''))
        .join('');
      expect({ workers, printed }).toEqual(SEEN[name]);
    },
  );
});
