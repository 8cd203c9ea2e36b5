import { Timeline, type SchedState } from '@go-slowmo/kernel-bridge/protocol';
import { synthetic } from '../../../kernel-bridge/bench/synthetic';
import { goroutineColor } from '../../src/picture/colors';
import { TEXT_STYLE } from '../../src/picture/palette';
import {
  METRICS,
  sceneOf,
  type Arrow,
  type GoroutineToken,
  type MoreToken,
  type Scene,
  type SceneItem,
  type ThreadToken,
} from '../../src/picture/scene';
import { script, TRACE } from './script';

function gTokens(scene: Scene): GoroutineToken[] {
  return scene.items.filter((i): i is GoroutineToken => i.kind === 'g');
}

function more(scene: Scene, group: string): MoreToken | undefined {
  return scene.items.find((i): i is MoreToken => i.kind === 'more' && i.group === group);
}

function token(scene: Scene, goid: number): GoroutineToken {
  const found = gTokens(scene).filter((t) => t.goid === goid);
  expect(found).toHaveLength(1);
  return found[0] as GoroutineToken;
}

function thread(scene: Scene, mid: number): ThreadToken {
  const found = scene.items.filter((i): i is ThreadToken => i.kind === 'm' && i.mid === mid);
  expect(found).toHaveLength(1);
  return found[0] as ThreadToken;
}

function item(scene: Scene, key: string): SceneItem {
  const found = scene.items.find((i) => i.key === key);
  if (found === undefined) throw new Error(`no item ${key}`);
  return found;
}

/** Inside the box of a frame item (centre and size). */
function inside(t: SceneItem, box: SceneItem): boolean {
  return (
    Math.abs(t.x - box.x) + t.w / 2 <= box.w / 2 + 0.01 &&
    Math.abs(t.y - box.y) + t.h / 2 <= box.h / 2 + 0.01
  );
}

/**
 * Two Ps: main (g1) running on P0 with g2 in runnext and g3..g5 queued; g6 in
 * the global queue; g7, g8 waiting on a channel and g9 asleep; g10 in a
 * syscall on M1 (which gave its P away); g11 finished; M2 spinning, M3 idle.
 */
function busy(): SchedState {
  return script()
    .start(2)
    .run(1, 0)
    .spawn(2, 'runnext')
    .spawn(3)
    .spawn(4)
    .spawn(5)
    .spawn(6, 'global')
    .spawn(7, 'local', 1)
    .spawn(8, 'local', 1)
    .spawn(9, 'local', 1)
    .spawn(10, 'local', 1)
    .spawn(11, 'local', 1)
    .run(7, 1)
    .park(7, 'chan receive', 1)
    .run(8, 1)
    .park(8, 'chan receive', 1)
    .run(9, 1)
    .park(9, 'sleep', 1)
    .run(11, 1)
    .exit(11, 1)
    .run(10, 1)
    .syscall(10, 1)
    .pState(1, 'idle', -1)
    .mState(1, 'running')
    .mState(2, 'spinning')
    .mState(3, 'idle')
    .state();
}

