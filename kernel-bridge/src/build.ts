/**
 * Builds a learner's program: the sources written to a fresh directory, `go
 * build` with the chosen toolchain inside the sandbox (no network, so only
 * the standard library; cgo off), the Go build cache shared between builds so
 * that similar programs compile in a fraction of a second, and identical
 * programs not rebuilt at all (the binary is kept by a hash of toolchain and
 * sources). Compiler messages come back as diagnostics on the learner's own
 * file names.
 *
 * Sharing the build cache is safe because building never runs learner code
 * (no cgo, no toolexec, no generate): only the Go toolchain writes to it, and
 * programs never see it.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { BridgeConfig } from './config';
import type { Diagnostic } from './protocol';
import { RunCgroup } from './sandbox/cgroup';
import { sandboxLaunch, sandboxScratchDir } from './sandbox/sandbox';
import type { Toolchain } from './toolchains';

export type BuildOutcome =
  | { ok: true; binary: string; ms: number; cached: boolean }
  | { ok: false; diagnostics: Diagnostic[]; ms: number };

const SRC = '/src';
const GOROOT = '/goroot';

/** The diagnostics in `go build`'s output, on the learner's paths. */
export function parseDiagnostics(output: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const general: string[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (!line || line.startsWith('# ')) continue;
    const m = /^(.+?\.(?:go|mod)):(\d+)(?::(\d+))?: (.*)$/.exec(line);
    if (m?.[1] && m[2] && m[4] !== undefined) {
      out.push({
        file: learnerPath(m[1]),
        line: Number(m[2]),
        column: m[3] ? Number(m[3]) : 0,
        message: m[4],
      });
    } else if (/^\s/.test(raw) && out.length > 0) {
      // A continuation ("\thave ...\n\twant ...") belongs to the message above.
      const last = out[out.length - 1]!;
      last.message += `\n${line.trim()}`;
    } else {
      general.push(line.replace(/^go: /, ''));
    }
  }
  if (out.length === 0 && general.length > 0) {
    out.push({ file: '', line: 0, column: 0, message: general.join('\n') });
  }
  return out;
}

/**
 * `./worker/pool.go`, `/src/worker/pool.go` (in the sandbox) or
 * `<workDir>/builds/<build>/src/worker/pool.go` (without one) as the learner
 * named it: `worker/pool.go`.
 */
