/**
 * The system-call filter as written (sandbox/seccomp.ts): its numbers agree
 * with the kernel's tables as golang.org/x/sys records them, and the program,
 * run by a small classic-BPF interpreter, decides each case as intended.
 * hostile-sandbox.test.ts checks the same filter in the real kernel.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  callNumbers,
  CLONE_NAMESPACE_FLAGS,
  deniedCalls,
  filterArch,
  seccompFilter,
  type FilterArch,
} from '../src/sandbox/seccomp';
import { guardedDescribe } from './support/guard';

const ROOT = path.join(__dirname, '..', '..');
const AUDIT: Record<FilterArch, number> = { x64: 0xc000003e, arm64: 0xc00000b7 };
const ALLOW = 0x7fff0000;
const EPERM = 0x00050001;
const ENOSYS = 0x00050026;

/** Runs a classic BPF program over one struct seccomp_data; returns what it returns. */
function run(filter: Buffer, data: { nr: number; arch: number; args?: number[] }): number {
  const mem = Buffer.alloc(64);
  mem.writeUInt32LE(data.nr >>> 0, 0);
  mem.writeUInt32LE(data.arch >>> 0, 4);
  (data.args ?? []).forEach((a, i) => mem.writeBigUInt64LE(BigInt(a), 16 + 8 * i));
  let acc = 0;
  for (let pc = 0; pc < filter.length / 8; pc++) {
    const code = filter.readUInt16LE(pc * 8);
    const jt = filter.readUInt8(pc * 8 + 2);
    const jf = filter.readUInt8(pc * 8 + 3);
    const k = filter.readUInt32LE(pc * 8 + 4);
    if (code === 0x20) acc = mem.readUInt32LE(k);
    else if (code === 0x15) pc += acc === k ? jt : jf;
    else if (code === 0x45) pc += (acc & k) >>> 0 !== 0 ? jt : jf;
    else if (code === 0x06) return k;
    else throw new Error(`unexpected opcode ${code.toString(16)} at ${pc}`);
  }
  throw new Error('the program fell off its end');
}

describe.each(['x64', 'arm64'] as const)('the seccomp filter for %s', (arch) => {
  const filter = seccompFilter(arch);
  const nr = callNumbers(arch);
  const call = (name: string, args: number[] = []): number =>
    run(filter, { nr: nr[name]!, arch: AUDIT[arch], args });

  test('denies the listed calls with EPERM and clone3 with ENOSYS', () => {
    expect(deniedCalls(arch)).toEqual(
      expect.arrayContaining(['unshare', 'setns', 'keyctl', 'add_key', 'request_key', 'bpf']),
    );
    for (const name of deniedCalls(arch)) expect([name, call(name)]).toEqual([name, EPERM]);
    expect(call('clone3')).toBe(ENOSYS);
  });

  test('lets everything else through', () => {
    const denied = new Set(Object.values(nr));
    for (let n = 0; n < 470; n++) {
      if (denied.has(n)) continue;
      expect([n, run(filter, { nr: n, arch: AUDIT[arch] })]).toEqual([n, ALLOW]);
    }
  });

  test('clone: threads and forks pass, any namespace flag does not', () => {
    const THREAD = 0x3d0f00; // CLONE_VM|FS|FILES|SIGHAND|SYSVSEM|THREAD|SETTLS|PARENT_SETTID|CHILD_CLEARTID
    expect(call('clone', [THREAD])).toBe(ALLOW);
    expect(call('clone', [17])).toBe(ALLOW); // fork: SIGCHLD
    for (let bit = 0; bit < 32; bit++) {
      const flag = 2 ** bit;
      if ((CLONE_NAMESPACE_FLAGS & flag) === 0) continue;
      expect(call('clone', [flag | 17])).toBe(EPERM);
    }
    // High bits the kernel ignores do not hide a namespace flag.
    expect(call('clone', [0x10000000 + 2 ** 40])).toBe(EPERM);
  });

  test('personality: the query and the usual values pass, others do not', () => {
    for (const p of [0, 8, 0x20000, 0x20008, 0xffffffff])
      expect(call('personality', [p])).toBe(ALLOW);
    expect(call('personality', [0x0400000])).toBe(EPERM); // READ_IMPLIES_EXEC
    expect(call('personality', [0x0040000])).toBe(EPERM); // ADDR_NO_RANDOMIZE
  });

  test('another ABI is refused whole', () => {
    const other = arch === 'x64' ? 0x40000003 : 0x40000028; // i386, arm
    expect(run(filter, { nr: 0, arch: other })).toBe(ENOSYS);
  });
});

test('x32 calls (the x86_64 arch, bit 30 set in the number) are refused whole', () => {
  expect(run(seccompFilter('x64'), { nr: 0x40000000 | 39, arch: AUDIT.x64 })).toBe(ENOSYS);
});

/** golang.org/x/sys's generated tables of system-call numbers, in the module cache after make setup. */
function sysnumTable(goarch: string): string {
  const goMod = readFileSync(path.join(ROOT, 'bpf', 'go.mod'), 'utf8');
  const version = /golang\.org\/x\/sys (v\S+)/.exec(goMod)?.[1] ?? '';
  const modcache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  return path.join(modcache, `golang.org/x/sys@${version}`, 'unix', `zsysnum_linux_${goarch}.go`);
}

const tables = { x64: sysnumTable('amd64'), arm64: sysnumTable('arm64') };
guardedDescribe(
  Object.values(tables).every((t) => existsSync(t))
    ? undefined
    : `golang.org/x/sys is not in the module cache (${tables.x64}): run make setup`,
)('the filter’s numbers', () => {
  test.each(['x64', 'arm64'] as const)(
    'are the kernel’s for %s (golang.org/x/sys/unix)',
    (arch) => {
      const text = readFileSync(tables[arch], 'utf8');
      for (const [name, n] of Object.entries(callNumbers(arch))) {
        const m = new RegExp(`\\bSYS_${name.toUpperCase()}\\s*=\\s*(\\d+)`).exec(text);
        expect([name, m ? Number(m[1]) : 'absent']).toEqual([name, n]);
      }
    },
  );
});

test('an architecture without a filter says so instead of pretending', () => {
  expect(filterArch('riscv64')).toEqual({ why: expect.stringContaining('riscv64') });
  expect(filterArch('x64')).toBe('x64');
});
