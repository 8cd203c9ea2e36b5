/**
 * The uids sandboxed programs run as (when the bridge is root). Kernel state
 * hangs off a uid, not a process: RLIMIT_NPROC counts every task of the uid
 * host-wide, and the user keyring (@u) outlives every process of it. So a
 * uid must never be shared by two runs at once, and a later run should not
 * get an earlier run's uid soon either:
 *
 * - Each bridge claims a range of uids of its own from a host-wide pool, with
 *   a claim file under /run/slowmo/uid-ranges (the CLI, `slowmo check` and
 *   every server make bridges, often with the same settings).
 * - Each run takes the next uid of its bridge's range, cycling, so a uid comes
 *   back only after the whole range has been used, and never while a process
 *   still runs as it (the run's cgroup kills everything at its end, but a
 *   machine without cgroups relies on this check).
 *
 * Claims: a bridge writes `<first>-<last>.<pid>.<starttime>.<nonce>`, then
 * lists the directory; if any other live claim overlaps its range it removes
 * its own and tries again. Of two bridges racing for a range at least one
 * sees the other's file, so two can never both keep it. A claim is live while
 * its process (same pid and start time, so a reused pid does not count) runs;
 * dead ones are ignored and removed, so a crashed bridge's range comes back.
 * Bridges in separate mount or pid namespaces (containers) do not see each
 * other's claims: give them separate `uidBase`s, or user namespaces.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const UID_CLAIM_DIR = '/run/slowmo/uid-ranges';

/** Uids no run may have: nobody, 16-bit -1, and anything past the signed 32-bit range. */
function forbidden(first: number, last: number): boolean {
  return (first <= 65535 && last >= 65534) || last >= 2 ** 31 - 1;
}

export interface UidPoolOptions {
  /** The first uid of the host-wide pool. */
  base: number;
  /** Uids one bridge claims. */
  size: number;
  /** Ranges in the pool. */
  ranges: number;
  /** Where claims live (a test may use its own). */
  dir?: string;
}

export class UidRangeError extends Error {
  override readonly name = 'UidRangeError';
}

interface Claim {
  file: string;
  first: number;
  last: number;
  pid: number;
  start: string;
}

/** The start time of a process (field 22 of /proc/PID/stat), or undefined when it is gone. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name, in parentheses, may itself hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function parseClaim(file: string): Claim | undefined {
  const m = /^(\d+)-(\d+)\.(\d+)\.(\d+)\.[0-9a-f]+$/.exec(file);
  if (!m) return undefined;
  return { file, first: Number(m[1]), last: Number(m[2]), pid: Number(m[3]), start: m[4]! };
}

const alive = (c: Claim): boolean => startTime(c.pid) === c.start;

/** The live claims in `dir`; dead ones are removed on the way. */
function liveClaims(dir: string): Claim[] {
  const live: Claim[] = [];
  for (const name of readdirSync(dir)) {
    const c = parseClaim(name);
    if (!c) continue;
    if (alive(c)) live.push(c);
    else {
      try {
        unlinkSync(path.join(dir, name));
      } catch {
        // Another bridge removed it first.
      }
    }
  }
  return live;
}

/** The uids a process runs as (real, effective, saved or filesystem), for every process. */
export function uidsWithProcesses(): Set<number> {
  const uids = new Set<number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const m = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(
        readFileSync(`/proc/${pid}/status`, 'utf8'),
      );
      if (m) for (const u of m.slice(1)) uids.add(Number(u));
    } catch {
      // Gone meanwhile.
    }
  }
  return uids;
}

/** Whether every uid of [first, last] is mapped in this process's user namespace. */
function mapped(first: number, last: number): boolean {
  let text: string;
  try {
    text = readFileSync('/proc/self/uid_map', 'utf8');
  } catch {
    return true;
  }
  return text
    .trim()
    .split('\n')
    .some((line) => {
      const [inside, , count] = line.trim().split(/\s+/).map(Number);
      return inside! <= first && last < inside! + count!;
    });
}

/** Ranges not given back yet: a bridge that is never closed (the CLI exits when its run ends) gives its claim back on exit. */
const open = new Set<UidRange>();
let exitHook = false;

/** One bridge's range of uids, and the uids its runs hold now. */
export class UidRange {
  private cursor = 0;
  private readonly held = new Set<number>();

  private constructor(
    readonly first: number,
    readonly count: number,
    private readonly file: string,
  ) {
    open.add(this);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => {
        for (const r of open) r.close();
      });
    }
  }

  /** Claims a free range of the pool for this bridge. */
  static async claim(options: UidPoolOptions): Promise<UidRange> {
    const dir = options.dir ?? UID_CLAIM_DIR;
    const { base, size, ranges } = options;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const me = { pid: process.pid, start: startTime(process.pid) ?? '0' };
    let contested = 0;
    for (let k = 0; k < ranges; k++) {
      const first = base + k * size;
      const last = first + size - 1;
      if (forbidden(first, last)) continue;
      const overlaps = (c: Claim): boolean => c.first <= last && first <= c.last;
      if (liveClaims(dir).some(overlaps)) continue;
      if (!mapped(first, last)) {
        throw new UidRangeError(
          `the sandbox uids ${first}-${last} are not mapped in the bridge's user namespace (/proc/self/uid_map); set uidBase to a mapped range`,
        );
      }
      const name = `${first}-${last}.${me.pid}.${me.start}.${randomBytes(6).toString('hex')}`;
      const file = path.join(dir, name);
      writeFileSync(file, '', { flag: 'wx', mode: 0o600 });
      if (!liveClaims(dir).some((c) => c.file !== name && overlaps(c))) {
        return new UidRange(first, size, file);
      }
      // Another bridge is claiming it at the same time: step back, wait a moment, look again.
      unlinkSync(file);
      if (++contested > 50) break;
      await new Promise((r) => setTimeout(r, 1 + Math.random() * 20));
      k--;
    }
    throw new UidRangeError(
      `no free range of ${size} sandbox uids from ${base} on: other bridges hold ${ranges} ranges (claims in ${dir}); stop one or raise uidRanges`,
    );
  }

  /**
   * A uid for a new run: the next one of the range that no run of this bridge
   * holds and no process runs as. Give it back with release() when the run's
   * processes are gone.
   */
  take(): number {
    const busy = uidsWithProcesses();
    for (let i = 0; i < this.count; i++) {
      const uid = this.first + ((this.cursor + i) % this.count);
      if (this.held.has(uid) || busy.has(uid)) continue;
      this.cursor = (uid - this.first + 1) % this.count;
      this.held.add(uid);
      return uid;
    }
    throw new UidRangeError(
      `all ${this.count} sandbox uids of this bridge (${this.first}-${this.first + this.count - 1}) are in use`,
    );
  }

  release(uid: number): void {
    this.held.delete(uid);
  }

  /** Whether uid is one of this range's. */
  has(uid: number): boolean {
    return uid >= this.first && uid < this.first + this.count;
  }

  /** Gives the range back to the pool. */
  close(): void {
    if (!open.delete(this)) return;
    try {
      unlinkSync(this.file);
    } catch {
      // Already gone (a test cleaned the directory).
    }
  }
}