describe('sceneOf: places', () => {
  const scene = sceneOf(busy());

  test('the running goroutine sits in its P box, in the running slot', () => {
    const g1 = token(scene, 1);
    expect(g1.place).toEqual({ where: 'running', p: 0 });
    expect(inside(g1, item(scene, 'slot:run:0'))).toBe(true);
    expect(inside(g1, item(scene, 'p:0'))).toBe(true);
  });

  test('runnext in its slot, the local queue in order, head first, left to right', () => {
    expect(token(scene, 2).place).toEqual({ where: 'runnext', p: 0 });
    expect(inside(token(scene, 2), item(scene, 'slot:next:0'))).toBe(true);
    const queue = [3, 4, 5].map((goid) => token(scene, goid));
    queue.forEach((t, index) => {
      expect(t.place).toEqual({ where: 'local', p: 0, index });
      expect(inside(t, item(scene, 'queue:0'))).toBe(true);
    });
    expect(queue[0]!.x).toBeLessThan(queue[1]!.x);
    expect(queue[1]!.x).toBeLessThan(queue[2]!.x);
    expect(queue.every((t) => t.y === queue[0]!.y)).toBe(true);
  });

  test('the global queue in its lane', () => {
    const g6 = token(scene, 6);
    expect(g6.place).toEqual({ where: 'global', index: 0 });
    expect(inside(g6, item(scene, 'lane:global'))).toBe(true);
  });

  test('waiting goroutines grouped by wait reason and line, in the order they parked', () => {
    expect(token(scene, 7).place).toEqual({ where: 'waiting', reason: 'chan receive', index: 0 });
    expect(token(scene, 8).place).toEqual({ where: 'waiting', reason: 'chan receive', index: 1 });
    expect(token(scene, 9).place).toEqual({ where: 'waiting', reason: 'sleep', index: 0 });
    expect(inside(token(scene, 7), item(scene, 'lane:wait:chan receive · main.go:20'))).toBe(true);
    expect(inside(token(scene, 9), item(scene, 'lane:wait:sleep · main.go:20'))).toBe(true);
    const label = item(scene, 'label:wait:chan receive · main.go:20');
    expect(label.kind === 'text' && label.text).toBe('chan receive · 2');
    // Grouped by line too: where they wait, under the reason.
    const site = item(scene, 'site:wait:chan receive · main.go:20');
    expect(site.kind === 'text' && site.text).toBe('at main.go:20');
  });

  test('a goroutine in a syscall is drawn beside its M', () => {
    const g10 = token(scene, 10);
    expect(g10.place).toEqual({ where: 'syscall', m: 1, p: 1, inProc: false });
    const m1 = thread(scene, 1);
    expect(inside(g10, item(scene, 'lane:syscall'))).toBe(true);
    expect(m1.y).toBe(g10.y);
    // Beside it: the token's left edge just right of the M.
    expect(g10.x - g10.w / 2 - (m1.x + m1.w / 2)).toBeLessThan(8);
  });

  test('each M once: with its P on the box edge, else in the threads lane with its state', () => {
    const m0 = thread(scene, 0);
    const p0 = item(scene, 'p:0');
    expect(m0.x).toBeCloseTo(p0.x - p0.w / 2);
    expect(m0.y).toBeGreaterThan(p0.y - p0.h / 2);
    expect(m0.y).toBeLessThan(p0.y + p0.h / 2);
    expect(thread(scene, 2).state).toBe('spinning');
    expect(thread(scene, 3).state).toBe('idle');
    const lane = item(scene, 'lane:threads');
    expect(inside(thread(scene, 2), lane)).toBe(true);
    expect(inside(thread(scene, 3), lane)).toBe(true);
    // Spinning Ms come before idle ones.
    expect(thread(scene, 2).x).toBeLessThan(thread(scene, 3).x);
    // P1 has no M now: an empty mark says so.
    expect(scene.items.some((i) => i.key === 'nom:1')).toBe(true);
  });

  test('finished goroutines are not drawn, only counted', () => {
    expect(gTokens(scene).some((t) => t.goid === 11)).toBe(false);
    expect(scene.counts.finished).toBe(1);
    expect(scene.counts.live).toBe(10);
  });

  test('every live goroutine exactly once, each token named "g<id> <function>" in its own colour', () => {
    const goids = gTokens(scene).map((t) => t.goid);
    expect(new Set(goids).size).toBe(goids.length);
    expect(goids.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const t of gTokens(scene)) {
      expect(t.label).toBe(t.goid === 1 ? 'g1 main' : `g${t.goid} worker`);
      expect(t.fn).toBe(t.goid === 1 ? 'main.main' : 'main.worker');
      expect(t.key).toBe(`g:${t.goid}`);
      expect(t.fill).toBe(goroutineColor(t.goid));
    }
  });

  test('no two tokens overlap and everything is inside the picture', () => {
    const tokens = scene.items.filter((i) => i.kind === 'g' || i.kind === 'm' || i.kind === 'more');
    for (let i = 0; i < tokens.length; i++) {
      const a = tokens[i]!;
      expect(a.x - a.w / 2).toBeGreaterThanOrEqual(0);
      expect(a.y - a.h / 2).toBeGreaterThanOrEqual(0);
      expect(a.x + a.w / 2).toBeLessThanOrEqual(scene.width);
      expect(a.y + a.h / 2).toBeLessThanOrEqual(scene.height);
      for (let j = i + 1; j < tokens.length; j++) {
        const b = tokens[j]!;
        const apart =
          Math.abs(a.x - b.x) >= (a.w + b.w) / 2 || Math.abs(a.y - b.y) >= (a.h + b.h) / 2;
        expect(apart).toBe(true);
      }
    }
  });
});

