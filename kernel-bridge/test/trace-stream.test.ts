/**
 * Across the parts: the unprivileged trace backend (bpf/bin/slowmo-probe
 * trace) runs real Go programs; its stream must follow this package's
 * protocol to the letter and reduce to a consistent picture. It needs no
 * privilege, only the probe binary (make -C bpf) and a go command.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEvent, summarize, Timeline } from '../src/protocol';
import { invariantViolations } from './support/invariants';
import { guardedDescribe } from './support/guard';

const PROBE = join(__dirname, '..', '..', 'bpf', 'bin', 'slowmo-probe');

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
	"syscall"
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
	ts := syscall.Timespec{Nsec: 30_000_000}
	syscall.Nanosleep(&ts, nil)
}
`,
};

/** What each program's run must show: its goroutines (go statement's line, status at the end) and output. */
const SEEN: Record<string, { workers: object[]; printed: string }> = {
  // The echo goroutine may still be finishing when main prints and exits.
  pingpong: { workers: [{ line: 7, status: expect.any(String) }], printed: 'done\n' },
  fanout: { workers: Array(64).fill({ line: 15, status: 'dead' }), printed: '' },
};

function source(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `slowmo-trace-${name}-`));
  writeFileSync(join(dir, 'main.go'), PROGRAMS[name] as string);
  writeFileSync(join(dir, 'go.mod'), 'module prog\n\ngo 1.22\n');
  return dir;
}

guardedDescribe(existsSync(PROBE) ? undefined : `no probe binary at ${PROBE} (make -C bpf)`)(
  'the trace backend speaks this protocol',
  () => {
    test.each([
      ['pingpong', 1],
      ['pingpong', 2],
      ['fanout', 2],
      ['fanout', 4],
    ])(
      '%s with GOMAXPROCS=%i: every event parses and the picture stays consistent',
      (name, procs) => {
        const out = execFileSync(
          PROBE,
          ['trace', '--procs', String(procs), '--build', source(name)],
          {
            encoding: 'utf8',
            maxBuffer: 256 << 20,
            env: { ...process.env, CGO_ENABLED: '0' },
          },
        );
        const timeline = new Timeline(256);
        for (const line of out.trim().split('\n')) timeline.append(parseEvent(line));
        const start = timeline.event(0);
        expect(start).toMatchObject({
          kind: 'run.start',
          backend: 'trace',
          fidelity: { runq: false, runnext: false, steals: false, lines: false },
        });
        const end = timeline.event(timeline.length - 1);
        expect(end).toMatchObject({ kind: 'run.end', exitCode: 0, lost: 0, reason: 'exit' });

        for (let seq = 255; seq < timeline.length; seq += 256) {
          expect({ seq, problems: invariantViolations(timeline.stateAt(seq)) }).toEqual({
            seq,
            problems: [],
          });
        }
        const final = timeline.state;
        expect(invariantViolations(final)).toEqual([]);
        // Where a goroutine was queued, and any steal, are the backend's guesses: marked so.
        const events = timeline.slice();
        const placed = events.filter((e) => e.kind === 'g.runnable' || e.kind === 'steal');
        expect(placed.length).toBeGreaterThan(0);
        expect(placed.filter((e) => e.inferred !== true)).toEqual([]);
        const unseeable = ['runq', 'globalq', 'line', 'm.state'];
        expect(events.filter((e) => unseeable.includes(e.kind))).toEqual([]);
        expect(Object.values(summarize(final).goroutines).length).toBeGreaterThan(1);
        // The program's own goroutines, each seen from its go statement (and, for the
        // fan-out, every worker finished), and what it printed.
        const workers: { line: number | undefined; status: string }[] = [];
        final.gs.forEach((g) => {
          if (g.site?.fn === 'main.main.func1')
            workers.push({ line: g.site.line, status: g.status });
        });
        const printed = events.map((e) => (e.kind === 'output' ? e.data : '')).join('');
        expect({ workers, printed }).toEqual(SEEN[name]);
      },
    );
  },
);
