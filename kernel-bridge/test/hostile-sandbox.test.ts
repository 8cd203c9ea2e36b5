/**
 * The sandbox against a hostile class (issue 14): the kernel's attack surface
 * is narrowed by a system-call filter while ordinary Go programs run as
 * before; each run has a uid of its own, not shared with the runs before it
 * nor with another bridge on the host; and nothing inside the sandbox shows
 * the bridge's paths. Real bridges, real sandbox, real builds.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sandboxLaunch } from '../src/sandbox/sandbox';
import type { BridgeServer } from '../src/server/app';
import {
  Client,
  ebpfDescribe,
  output,
  processesOf,
  runUids,
  startTestBridge,
  TEST_WORK_DIR,
  wsUrl,
  type RunLog,
} from './support/bridge';
import { guardedDescribe } from './support/guard';

jest.setTimeout(60_000);

/** Calls a hostile program makes, each printed as `name: EPERM` (or another errno, or ok). */
const SYSCALLS = String.raw`package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"unsafe"
)

func show(name string, e syscall.Errno) {
	switch e {
	case 0:
		fmt.Printf("%s: ok\n", name)
	case syscall.EPERM:
		fmt.Printf("%s: EPERM\n", name)
	case syscall.ENOSYS:
		fmt.Printf("%s: ENOSYS\n", name)
	default:
		fmt.Printf("%s: %d %v\n", name, int(e), e)
	}
}

func str(s string) uintptr { p, _ := syscall.BytePtrFromString(s); return uintptr(unsafe.Pointer(p)) }

const keyringUser = ^uintptr(3) // KEY_SPEC_USER_KEYRING (-4)

func main() {
	_, _, e := syscall.RawSyscall(syscall.SYS_UNSHARE, syscall.CLONE_NEWUSER, 0, 0)
	show("unshare", e)
	var params [120]byte
	fd, _, e := syscall.RawSyscall(425, 8, uintptr(unsafe.Pointer(&params)), 0) // io_uring_setup
	show("io_uring_setup", e)
	if e == 0 {
		syscall.Close(int(fd))
	}
	_, _, e = syscall.RawSyscall(250, 0, keyringUser, 0) // keyctl(KEYCTL_GET_KEYRING_ID, @u)
	show("keyctl", e)
	data := []byte("secret")
	_, _, e = syscall.RawSyscall6(248, str("user"), str("slowmo-hostile"), uintptr(unsafe.Pointer(&data[0])), uintptr(len(data)), keyringUser, 0) // add_key
	show("add_key", e)
	_, _, e = syscall.RawSyscall6(249, str("user"), str("slowmo-hostile"), 0, 0, 0, 0) // request_key
	show("request_key", e)
	_, _, e = syscall.RawSyscall(308, 0, 0, 0) // setns
	show("setns", e)
	_, _, e = syscall.RawSyscall(435, 0, 0, 0) // clone3
	show("clone3", e)
	_, _, e = syscall.RawSyscall(syscall.SYS_PERSONALITY, 0x0400000, 0, 0) // READ_IMPLIES_EXEC
	show("personality", e)
	_, _, e = syscall.RawSyscall(323, 1, 0, 0) // userfaultfd(UFFD_USER_MODE_ONLY)
	show("userfaultfd", e)
	var b [8]byte
	local := syscall.Iovec{Base: &b[0], Len: 8}
	remote := syscall.Iovec{Base: &data[0], Len: 6}
	_, _, e = syscall.RawSyscall6(310, uintptr(os.Getpid()), uintptr(unsafe.Pointer(&local)), 1, uintptr(unsafe.Pointer(&remote)), 1, 0) // process_vm_readv
	show("process_vm_readv", e)
	_, _, e = syscall.RawSyscall(321, 0, 0, 0) // bpf
	show("bpf", e)
	err := syscall.Mount("none", "/tmp", "tmpfs", 0, "")
	fmt.Println("mount:", err)
	cmd := exec.Command("/usr/bin/true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER}
	fmt.Println("clone newuser:", cmd.Run())
	out, err := exec.Command("/usr/bin/unshare", "-Ur", "/usr/bin/true").CombinedOutput()
	fmt.Printf("unshare -Ur: %v %s\n", err, out)
}
`;