describe('sceneOf: special places', () => {
  test('a P that keeps its M through a syscall shows the goroutine on it (Go < 1.26)', () => {
    const state = script().start(1).run(1, 0).syscall(1, 0).pState(0, 'syscall', 0).state();
    const scene = sceneOf(state);
    const g1 = token(scene, 1);
    expect(g1.place).toEqual({ where: 'syscall', m: 0, p: 0, inProc: true });
    expect(inside(g1, item(scene, 'slot:run:0'))).toBe(true);
    const caption = item(scene, 'cap:run:0');
    expect(caption.kind === 'text' && caption.text).toBe('in syscall');
    expect(thread(scene, 0)).toBeDefined();
  });

  test('Go 1.26 has no P syscall state: the M still holding the P is enough', () => {
    const scene = sceneOf(script().start(1).run(1, 0).syscall(1, 0).state());
    expect(token(scene, 1).place).toEqual({ where: 'syscall', m: 0, p: 0, inProc: true });
    // Once sysmon hands the P to another M, the goroutine stays with its own M.
    const s = script().start(1).run(1, 0).syscall(1, 0).pState(0, 'running', 5);
    const handed = sceneOf(s.state());
    expect(token(handed, 1).place).toEqual({ where: 'syscall', m: 0, p: 0, inProc: false });
    expect(thread(handed, 0).y).toBe(token(handed, 1).y);
    expect(thread(handed, 5).x).toBeCloseTo(item(handed, 'p:0').x - item(handed, 'p:0').w / 2);
  });

  test('a goroutine just created and not yet queued is in the "not in a queue" lane', () => {
    const scene = sceneOf(script().start(1).run(1, 0).create(2).state());
    expect(token(scene, 2).place).toEqual({ where: 'unqueued', p: -1 });
    expect(inside(token(scene, 2), item(scene, 'lane:unqueued'))).toBe(true);
  });

  test('GC shows a banner; stop-the-world a red banner and a wash over everything', () => {
    const base = script().start(1).run(1, 0);
    const off = sceneOf(base.state());
    expect(off.items.some((i) => i.kind === 'banner' || i.kind === 'tint')).toBe(false);
    const mark = sceneOf(base.add('gc', { phase: 'mark' }).state());
    const banner = mark.items.find((i) => i.kind === 'banner');
    expect(banner?.kind === 'banner' && banner.tone).toBe('gc');
    expect(banner?.kind === 'banner' && banner.text).toMatch(/mark/);
    expect(mark.items.some((i) => i.kind === 'tint')).toBe(false);
    const stw = sceneOf(base.add('stw', { begin: true, reason: 'GC mark termination' }).state());
    const red = stw.items.find((i) => i.kind === 'banner');
    expect(red?.kind === 'banner' && red.tone).toBe('stw');
    expect(red?.kind === 'banner' && red.text).toMatch(/Stop the world: GC mark termination/);
    const tint = stw.items.find((i) => i.kind === 'tint');
    expect(tint).toBeDefined();
    expect(tint!.w).toBe(stw.width);
    expect(tint!.h).toBe(stw.height);
    // Drawn last: over everything.
    expect(stw.items.slice(-2).map((i) => i.kind)).toEqual(['tint', 'banner']);
  });

  test("the runtime's own goroutines are greyish, main and the program's are coloured", () => {
    const state = script()
      .start(1)
      .run(1, 0)
      .create(2, { fn: 'runtime.bgsweep' })
      .put(2, 'local', 0)
      .spawn(3)
      .state();
    const scene = sceneOf(state);
    const grey = token(scene, 2);
    expect(grey.runtime).toBe(true);
    expect(grey.fill).not.toBe(goroutineColor(2));
    expect(token(scene, 1).runtime).toBe(false);
    expect(token(scene, 3).runtime).toBe(false);
    const channels = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    const spread = (hex: string) => Math.max(...channels(hex)) - Math.min(...channels(hex));
    expect(spread(grey.fill)).toBeLessThan(40);
    expect(spread(token(scene, 3).fill)).toBeGreaterThan(80);
  });

  test('the highlighted goroutine is marked', () => {
    const scene = sceneOf(busy(), { highlight: 4 });
    expect(token(scene, 4).highlighted).toBe(true);
    expect(gTokens(scene).filter((t) => t.highlighted)).toHaveLength(1);
  });
});

