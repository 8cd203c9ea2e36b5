/**
 * The run's clocks on a fake clock: a record run's wall limit counts all its
 * time; a paced run's counts only what the learner let the program run
 * (steps to their event, line steps to their line, resume, and speed less
 * the pacer's hold), and a paced run left paused and untouched ends `idle`.
 * The real probe and socket are in bridge-paced.test.ts.
 */
import { LimitsSchema } from '../src/config';
import {
  explainEnding,
  EndingSchema,
  parseServerMessage,
  type EndReason,
  type SlowmoEvent,
} from '../src/protocol';
import { parsePacerCommand, RunClock, type ClockLimit, type PacedEvent } from '../src/run-clock';
import { RunLimits } from '../src/run-limits';
import { script } from './support/events';
import { statesOf } from './support/recordings';

const WALL = 10_000;
const IDLE = 60_000;

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

function clock(pace?: number): { c: RunClock; hits: ClockLimit[]; at: () => number } {
  const hits: ClockLimit[] = [];
  const t0 = Date.now();
  const c = new RunClock({
    wallMs: WALL,
    idleMs: IDLE,
    ...(pace !== undefined ? { pace } : {}),
    onLimit: (l) => hits.push(l),
    now: () => Date.now(),
  });
  return { c, hits, at: () => Date.now() - t0 };
}

const ev: PacedEvent = { kind: 'gc' };
const line = (goid: number, n: number): PacedEvent => ({
  kind: 'line',
  goid,
  file: 'main.go',
  line: n,
});

