/**
 * The binaries of identical builds, kept for reuse by a key of toolchain and
 * sources, bounded by count and by bytes. The least recently used go first,
 * but never one that is pinned: a build hands its run a pinned binary, and
 * the pin holds until the run is over, so eviction cannot take the file a run
 * is about to start (probes attach to the file, by path, after the build).
 *
 * Pins live in this process: bridges that share a work directory do not see
 * each other's (each bridge should have its own work directory).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** A cached binary that eviction leaves alone until `release`. */
export interface PinnedBinary {
  readonly path: string;
  /** Ends the pin (again: nothing). */
  release(): void;
}

export interface BinaryCacheBounds {
  entries: number;
  bytes: number;
}

export class BinaryCache {
  private readonly pins = new Map<string, number>();
  /** Removals under way: a key pinned while its file is going waits for it to be gone. */
  private readonly removing = new Map<string, Promise<void>>();
  /** The eviction under way, and whether another was asked for meanwhile. */
  private evicting: Promise<void> | undefined;
  private again = false;

  constructor(
    readonly dir: string,
    private readonly bounds: BinaryCacheBounds,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o755 });
  }

  /** The binary kept under `key`, pinned and marked recently used; undefined when there is none. */
  async lookup(key: string): Promise<PinnedBinary | undefined> {
    // Pinned before the first await, so an eviction running meanwhile skips it.
    const pinned = this.pin(key);
    const going = this.removing.get(key);
    if (going) {
      await going;
      pinned.release();
      return undefined;
    }
    try {
      const now = new Date();
      await fs.utimes(pinned.path, now, now);
      return pinned;
    } catch {
      pinned.release();
      return undefined;
    }
  }

  /**
   * Keeps `file` under `key` and returns it pinned, once what is then over
   * the bounds is evicted. A hard link, and a binary already kept is not
   * replaced: probes attach to the file's inode, and a run may be starting
   * it, so the same bytes under a new inode would go unseen.
   */
  async add(key: string, file: string): Promise<PinnedBinary> {
    const pinned = this.pin(key);
    await this.removing.get(key);
    try {
      await fs.link(file, pinned.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        pinned.release();
        throw err;
      }
    }
    await this.evictSoon();
    return pinned;
  }

  /** Settles when no eviction is running or asked for (for tests and shutdown). */
  async settled(): Promise<void> {
    while (this.evicting) await this.evicting;
  }

  /** Bytes and entries kept now. */
  async usage(): Promise<{ entries: number; bytes: number }> {
    const kept = await this.entries();
    return { entries: kept.length, bytes: kept.reduce((n, e) => n + e.bytes, 0) };
  }

  private pin(key: string): PinnedBinary {
    this.pins.set(key, (this.pins.get(key) ?? 0) + 1);
    let held = true;
    return {
      path: path.join(this.dir, key),
      release: () => {
        if (!held) return;
        held = false;
        const n = (this.pins.get(key) ?? 1) - 1;
        if (n > 0) this.pins.set(key, n);
        else this.pins.delete(key);
        // What this pin kept over the bounds can go now.
        void this.evictSoon();
      },
    };
  }

  /** Evicts what is over the bounds; settles when an eviction that started after this call is done. */
  private evictSoon(): Promise<void> {
    if (this.evicting) {
      this.again = true;
      return this.evicting;
    }
    return (this.evicting = (async () => {
      do {
        this.again = false;
        try {
          await this.evict();
        } catch (err) {
          this.log(`binary cache: eviction failed: ${(err as Error).message}`);
        }
      } while (this.again);
    })().finally(() => {
      this.evicting = undefined;
    }));
  }

  private async entries(): Promise<{ key: string; bytes: number; used: number }[]> {
    const names = await fs.readdir(this.dir);
    const found = await Promise.all(
      names.map(async (key) => {
        try {
          const st = await fs.stat(path.join(this.dir, key));
          return { key, bytes: st.size, used: st.mtimeMs };
        } catch {
          return undefined; // Removed meanwhile.
        }
      }),
    );
    return found.filter((e) => e !== undefined);
  }

  /** Removes the least recently used unpinned binaries until the rest fit the bounds. */
  private async evict(): Promise<void> {
    const kept = await this.entries();
    let entries = kept.length;
    let bytes = kept.reduce((n, e) => n + e.bytes, 0);
    const { entries: maxEntries, bytes: maxBytes } = this.bounds;
    if (entries <= maxEntries && bytes <= maxBytes) return;
    kept.sort((a, b) => a.used - b.used);
    for (const e of kept) {
      if (entries <= maxEntries && bytes <= maxBytes) break;
      // Checked right before removing: a lookup may have pinned it meanwhile.
      if (this.pins.has(e.key)) continue;
      const gone = fs.rm(path.join(this.dir, e.key), { force: true });
      this.removing.set(
        e.key,
        gone.catch(() => {}),
      );
      try {
        await gone;
      } finally {
        this.removing.delete(e.key);
      }
      entries--;
      bytes -= e.bytes;
    }
  }
}
