/**
 * The Go build cache (GOCACHE) that the bridge's builds share, kept within a
 * byte bound. Go trims it only by age (entries unused for days), so a busy
 * bridge could fill its disk; this trims the least recently used entries.
 *
 * Go marks an entry used by touching its mtime, at most once an hour, and a
 * build reads entries by path while it runs: deleting one under a running
 * build would break that build. So the size is measured now and then beside
 * the builds (reading only), and when it is over the bound, new builds wait
 * while the ones running finish, the cache is trimmed to TRIM_TO of the
 * bound, and the builds go on. A missing entry is an ordinary cache miss for
 * Go: the next build that needs it compiles it again.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

const mib = (bytes: number): number => Math.round(bytes / (1024 * 1024));

/** Trimmed below the bound, so that a trim is not due again after the next build. */
const TRIM_TO = 0.8;

interface Entry {
  file: string;
  bytes: number;
  used: number;
}

/** The cache's entry files (`xx/<hash>-a`, `xx/<hash>-d`): not its README or trim.txt. */
async function entries(dir: string): Promise<Entry[]> {
  const out: Entry[] = [];
  let subdirs: string[];
  try {
    subdirs = (await fs.readdir(dir)).filter((d) => /^[0-9a-f]{2}$/.test(d));
  } catch {
    return out; // No cache yet.
  }
  // One subdirectory at a time: a few hundred stats at once, not the whole cache's.
  for (const sub of subdirs) {
    const at = path.join(dir, sub);
    let names: string[];
    try {
      names = await fs.readdir(at);
    } catch {
      continue;
    }
    const found = await Promise.all(
      names
        .filter((n) => /-[ad]$/.test(n))
        .map(async (n) => {
          const file = path.join(at, n);
          try {
            const st = await fs.stat(file);
            return { file, bytes: st.size, used: st.mtimeMs };
          } catch {
            return undefined;
          }
        }),
    );
    for (const e of found) if (e) out.push(e);
  }
  return out;
}

/** Bytes of the cache's entries. */
export async function goCacheBytes(dir: string): Promise<number> {
  return (await entries(dir)).reduce((n, e) => n + e.bytes, 0);
}

/**
 * Removes the least recently used entries until at most `targetBytes` are
 * left. Only while no build uses the cache.
 */
export async function trimGoCache(
  dir: string,
  targetBytes: number,
): Promise<{ before: number; after: number; removed: number }> {
  const all = await entries(dir);
  const before = all.reduce((n, e) => n + e.bytes, 0);
  let after = before;
  let removed = 0;
  all.sort((a, b) => a.used - b.used);
  for (const e of all) {
    if (after <= targetBytes) break;
    await fs.rm(e.file, { force: true });
    after -= e.bytes;
    removed++;
  }
  return { before, after, removed };
}

/** Builds take turns with trims; see the top of this file. */
export class GoBuildCache {
  private active = 0;
  /** Closed (set) while a trim is due or running: new builds wait for it. */
  private gate: { opened: Promise<void>; open: () => void } | undefined;
  private trimming = false;
  private measuring: Promise<void> | undefined;
  private lastMeasured = -Infinity;

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
    private readonly log: (msg: string) => void = () => {},
    /** How often, at most, the cache's size is measured after a build. */
    private readonly measureEveryMs = 60_000,
  ) {}

  /** Waits until the cache may be used; call the function returned when the build is over. */
  async enter(): Promise<() => void> {
    while (this.gate) await this.gate.opened;
    this.active++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.active--;
      this.afterBuild();
    };
  }

  /** Settles when the measurement after the last build is done (for tests). */
  async measured(): Promise<void> {
    await this.measuring;
  }

  /** Settles when no measurement or trim is running or due (for tests). */
  async settled(): Promise<void> {
    while (this.measuring || this.gate) await (this.measuring ?? this.gate?.opened);
  }

  private afterBuild(): void {
    if (this.gate) return this.trimWhenIdle();
    const now = performance.now();
    if (this.measuring || now - this.lastMeasured < this.measureEveryMs) return;
    this.lastMeasured = now;
    this.measuring = goCacheBytes(this.dir)
      .then((bytes) => {
        if (bytes <= this.maxBytes || this.gate) return;
        let open = (): void => {};
        const opened = new Promise<void>((r) => (open = r));
        this.gate = { opened, open };
        this.trimWhenIdle();
      })
      .catch((err: Error) => this.log(`Go build cache: cannot measure it: ${err.message}`))
      .finally(() => {
        this.measuring = undefined;
      });
  }

  private trimWhenIdle(): void {
    if (this.active > 0 || this.trimming || !this.gate) return;
    this.trimming = true;
    trimGoCache(this.dir, Math.floor(this.maxBytes * TRIM_TO))
      .then(({ before, after, removed }) =>
        this.log(`Go build cache: ${removed} entries removed, ${mib(before)} -> ${mib(after)} MiB`),
      )
      .catch((err: Error) => this.log(`Go build cache: trim failed: ${err.message}`))
      .finally(() => {
        this.trimming = false;
        const gate = this.gate;
        this.gate = undefined;
        gate?.open();
      });
  }
}