describe('sceneOf: many goroutines collapse with counts', () => {
  test('a long local queue shows its head and "+N" for the rest', () => {
    const s = script().start(1).run(1, 0);
    for (let goid = 2; goid <= 21; goid++) s.spawn(goid);
    const scene = sceneOf(s.state(), { maxPerQueue: 6, highlight: 20 });
    const queued = gTokens(scene).filter((t) => t.place.where === 'local');
    expect(queued.map((t) => t.goid)).toEqual([2, 3, 4, 5, 6]);
    const rest = more(scene, 'local:0');
    expect(rest?.count).toBe(15);
    expect(rest?.label).toBe('+15');
    expect(rest!.x).toBeGreaterThan(queued[4]!.x);
    // The highlighted goroutine is hidden in "+15": that token is marked instead.
    expect(rest?.highlighted).toBe(true);
    expect(scene.counts).toMatchObject({ live: 21, shown: 6, collapsed: 15 });
  });

  test('exactly full: no "+N"', () => {
    const s = script().start(1).run(1, 0);
    for (let goid = 2; goid <= 7; goid++) s.spawn(goid);
    const scene = sceneOf(s.state(), { maxPerQueue: 6 });
    expect(gTokens(scene).filter((t) => t.place.where === 'local')).toHaveLength(6);
    expect(more(scene, 'local:0')).toBeUndefined();
  });

  test('the global queue counts goroutines a truncated snapshot only numbers', () => {
    const goids = Array.from({ length: 64 }, (_, i) => i + 2);
    const s = script().start(1).run(1, 0);
    for (const goid of goids) s.create(goid);
    s.add('globalq', { goids, more: 136 });
    const scene = sceneOf(s.state());
    const shown = gTokens(scene).filter((t) => t.place.where === 'global');
    expect(shown.map((t) => t.goid)).toEqual(goids.slice(0, shown.length));
    expect(more(scene, 'global')?.count).toBe(64 + 136 - shown.length);
    const label = item(scene, 'label:global');
    expect(label.kind === 'text' && label.text).toBe('Global run queue · 200');
    expect(scene.counts.shown + scene.counts.collapsed).toBe(scene.counts.live);
  });

  test('by default a wait reason gets one row', () => {
    const s = script().start(1).run(1, 0);
    for (let goid = 2; goid <= 101; goid++) s.create(goid).run(goid, 0).park(goid, 'select');
    const scene = sceneOf(s.state());
    const waiting = gTokens(scene).filter((t) => t.place.where === 'waiting');
    expect(new Set(waiting.map((t) => t.y)).size).toBe(1);
    expect(waiting.length + more(scene, 'waiting:select · main.go:20')!.count).toBe(100);
  });

  test('hundreds waiting on one reason: the longest-waiting first, then "+N"', () => {
    const s = script().start(1).run(1, 0);
    for (let goid = 2; goid <= 301; goid++) s.create(goid).run(goid, 0).park(goid, 'chan send');
    const scene = sceneOf(s.state(), { maxWaiting: 20 });
    const waiting = gTokens(scene).filter((t) => t.place.where === 'waiting');
    expect(waiting.map((t) => t.goid)).toEqual(Array.from({ length: 19 }, (_, i) => i + 2));
    expect(more(scene, 'waiting:chan send · main.go:20')?.count).toBe(281);
    const label = item(scene, 'label:wait:chan send · main.go:20');
    expect(label.kind === 'text' && label.text).toBe('chan send · 300');
    // Rows wrap inside the lane.
    const lane = item(scene, 'lane:wait:chan send · main.go:20');
    for (const t of waiting) expect(inside(t, lane)).toBe(true);
    expect(inside(more(scene, 'waiting:chan send · main.go:20')!, lane)).toBe(true);
  });
});

describe('sceneOf: every goroutine exactly once, in a long realistic run', () => {
  test('at 200 points of a 20,000-event run with 300 goroutines', () => {
    const events = synthetic(20_000, { seed: 3, procs: 4, population: 300 });
    const timeline = Timeline.from(events);
    for (let seq = 0; seq < events.length; seq += 100) {
      const state = timeline.stateAt(seq);
      const scene = sceneOf(state, { maxPerQueue: 4, maxWaiting: 8 });
      const goids = gTokens(scene).map((t) => t.goid);
      expect(new Set(goids).size).toBe(goids.length);
      for (const goid of goids) expect(state.gs.get(goid)?.status).not.toBe('dead');
      expect(scene.counts.shown).toBe(goids.length);
      expect(scene.counts.shown + scene.counts.collapsed).toBe(scene.counts.live);
      const counted = scene.items.reduce(
        (n, i) => n + (i.kind === 'more' && i.group !== 'threads' ? i.count : 0),
        0,
      );
      expect(counted).toBe(scene.counts.collapsed);
      const mids = scene.items.filter((i) => i.kind === 'm' && i.mid >= 0).map((i) => i.key);
      expect(new Set(mids).size).toBe(mids.length);
    }
  });
});

