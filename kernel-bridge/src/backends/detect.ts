/**
 * Which backends can run here, and if not, why: `/api/info` shows it, and
 * `auto` picks from it. eBPF needs the probe engine built, privilege to load
 * probes (its `check` command decides) and root for the sandbox to drop to
 * an unprivileged user.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { BackendChoice, BackendState } from '../protocol';
import { BWRAP, sandboxLaunch } from '../sandbox/sandbox';

/** The uid the start-up check drops to (when root): nobody's. */
const NOBODY = 65534;

export type Backend = Exclude<BackendChoice, 'auto'>;
export type { BackendState };

export type Backends = Record<Backend, BackendState>;

function which(cmd: string): boolean {
  return (process.env.PATH ?? '/usr/bin:/bin').split(':').some((d) => existsSync(`${d}/${cmd}`));
}

function probeCheck(probeBinary: string): Promise<BackendState> {
  return new Promise((resolve) => {
    execFile(probeBinary, ['check'], { timeout: 20_000 }, (err, stdout) => {
      try {
        const r = JSON.parse(stdout) as { available?: boolean; why?: string };
        if (r.available) resolve({ available: true });
        else
          resolve({
            available: false,
            why: r.why ?? 'the probe engine says eBPF is not available',
          });
      } catch {
        resolve({
          available: false,
          why: `${probeBinary} check failed: ${err?.message ?? 'no answer'}`,
        });
      }
    });
  });
}

export async function detectBackends(
  probeBinary: string,
  sandbox: 'bwrap' | 'none',
  /** Where the sandbox's launch files go (sandboxScratchDir of the work directory). */
  scratchDir: string,
): Promise<Backends> {
  let ebpf: BackendState;
  if (sandbox === 'none') {
    ebpf = {
      available: false,
      why: 'the bridge runs without a sandbox (sandbox "none"), so a program under eBPF would keep the privilege the probes need',
    };
  } else if (!existsSync(probeBinary)) {
    ebpf = {
      available: false,
      why: `the probe engine is not built (${probeBinary}): run make setup`,
    };
  } else if (process.getuid?.() !== 0) {
    ebpf = {
      available: false,
      why: 'the bridge does not run as root: loading eBPF probes and dropping learners to an unprivileged user need it',
    };
  } else if (!which(BWRAP)) {
    ebpf = { available: false, why: 'bubblewrap (bwrap) is not installed: run make setup' };
  } else {
    ebpf = await probeCheck(probeBinary);
  }
  return { ebpf, trace: traceState(probeBinary, sandbox, scratchDir) };
}

/**
 * The trace backend needs no privilege: the probe engine with its `trace`
 * command, and a sandbox that works for this user (bubblewrap with a user
 * namespace when not root).
 */
function traceState(probeBinary: string, mode: 'bwrap' | 'none', scratchDir: string): BackendState {
  if (!existsSync(probeBinary)) {
    return {
      available: false,
      why: `the probe engine is not built (${probeBinary}): run make setup`,
    };
  }
  const usage = spawnSync(probeBinary, ['trace'], { encoding: 'utf8', timeout: 10_000 });
  if (!/slowmo-probe trace:/.test(usage.stderr ?? '')) {
    return {
      available: false,
      why: `${probeBinary} has no trace command: rebuild it (make setup)`,
    };
  }
  // Without a sandbox (Binder) there is nothing more to check.
  if (mode === 'none') return { available: true };
  if (!which(BWRAP))
    return { available: false, why: 'bubblewrap (bwrap) is not installed: run make setup' };
  // The very launch builds and runs use (namespaces, seccomp, the uid drop), running `true`.
  const launch = sandboxLaunch(
    { uid: NOBODY, binds: [], tmpBytes: 1 << 20, cwd: '/', processes: 1024, fileBytes: 1 << 20 },
    { mode, scratchDir },
  );
  const sandbox = spawnSync(launch.argv[0]!, [...launch.argv.slice(1), 'true'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  launch.dispose();
  if (sandbox.status !== 0) {
    return {
      available: false,
      why: `the sandbox cannot start here (bubblewrap: ${(sandbox.stderr ?? '').trim() || sandbox.error?.message}); unprivileged user namespaces may be disabled`,
    };
  }
  return { available: true };
}

/** The backend a request gets, or why it cannot have one. */
export function chooseBackend(
  backends: Backends,
  requested: BackendChoice,
): { backend: Backend } | { why: string } {
  if (requested !== 'auto') {
    const b = backends[requested];
    return b.available
      ? { backend: requested }
      : { why: `the ${requested} backend is unavailable: ${b.why}` };
  }
  if (backends.ebpf.available) return { backend: 'ebpf' };
  if (backends.trace.available) return { backend: 'trace' };
  return {
    why: `no backend can run here: eBPF: ${backends.ebpf.why}; trace: ${backends.trace.why}`,
  };
}
