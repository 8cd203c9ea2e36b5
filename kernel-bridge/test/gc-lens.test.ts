/**
 * The GC lens through the real CLI and bridge (eBPF): `slowmo run --gc` and a run request's
 * `gc: true` bring heap and marking events that parse as the protocol's and that the reducer
 * turns into the heap model; `gcExperiment` changes the build; without `gc` nothing changes. On
 * the trace backend the lens is reconstructed from heap dumps: no marking, the lists' objects and
 * frees all the same.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  colorOf,
  initialState,
  liveObject,
  narrate,
  parseEvent,
  replay,
  type SlowmoEvent,
} from '../src/protocol';
import type { BridgeServer } from '../src/server/app';
import { Client, ebpfDescribe, startTestBridge, wsUrl } from './support/bridge';

jest.setTimeout(300_000);

const ROOT = path.join(__dirname, '..', '..');
/** The probe's acceptance program: 1,000 nodes kept from a global, 500 dropped, two collections. */
const SOURCE = path.join(ROOT, 'bpf', 'internal', 'probe', 'testdata', 'gclist.go');
const PROGRAM = readFileSync(SOURCE, 'utf8');
const lineOf = (marker: string) => PROGRAM.split('\n').findIndex((l) => l.includes(marker)) + 1;

function slowmo(...args: string[]): SlowmoEvent[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'slowmo-gc-'));
  const file = path.join(dir, 'main.go');
  writeFileSync(file, PROGRAM);
  const r = spawnSync('npx', ['--no-install', 'slowmo', 'run', file, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  expect([r.status, r.stderr]).toEqual([0, '']);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => parseEvent(l));
}

/** The allocations at a line of the program, by address. */
function allocsAt(events: readonly SlowmoEvent[], line: number): number[] {
  return events.flatMap((e) => (e.kind === 'heap.alloc' && e.line === line ? [e.addr] : []));
}

/** What the heap model holds at the end: the kept nodes black, the dropped ones freed. */
function expectListsModelled(events: readonly SlowmoEvent[]): void {
  const kept = allocsAt(events, lineOf('// kept node'));
  const dropped = allocsAt(events, lineOf('// dropped node'));
  expect([kept.length, dropped.length]).toEqual([1000, 500]);
  const heap = replay(events, initialState()).heap!;
  expect(heap.cycle).toBeGreaterThanOrEqual(2);
  expect(kept.map((a) => colorOf(heap, liveObject(heap, a)!))).toEqual(kept.map(() => 'black'));
  expect(dropped.filter((a) => liveObject(heap, a) !== undefined)).toEqual([]);
  expect(heap.freed).toBeGreaterThanOrEqual(500);
}

ebpfDescribe()('the GC lens: slowmo run --gc', () => {
  test('the events parse, the model holds the lists, narration says them', () => {
    const events = slowmo('--gc', '--procs', '2');
    expect(events[0]).toMatchObject({ kind: 'run.start', backend: 'ebpf' });
    const start = events[0]!.kind === 'run.start' ? events[0] : undefined;
    expect(start?.gcLens?.maxObjects).toBe(20000);
    expect(events.at(-1)).toMatchObject({ kind: 'run.end', reason: 'exit', lost: 0 });
    const kinds = new Set(events.map((e) => e.kind));
    for (const k of ['heap.alloc', 'gc.color', 'heap.free'] as const) expect(kinds).toContain(k);
    expectListsModelled(events);
    const words = events.filter((e) => e.kind.startsWith('heap.') || e.kind.startsWith('gc.'));
    for (const e of words.slice(0, 2000)) expect(narrate(e)).toMatch(/^\S/);
  });

  test('--gc-experiment nogreenteagc builds with the per-object collector and says so', () => {
    const events = slowmo('--gc', '--gc-experiment', 'nogreenteagc', '--procs', '2');
    const start = events[0]!.kind === 'run.start' ? events[0] : undefined;
    expect(start?.gcLens).toMatchObject({ perSpan: false, experiment: 'nogreenteagc' });
    expect(events.some((e) => e.kind === 'gc.span')).toBe(false);
    expectListsModelled(events);
  });
});

ebpfDescribe()('the GC lens through the bridge', () => {
  let server: BridgeServer;
  let client: Client;

  beforeAll(async () => {
    server = await startTestBridge({ perConnection: 4, limits: { wallSeconds: 60 } });
    client = await Client.connect(wsUrl(server));
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  test('gc: true brings the heap events; without it none come', async () => {
    const [withLens, without] = await Promise.all([
      client.run('gc-on', PROGRAM, { backend: 'ebpf', gomaxprocs: 2, gc: true }),
      client.run('gc-off', PROGRAM, { backend: 'ebpf', gomaxprocs: 2 }),
    ]);
    expect(withLens.end).toMatchObject({ reason: 'exit', lost: 0 });
    expectListsModelled(withLens.events);
    expect(without.end).toMatchObject({ reason: 'exit' });
    const lensKinds = without.events.filter(
      (e) => e.kind.startsWith('heap.') || e.kind.startsWith('gc.'),
    );
    expect(lensKinds).toEqual([]);
    expect(without.events[0]).not.toHaveProperty('gcLens');
    expect(replay(without.events, initialState()).heap).toBeNull();
  });
});

describe('the GC lens on the trace backend (heap dumps)', () => {
  let server: BridgeServer;
  let client: Client;

  beforeAll(async () => {
    server = await startTestBridge({ perConnection: 2, limits: { wallSeconds: 60 } });
    client = await Client.connect(wsUrl(server));
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  test('gc: true brings the heap reconstructed from dumps: the kept list lives, the dropped one is freed, no colour', async () => {
    const log = await client.run('gc-trace', PROGRAM, {
      backend: 'trace',
      gomaxprocs: 2,
      gc: true,
    });
    expect(log.end).toMatchObject({ reason: 'exit' });
    const events = log.events;
    expect(events[0]).toMatchObject({
      kind: 'run.start',
      backend: 'trace',
      gcLens: { source: 'dumps', perSpan: false },
    });
    expect(events.filter((e) => e.kind === 'gc.color' || e.kind === 'gc.span')).toEqual([]);
    const moments = events.flatMap((e) => (e.kind === 'heap.dump' ? [e.moment] : []));
    expect(moments.slice(0, 3)).toEqual(['start', 'before-gc', 'after-gc']);
    expect(moments.at(-1)).toBe('end');
    const kept = allocsAt(events, lineOf('// kept node'));
    const dropped = allocsAt(events, lineOf('// dropped node'));
    expect([kept.length, dropped.length]).toEqual([1000, 500]);
    const heap = replay(events, initialState()).heap!;
    expect(heap.lens?.source).toBe('dumps');
    expect(heap.dump?.moment).toBe('end');
    expect(heap.size?.goal).toBeGreaterThan(0);
    expect(kept.filter((a) => liveObject(heap, a) === undefined)).toEqual([]);
    // An address of a dropped node may hold a new object by the end: freed at least once since.
    const freedAt = new Set(events.flatMap((e) => (e.kind === 'heap.free' ? [e.addr] : [])));
    expect(dropped.filter((a) => !freedAt.has(a))).toEqual([]);
    for (const e of events.filter((e) => e.kind.startsWith('heap.')).slice(0, 500)) {
      expect(narrate(e)).toMatch(/^\S/);
    }
  });
});
