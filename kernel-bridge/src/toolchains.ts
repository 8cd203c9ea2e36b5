/**
 * The Go toolchains a build can use: the machine's own `go`, and the ones the
 * go command downloaded into its module cache (`GOTOOLCHAIN=go1.X.Y`, which
 * `make setup` does for every supported version). A request names a release
 * (`1.26`: the newest 1.26.x installed) or an exact version (`1.26.8`).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Toolchain {
  /** `go1.26.8` */
  version: string;
  /** Its GOROOT on this machine. */
  goroot: string;
}

export interface Toolchains {
  installed: Toolchain[];
  /** Supported releases (go-versions.txt) that are not installed. */
  installable: string[];
  /** The newest installed: what a run gets when it names no version. */
  default?: Toolchain;
}

/** Thrown for a Go version the bridge cannot build with; says which it can. */
export class GoVersionError extends Error {
  override readonly name = 'GoVersionError';
}

/** Orders `go1.9.1` before `go1.10`: numerically, part by part. */
export function compareGoVersions(a: string, b: string): number {
  const pa = a.replace(/^go/, '').split('.').map(Number);
  const pb = b.replace(/^go/, '').split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

async function goEnv(...names: string[]): Promise<string[]> {
  const { stdout } = await run('go', ['env', ...names], { timeout: 10_000 });
  return stdout.split('\n').slice(0, names.length);
}

/** Finds the installed toolchains; `goVersionsFile` lists the supported ones. */
export async function findToolchains(goVersionsFile: string): Promise<Toolchains> {
  const found = new Map<string, Toolchain>();
  let modcache = '';
  try {
    const [goroot, version, cache] = await goEnv('GOROOT', 'GOVERSION', 'GOMODCACHE');
    modcache = cache ?? '';
    if (goroot && version && existsSync(path.join(goroot, 'bin', 'go'))) {
      found.set(version, { version, goroot });
    }
  } catch {
    // No go on PATH: only cached toolchains, if any.
  }
  const dir = path.join(modcache, 'golang.org');
  if (modcache && existsSync(dir)) {
    for (const entry of readdirSync(dir)) {
      const m = /^toolchain@v0\.0\.1-(go1\.\d+(?:\.\d+)?)\.linux-amd64$/.exec(entry);
      const goroot = path.join(dir, entry);
      if (m?.[1] && existsSync(path.join(goroot, 'bin', 'go'))) {
        found.set(m[1], { version: m[1], goroot });
      }
    }
  }
  const installed = [...found.values()].sort((a, b) => compareGoVersions(a.version, b.version));
  let supported: string[] = [];
  try {
    supported = readFileSync(goVersionsFile, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^go1\.\d+/.test(l));
  } catch {
    // Without the list, nothing is known to be installable.
  }
  return {
    installed,
    installable: supported.filter((v) => !found.has(v)),
    default: installed.at(-1),
  };
}

/** The toolchain for a requested version, or a GoVersionError listing the choices. */
export function resolveToolchain(tc: Toolchains, requested?: string): Toolchain {
  const choices = tc.installed.map((t) => t.version).join(', ') || 'none';
  if (requested === undefined) {
    if (!tc.default) throw new GoVersionError('no Go toolchain is installed here: run make setup');
    return tc.default;
  }
  const want = requested.startsWith('go') ? requested : `go${requested}`;
  const exact = tc.installed.find((t) => t.version === want);
  if (exact) return exact;
  if (/^go1\.\d+$/.test(want)) {
    const release = tc.installed.filter((t) => t.version.startsWith(`${want}.`)).at(-1);
    if (release) return release;
  }
  throw new GoVersionError(`Go ${requested} is not installed here; choose one of: ${choices}`);
}
