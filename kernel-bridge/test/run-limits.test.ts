/**
 * The limits' rules for what passes once a run is stopped: the Go runtime's
 * stack dump (SIGQUIT) passes even past the output or event limit that
 * stopped the run, as far as DUMP_BYTES past the output limit, and nothing
 * else does; the end message names the limit, and old clients' messages
 * without it still parse.
 */
import { LimitsSchema } from '../src/config';
import { parseServerMessage, type EndReason, type SlowmoEvent } from '../src/protocol';
import { DUMP_BYTES, RunLimits } from '../src/run-limits';

const OUTPUT = 4096;
const EVENTS = 100;

function guard(): { limits: RunLimits; stops: EndReason[] } {
  const stops: EndReason[] = [];
  const limits = new RunLimits(
    LimitsSchema.parse({ outputBytes: OUTPUT, events: EVENTS, wallSeconds: 20 }),
    null,
    (r) => stops.push(r),
  );
  return { limits, stops };
}

const out = (stream: 'stdout' | 'stderr', data: string): SlowmoEvent => ({
  seq: 0,
  t: 0,
  kind: 'output',
  m: -1,
  p: -1,
  g: 0,
  stream,
  data,
});
const gc: SlowmoEvent = { seq: 0, t: 0, kind: 'gc', m: 0, p: 0, g: 0, phase: 'mark' };

/** The data of what passes, '' for an event dropped. */
function passed(limits: RunLimits, e: SlowmoEvent): string {
  const a = limits.admit(e);
  return a === undefined ? '' : a.kind === 'output' ? a.data : a.kind;
}

const DUMP = 'SIGQUIT: quit\nPC=0x47a741 m=0 sigcode=0\n\ngoroutine 1 gp=0xc m=0 [running]:\n';

test('stopped at the time limit: the dump passes and counts as output', () => {
  const { limits, stops } = guard();
  expect(passed(limits, out('stdout', 'x'.repeat(1000)))).toHaveLength(1000);
  limits.hit('timeout');
  expect(stops).toEqual(['timeout']);
  expect(passed(limits, gc)).toBe('gc');
  expect(passed(limits, out('stderr', DUMP))).toBe(DUMP);
  // Within the output limit plus DUMP_BYTES, then cut.
  const rest = 'y'.repeat(OUTPUT + DUMP_BYTES);
  const more = passed(limits, out('stderr', rest));
  expect(1000 + DUMP.length + more.length).toBe(OUTPUT + DUMP_BYTES);
  expect(passed(limits, out('stderr', 'z'))).toBe('');
  expect(limits.endReason('exit', 2)).toBe('timeout');
});

test('stopped at the output limit: the flood after it is dropped, the dump is not', () => {
  const { limits, stops } = guard();
  const flood = 'line of a program that never stops talking\n';
  let said = '';
  while (stops.length === 0) said += passed(limits, out('stdout', flood));
  expect(Buffer.byteLength(said)).toBe(OUTPUT);
  expect(stops).toEqual(['output-limit']);
  expect(passed(limits, out('stdout', flood))).toBe('');
  expect(passed(limits, out('stderr', 'an error the program printed\n'))).toBe('');
  // The dump begins inside a chunk: what came before it is the flood's.
  expect(passed(limits, out('stderr', `late words\n${DUMP}`))).toBe(DUMP);
  expect(passed(limits, out('stdout', flood))).toBe('');
  const big = passed(limits, out('stderr', 'f'.repeat(2 * DUMP_BYTES)));
  expect(DUMP.length + big.length).toBe(DUMP_BYTES);
  expect(limits.endReason('exit', 2)).toBe('output-limit');
});

test('stopped at the event limit: events are dropped, the dump passes', () => {
  const { limits, stops } = guard();
  for (let i = 0; i < EVENTS; i++) expect(passed(limits, gc)).toBe('gc');
  expect(passed(limits, gc)).toBe('');
  expect(stops).toEqual(['event-limit']);
  expect(passed(limits, out('stdout', 'more'))).toBe('');
  expect(passed(limits, out('stderr', DUMP))).toBe(DUMP);
  expect(passed(limits, out('stderr', 'goroutine 2 [chan receive]:\n'))).toBe(
    'goroutine 2 [chan receive]:\n',
  );
  expect(passed(limits, gc)).toBe('');
});

test('a dump is not taken for the cause of the end', () => {
  const { limits } = guard();
  passed(limits, out('stdout', 'x'.repeat(OUTPUT + 1)));
  // Words in a goroutine's frames that would mean the process limit when the
  // program itself died of it: here the output limit stopped it.
  passed(limits, out('stderr', `${DUMP}runtime: failed to create new OS thread\n`));
  expect(limits.endReason('exit', 2)).toBe('output-limit');
});

test('without a stop, stderr that looks like a dump is ordinary output', () => {
  const { limits, stops } = guard();
  expect(passed(limits, out('stderr', DUMP))).toBe(DUMP);
  expect(passed(limits, out('stderr', 'f'.repeat(OUTPUT)))).toHaveLength(OUTPUT - DUMP.length);
  expect(stops).toEqual(['output-limit']);
});

test('each limit as the end message names it', () => {
  const { limits } = guard();
  expect(limits.limitFor('timeout')).toEqual({ name: 'wallSeconds', value: 20, unit: 's' });
  expect(limits.limitFor('cpu-limit')).toEqual({ name: 'cpuSeconds', value: 10, unit: 's' });
  expect(limits.limitFor('memory-limit')).toEqual({
    name: 'memoryBytes',
    value: 512,
    unit: 'MiB',
  });
  expect(limits.limitFor('process-limit')).toEqual({
    name: 'processes',
    value: 128,
    unit: 'processes',
  });
  expect(limits.limitFor('output-limit')).toEqual({
    name: 'outputBytes',
    value: OUTPUT,
    unit: 'bytes',
  });
  expect(limits.limitFor('event-limit')).toEqual({
    name: 'events',
    value: EVENTS,
    unit: 'events',
  });
  for (const r of ['exit', 'signal', 'stopped', 'probe-error'] as const) {
    expect(limits.limitFor(r)).toBeUndefined();
  }
});

test('the end message: limit optional, checked when there', () => {
  const end = {
    type: 'end',
    id: 'r1',
    exitCode: -1,
    reason: 'timeout',
    lost: 0,
    stats: { events: 9 },
  };
  expect(parseServerMessage(end)).toEqual(end);
  const limit = { name: 'wallSeconds', value: 20, unit: 's' };
  expect(parseServerMessage({ ...end, limit })).toEqual({ ...end, limit });
  expect(() => parseServerMessage({ ...end, limit: { ...limit, unit: 'minutes' } })).toThrow(
    /limit\.unit/,
  );
});