export function learnerPath(file: string): string {
  if (file.startsWith(`${SRC}/`)) return file.slice(SRC.length + 1);
  const unboxed = /\/builds\/[^/]+\/src\/(.*)$/.exec(file);
  if (unboxed?.[1]) return unboxed[1];
  return file.replace(/^\.\//, '');
}

export class Builder {
  private readonly cacheDir: string;
  private readonly binDir: string;
  private readonly buildsDir: string;
  private counter = 0;

  constructor(private readonly config: BridgeConfig) {
    this.cacheDir = path.join(config.workDir, `gocache-${config.buildUid}`);
    this.binDir = path.join(config.workDir, 'bin');
    this.buildsDir = path.join(config.workDir, 'builds');
  }

  private get asRoot(): boolean {
    return process.getuid?.() === 0;
  }

  async init(): Promise<void> {
    for (const dir of [this.cacheDir, this.binDir, this.buildsDir]) {
      await fs.mkdir(dir, { recursive: true, mode: 0o755 });
    }
    await fs.chmod(this.config.workDir, 0o755);
    if (this.asRoot) {
      // Only the build user writes the Go cache; runs never see it.
      await fs.chown(this.cacheDir, this.config.buildUid, this.config.buildUid);
      await fs.chmod(this.cacheDir, 0o700);
    }
  }

  /** The key of an identical build: toolchain, tracer helper or not, and every file. */
  static key(files: Record<string, string>, toolchain: Toolchain, traced = false): string {
    const h = createHash('sha256')
      .update(toolchain.version)
      .update(traced ? '\0traced' : '');
    for (const name of Object.keys(files).sort()) {
      h.update('\0').update(name).update('\0').update(files[name]!);
    }
    return h.digest('hex').slice(0, 32);
  }

  /**
   * Builds the files. `traced`: with the execution tracer's helper added
   * (`slowmo-probe trace-prepare`, which keeps every line where it was), for
   * the trace backend.
   */
  async build(
    files: Record<string, string>,
    toolchain: Toolchain,
    signal?: AbortSignal,
    traced = false,
  ): Promise<BuildOutcome> {
    const started = performance.now();
    const ms = (): number => Math.round(performance.now() - started);
    const binary = path.join(this.binDir, Builder.key(files, toolchain, traced));
    try {
      const now = new Date();
      await fs.utimes(binary, now, now); // marks it recently used
      return { ok: true, binary, ms: ms(), cached: true };
    } catch {
      // Not built before.
    }

    const name = `${process.pid}-${++this.counter}`;
    const dir = path.join(this.buildsDir, name);
    const src = path.join(dir, 'src');
    const out = path.join(dir, 'out');
    try {
      await fs.mkdir(src, { recursive: true, mode: 0o755 });
      await fs.mkdir(out, { mode: 0o700 });
      if (this.asRoot) await fs.chown(out, this.config.buildUid, this.config.buildUid);
      await fs.chmod(dir, 0o755);
      const sources = { ...files };
      if (!('go.mod' in sources)) {
        const minor = /^go(1\.\d+)/.exec(toolchain.version)?.[1] ?? '1.22';
        sources['go.mod'] = `module slowmo\n\ngo ${minor}\n`;
      }
      for (const [name, text] of Object.entries(sources)) {
        const file = path.join(src, name);
        await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
        await fs.writeFile(file, text, { mode: 0o644 });
      }
      if (traced) {
        const why = await this.prepareTrace(src);
        if (why)
          return {
            ok: false,
            ms: ms(),
            diagnostics: [{ file: '', line: 0, column: 0, message: why }],
          };
      }
      const result = await this.goBuild(name, src, out, toolchain, signal);
      if (result.killedFor) {
        return {
          ok: false,
          ms: ms(),
          diagnostics: [{ file: '', line: 0, column: 0, message: result.killedFor }],
        };
      }
      if (result.code !== 0) {
        const diagnostics = parseDiagnostics(result.output);
        if (diagnostics.length === 0) {
          diagnostics.push({
            file: '',
            line: 0,
            column: 0,
            message: `go build failed (exit ${result.code}) without saying why`,
          });
        }
        return { ok: false, ms: ms(), diagnostics };
      }
      const built = path.join(out, 'prog');
      try {
        await fs.access(built);
      } catch {
        return {
          ok: false,
          ms: ms(),
          diagnostics: [
            {
              file: Object.keys(files)[0] ?? 'main.go',
              line: 1,
              column: 1,
              message: 'this is not a program: write "package main" with a "func main()"',
            },
          ],
        };
      }
      if (this.asRoot) await fs.chown(built, 0, 0);
      await fs.chmod(built, 0o755);
      // Never replace a binary another run may be starting: probes attach to
      // the file's inode, so the same bytes under a new inode would go unseen.
      try {
        await fs.link(built, binary);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      await this.evict();
      return { ok: true, binary, ms: ms(), cached: false };
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }

  /** Adds the tracer's helper to the sources; returns why it could not. */
  private prepareTrace(src: string): Promise<string | undefined> {
    return new Promise((resolve) => {
      execFile(
        this.config.probeBinary,
        ['trace-prepare', src],
        { timeout: 30_000 },
        (err, _out, stderr) => {
          if (!err) return resolve(undefined);
          const said = stderr
            .trim()
            .replace(/^slowmo-probe trace-prepare: /, '')
            .replaceAll(src, '.');
          resolve(said || `the tracer's helper could not be added: ${err.message}`);
        },
      );
    });
  }

  private async goBuild(
    name: string,
    src: string,
    out: string,
    toolchain: Toolchain,
    signal?: AbortSignal,
  ): Promise<{ code: number; output: string; killedFor?: string }> {
    const { limits, buildUid } = this.config;
    const cgroup = RunCgroup.create(`build-${name}`, {
      memoryBytes: limits.buildMemoryBytes,
      processes: 4096,
    });
    // In the sandbox everything has a fixed path; without one (sandbox "none"), the real ones.
    const boxed = this.config.sandbox === 'bwrap';
    const at = boxed
      ? { goroot: GOROOT, src: SRC, out: '/out', cache: '/cache', tmp: '/tmp' }
      : { goroot: toolchain.goroot, src, out, cache: this.cacheDir, tmp: path.dirname(out) };
    const sandbox = sandboxLaunch(
      {
        uid: buildUid,
        binds: [
          { src: toolchain.goroot, dest: GOROOT },
          { src, dest: SRC },
          { src: out, dest: '/out', writable: true },
          { src: this.cacheDir, dest: '/cache', writable: true },
        ],
        tmpBytes: 256 * 1024 * 1024,
        cwd: SRC,
        processes: 4096,
        fileBytes: 512 * 1024 * 1024,
      },
      {
        asRoot: this.asRoot,
        mode: this.config.sandbox,
        scratchDir: sandboxScratchDir(this.config.workDir),
      },
    );
    const argv = [
      ...(cgroup?.joinCommand() ?? []),
      ...sandbox.argv,
      `${at.goroot}/bin/go`,
      'build',
      '-o',
      `${at.out}/prog`,
      '.',
    ];
    const env = {
      PATH: `${at.goroot}/bin:/usr/bin:/bin`,
      HOME: at.tmp,
      GOROOT: at.goroot,
      GOCACHE: at.cache,
      GOPATH: `${at.tmp}/go`,
      GOTOOLCHAIN: 'local',
      GOPROXY: 'off',
      GOFLAGS: '-mod=mod -buildvcs=false',
      GOWORK: 'off',
      GOENV: 'off',
      CGO_ENABLED: '0',
      LANG: 'C.UTF-8',
    };
    try {
      return await new Promise((resolve, reject) => {
        const child = spawn(argv[0]!, argv.slice(1), {
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
          cwd: boxed ? '/' : src,
        });
        let output = '';
        const take = (chunk: Buffer): void => {
          if (output.length < 256 * 1024) output += chunk.toString('utf8');
        };
        child.stdout.on('data', take);
        child.stderr.on('data', take);
        let killedFor: string | undefined;
        const kill = (why: string): void => {
          killedFor ??= why;
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // Gone already.
          }
          void cgroup?.killAll();
        };
        const timer = setTimeout(
          () => kill(`the build took longer than ${limits.buildSeconds} s and was stopped`),
          limits.buildSeconds * 1000,
        );
        const onAbort = (): void => kill('the build was cancelled');
        signal?.addEventListener('abort', onAbort, { once: true });
        child.on('error', (err) => {
          clearTimeout(timer);
          reject(new Error(`cannot start the build sandbox (${argv[0]}): ${err.message}`));
        });
        child.on('close', (code) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          if (!killedFor && cgroup?.oomKilled()) {
            killedFor = `the build ran out of memory (limit ${limits.buildMemoryBytes >> 20} MiB)`;
          }
          resolve({ code: code ?? -1, output, killedFor });
        });
      });
    } finally {
      await cgroup?.remove();
      sandbox.dispose();
    }
  }

  /** Keeps the binary cache within its size: the least recently used go first. */
  private async evict(): Promise<void> {
    const names = await fs.readdir(this.binDir);
    const excess = names.length - this.config.binaryCacheEntries;
    if (excess <= 0) return;
    const stats = await Promise.all(
      names.map(async (n) => ({ n, t: (await fs.stat(path.join(this.binDir, n))).mtimeMs })),
    );
    stats.sort((a, b) => a.t - b.t);
    for (const { n } of stats.slice(0, excess)) {
      await fs.rm(path.join(this.binDir, n), { force: true });
    }
  }
}
