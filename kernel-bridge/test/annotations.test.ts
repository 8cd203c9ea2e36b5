/**
 * The program's own annotations (user.task, user.region, user.log): what the
 * reducer keeps of them, how narration says them, and their checkpoint words.
 */
import {
  countSentence,
  evaluateCheckpoint,
  initialState,
  narrate,
  parseEvent,
  replay,
  USER_DEPTH_MAX,
  type CheckInput,
  USER_MESSAGE_MAX,
  USER_NAME_MAX,
  type SchedState,
  type SlowmoEvent,
} from '../src/protocol';
import { script, type Script } from './support/events';

/** g1 runs main, makes task 1 "request 3", and g7 works in it inside two regions. */
function requestScript(): Script {
  const s = script().start(1).create(1, { parent: 0 }).run(1, 0).create(7).run(7, 0);
  s.add('user.task', { begin: true, task: 1, parent: 0, name: 'request 3', g: 1 });
  s.add('user.region', { begin: true, task: 1, name: 'handle', depth: 0, g: 7 });
  s.add('user.region', { begin: true, task: 1, name: 'fetch', depth: 1, g: 7 });
  s.add('user.log', { task: 1, category: 'stage', message: 'fetched 12 rows', g: 7 });
  return s;
}

/** Each event's sentence with the state just before it. */
function sentences(events: readonly SlowmoEvent[]): string[] {
  let state: SchedState = initialState();
  return events.map((e) => {
    const text = narrate(e, state);
    state = replay([e], state);
    return text;
  });
}

test('the reducer keeps every task and the regions open on each goroutine, outermost first', () => {
  const s = requestScript();
  let state = replay(s.events, initialState());
  expect(state.tasks.get(1)).toMatchObject({ name: 'request 3', parent: 0, g: 1, ended: null });
  expect(state.regions.get(7)?.map((r) => [r.task, r.name])).toEqual([
    [1, 'handle'],
    [1, 'fetch'],
  ]);
  expect(state.regions.get(1) ?? []).toEqual([]);

  s.add('user.region', { begin: false, task: 1, name: 'fetch', depth: 1, g: 7 });
  state = replay(s.events, initialState());
  expect(state.regions.get(7)?.map((r) => r.name)).toEqual(['handle']);

  s.add('user.task', { begin: false, task: 1, parent: 0, name: 'request 3', g: 1 });
  state = replay(s.events, initialState());
  expect(state.tasks.get(1)?.ended).toBe(s.events.length - 1);
});

test("a region's depth is authoritative: a missed end does not shift the rest", () => {
  const s = requestScript();
  // The end of "fetch" was lost: the next region at depth 1 replaces it.
  s.add('user.region', { begin: true, task: 1, name: 'store', depth: 1, g: 7 });
  expect(
    replay(s.events, initialState())
      .regions.get(7)
      ?.map((r) => r.name),
  ).toEqual(['handle', 'store']);
  // Ending the outer region closes everything above it.
  s.add('user.region', { begin: false, task: 1, name: 'handle', depth: 0, g: 7 });
  expect(replay(s.events, initialState()).regions.get(7)).toEqual([]);
});

test('a goroutine that exits leaves no region open', () => {
  const s = requestScript();
  s.add('g.exit', { goid: 7, g: 7 });
  expect(replay(s.events, initialState()).regions.get(7)).toEqual([]);
});

test('the end of a task whose begin was not seen is kept, ended', () => {
  const s = script().start(1);
  s.add('user.task', { begin: false, task: 4, parent: 0, name: '', g: 1 });
  expect(replay(s.events, initialState()).tasks.get(4)).toMatchObject({ ended: 1, name: '' });
});

