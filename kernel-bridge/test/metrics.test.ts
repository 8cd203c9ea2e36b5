/**
 * GET /metrics over a real socket, fed by real runs: a program that exits, a
 * compile error, one the wall-clock limit kills, one refused, and runs that
 * had to queue. Every line is checked against the Prometheus text format.
 */
import type { BridgeServer } from '../src/server/app';
import { Client, ebpfDescribe, startTestBridge, wsUrl } from './support/bridge';

jest.setTimeout(180_000);

const TOKEN = 'metrics-test-token-0123456789';

const HELLO = `package main

import "fmt"

func main() {
	done := make(chan bool)
	go func() {
		fmt.Println("hello")
		done <- true
	}()
	<-done
}
`;

const SLEEPY = `package main

import "time"

func main() {
	time.Sleep(300 * time.Millisecond)
}
`;

const FOREVER = `package main

import "time"

func main() {
	for {
		time.Sleep(10 * time.Millisecond)
	}
}
`;

/** Samples by their name with labels, e.g. `slowmo_runs_ended_total{outcome="end",reason="exit"}`. */
type Samples = Map<string, number>;

/** Parses the text format strictly: anything that is not HELP, TYPE or a sample fails the test. */
function parse(text: string): { samples: Samples; types: Map<string, string> } {
  const samples: Samples = new Map();
  const types = new Map<string, string>();
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.trimEnd().split('\n')) {
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$/.exec(line);
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary)$/.exec(line);
    const sample =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*\})?) (-?[0-9.e+-]+)$/.exec(
        line,
      );
    if (type) types.set(type[1]!, type[2]!);
    else if (sample) {
      expect(samples.has(sample[1]!)).toBe(false);
      samples.set(sample[1]!, Number(sample[2]));
    } else if (!help) throw new Error(`not Prometheus text format: ${JSON.stringify(line)}`);
  }
  return { samples, types };
}

function get(s: Samples, name: string): number {
  const v = s.get(name);
  if (v === undefined) throw new Error(`no sample ${name}`);
  return v;
}

ebpfDescribe()('GET /metrics', () => {
  let server: BridgeServer;
  const auth = { authorization: `Bearer ${TOKEN}` };

  const scrape = async (): Promise<{ samples: Samples; types: Map<string, string> }> => {
    const res = await fetch(`${server.url}/metrics`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return parse(await res.text());
  };

  beforeAll(async () => {
    server = await startTestBridge({
      uidBase: 64300,
      parallel: 1,
      perConnection: 8,
      token: TOKEN,
      limits: { wallSeconds: 2 },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('is behind the token like the API, while /api/health stays open', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(403);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });

  test('starts at zero, with every family typed and every end reason listed', async () => {
    const { samples, types } = await scrape();
    expect(get(samples, 'slowmo_runs_started_total')).toBe(0);
    expect(get(samples, 'slowmo_runs_ended_total{outcome="end",reason="exit"}')).toBe(0);
    expect(get(samples, 'slowmo_runs_ended_total{outcome="end",reason="memory-limit"}')).toBe(0);
    expect(get(samples, 'slowmo_queue_length')).toBe(0);
    expect(get(samples, 'slowmo_runs_running')).toBe(0);
    expect(get(samples, 'slowmo_parallel_slots')).toBe(1);
    expect(types.get('slowmo_build_seconds')).toBe('histogram');
    expect(types.get('slowmo_run_seconds')).toBe('histogram');
    expect(types.get('slowmo_runs_ended_total')).toBe('counter');
    expect(get(samples, 'slowmo_bridge_resident_memory_bytes')).toBeGreaterThan(1e6);
  });

  test('counts runs by how they ended, their events, durations, queueing and kills', async () => {
    const client = await Client.connect(wsUrl(server), auth);
    try {
      const ok = await client.run('ok', HELLO, { backend: 'ebpf' });
      expect(ok.end?.reason).toBe('exit');
      const bad = await client.run('bad', 'package main\n\nfunc main() { x := 1 }\n');
      expect(bad.compileError).toBeDefined();
      const refused = await client.run('old', HELLO, { goVersion: '1.2' });
      expect(refused.error?.code).toBe('go_version');
      const killed = await client.run('killed', FOREVER, { backend: 'ebpf' });
      expect(killed.end?.reason).toBe('timeout');

      // One slot: the second and third runs wait, and the gauges show it while they do.
      client.send({ type: 'run', id: 'q1', code: SLEEPY, backend: 'ebpf' });
      client.send({ type: 'run', id: 'q2', code: SLEEPY, backend: 'ebpf' });
      client.send({ type: 'run', id: 'q3', code: SLEEPY, backend: 'ebpf' });
      const waiting = async (): Promise<Samples> => {
        for (const end = Date.now() + 30_000; Date.now() < end;) {
          const { samples } = await scrape();
          if (get(samples, 'slowmo_queue_length') === 2) return samples;
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error('the queue gauge never showed the two waiting runs (30 s)');
      };
      const during = await waiting();
      expect(get(during, 'slowmo_runs_running')).toBe(1);
      const ends = await Promise.all(['q1', 'q2', 'q3'].map((id) => client.finished(id)));
      for (const e of ends) expect(e.end?.reason).toBe('exit');

      const { samples } = await scrape();
      expect(get(samples, 'slowmo_runs_started_total')).toBe(7);
      expect(get(samples, 'slowmo_runs_ended_total{outcome="end",reason="exit"}')).toBe(4);
      expect(get(samples, 'slowmo_runs_ended_total{outcome="end",reason="timeout"}')).toBe(1);
      expect(
        get(samples, 'slowmo_runs_ended_total{outcome="compile_error",reason="compile_error"}'),
      ).toBe(1);
      expect(get(samples, 'slowmo_runs_ended_total{outcome="error",reason="go_version"}')).toBe(1);
      expect(get(samples, 'slowmo_sandbox_kills_total')).toBe(1);
      expect(get(samples, 'slowmo_queue_length')).toBe(0);
      expect(get(samples, 'slowmo_runs_running')).toBe(0);

      const streamed = [ok, killed, ...ends].reduce((n, l) => n + l.events.length, 0);
      expect(get(samples, 'slowmo_events_total')).toBe(streamed);
      const lost = [ok, killed, ...ends].reduce((n, l) => n + (l.end?.lost ?? 0), 0);
      expect(get(samples, 'slowmo_events_lost_total')).toBe(lost);

      // Builds: five programs that ran plus the compile error; runs: the five that ran.
      expect(get(samples, 'slowmo_build_seconds_count')).toBe(6);
      expect(get(samples, 'slowmo_run_seconds_count')).toBe(5);
      expect(get(samples, 'slowmo_run_seconds_sum')).toBeGreaterThan(2 + 3 * 0.3 - 0.1);
      expect(get(samples, 'slowmo_run_seconds_bucket{le="+Inf"}')).toBe(5);
      expect(get(samples, 'slowmo_run_seconds_bucket{le="0.05"}')).toBeLessThanOrEqual(
        get(samples, 'slowmo_run_seconds_bucket{le="1"}'),
      );
      expect(get(samples, 'slowmo_queue_wait_seconds_count')).toBe(6);
      // The queued runs waited for at least one SLEEPY run each.
      expect(get(samples, 'slowmo_queue_wait_seconds_sum')).toBeGreaterThan(0.5);
    } finally {
      client.close();
    }
  });
});