/** An ordinary concurrent program: goroutines, timers, a loopback TCP echo, os/exec. */
const ORDINARY = String.raw`package main

import (
	"bufio"
	"fmt"
	"net"
	"os/exec"
	"sync"
	"time"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("listen:", err)
		return
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				s := bufio.NewScanner(c)
				for s.Scan() {
					fmt.Fprintf(c, "echo %s\n", s.Text())
				}
			}(c)
		}
	}()
	replies := make([]string, 8)
	var wg sync.WaitGroup
	for i := range replies {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			time.Sleep(time.Duration(i) * 3 * time.Millisecond)
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				replies[i] = err.Error()
				return
			}
			defer c.Close()
			fmt.Fprintf(c, "%d\n", i)
			replies[i], _ = bufio.NewReader(c).ReadString('\n')
		}(i)
	}
	wg.Wait()
	for _, r := range replies {
		fmt.Print(r)
	}
	ticks := 0
	ticker := time.NewTicker(2 * time.Millisecond)
	deadline := time.After(5 * time.Second)
	for ticks < 5 {
		select {
		case <-ticker.C:
			ticks++
		case <-deadline:
			fmt.Println("the ticker stopped")
			return
		}
	}
	fmt.Println("ticks:", ticks)
	fmt.Println("exec:", exec.Command("/usr/bin/true").Run())
}
`;

const UID = `package main

import (
	"fmt"
	"os"
)

func main() { fmt.Println("uid", os.Getuid()) }
`;

/** Writes a key to the user keyring, then (with an argument) looks for one. */
const KEY_WRITE = String.raw`package main

import (
	"fmt"
	"syscall"
	"unsafe"
)

func main() {
	t, _ := syscall.BytePtrFromString("user")
	d, _ := syscall.BytePtrFromString("slowmo-left-behind")
	v := []byte("the answers to the exam")
	id, _, e := syscall.RawSyscall6(248, uintptr(unsafe.Pointer(t)), uintptr(unsafe.Pointer(d)), uintptr(unsafe.Pointer(&v[0])), uintptr(len(v)), ^uintptr(3), 0)
	fmt.Println("add_key:", int64(id), e)
}
`;

const KEY_READ = String.raw`package main

import (
	"fmt"
	"syscall"
	"unsafe"
)

func main() {
	t, _ := syscall.BytePtrFromString("user")
	d, _ := syscall.BytePtrFromString("slowmo-left-behind")
	// keyctl(KEYCTL_SEARCH, @u, "user", description, 0)
	id, _, e := syscall.RawSyscall6(250, 10, ^uintptr(3), uintptr(unsafe.Pointer(t)), uintptr(unsafe.Pointer(d)), 0, 0)
	if e != 0 {
		fmt.Println("search:", e)
		return
	}
	var buf [64]byte
	n, _, _ := syscall.RawSyscall6(250, 11, id, uintptr(unsafe.Pointer(&buf[0])), 64, 0, 0) // KEYCTL_READ
	fmt.Printf("found: %s\n", buf[:n])
}
`;

/**
 * Holds 126 threads of its uid (122 locked to goroutines, the runtime's own)
 * until stopped: two below the process limit, as the issue's 118 threads were
 * with its program. RLIMIT_NPROC counts a uid's tasks host-wide, so a program
 * sharing the uid could not start a thread.
 */
const THREADS = String.raw`package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 122; i++ {
		wg.Add(1)
		go func() {
			runtime.LockOSThread()
			wg.Done()
			time.Sleep(time.Hour)
		}()
	}
	wg.Wait()
	fmt.Println("holding")
	time.Sleep(time.Hour)
}
`;

