/**
 * Claims of sandbox uid ranges (sandbox/uids.ts), in a directory of the
 * test's own: a range another live process holds is never taken, a dead
 * process's claim comes back, racing claims never both win, and a bridge's
 * runs cycle through its range, never onto a uid that has processes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UidRange, UidRangeError } from '../src/sandbox/uids';
import { guardedDescribe } from './support/guard';

const BASE = 1_900_000_000;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'slowmo-uid-claims-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const pool = (
  ranges = 3,
  size = 16,
): { base: number; size: number; ranges: number; dir: string } => ({
  base: BASE,
  size,
  ranges,
  dir,
});

function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

/** A claim as another process would leave it. */
function foreignClaim(first: number, last: number, pid: number, start: string): string {
  const name = `${first}-${last}.${pid}.${start}.abcdef`;
  writeFileSync(path.join(dir, name), '');
  return name;
}

test('bridges of one process get disjoint ranges and give them back', async () => {
  const a = await UidRange.claim(pool());
  const b = await UidRange.claim(pool());
  expect([a.first, b.first]).toEqual([BASE, BASE + 16]);
  expect(readdirSync(dir)).toHaveLength(2);
  a.close();
  const c = await UidRange.claim(pool());
  expect(c.first).toBe(BASE);
  b.close();
  c.close();
  expect(readdirSync(dir)).toEqual([]);
});

describe('claims of other processes', () => {
  let other: ChildProcess;
  beforeEach(() => {
    other = spawn('sleep', ['60'], { stdio: 'ignore' });
  });
  afterEach(() => {
    other.kill('SIGKILL');
  });

  test('a live process keeps its range; a dead one loses it', async () => {
    const pid = other.pid!;
    const live = foreignClaim(BASE, BASE + 15, pid, startTime(pid));
    const mine = await UidRange.claim(pool());
    expect(mine.first).toBe(BASE + 16);
    mine.close();

    // The same pid with another start time is a different (reused) process.
    rmSync(path.join(dir, live));
    foreignClaim(BASE, BASE + 15, pid, '1');
    const again = await UidRange.claim(pool());
    expect(again.first).toBe(BASE);
    again.close();
  });

  test('an overlapping claim of another base counts too', async () => {
    const pid = other.pid!;
    foreignClaim(BASE + 8, BASE + 23, pid, startTime(pid));
    const mine = await UidRange.claim(pool());
    expect(mine.first).toBe(BASE + 32);
    mine.close();
  });
});

test('the claim of a process that has exited is taken over and removed', async () => {
  const gone = spawnSync('true');
  const stale = foreignClaim(BASE, BASE + 15, gone.pid!, '12345');
  const mine = await UidRange.claim(pool());
  expect(mine.first).toBe(BASE);
  expect(readdirSync(dir)).not.toContain(stale);
  mine.close();
});

const DIST = path.join(__dirname, '..', 'dist', 'src', 'sandbox', 'uids.js');

/** `promise`, or a failure naming what did not come within `ms`. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${ms} ms for ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
guardedDescribe(existsSync(DIST) ? undefined : `${DIST} is missing: run make setup`)(
  'claims of several processes',
  () => {
    test('processes claiming at the same moment never share a range, and give it back on exit', async () => {
      const go = path.join(dir, 'go');
      const done = path.join(dir, 'done');
      // Each waits for the same file, then claims at once (the claims race), and holds
      // its range until the test has heard from all.
      const script = `
      const fs = require('fs');
      const { UidRange } = require(${JSON.stringify(DIST)});
      process.stdout.write('ready\\n');
      while (!fs.existsSync(${JSON.stringify(go)})) {}
      UidRange.claim(${JSON.stringify(pool(8))}).then(
        (r) => process.stdout.write(String(r.first) + '\\n'),
        (e) => process.stdout.write('error ' + e.message + '\\n'),
      );
      const hold = setInterval(() => fs.existsSync(${JSON.stringify(done)}) && clearInterval(hold), 5);`;
      const children = Array.from({ length: 6 }, () =>
        spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] }),
      );
      // Each says "ready" as it starts to wait (a pipe write is synchronous on Linux),
      // then the first uid of the range it claimed.
      const heard = children.map((c) => {
        const lines: string[] = [];
        const waiting: (() => void)[] = [];
        let out = '';
        c.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const parts = out.split('\n');
          out = parts.pop()!;
          lines.push(...parts);
          for (const w of waiting.splice(0)) w();
        });
        const line = (n: number) =>
          new Promise<string>((resolve) => {
            const check = () =>
              lines.length > n ? resolve(lines[n]!.trim()) : waiting.push(check);
            check();
          });
        return { ready: line(0), first: line(1) };
      });
      const exited = children.map((c) => new Promise((resolve) => c.on('close', resolve)));
      await within(30_000, 'every claimer waiting', Promise.all(heard.map((h) => h.ready)));
      writeFileSync(go, '');
      const firsts = await within(30_000, 'every claim', Promise.all(heard.map((h) => h.first)));
      writeFileSync(done, '');
      await Promise.all(exited);
      expect(firsts.filter((f) => !/^\d+$/.test(f))).toEqual([]);
      expect(new Set(firsts).size).toBe(6);
      expect(readdirSync(dir).filter((n) => !['go', 'done'].includes(n))).toEqual([]);
    });
  },
);

test('a full pool is refused with what to do', async () => {
  const held = [await UidRange.claim(pool(2)), await UidRange.claim(pool(2))];
  await expect(UidRange.claim(pool(2))).rejects.toThrow(UidRangeError);
  await expect(UidRange.claim(pool(2))).rejects.toThrow(
    /other bridges hold 2 ranges.*raise uidRanges/,
  );
  for (const r of held) r.close();
});

test('no range holds nobody (65534) or 16-bit -1', async () => {
  // 65500-65563 holds both; the next range does not.
  const r = await UidRange.claim({ base: 65_500, size: 64, ranges: 3, dir });
  expect(r.first).toBe(65_564);
  r.close();
});

test('runs take each uid of the range in turn, skipping held ones', async () => {
  const r = await UidRange.claim(pool(1, 16));
  const first = [r.take(), r.take(), r.take()];
  expect(first).toEqual([BASE, BASE + 1, BASE + 2]);
  r.release(BASE + 1);
  // A released uid comes back only after the rest of the range.
  const next = Array.from({ length: 13 }, () => r.take());
  expect(next).toEqual(Array.from({ length: 13 }, (_, i) => BASE + 3 + i));
  expect(r.take()).toBe(BASE + 1);
  expect(() => r.take()).toThrow(/all 16 sandbox uids of this bridge .* are in use/);
  r.close();
});

guardedDescribe(
  process.getuid?.() === 0 ? undefined : 'needs root to run a process as another uid',
)('uids with processes', () => {
  test('a uid that still has a process is skipped', async () => {
    const r = await UidRange.claim(pool(1, 16));
    const busy = spawn('setpriv', [`--reuid=${BASE}`, '--clear-groups', '--', 'sleep', '60'], {
      stdio: 'ignore',
    });
    try {
      // Wait until the process runs as the uid (setpriv changes it before exec).
      for (let i = 0; i < 200; i++) {
        const status = readFileSync(`/proc/${busy.pid}/status`, 'utf8');
        if (new RegExp(`^Uid:\\s+${BASE}\\b`, 'm').test(status)) break;
        await new Promise((res) => setTimeout(res, 10));
      }
      expect(r.take()).toBe(BASE + 1);
    } finally {
      busy.kill('SIGKILL');
      r.close();
    }
  });
});