function command(c: RunClock, text: string): void {
  const parsed = parsePacerCommand(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  c.command(parsed);
}

test('a record run: all its time counts, and it times out at the wall limit, never idle', () => {
  const { c, hits } = clock();
  jest.advanceTimersByTime(WALL - 1);
  expect(hits).toEqual([]);
  jest.advanceTimersByTime(1);
  expect(hits).toEqual(['timeout']);
  c.dispose();
});

test('paused, nothing counts; untouched for the idle limit it ends idle', () => {
  const { c, hits } = clock(0);
  jest.advanceTimersByTime(IDLE - 1);
  expect(c.ranMs()).toBe(0);
  expect(hits).toEqual([]);
  jest.advanceTimersByTime(1);
  expect(hits).toEqual(['idle']);
});

test('a step counts until its event comes out; the idle clock starts again at each command', () => {
  const { c, hits } = clock(0);
  jest.advanceTimersByTime(30_000);
  command(c, 'step');
  jest.advanceTimersByTime(40);
  c.delivered(ev);
  expect(c.ranMs()).toBe(40);
  // Paused again: what follows is not the program's time, and the idle limit counts from the step.
  jest.advanceTimersByTime(IDLE - 40 - 1);
  expect(c.ranMs()).toBe(40);
  expect(hits).toEqual([]);
  jest.advanceTimersByTime(1);
  expect(hits).toEqual(['idle']);
});

test('steps add up like the pacer credits them; pause drops what is left', () => {
  const { c } = clock(0);
  command(c, 'step');
  command(c, 'step');
  command(c, 'step');
  jest.advanceTimersByTime(10);
  c.delivered(ev);
  c.delivered(ev);
  jest.advanceTimersByTime(10);
  c.delivered(ev);
  jest.advanceTimersByTime(1000);
  expect(c.ranMs()).toBe(20);
  command(c, 'step');
  command(c, 'pause');
  jest.advanceTimersByTime(1000);
  expect(c.ranMs()).toBe(20);
  c.dispose();
});

test('three steps, 40 s of reading, resume: only the running counts, up to the wall limit', () => {
  const { c, hits, at } = clock(0);
  for (let i = 0; i < 3; i++) {
    command(c, 'step');
    jest.advanceTimersByTime(5);
    c.delivered(ev);
    jest.advanceTimersByTime(13_000);
  }
  expect(c.ranMs()).toBe(15);
  command(c, 'resume');
  const resumedAt = at();
  jest.advanceTimersByTime(WALL - 16);
  expect(hits).toEqual([]);
  jest.advanceTimersByTime(1);
  expect(hits).toEqual(['timeout']);
  expect(at() - resumedAt).toBe(WALL - 15);
});

test('at a speed, the pacer holding each event back does not count; a program slower than the hold is charged the rest', () => {
  const { c, hits } = clock(2); // 2 events/s: each event held 500 ms after the one before
  // A program that makes its events at once, delivered every 500 ms for a minute.
  for (let i = 0; i < 120; i++) {
    c.delivered(ev);
    jest.advanceTimersByTime(500);
  }
  expect(c.ranMs()).toBe(0);
  expect(hits).toEqual([]);
  // One that took 1.5 s to make the next one: 1 s beyond the hold.
  c.delivered(ev);
  jest.advanceTimersByTime(1500);
  c.delivered(ev);
  expect(c.ranMs()).toBe(1000);
  // One that makes no more events (sleeps for ever): the hold, then the rest of the limit.
  jest.advanceTimersByTime(500 + WALL - 1000 - 1);
  expect(hits).toEqual([]);
  jest.advanceTimersByTime(1);
  expect(hits).toEqual(['timeout']);
});

test('a line step runs until a goroutine reaches another line, or its bound of events', () => {
  const { c } = clock(0);
  c.delivered(line(1, 10)); // seen before the step (delivered while it ran)
  command(c, 'stepline');
  jest.advanceTimersByTime(5);
  c.delivered(ev);
  c.delivered(line(1, 10)); // the same line again: a loop of one line goes on
  jest.advanceTimersByTime(5);
  c.delivered(line(1, 11)); // another line: paused there
  jest.advanceTimersByTime(1000);
  expect(c.ranMs()).toBe(10);

  command(c, 'stepline 2');
  jest.advanceTimersByTime(5);
  c.delivered(ev);
  c.delivered(line(1, 11)); // the bound: paused though no new line came
  jest.advanceTimersByTime(1000);
  expect(c.ranMs()).toBe(15);
  c.dispose();
});

test('commands the probe would refuse are refused, with the reason', () => {
  expect(parsePacerCommand('speed 0')).toMatch(/above 0/);
  expect(parsePacerCommand('speed 2000000')).toMatch(/at most/);
  expect(parsePacerCommand('stepline 0')).toMatch(/1 to/);
  expect(parsePacerCommand('stepline 1.5')).toMatch(/1 to/);
  expect(parsePacerCommand('step 2')).toMatch(/unknown command/);
  expect(parsePacerCommand('jump')).toMatch(/unknown command/);
  expect(parsePacerCommand('speed 2.5')).toEqual({ verb: 'speed', value: 2.5 });
  expect(parsePacerCommand('stepline')).toEqual({ verb: 'stepline', bound: 2000 });
});

describe('RunLimits with the clock', () => {
  const limits = LimitsSchema.parse({ wallSeconds: WALL / 1000, idleSeconds: IDLE / 1000 });

  function guard(paced?: { pace: number }): { g: RunLimits; stops: EndReason[] } {
    const stops: EndReason[] = [];
    const g = new RunLimits(limits, null, (r) => stops.push(r), paced);
    return { g, stops };
  }
  const gc: SlowmoEvent = { seq: 0, t: 0, kind: 'gc', m: 0, p: 0, g: 0, phase: 'mark' };

  test('the idle limit is a config key with a default of 15 minutes and a bound', () => {
    expect(LimitsSchema.parse({}).idleSeconds).toBe(900);
    expect(LimitsSchema.safeParse({ idleSeconds: 86_401 }).success).toBe(false);
    expect(LimitsSchema.safeParse({ idleSeconds: 0 }).success).toBe(false);
  });

  test('a paced run left alone stops idle, naming the limit the end message carries', () => {
    const { g, stops } = guard({ pace: 0 });
    g.start();
    jest.advanceTimersByTime(IDLE);
    expect(stops).toEqual(['idle']);
    expect(g.endReason('stopped', -1)).toBe('idle');
    const limit = g.limitFor('idle');
    expect(limit).toEqual({ name: 'idleSeconds', value: IDLE / 1000, unit: 's' });
    // The end message takes it.
    const end = parseServerMessage(
      JSON.stringify({
        type: 'end',
        id: 'r',
        exitCode: -1,
        reason: 'idle',
        lost: 0,
        stats: { events: 3 },
        limit,
      }),
    );
    expect(end).toMatchObject({ reason: 'idle', limit });
  });

  test('commands sent before run.start count from the start, as the probe reads them then', () => {
    const { g, stops } = guard({ pace: 0 });
    expect(g.command('step')).toBeUndefined();
    expect(g.command('speed 0')).toMatch(/above 0/);
    g.start();
    jest.advanceTimersByTime(3);
    g.admit(gc);
    expect(g.ranMs()).toBe(3);
    g.admit(gc); // an event no step asked for (on its way before a pause) changes nothing
    jest.advanceTimersByTime(IDLE - 4);
    expect(stops).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(stops).toEqual(['idle']);
  });

  test('a record run times out at the wall limit as before', () => {
    const { g, stops } = guard();
    g.start();
    jest.advanceTimersByTime(WALL);
    expect(stops).toEqual(['timeout']);
    expect(g.limitFor('timeout')).toEqual({ name: 'wallSeconds', value: WALL / 1000, unit: 's' });
  });
});

test('an idle ending tells the learner what happened, in minutes', () => {
  const s = script().start(1);
  s.create(1, { parent: 0 }).put(1, 'runnext', 0, 'create').run(1, 0);
  s.add('run.end', { exitCode: -1, signal: 'SIGKILL', lost: 0, reason: 'idle' });
  const ending = explainEnding(s.events, statesOf(s.events).at(-1)!, {
    limits: { wallSeconds: 20 },
    limit: { name: 'idleSeconds', value: 900, unit: 's' },
  })!;
  EndingSchema.parse(ending);
  expect(ending.kind).toBe('stopped');
  expect(ending.title).toBe('Stopped: paused for 15 min with nobody stepping it');
});

describe('the recorder says the program does not run (slowmo-probe --clock-fd): held for back-pressure, or ended', () => {
  test('a record run: the time it is held, or after its end, does not count against the wall limit', () => {
    const { c, hits } = clock();
    jest.advanceTimersByTime(4000);
    c.hold(true);
    jest.advanceTimersByTime(30_000); // three wall limits, held
    expect(c.ranMs()).toBe(4000);
    expect(hits).toEqual([]);
    expect(c.held).toBe(false); // held by the recorder is not waiting for a command
    c.hold(false);
    jest.advanceTimersByTime(WALL - 4000 - 1);
    expect(hits).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(hits).toEqual(['timeout']);
  });

  test('after the program has ended, the time its last events take to pass does not count', () => {
    const { c, hits } = clock();
    jest.advanceTimersByTime(WALL - 1000);
    c.hold(true); // it ended; the events wait for a slow client
    jest.advanceTimersByTime(WALL);
    expect(hits).toEqual([]);
    expect(c.ranMs()).toBe(WALL - 1000);
    c.dispose();
  });

  test('held past the idle limit (nobody reads its events) it ends idle; the idle clock starts at each hold', () => {
    const { c, hits } = clock();
    c.hold(true);
    jest.advanceTimersByTime(IDLE - 1000);
    c.hold(false);
    jest.advanceTimersByTime(1000);
    c.hold(true);
    jest.advanceTimersByTime(IDLE - 1);
    expect(hits).toEqual([]);
    expect(c.ranMs()).toBe(1000);
    jest.advanceTimersByTime(1);
    expect(hits).toEqual(['idle']);
  });

  test('a report that comes before run.start holds the clock from its start', () => {
    const limits = LimitsSchema.parse({ wallSeconds: WALL / 1000, idleSeconds: IDLE / 1000 });
    const stops: EndReason[] = [];
    const g = new RunLimits(limits, null, (r) => stops.push(r));
    g.programRuns(false);
    g.start();
    jest.advanceTimersByTime(WALL * 2);
    expect(stops).toEqual([]);
    expect(g.ranMs()).toBe(0);
    g.programRuns(true);
    jest.advanceTimersByTime(WALL);
    expect(stops).toEqual(['timeout']);
    g.dispose();
  });

  test('an idle ending of a run held for its unread events says so, not that it was paused', () => {
    const s = script().start(1);
    s.create(1, { parent: 0 }).put(1, 'runnext', 0, 'create').run(1, 0);
    s.add('run.end', {
      exitCode: -1,
      signal: 'SIGKILL',
      lost: 0,
      reason: 'idle',
      throttledMs: 900_000,
    });
    const ending = explainEnding(s.events, statesOf(s.events).at(-1)!, {
      limit: { name: 'idleSeconds', value: 900, unit: 's' },
    })!;
    EndingSchema.parse(ending);
    expect(ending.kind).toBe('stopped');
    expect(ending.title).toBe('Stopped: its events went unread for 15 min');
  });
});
