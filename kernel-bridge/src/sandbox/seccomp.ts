/**
 * The system-call filter of every sandbox (builds and programs): a classic
 * BPF program, written here, that bubblewrap loads with `--seccomp FD` just
 * before it executes the command. Everything is allowed except what a Go
 * program never needs and container escapes use: new namespaces (unshare,
 * clone with a namespace flag, setns), the kernel keyrings (state that would
 * outlive the run under its uid), io_uring, bpf, perf events, ptrace and the
 * other process-memory calls, every mount call, module and kexec loading,
 * userfaultfd, clock setting, swap, reboot, the kernel log, and odd
 * personalities. The list follows Docker's default profile (moby's
 * profiles/seccomp/default.json); unlike it, this is a deny list, because
 * the sandbox's other walls (no capabilities, its own pid, network, ipc and
 * uts namespaces) already stand and the filter only narrows the kernel's
 * surface.
 *
 * Denied calls fail with EPERM, as in Docker, except clone3, which fails with
 * ENOSYS so that glibc and Go fall back to clone, whose flags a classic filter
 * can read (clone3's are behind a pointer).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The architectures a filter can be written for: `process.arch` names. */
export type FilterArch = 'x64' | 'arm64';

/** The number of each call on each architecture (absent: the call does not exist there). */
type Numbers = Partial<Record<FilterArch, number>>;

/**
 * Denied outright (EPERM): each call's number on x64 and on arm64 (`-`: no such
 * call there), from the kernel's tables (checked against x/sys/unix), under the
 * reason it is denied.
 */
const DENIED: Record<string, Numbers> = callTable(`
  # name                     x64  arm64
  # New namespaces and joining others': the way to a full capability set.
  unshare                    272     97
  setns                      308    268
  # Kernel keyrings: keys live on after the run, keyed by uid.
  add_key                    248    217
  request_key                249    218
  keyctl                     250    219
  # io_uring: a large, often-patched surface that bypasses other syscall checks.
  io_uring_setup             425    425
  io_uring_enter             426    426
  io_uring_register          427    427
  # Tracing and the memory of other processes.
  bpf                        321    280
  perf_event_open            298    241
  ptrace                     101    117
  process_vm_readv           310    270
  process_vm_writev          311    271
  kcmp                       312    272
  pidfd_getfd                438    438
  userfaultfd                323    282
  # Mounts, old and new API.
  mount                      165     40
  umount2                    166     39
  pivot_root                 155     41
  chroot                     161     51
  open_tree                  428    428
  move_mount                 429    429
  fsopen                     430    430
  fsconfig                   431    431
  fsmount                    432    432
  fspick                     433    433
  mount_setattr              442    442
  open_tree_attr             467    467
  # File handles: open_by_handle_at is how the "shocker" escape read host files.
  name_to_handle_at          303    264
  open_by_handle_at          304    265
  # The kernel itself: modules, kexec, reboot, swap, accounting, quotas, its log.
  init_module                175    105
  finit_module               313    273
  delete_module              176    106
  create_module              174      -
  get_kernel_syms            177      -
  query_module               178      -
  kexec_load                 246    104
  kexec_file_load            320    294
  reboot                     169    142
  swapon                     167    224
  swapoff                    168    225
  acct                       163     89
  quotactl                   179     60
  quotactl_fd                443    443
  syslog                     103    116
  lookup_dcookie             212     18
  nfsservctl                 180     42
  uselib                     134      -
  ustat                      136      -
  sysfs                      139      -
  _sysctl                    156      -
  vhangup                    153     58
  fanotify_init              300    262
  # The clock and the host's names.
  settimeofday               164    170
  clock_settime              227    112
  clock_adjtime              305    266
  sethostname                170    161
  setdomainname              171    162
  # Port I/O (x86 only).
  iopl                       172      -
  ioperm                     173      -
  # NUMA policy: needs CAP_SYS_NICE in Docker; a Go program never sets it.
  mbind                      237    235
  set_mempolicy              238    237
  get_mempolicy              239    236
  move_pages                 279    239
  set_mempolicy_home_node    450    450
`);

