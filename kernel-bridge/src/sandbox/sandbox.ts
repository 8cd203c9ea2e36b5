/**
 * The sandbox every build and every learner program runs in: bubblewrap
 * with fresh pid, network, ipc and uts namespaces (no network at all), a new
 * root holding only a read-only /usr, the paths bound in on purpose and a
 * small private /tmp, and a system-call filter (seccomp.ts); then, inside,
 * setpriv drops to an unprivileged uid with no capabilities, and prlimit caps
 * processes, file size and open files. Nothing of the bridge (its files, its
 * environment, its sockets) is visible.
 *
 * When the bridge runs as root, bubblewrap makes the mounts and setpriv
 * drops to `uid`. Without root, bubblewrap unshares a user namespace instead
 * (and forbids nested ones) and the program keeps the bridge's uid outside
 * the sandbox.
 *
 * bubblewrap's options (with the host paths of every bind) reach it through
 * a file on a descriptor (`--args`), not its command line: in the sandbox's
 * pid namespace bubblewrap is pid 1, and anyone can read /proc/1/cmdline.
 * The filter comes on another descriptor (`--seccomp`). A small host shell in
 * front opens both, so the command line works from any launcher (the probe
 * engine runs it as given, a build spawns it) without passing descriptors.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { seccompFile } from './seccomp';

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

export interface SandboxOptions {
  asRoot?: boolean;
  mode?: 'bwrap' | 'none';
  /** A directory of the bridge's, never bound into a sandbox, for the files a launch opens. */
  scratchDir: string;
}

/** A command line that runs a command inside the sandbox, and the files it needs meanwhile. */
export interface SandboxLaunch {
  /** The argv prefix: append the command and its arguments. */
  argv: string[];
  /** Removes the launch's files; call once the sandbox has ended. */
  dispose(): void;
}

export const BWRAP = 'bwrap';
/** Descriptors the host shell opens for bubblewrap (dash's redirections stop at 9). */
const SECCOMP_FD = 8;
const ARGS_FD = 9;

let launches = 0;

/** The bridge's scratch directory for launches under its work directory. */
export function sandboxScratchDir(workDir: string): string {
  return path.join(workDir, 'sandbox');
}

/** The launch of one build or run: its argv prefix, and its argument file to remove afterwards. */
export function sandboxLaunch(spec: SandboxSpec, options: SandboxOptions): SandboxLaunch {
  const asRoot = options.asRoot ?? process.getuid?.() === 0;
  if (options.mode === 'none') return { argv: limitsCommand(spec, asRoot), dispose() {} };
  const opts = bwrapOptions(spec, asRoot);
  const filter = seccompFile(options.scratchDir);
  if ('file' in filter) opts.unshift('--seccomp', String(SECCOMP_FD));
  mkdirSync(options.scratchDir, { recursive: true, mode: 0o700 });
  if (launches === 0) removeOrphans(options.scratchDir);
  const argsFile = path.join(options.scratchDir, `${process.pid}-${++launches}.args`);
  writeFileSync(argsFile, opts.map((a) => `${a}\0`).join(''), { mode: 0o600 });
  const opens =
    'file' in filter
      ? `exec ${SECCOMP_FD}<"$1" ${ARGS_FD}<"$2" && shift 2 && exec "$@"`
      : `exec ${ARGS_FD}<"$2" && shift 2 && exec "$@"`;
  const argv = [
    '/bin/sh',
    '-c',
    opens,
    'slowmo-sandbox',
    'file' in filter ? filter.file : '/dev/null',
    argsFile,
    BWRAP,
    '--args',
    String(ARGS_FD),
    '--',
    ...(asRoot ? dropCommand(spec) : []),
    ...limitsCommand(spec, asRoot),
  ];
  return { argv, dispose: () => rmSync(argsFile, { force: true }) };
}

/** Argument files of bridges that died before removing them (they hold host paths). */
function removeOrphans(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = /^(\d+)-\d+\.args$/.exec(name)?.[1];
    if (pid && !existsSync(`/proc/${pid}`)) rmSync(path.join(dir, name), { force: true });
  }
}

/** Whether the sandbox filters system calls, or why not. */
export function seccompState(
  mode: 'bwrap' | 'none',
  scratchDir: string,
): { active: boolean; why?: string } {
  if (mode === 'none')
    return { active: false, why: 'the bridge runs without a sandbox (sandbox "none")' };
  const filter = seccompFile(scratchDir);
  return 'file' in filter ? { active: true } : { active: false, why: filter.why };
}

/** bubblewrap's options: namespaces, the new root, the binds. */
function bwrapOptions(spec: SandboxSpec, asRoot: boolean): string[] {
  const argv = [
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
  // Root mode has no user namespace to lock: no capabilities and the filter refuse new ones.
  if (!asRoot)
    argv.push('--unshare-user', ...(disableUsernsSupported() ? ['--disable-userns'] : []));
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
  argv.push('--chdir', spec.cwd);
  return argv;
}

/** setpriv's part (root mode): the run's uid, no groups, no capabilities. */
function dropCommand(spec: SandboxSpec): string[] {
  return [
    'setpriv',
    `--reuid=${spec.uid}`,
    `--regid=${spec.uid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--',
  ];
}

let disableUserns: boolean | undefined;

/** bubblewrap 0.8 and later can forbid user namespaces inside its own. */
function disableUsernsSupported(): boolean {
  disableUserns ??= /--disable-userns/.test(
    spawnSync(BWRAP, ['--help'], { encoding: 'utf8', timeout: 10_000 }).stdout ?? '',
  );
  return disableUserns;
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