describe('sceneOf: inferred places (trace backend)', () => {
  const state = script()
    .start(1, TRACE)
    .run(1, 0)
    .spawn(2, 'runnext')
    .spawn(3)
    .spawn(4, 'global')
    .state();
  const scene = sceneOf(state);

  test('queues and runnext are dashed and say "inferred"; the running goroutine is observed', () => {
    expect(scene.inferred).toEqual({ runq: true, runnext: true });
    expect(token(scene, 1).inferred).toBe(false);
    expect(token(scene, 2).inferred).toBe(true);
    expect(token(scene, 3).inferred).toBe(true);
    expect(token(scene, 4).inferred).toBe(true);
    for (const key of ['slot:next:0', 'queue:0', 'lane:global']) {
      const frame = item(scene, key);
      expect(frame.kind === 'frame' && frame.inferred).toBe(true);
    }
    const run = item(scene, 'slot:run:0');
    expect(run.kind === 'frame' && run.inferred).toBe(false);
    const caption = item(scene, 'cap:queue:0');
    expect(caption.kind === 'text' && caption.text).toMatch(/inferred/);
    const header = item(scene, 'header');
    expect(header.kind === 'text' && header.text).toMatch(/dashed = inferred/);
  });

  test('with full fidelity nothing is inferred', () => {
    const observed = sceneOf(busy());
    expect(observed.inferred).toEqual({ runq: false, runnext: false });
    expect(observed.items.some((i) => 'inferred' in i && i.inferred)).toBe(false);
  });
});

describe('sceneOf: stable layout', () => {
  test('the same place is at the same position in different states', () => {
    const s = script().start(2).run(1, 0).spawn(2).spawn(3);
    const before = sceneOf(s.state());
    const after = sceneOf(s.run(2, 1).state());
    // g3 moved up to the head of P0's queue, where g2 was.
    expect(token(after, 3).x).toBe(token(before, 2).x);
    expect(token(after, 3).y).toBe(token(before, 2).y);
    expect(item(after, 'p:0')).toEqual(item(before, 'p:0'));
  });

  test('before run.start: an empty picture that says so', () => {
    const scene = sceneOf(script().state());
    const header = item(scene, 'header');
    expect(header.kind === 'text' && header.text).toMatch(/waiting for the program/);
    expect(gTokens(scene)).toHaveLength(0);
  });

  test('the end of the run is told in the header', () => {
    const s = script().start(1).run(1, 0).exit(1);
    s.add('run.end', { exitCode: 3, signal: null, lost: 0, reason: 'exit' });
    const header = item(sceneOf(s.state()), 'header');
    expect(header.kind === 'text' && header.text).toMatch(/exited with code 3/);
  });
});