/** Everything a program can read about the processes and mounts around it. */
const SNOOP = String.raw`package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	files, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil {
			fmt.Printf("%s: %s\n", f, strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	for _, f := range []string{"/proc/1/environ", "/proc/self/environ", "/proc/self/cgroup"} {
		if b, err := os.ReadFile(f); err == nil {
			fmt.Printf("%s: %s\n", f, strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	fds, _ := os.ReadDir("/proc/self/fd")
	for _, fd := range fds {
		target, _ := os.Readlink("/proc/self/fd/" + fd.Name())
		fmt.Printf("fd %s: %s\n", fd.Name(), target)
	}
}
`;

/** The `name: result` lines a program printed. */
function results(log: RunLog): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of output(log).split('\n')) {
    const m = /^([\w -]+): (.*)$/.exec(line);
    if (m?.[1] && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}

/** Resolves when the condition holds (checked every 20 ms), or fails after `ms`. */
async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

ebpfDescribe()('a hostile class against the sandbox', () => {
  let server: BridgeServer;
  let client: Client;

  beforeAll(async () => {
    server = await startTestBridge({ parallel: 2 });
    client = await Client.connect(wsUrl(server));
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  test('/api/info says the system-call filter is on', async () => {
    const info = (await (await fetch(`${server.url}/api/info`)).json()) as {
      sandbox: { seccomp: { active: boolean }; uids?: { first: number; count: number } };
    };
    expect(info.sandbox.seccomp).toEqual({ active: true });
    expect(info.sandbox.uids?.count).toBe(1024);
  });

  test.each(['ebpf', 'trace'])(
    'new namespaces, io_uring, keyrings and the rest are refused (%s backend)',
    async (backend) => {
      const log = await client.run(`syscalls-${backend}`, SYSCALLS, { backend });
      expect(log.compileError).toBeUndefined();
      expect(log.end).toMatchObject({ reason: 'exit', exitCode: 0 });
      const said = results(log);
      for (const call of [
        'unshare',
        'io_uring_setup',
        'keyctl',
        'add_key',
        'request_key',
        'setns',
        'personality',
        'userfaultfd',
        'process_vm_readv',
        'bpf',
      ]) {
        expect([call, said[call]]).toEqual([call, 'EPERM']);
      }
      expect(said.clone3).toBe('ENOSYS');
      expect(said.mount).toBe('operation not permitted');
      expect(said['clone newuser']).toBe('fork/exec /usr/bin/true: operation not permitted');
      expect(said['unshare -Ur']).toMatch(
        /^exit status 1 unshare: unshare failed: Operation not permitted/,
      );
    },
  );

  test.each(['ebpf', 'trace'])(
    'an ordinary concurrent program runs as before, built under the filter too (%s backend)',
    async (backend) => {
      // A comment no earlier build had, so this one really compiles in the sandbox.
      const code = `${ORDINARY}// ${backend} ${Date.now()}\n`;
      const log = await client.run(`ordinary-${backend}`, code, { backend });
      expect(log.end).toMatchObject({ reason: 'exit', exitCode: 0 });
      expect(log.end?.stats.cached).toBe(false);
      expect(output(log)).toBe(
        `${[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `echo ${i}\n`).join('')}ticks: 5\nexec: <nil>\n`,
      );
    },
  );

  test('each run has a uid of its own from the bridge range', async () => {
    const uids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const log = await client.run(`uid-${i}`, UID);
      uids.push(Number(/^uid (\d+)$/m.exec(output(log))?.[1]));
    }
    expect(new Set(uids).size).toBe(3);
    const range = runUids(server);
    for (const uid of uids) expect(range).toContain(uid);
  });

  test('a key one run leaves in the user keyring is not there for the next', async () => {
    const write = await client.run('key-write', KEY_WRITE);
    expect(output(write)).toBe('add_key: -1 operation not permitted\n');
    const read = await client.run('key-read', KEY_READ);
    expect(output(read)).toBe('search: operation not permitted\n');
  });

  test('nothing in the sandbox shows the host work directory or the binary cache key', async () => {
    const log = await client.run('snoop', SNOOP);
    expect(log.end).toMatchObject({ reason: 'exit', exitCode: 0 });
    const said = output(log);
    expect(said).toMatch(/^\/proc\/1\/cmdline: bwrap --args \d /m);
    expect(said).not.toContain(TEST_WORK_DIR);
    expect(said).not.toMatch(/slowmo-bridge/);
    // The binary's name in the cache is a 32-digit hash of the build.
    expect(said).not.toMatch(/[0-9a-f]{32}/);
  });

  describe('two bridges on one host', () => {
    let other: BridgeServer;
    let otherClient: Client;
    beforeAll(async () => {
      other = await startTestBridge({ parallel: 2 });
      otherClient = await Client.connect(wsUrl(other));
    });
    afterAll(async () => {
      otherClient?.close();
      await other?.close();
    });

    test('never share a uid', async () => {
      const mine = new Set(runUids(server));
      expect(runUids(other).filter((u) => mine.has(u))).toEqual([]);
      const a = await client.run('uid-here', UID);
      const b = await otherClient.run('uid-there', UID);
      expect(mine).toContain(Number(/uid (\d+)/.exec(output(a))?.[1]));
      expect(runUids(other)).toContain(Number(/uid (\d+)/.exec(output(b))?.[1]));
    });

    test("a program holding threads to its limit on one does not use up the other's", async () => {
      client.send({ type: 'run', id: 'threads', code: THREADS });
      const holding = client.log('threads');
      await until('the threads', () => output(holding).includes('holding') || !!holding.end);
      expect(output(holding)).toBe('holding\n');

      const ordinary = await otherClient.run('meanwhile', ORDINARY);
      expect(ordinary.end).toMatchObject({ reason: 'exit', exitCode: 0 });
      expect(output(ordinary)).toContain('exec: <nil>');

      client.send({ type: 'control', id: 'threads', action: 'stop' });
      await client.finished('threads');
      expect(processesOf(runUids(server))).toEqual([]);
    });
  });
});

/** Without root the sandbox unshares a user namespace itself; none may be made inside it. */
const canDrop = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;
guardedDescribe(canDrop ? undefined : 'needs root and setpriv to drop privilege')(
  'the sandbox of an unprivileged bridge',
  () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'slowmo-unpriv-sandbox-'));
      chownSync(dir, 65534, 65534);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /** Runs a command in the sandbox as the unprivileged bridge (uid 65534) would. */
    function inSandbox(...command: string[]): { status: number | null; out: string } {
      const launch = sandboxLaunch(
        { uid: 0, binds: [], tmpBytes: 1 << 20, cwd: '/tmp', processes: 64, fileBytes: 1 << 20 },
        { asRoot: false, mode: 'bwrap', scratchDir: dir },
      );
      // The files are the bridge's own: here the test writes them as root for uid 65534.
      for (const f of readdirSync(dir)) chownSync(path.join(dir, f), 65534, 65534);
      const r = spawnSync(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', '--', ...launch.argv, ...command],
        { encoding: 'utf8', timeout: 20_000 },
      );
      launch.dispose();
      return { status: r.status, out: r.stdout + r.stderr };
    }

    test('runs commands, refuses user namespaces, and hides its options', () => {
      expect(inSandbox('/usr/bin/true').status).toBe(0);
      const unshare = inSandbox('/usr/bin/unshare', '-U', '/usr/bin/true');
      expect(unshare.status).not.toBe(0);
      expect(unshare.out).toMatch(
        /unshare failed: (Operation not permitted|No space left on device)/,
      );
      const cmdline = inSandbox('/usr/bin/cat', '/proc/1/cmdline');
      expect(cmdline.out.replaceAll('\0', ' ')).toMatch(/^bwrap --args 9 -- prlimit /);
      expect(cmdline.out).not.toContain(dir);
      // The options' file goes with its sandbox.
      expect(readdirSync(dir).filter((n) => n.endsWith('.args'))).toEqual([]);
    });
  },
);
