/**
 * The sandbox every build and every learner program runs in: bubblewrap
 * with fresh pid, network, ipc and uts namespaces (no network at all), a new
 * root holding only a read-only /usr, the paths bound in on purpose and a
 * small private /tmp; then, inside, setpriv drops to an unprivileged uid with
 * no capabilities, and prlimit caps processes, file size and open files.
 * Nothing of the bridge (its files, its environment, its sockets) is visible.
 *
 * When the bridge runs as root, bubblewrap makes the mounts and setpriv
 * drops to `uid`. Without root, bubblewrap unshares a user namespace instead
 * and the program keeps the bridge's uid outside the sandbox.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface Bind {
  src: string;
  dest: string;
  writable?: boolean;
}

export interface SandboxSpec {
  /** The unprivileged uid and gid to run as (used when the bridge is root). */
  uid: number;
  binds: Bind[];
  /** Size of the private, writable /tmp. */
  tmpBytes: number;
  cwd: string;
  /** Processes and threads of this uid (RLIMIT_NPROC). */
  processes: number;
  /** Largest file the program may write. */
  fileBytes: number;
  /** RLIMIT_CPU, the backstop when there is no cgroup to measure CPU time. */
  cpuSeconds?: number;
  /** RLIMIT_AS, the backstop when there is no cgroup to cap memory (Go reserves more than it uses). */
  addressBytes?: number;
}

export const BWRAP = 'bwrap';

/** The command line (argv prefix) that runs a command inside the sandbox. */
export function sandboxCommand(
  spec: SandboxSpec,
  asRoot = process.getuid?.() === 0,
  mode: 'bwrap' | 'none' = 'bwrap',
): string[] {
  if (mode === 'none') return limitsCommand(spec, asRoot);
  const argv = [
    BWRAP,
    '--die-with-parent',
    '--new-session',
    '--unshare-pid',
    '--unshare-net',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--hostname',
    'slowmo',
  ];
  if (!asRoot) argv.push('--unshare-user');
  argv.push(
    '--ro-bind',
    '/usr',
    '/usr',
    '--symlink',
    'usr/bin',
    '/bin',
    '--symlink',
    'usr/sbin',
    '/sbin',
    '--symlink',
    'usr/lib',
    '/lib',
    '--symlink',
    'usr/lib64',
    '/lib64',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(spec.tmpBytes),
    '--perms',
    '1777',
    '--tmpfs',
    '/tmp',
  );
  const dirs = new Set<string>();
  for (const b of spec.binds) {
    // bubblewrap would make missing parents 0700 root: unreadable after setpriv.
    for (let d = parent(b.dest); d !== '/' && !dirs.has(d); d = parent(d)) dirs.add(d);
  }
  for (const d of [...dirs].sort()) argv.push('--perms', '0755', '--dir', d);
  for (const b of spec.binds) argv.push(b.writable ? '--bind' : '--ro-bind', b.src, b.dest);
  argv.push('--chdir', spec.cwd, '--');
  if (asRoot) {
    argv.push(
      'setpriv',
      `--reuid=${spec.uid}`,
      `--regid=${spec.uid}`,
      '--clear-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--',
    );
  }
  return [...argv, ...limitsCommand(spec, asRoot)];
}

/** prlimit's part: processes, file size, open files, core, and the CPU and memory backstops. */
function limitsCommand(spec: SandboxSpec, asRoot: boolean): string[] {
  const argv: string[] = [];
  argv.push(
    'prlimit',
    // Without root the program keeps the bridge's uid, whose other tasks count too.
    `--nproc=${asRoot ? spec.processes : spec.processes + tasksOfThisUser()}`,
    `--fsize=${spec.fileBytes}`,
    '--nofile=1024',
    '--core=0',
  );
  if (spec.cpuSeconds !== undefined) {
    const soft = Math.ceil(spec.cpuSeconds);
    argv.push(`--cpu=${soft}:${soft + 1}`);
  }
  if (spec.addressBytes !== undefined) argv.push(`--as=${spec.addressBytes}`);
  argv.push('--');
  return argv;
}

/** Threads of this process's uid (RLIMIT_NPROC counts them all). */
function tasksOfThisUser(): number {
  const uid = process.getuid?.();
  let n = 0;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const m = /^Uid:\s+(\d+)/m.exec(status);
        const t = /^Threads:\s+(\d+)/m.exec(status);
        if (m && Number(m[1]) === uid) n += Number(t?.[1] ?? 1);
      } catch {
        // Gone meanwhile.
      }
    }
  } catch {
    return 512;
  }
  return n;
}

function parent(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}
