/**
 * Builds a learner's program: the sources written to a fresh directory, `go
 * build` with the chosen toolchain inside the sandbox (no network, so only
 * the standard library; cgo off, except in a race build, where only the runtime's race and
 * cgo packages use it: race-support.ts), the Go build cache shared between builds so
 * that similar programs compile in a fraction of a second, and identical
 * programs not rebuilt at all (the binary is kept by a hash of toolchain and
 * sources). Compiler messages come back as diagnostics on the learner's own
 * file names.
 *
 * Sharing the build cache is safe because building never runs learner code
 * (no learner cgo, no toolexec, no generate): only the Go toolchain writes to it, and
 * programs never see it.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BinaryCache } from './binary-cache';
import { BuildDeadline } from './build-deadline';
import {
  binaryOutOfRoom,
  binaryTooLarge,
  buildOutOfMemory,
  cgoImport,
  cgoImportAnywhere,
  linkerOutOfRoom,
} from './build-messages';
import type { BridgeConfig } from './config';
import { GoBuildCache } from './go-cache';
import { raceCompiler } from './race-support';
import { perturbArg, type Diagnostic, type Perturbation } from './protocol';
import { sandboxedLauncher, type SandboxedLauncher } from './sandbox/launcher';
import { sandboxScratchDir } from './sandbox/sandbox';
import type { Toolchain } from './toolchains';

export type BuildOutcome =
  | {
      ok: true;
      binary: string;
      ms: number;
      cached: boolean;
      /** The binary is kept from eviction until this is called: when its run is over. */
      release: () => void;
    }
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

/** A build that ended without a binary, for one reason (`ms` is the caller's to set). */
function buildFailure(message: string, file = '', line = 0, column = 0): BuildOutcome {
  return { ok: false, ms: 0, diagnostics: [{ file, line, column, message }] };
}

/**
 * What a build is made with, beyond its files and toolchain. `traced`: with
 * the execution tracer's helper added (`slowmo-probe trace-prepare`, which
 * keeps every line where it was), for the trace backend. `experiment`: a
 * GOEXPERIMENT to build with. `profiled`: with the profile helper (profiles,
 * the runtime's leak report). `dumps`: with the GC lens's heap dump helper too
 * (`trace-prepare --gc`), for the trace backend's lens. `perturb`: the
 * schedule perturbations (`perturb-prepare`, before the other helpers).
 * `race`: with the race detector (`-race`, which needs cgo on: race-support.ts).
 */
export interface BuildOptions {
  traced?: boolean;
  experiment?: string;
  profiled?: boolean;
  dumps?: boolean;
  perturb?: readonly Perturbation[];
  race?: boolean;
}

/** The options with their defaults, and the build's key. */
type BuildWith = Required<BuildOptions> & { key: string };

function withDefaults(o: BuildOptions): Required<BuildOptions> {
  return {
    traced: o.traced ?? false,
    experiment: o.experiment ?? '',
    profiled: o.profiled ?? false,
    dumps: o.dumps ?? false,
    perturb: o.perturb ?? [],
    race: o.race ?? false,
  };
}

export class Builder {
  private readonly cacheDir: string;
  private readonly buildsDir: string;
  private counter = 0;
  /** Binaries of identical builds (binary-cache.ts). */
  readonly binaries: BinaryCache;
  /** The Go build cache, kept within its bound (go-cache.ts). */
  readonly goCache: GoBuildCache;

  constructor(
    private readonly config: BridgeConfig,
    private readonly log: (msg: string) => void = () => {},
  ) {
    this.cacheDir = path.join(config.workDir, `gocache-${config.buildUid}`);
    this.buildsDir = path.join(config.workDir, 'builds');
    this.binaries = new BinaryCache(
      path.join(config.workDir, 'bin'),
      { entries: config.binaryCacheEntries, bytes: config.binaryCacheBytes },
      log,
    );
    this.goCache = new GoBuildCache(this.cacheDir, config.buildCacheBytes, log);
  }

  private get asRoot(): boolean {
    return process.getuid?.() === 0;
  }