/** The rows of a table written as above: `name x64 arm64`, `#` starts a comment. */
function callTable(text: string): Record<string, Numbers> {
  const calls: Record<string, Numbers> = {};
  for (const row of text.split('\n')) {
    const words = row.replace(/#.*/, '').trim().split(/\s+/);
    if (words[0] === '') continue;
    const [name, x64, arm64] = words as [string, string, string];
    const number = (n: string): number | undefined => (n === '-' ? undefined : Number(n));
    const numbers: Numbers = { x64: number(x64), arm64: number(arm64) };
    if (words.length !== 3 || Object.values(numbers).some((n) => Number.isNaN(n))) {
      // A typo here would let a call through: refuse to load instead.
      throw new Error(`seccomp: cannot read the row "${row.trim()}" (name x64 arm64)`);
    }
    calls[name] = numbers;
  }
  return calls;
}

/** Allowed unless arg0 asks for a new namespace. */
const CLONE: Numbers = { x64: 56, arm64: 220 };
/** Always ENOSYS: its flags are out of the filter's reach, and callers fall back to clone. */
const CLONE3: Numbers = { x64: 435, arm64: 435 };
/** Allowed only with the values Docker allows (Linux, UNAME26, PER_LINUX32 and the query). */
const PERSONALITY: Numbers = { x64: 135, arm64: 92 };
const PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET. */
export const CLONE_NAMESPACE_FLAGS = 0x7e020000;

/** AUDIT_ARCH_* of <linux/audit.h>: what seccomp_data.arch holds. */
const AUDIT_ARCH: Record<FilterArch, number> = { x64: 0xc000003e, arm64: 0xc00000b7 };
/** On x86_64, calls of the x32 ABI carry this bit in their number and the same arch. */
const X32_SYSCALL_BIT = 0x40000000;

const EPERM = 1;
const ENOSYS = 38;
const RET_ALLOW = 0x7fff0000;
const retErrno = (errno: number): number => 0x00050000 | errno;

// Classic BPF opcodes (<linux/filter.h>).
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JSET_K = 0x45;
const RET_K = 0x06;

// struct seccomp_data: nr, arch, instruction_pointer, args[6] (little-endian on both arches).
const OFF_NR = 0;
const OFF_ARCH = 4;
const OFF_ARG0_LOW = 16;

/** One instruction; a jump names its targets by label until they are resolved. */
interface Insn {
  code: number;
  k: number;
  jt?: string;
  jf?: string;
}

/** The names of the calls the filter denies on this architecture (for the docs and tests). */
export function deniedCalls(arch: FilterArch): string[] {
  return Object.keys(DENIED).filter((n) => DENIED[n]![arch] !== undefined);
}

/** Every call the filter names, with its number on this architecture (for tests). */
export function callNumbers(arch: FilterArch): Record<string, number> {
  const all: Record<string, Numbers> = {
    ...DENIED,
    clone: CLONE,
    clone3: CLONE3,
    personality: PERSONALITY,
  };
  const out: Record<string, number> = {};
  for (const [name, n] of Object.entries(all)) if (n[arch] !== undefined) out[name] = n[arch];
  return out;
}

/** The architecture this machine's filter is for, or why there is none. */
export function filterArch(arch: string = process.arch): FilterArch | { why: string } {
  if (arch === 'x64' || arch === 'arm64') return arch;
  return {
    why: `no system-call filter is written for this machine's architecture (${arch}); x64 and arm64 have one`,
  };
}

/** The filter as bubblewrap reads it: an array of struct sock_filter (8 bytes each). */
export function seccompFilter(arch: FilterArch): Buffer {
  const prog: Insn[] = [];
  const labels = new Map<string, number>();
  const label = (name: string): void => void labels.set(name, prog.length);
  const ld = (offset: number): void => void prog.push({ code: LD_W_ABS, k: offset });
  const jeq = (k: number, jt: string, jf = 'next'): void =>
    void prog.push({ code: JEQ_K, k, jt, jf });
  const ret = (k: number): void => void prog.push({ code: RET_K, k });
  const nr = (n: Numbers): number => n[arch]!;

  // A call of another ABI (i386's int 0x80 on x86_64) has other numbers: refuse it whole.
  ld(OFF_ARCH);
  jeq(AUDIT_ARCH[arch], 'next', 'enosys');
  ld(OFF_NR);
  if (arch === 'x64') prog.push({ code: JSET_K, k: X32_SYSCALL_BIT, jt: 'enosys', jf: 'next' });
  for (const name of deniedCalls(arch)) jeq(nr(DENIED[name]!), 'eperm');
  jeq(nr(CLONE3), 'enosys');
  jeq(nr(CLONE), 'clone');
  jeq(nr(PERSONALITY), 'personality');
  ret(RET_ALLOW);

  // Only the low 32 bits of clone's flags count (the kernel drops the rest).
  label('clone');
  ld(OFF_ARG0_LOW);
  prog.push({ code: JSET_K, k: CLONE_NAMESPACE_FLAGS, jt: 'eperm', jf: 'allow' });

  // personality takes an unsigned int: the low 32 bits are all of it.
  label('personality');
  ld(OFF_ARG0_LOW);
  for (const p of PERSONALITIES) jeq(p, 'allow');
  label('eperm');
  ret(retErrno(EPERM));
  label('enosys');
  ret(retErrno(ENOSYS));
  label('allow');
  ret(RET_ALLOW);

  const out = Buffer.alloc(prog.length * 8);
  prog.forEach((insn, i) => {
    const offset = (target: string | undefined): number => {
      if (target === undefined || target === 'next') return 0;
      const to = labels.get(target);
      if (to === undefined) throw new Error(`seccomp filter: no label ${target}`);
      const d = to - i - 1;
      // Classic BPF jumps forward only, at most 255 instructions.
      if (d < 0 || d > 255) throw new Error(`seccomp filter: jump to ${target} out of reach`);
      return d;
    };
    out.writeUInt16LE(insn.code, i * 8);
    out.writeUInt8(offset(insn.jt), i * 8 + 2);
    out.writeUInt8(offset(insn.jf), i * 8 + 3);
    out.writeUInt32LE(insn.k >>> 0, i * 8 + 4);
  });
  return out;
}

const written = new Map<string, string>();

/**
 * The filter for this machine in a file under `dir` (named by its content, so
 * bridges sharing a work directory share it and a new filter never replaces
 * one in use), or why there is none.
 */
export function seccompFile(
  dir: string,
  arch: string = process.arch,
): { file: string } | { why: string } {
  const a = filterArch(arch);
  if (typeof a !== 'string') return a;
  const bytes = seccompFilter(a);
  const name = `seccomp-${a}-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.bpf`;
  const file = path.join(dir, name);
  if (written.get(file) !== name) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes, { mode: 0o644 });
    renameSync(tmp, file);
    written.set(file, name);
  }
  return { file };
}
