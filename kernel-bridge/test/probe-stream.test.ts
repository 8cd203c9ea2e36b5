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
import {
  apply,
  initialState,
  parseEvent,
  summarize,
  Timeline,
  type SlowmoEvent,
} from '../src/protocol';
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
  // Busy programs of issue 15: nearly every event changes a run queue.
  owner: `package main

import (
	"fmt"
	"sync"
	"time"
)

type request struct {
	n     int
	reply chan int
}

func main() {
	requests := make(chan request)
	go func() {
		total := 0
		for r := range requests {
			total += r.n
			r.reply <- total
		}
	}()
	var wg sync.WaitGroup
	deadline := time.Now().Add(150 * time.Millisecond)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reply := make(chan int)
			for time.Now().Before(deadline) {
				requests <- request{1, reply}
				<-reply
			}
		}()
	}
	wg.Wait()
	fmt.Println("served")
}
`,
  pool: `package main

import (
	"fmt"
	"sync"
)

func main() {
	jobs, results := make(chan int, 16), make(chan int, 16)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				s := 0
				for i := 0; i < 200; i++ {
					s += i * j
				}
				results <- s
			}
		}()
	}
	go func() {
		for j := 0; j < 4000; j++ {
			jobs <- j
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()
	sum := 0
	for r := range results {
		sum += r
	}
	fmt.Println(sum > 0)
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

/**
 * Replays a stream through the reducer and compares, before each run queue
 * snapshot is applied, what the reducer modelled from the events with what
 * the snapshot shows. A globalq snapshot is compared where the reducer knows
 * the whole global queue (after one that left some out, it cannot).
 */
function snapshotAgreement(events: readonly SlowmoEvent[]) {
  const runqDisagree: string[] = [];
  let state = initialState();
  let runq = 0;
  let globalq = 0;
  let globalqDisagree = 0;
  for (const e of events) {
    if (e.kind === 'runq') {
      runq++;
      const p = state.procs[e.qp];
      const modelled = { runnext: p?.runnext ?? 0, goids: [...(p?.runq ?? [])] };
      const shown = { runnext: e.runnext, goids: e.goids };
      if (JSON.stringify(modelled) !== JSON.stringify(shown)) {
        runqDisagree.push(
          `seq ${e.seq} P${e.qp}: modelled ${JSON.stringify(modelled)}, runtime ${JSON.stringify(shown)}`,
        );
      }
    } else if (e.kind === 'globalq') {
      globalq++;
      const n = e.goids.length;
      const known = state.globalqMore === 0;
      const same =
        state.globalq.length === n + (e.more ?? 0) &&
        e.goids.every((goid, i) => state.globalq[i] === goid);
      if (known && !same) globalqDisagree++;
    }
    state = apply(state, e);
  }
  return { events: events.length, runq, globalq, runqDisagree, globalqDisagree };
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
      const agreement = snapshotAgreement(timeline.slice());
      expect(agreement.runq).toBeGreaterThan(0);
      expect(agreement.runqDisagree.slice(0, 5)).toEqual([]);
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

maybe('run queue snapshots on busy programs', () => {
  function record(name: string, args: string[]): SlowmoEvent[] {
    const out = execFileSync(PROBE, ['run', '--procs', '2', ...args, '--', build(name)], {
      encoding: 'utf8',
      maxBuffer: 512 << 20,
    });
    const events = out
      .trim()
      .split('\n')
      .map((line) => parseEvent(line));
    expect(events[events.length - 1]).toMatchObject({ kind: 'run.end', lost: 0, reason: 'exit' });
    return events;
  }

  test.each(['owner', 'pool'])(
    '%s: at most 5%% of the events are snapshots, and the reducer agrees with every one, also those left out',
    (name) => {
      // Every snapshot the probes take: the reducer, which by default sees
      // only those its model could not predict (and samples), already holds
      // what each shows, so leaving one out loses nothing.
      const every = snapshotAgreement(record(name, ['--all-snapshots']));
      expect(every.runq).toBeGreaterThan(every.events / 5);
      expect(every.runqDisagree.slice(0, 5)).toEqual([]);

      const sent = snapshotAgreement(record(name, []));
      const share = (sent.runq + sent.globalq) / sent.events;
      expect({ share: share <= 0.05, runq: sent.runq > 0 }).toEqual({ share: true, runq: true });
      expect(sent.runqDisagree.slice(0, 5)).toEqual([]);
    },
  );
});