test('narration says tasks, regions and logs in plain words', () => {
  const s = requestScript();
  s.add('user.task', { begin: true, task: 2, parent: 1, name: 'lookup', g: 7 });
  s.add('user.region', { begin: false, task: 1, name: 'fetch', depth: 1, g: 7 });
  s.add('user.log', { task: 0, category: '', message: 'no task', g: 1 });
  s.add('user.task', { begin: false, task: 2, parent: 1, name: 'lookup', g: 7 });
  s.add('user.region', { begin: true, task: 9, name: 'r', depth: 0, g: 1 });
  const said = sentences(s.events).slice(5);
  expect(said).toEqual([
    'g1 (main) begins task "request 3"',
    'g7 (worker) begins region "handle" in task "request 3"',
    'g7 (worker) begins region "fetch" in task "request 3", inside region "handle"',
    'g7 (worker) logs "fetched 12 rows" ("stage") in task "request 3"',
    'g7 (worker) begins task "lookup", part of task "request 3"',
    'g7 (worker) ends region "fetch" in task "request 3"',
    'g1 (main) logs "no task"',
    'g7 (worker) ends task "lookup"',
    // A task never seen is said by its id.
    'g1 (main) begins region "r" in task 9',
  ]);
});

test('checkpoint patterns on annotations read as sentences', () => {
  expect(
    countSentence({ kind: 'user.region', where: { begin: true, name: 'fetch', task: 1 } }, 3),
  ).toBe('3 regions named "fetch" began in task 1');
  expect(countSentence({ kind: 'user.task', where: { begin: false } }, 0)).toBe('no task ended');
  expect(countSentence({ kind: 'user.log', where: { category: 'stage' } }, 2)).toBe(
    '2 log messages were logged in category "stage"',
  );
});

test('checkpoints count goroutines inside a region and the open tasks', () => {
  const s = requestScript();
  s.add('user.region', { begin: true, task: 0, name: 'fetch', depth: 0, g: 1 });
  const inFetch = {
    type: 'state',
    metric: { name: 'inRegion', region: 'fetch' },
    op: '>=',
  } as const;
  expect(evaluateCheckpoint({ ...inFetch, value: 2 }, s.events)).toMatchObject({
    passed: true,
    reason: 'the number of goroutines inside region "fetch" was at least 2 at event 10 (it was 2)',
  });
  expect(evaluateCheckpoint({ ...inFetch, value: 3 }, s.events)).toMatchObject({ passed: false });
  const anyRegion: CheckInput = {
    type: 'state',
    when: 'end',
    metric: { name: 'inRegion' },
    op: '==',
    value: 2,
  };
  expect(evaluateCheckpoint(anyRegion, s.events)).toMatchObject({ passed: true });
  s.add('user.task', { begin: false, task: 1, parent: 0, name: 'request 3', g: 1 });
  const tasks = { type: 'state', metric: { name: 'openTasks' }, op: '==', value: 0 } as const;
  expect(evaluateCheckpoint({ ...tasks, when: 'end' }, s.events)).toMatchObject({
    passed: true,
    reason: 'at the end the number of open tasks was 0 (needed exactly 0)',
  });
  expect(evaluateCheckpoint({ ...tasks, value: 1, when: 'always' }, s.events)).toMatchObject({
    passed: false,
  });
});

test('strings and depths past their limits are refused: a producer must cut them', () => {
  const ctx = { seq: 0, t: 0, m: 0, p: 0, g: 7 };
  const name = 'x'.repeat(USER_NAME_MAX);
  const message = 'y'.repeat(USER_MESSAGE_MAX);
  const region = { ...ctx, kind: 'user.region', begin: true, task: 1, name, depth: 0 };
  expect(() => parseEvent(region)).not.toThrow();
  expect(() => parseEvent({ ...region, name: `${name}x` })).toThrow(/name/);
  expect(() => parseEvent({ ...region, depth: USER_DEPTH_MAX - 1 })).not.toThrow();
  expect(() => parseEvent({ ...region, depth: USER_DEPTH_MAX })).toThrow(/depth/);
  const log = { ...ctx, kind: 'user.log', task: 0, category: name, message };
  expect(() => parseEvent(log)).not.toThrow();
  expect(() => parseEvent({ ...log, message: `${message}y` })).toThrow(/message/);
  expect(() =>
    parseEvent({ ...ctx, kind: 'user.task', begin: true, task: 0, parent: 0, name: '' }),
  ).toThrow(/task/);
});