describe('sceneOf: what a learner reads', () => {
  test('laid out to the width it is given: Ps side by side only when they fit', () => {
    const narrow = sceneOf(busy(), { width: 600 });
    const wide = sceneOf(busy(), { width: 1300 });
    expect(narrow.width).toBe(600);
    expect(wide.width).toBe(1300);
    const [n0, n1] = [item(narrow, 'p:0'), item(narrow, 'p:1')];
    expect(n1.y).toBeGreaterThan(n0.y); // stacked
    const [w0, w1] = [item(wide, 'p:0'), item(wide, 'p:1')];
    expect(w1.y).toBe(w0.y); // side by side
    for (const scene of [narrow, wide]) {
      for (const i of scene.items) expect(i.x + i.w / 2).toBeLessThanOrEqual(scene.width + 0.01);
    }
    // Narrower than the narrowest useful picture: it keeps its size (and scrolls).
    expect(sceneOf(busy(), { width: 200 }).width).toBeGreaterThan(200);
    // Too narrow for the queue beside the slots: it goes under them, in the same box.
    const tall = sceneOf(busy(), { width: 440 });
    const queue = item(tall, 'queue:0');
    const run = item(tall, 'slot:run:0');
    expect(queue.y).toBeGreaterThan(run.y + run.h / 2);
    expect(inside(queue, item(tall, 'p:0'))).toBe(true);
    for (const goid of [3, 4]) expect(inside(token(tall, goid), queue)).toBe(true);
  });

  test('no text under 11 px, whatever the width', () => {
    for (const width of [300, 600, 1100]) {
      const texts = sceneOf(busy(), { width }).items.flatMap((i) =>
        i.kind === 'text' ? [{ text: i.text, size: TEXT_STYLE[i.role].size }] : [],
      );
      expect(texts.length).toBeGreaterThan(3);
      expect(texts.filter((t) => t.size < 11)).toEqual([]);
    }
    expect(METRICS.fontSmall).toBeGreaterThanOrEqual(11);
  });

  test('runtime goroutines hidden: not drawn, not counted in lanes, said in the footer', () => {
    const state = script()
      .start(1)
      .run(1, 0)
      .create(2, { fn: 'runtime.bgsweep' })
      .put(2, 'local', 0)
      .spawn(3)
      .create(4, { fn: 'runtime.forcegchelper' })
      .run(4, 0)
      .park(4, 'force gc (idle)')
      .run(1, 0)
      .state();
    const shown = sceneOf(state);
    expect(
      gTokens(shown)
        .map((t) => t.goid)
        .sort(),
    ).toEqual([1, 2, 3, 4]);
    expect(token(shown, 2).h).toBeLessThan(token(shown, 3).h);
    const hidden = sceneOf(state, { hideRuntime: true });
    expect(
      gTokens(hidden)
        .map((t) => t.goid)
        .sort(),
    ).toEqual([1, 3]);
    expect(hidden.counts.hidden).toBe(2);
    const footer = item(hidden, 'footer');
    expect(footer.kind === 'text' && footer.text).toMatch(/2 runtime goroutines hidden/);
    const caption = item(hidden, 'cap:queue:0');
    expect(caption.kind === 'text' && caption.text).toBe('local run queue · 1');
  });

  test("a steal: an arrow from the head of the victim's queue to the stolen goroutines on the thief", () => {
    const s = script().start(2).run(1, 0).spawn(2).spawn(3).spawn(4).spawn(5);
    s.add('steal', { thief: 1, victim: 0, goids: [2, 3], p: 1, m: 1 });
    const scene = sceneOf(s.state(), {
      cause: { kind: 'steal', thief: 1, victim: 0, goids: [2, 3] },
    });
    const arrow = scene.items.find((i): i is Arrow => i.kind === 'arrow');
    expect(arrow).toMatchObject({ tone: 'steal', from: 'p:0', to: 'p:1', goids: [2, 3] });
    expect(arrow!.text).toBe('P1 stole g2, g3 from P0');
    // It starts in P0's queue and ends at the stolen goroutine, now in P1's box.
    expect(
      inside({ ...arrow!, x: arrow!.x1, y: arrow!.y1, w: 0, h: 0 }, item(scene, 'queue:0')),
    ).toBe(true);
    const p1 = item(scene, 'p:1');
    expect(inside(token(scene, 2), p1)).toBe(true);
    expect(inside({ ...arrow!, x: arrow!.x2, y: arrow!.y2, w: 0, h: 0 }, p1)).toBe(true);
    // Drawn over the tokens.
    expect(scene.items.indexOf(arrow!)).toBeGreaterThan(scene.items.indexOf(token(scene, 2)));
  });

  test('a wake-up: an arrow from the waker to the goroutine it made runnable', () => {
    const s = script().start(1).run(1, 0).spawn(2).run(2, 0).park(2, 'chan receive').run(1, 0);
    s.add('g.runnable', { goid: 2, queue: 'runnext', qp: 0, reason: 'ready', by: 1, g: 1 });
    const text = 'g1 woke g2 at line 19';
    const scene = sceneOf(s.state(), { cause: { kind: 'wake', by: 1, goid: 2, text } });
    const arrow = scene.items.find((i): i is Arrow => i.kind === 'arrow');
    expect(arrow).toMatchObject({ tone: 'wake', from: 'g:1', to: 'g:2', goids: [2], text });
    expect(arrow!.x1).toBe(token(scene, 1).x);
    // Nothing to draw when an end is not in the picture (a hidden runtime waker).
    const none = sceneOf(s.state(), { cause: { kind: 'wake', by: 99, goid: 2, text } });
    expect(none.items.some((i) => i.kind === 'arrow')).toBe(false);
  });
});