  async init(): Promise<void> {
    const probe = await fs.stat(this.config.probeBinary).catch(() => undefined);
    this.probeBuild = probe ? `${probe.size}:${probe.mtimeMs}` : '';
    for (const dir of [this.cacheDir, this.binaries.dir, this.buildsDir]) {
      await fs.mkdir(dir, { recursive: true, mode: 0o755 });
    }
    await fs.chmod(this.config.workDir, 0o755);
    if (this.asRoot) {
      // Only the build user writes the Go cache; runs never see it.
      await fs.chown(this.cacheDir, this.config.buildUid, this.config.buildUid);
      await fs.chmod(this.cacheDir, 0o700);
    }
  }

  /**
   * The probe that writes the helper files, as built (size and time): a new
   * probe may write other helpers, so binaries built with the old ones are
   * not reused. Set by init.
   */
  private probeBuild = '';

  /** The key of an identical build: probe, toolchain, helpers, GOEXPERIMENT, perturbations, and every file. */
  static key(
    probeBuild: string,
    files: Record<string, string>,
    toolchain: Toolchain,
    options: BuildOptions = {},
  ): string {
    const { traced, experiment, profiled, dumps, perturb, race } = withDefaults(options);
    const h = createHash('sha256')
      .update(probeBuild)
      .update('\0')
      .update(toolchain.version)
      .update(traced ? '\0traced' : '')
      .update(experiment ? `\0experiment=${experiment}` : '')
      .update(profiled ? '\0profiled' : '')
      .update(dumps ? '\0heapdumps' : '')
      .update(perturb.length > 0 ? `\0perturb=${perturb.map(perturbArg).join(' ')}` : '')
      .update(race ? '\0race' : '');
    for (const name of Object.keys(files).sort()) {
      h.update('\0').update(name).update('\0').update(files[name]!);
    }
    return h.digest('hex').slice(0, 32);
  }

  /** Builds the files with the helpers and settings `options` asks for (BuildOptions). */
  async build(
    files: Record<string, string>,
    toolchain: Toolchain,
    options: BuildOptions = {},
    signal?: AbortSignal,
  ): Promise<BuildOutcome> {
    const started = performance.now();
    const ms = (): number => Math.round(performance.now() - started);
    const opts = withDefaults(options);
    const key = Builder.key(this.probeBuild, files, toolchain, opts);
    const kept = await this.binaries.lookup(key);
    if (kept) {
      return { ok: true, binary: kept.path, release: kept.release, ms: ms(), cached: true };
    }
    const failed = (message: string, file = '', line = 0, column = 0): BuildOutcome => ({
      ...buildFailure(message, file, line, column),
      ms: ms(),
    });
    // A race build has cgo on for the runtime: the learner's cgo is refused more widely then.
    const cgo = cgoImport(files) ?? (opts.race ? cgoImportAnywhere(files) : undefined);
    if (cgo) return failed(cgo.message, cgo.file, cgo.line, cgo.column);

    const deadline = new BuildDeadline(this.config.limits.buildSeconds, signal);
    const leaveCache = await this.goCache.enter();
    const name = `${process.pid}-${++this.counter}`;
    const dir = path.join(this.buildsDir, name);
    try {
      const outcome = await this.buildIn(dir, name, files, toolchain, deadline, { ...opts, key });
      return { ...outcome, ms: ms() };
    } catch (err) {
      // A write or the tracer's helper stopped by the deadline, not a failure of the bridge.
      if (deadline.why) return failed(deadline.why);
      throw err;
    } finally {
      leaveCache();
      const removal = fs
        .rm(dir, { recursive: true, force: true })
        .catch((err: Error) => this.log(`cannot remove build ${name}: ${err.message}`));
      await deadline.within(removal);
      deadline.dispose();
    }
  }

  private async buildIn(
    dir: string,
    name: string,
    files: Record<string, string>,
    toolchain: Toolchain,
    deadline: BuildDeadline,
    opts: BuildWith,
  ): Promise<BuildOutcome> {
    const src = path.join(dir, 'src');
    const out = path.join(dir, 'out');
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
      deadline.signal.throwIfAborted();
      const file = path.join(src, name);
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
      await fs.writeFile(file, text, { mode: 0o644, signal: deadline.signal });
    }
    const refused = await this.addHelpers(src, deadline.signal, opts);
    if (deadline.why) return buildFailure(deadline.why);
    if (refused) return { ok: false, ms: 0, diagnostics: [refused] };
    const { experiment, race } = opts;
    const result = await this.goBuild(name, src, out, toolchain, deadline, experiment, race);
    if (result.killedFor) return buildFailure(result.killedFor);
    const { binaryBytes } = this.config.limits;
    if (result.code !== 0) {
      if (linkerOutOfRoom(result.output)) return buildFailure(binaryOutOfRoom(binaryBytes));
      const diagnostics = parseDiagnostics(result.output);
      if (diagnostics.length === 0) {
        diagnostics.push({
          file: '',
          line: 0,
          column: 0,
          message: `go build failed (exit ${result.code}) without saying why`,
        });
      }
      return { ok: false, ms: 0, diagnostics };
    }
    const built = path.join(out, 'prog');
    let size: number;
    try {
      size = (await fs.stat(built)).size;
    } catch {
      return buildFailure(
        'this is not a program: write "package main" with a "func main()"',
        Object.keys(files)[0] ?? 'main.go',
        1,
        1,
      );
    }
    if (size > binaryBytes) return buildFailure(binaryTooLarge(size, binaryBytes));
    if (this.asRoot) await fs.chown(built, 0, 0);
    await fs.chmod(built, 0o755);
    const kept = await this.binaries.add(opts.key, built);
    return { ok: true, binary: kept.path, release: kept.release, ms: 0, cached: false };
  }

  /**
   * Adds what the build asks for to the sources: the perturbations first (on the learner's own
   * text: the lines they name are theirs as written), then the tracer's and the profile helpers.
   * Returns why one could not be added; the first failure stops the others.
   */
  private async addHelpers(
    src: string,
    signal: AbortSignal,
    h: { perturb: readonly Perturbation[]; traced: boolean; dumps: boolean; profiled: boolean },
  ): Promise<Diagnostic | undefined> {
    if (h.perturb.length > 0) {
      const refused = await this.preparePerturb(src, signal, h.perturb);
      if (refused) return refused;
    }
    const why =
      (h.traced ? await this.prepareTrace(src, signal, h.dumps) : undefined) ??
      (h.profiled ? await this.prepareProfiles(src, signal) : undefined);
    return why === undefined ? undefined : { file: '', line: 0, column: 0, message: why };
  }

  /** Adds the tracer's helper to the sources; returns why it could not. */
  private prepareTrace(
    src: string,
    signal: AbortSignal,
    dumps: boolean,
  ): Promise<string | undefined> {
    const args = dumps ? ['trace-prepare', '--gc', src] : ['trace-prepare', src];
    return new Promise((resolve) => {
      execFile(this.config.probeBinary, args, { signal }, (err, _out, stderr) => {
        if (!err) return resolve(undefined);
        const said = stderr
          .trim()
          .replace(/^slowmo-probe trace-prepare: /, '')
          .replaceAll(src, '.');
        resolve(said || `the tracer's helper could not be added: ${err.message}`);
      });
    });
  }

  /**
   * Inserts the perturbations' calls and their helper; returns why it could not, as a
   * diagnostic at the line when the probe names one (`main.go:12: cannot perturb line 12: …`).
   */
  private preparePerturb(
    src: string,
    signal: AbortSignal,
    perturb: readonly Perturbation[],
  ): Promise<Diagnostic | undefined> {
    const args = ['perturb-prepare', src, ...perturb.map(perturbArg)];
    return new Promise((resolve) => {
      execFile(this.config.probeBinary, args, { signal }, (err, _out, stderr) => {
        if (!err) return resolve(undefined);
        const said = stderr
          .trim()
          .replace(/^slowmo-probe perturb-prepare: /, '')
          .replaceAll(src, '.');
        const at = /^([^\s:]+\.go):(\d+): (.+)$/s.exec(said);
        resolve({
          file: at?.[1] ?? '',
          line: at ? Number(at[2]) : 0,
          column: 0,
          message: at?.[3] ?? (said || `the perturbation could not be made: ${err.message}`),
        });
      });
    });
  }

  /** Adds the profile helper (after the tracer's, when both); returns why it could not. */
  private prepareProfiles(src: string, signal: AbortSignal): Promise<string | undefined> {
    return new Promise((resolve) => {
      execFile(
        this.config.probeBinary,
        ['profile-prepare', src],
        { signal },
        (err, _out, stderr) => {
          if (!err) return resolve(undefined);
          const said = stderr
            .trim()
            .replace(/^slowmo-probe profile-prepare: /, '')
            .replaceAll(src, '.');
          resolve(said || `the profile helper could not be added: ${err.message}`);
        },
      );
    });
  }

  private async goBuild(
    name: string,
    src: string,
    out: string,
    toolchain: Toolchain,
    deadline: BuildDeadline,
    experiment: string,
    race = false,
  ): Promise<BuildResult> {
    // In the sandbox everything has a fixed path; without one (sandbox "none"), the real ones.
    const boxed = this.config.sandbox === 'bwrap';
    const at = boxed
      ? { goroot: GOROOT, src: SRC, out: '/out', cache: '/cache', tmp: '/tmp' }
      : { goroot: toolchain.goroot, src, out, cache: this.cacheDir, tmp: path.dirname(out) };
    const launcher = this.launcher(name, src, out, toolchain);
    const argv = [
      ...launcher.argv,
      `${at.goroot}/bin/go`,
      'build',
      ...(race ? ['-race'] : []),
      '-o',
      `${at.out}/prog`,
      '.',
    ];
    try {
      const env = goEnv(at);
      if (experiment) env.GOEXPERIMENT = experiment;
      // -race needs cgo (race-support.ts); the learner's own cgo was refused above.
      if (race) {
        env.CGO_ENABLED = '1';
        // By its path, which the sandbox has as the host does (/usr is bound as it is).
        env.CC = raceCompiler() ?? 'gcc';
      }
      const result = await spawnBuild(argv, env, boxed ? '/' : src, launcher, deadline);
      if (!result.killedFor && launcher.cgroup?.oomKilled()) {
        result.killedFor = buildOutOfMemory(this.config.limits.buildMemoryBytes);
      }
      return result;
    } finally {
      // Not waited for: the build has exited, and its group's removal (about
      // 10 ms of rmdir) would only delay the run.
      void launcher.dispose();
    }
  }

  /** The build's control group and sandbox: the toolchain, the sources, the output and the cache bound in. */
  private launcher(
    name: string,
    src: string,
    out: string,
    toolchain: Toolchain,
  ): SandboxedLauncher {
    return sandboxedLauncher(
      {
        name: `build-${name}`,
        limits: { memoryBytes: this.config.limits.buildMemoryBytes, processes: 4096 },
      },
      {
        uid: this.config.buildUid,
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
  }
}

interface BuildResult {
  code: number;
  output: string;
  /** Why the build was killed, if it was: the deadline, a stop, its memory. */
  killedFor?: string | undefined;
}

/** `go build`'s environment: the toolchain at hand only, no network, no cgo. */
function goEnv(at: { goroot: string; cache: string; tmp: string }): Record<string, string> {
  return {
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
}

/** Runs the build's command line to its end, or kills it (and its group) when the deadline aborts. */
function spawnBuild(
  argv: string[],
  env: Record<string, string>,
  cwd: string,
  launcher: SandboxedLauncher,
  deadline: BuildDeadline,
): Promise<BuildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      cwd,
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
      void launcher.cgroup?.killAll();
    };
    const onAbort = (): void => kill(deadline.why ?? 'the build was stopped');
    if (deadline.signal.aborted) onAbort();
    else deadline.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      deadline.signal.removeEventListener('abort', onAbort);
      reject(new Error(`cannot start the build sandbox (${argv[0]}): ${err.message}`));
    });
    child.on('close', (code) => {
      deadline.signal.removeEventListener('abort', onAbort);
      resolve({ code: code ?? -1, output, killedFor });
    });
  });
}
