// The container image, built and started for real without a Docker engine:
// a fresh Debian 12 root filesystem (debootstrap, minbase, what debian:12 is)
// gets containers/Dockerfile's instructions carried out in it one by one
// (ARG, ENV, WORKDIR, COPY with Dockerfile.dockerignore, RUN in a chroot with
// its own mount and PID namespaces), then its ENTRYPOINT + CMD is started the
// same way; through Jupyter's proxy the check sees eBPF available, a run
// served with the eBPF backend, /metrics, and JupyterLab running as uid 1000
// with no capabilities. Prints "rootfs check: N passed, M failed".
//
// Downloads (apt archives, npm, pip, Go modules and toolchains) are kept in
// $SLOWMO_ROOTFS_CACHE (default /var/cache/slowmo-rootfs) between runs, as a
// BuildKit cache mount would; what is installed is always made afresh.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerfileInstructions } from './lib/dockerfile.mjs';
import { runThroughProxy } from './lib/proxy-run.mjs';
import { waitForLab } from './lib/wait-lab.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOCKERFILE = path.join(ROOT, 'containers', 'Dockerfile');
const CACHE = process.env.SLOWMO_ROOTFS_CACHE ?? '/var/cache/slowmo-rootfs';
const MIRROR = process.env.SLOWMO_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
const TRUST_VARS = [
  'NODE_EXTRA_CA_CERTS',
  'PIP_CERT',
  'SSL_CERT_FILE',
  'CURL_CA_BUNDLE',
  'REQUESTS_CA_BUNDLE',
  'GIT_SSL_CAINFO',
];
let passed = 0;
let failed = 0;

function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`    ${ok ? 'PASS' : 'FAIL'} ${name}${ok || !detail ? '' : `: ${detail}`}`);
}

const t0 = Date.now();
const secs = () => `${Math.round((Date.now() - t0) / 1000)} s`;

if (process.getuid?.() !== 0) {
  console.log('rootfs check: skipped (needs root for debootstrap and chroot)');
  process.exit(process.env.CI ? 1 : 0);
}

/** Expands $VAR and ${VAR} from vars, as the Dockerfile does in ENV, WORKDIR, COPY. */
const expand = (s, vars) => s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => vars[a ?? b] ?? '');

/** The build context's files: Git's (tracked and new, not ignored) minus .dockerignore. */
function contextFiles() {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f && existsSync(path.join(ROOT, f)));
  const ignore = readFileSync(`${DOCKERFILE}.dockerignore`, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((p) => {
      const re = p
        .replace(/[.+^$()|[\]{}]/g, '\\$&')
        .replace(/\*\*\//g, '(?:.*/)?')
        .replace(/\*/g, '[^/]*');
      return new RegExp(`^${re}(?:/.*)?$`);
    });
  return files.filter((f) => !ignore.some((re) => re.test(f)));
}

function copyInto(rootfs, srcs, dest, workdir) {
  const all = contextFiles();
  const target = path.join(rootfs, path.posix.resolve(workdir, dest));
  for (const src of srcs) {
    const s = src.replace(/^\.\/?/, '');
    const picked = s === '' ? all : all.filter((f) => f === s || f.startsWith(`${s}/`));
    if (picked.length === 0) throw new Error(`COPY ${src}: not in the build context`);
    for (const f of picked) {
      // COPY a b/ puts the file a into b/; COPY . . keeps the tree.
      const rel = s === '' ? f : dest.endsWith('/') ? path.basename(f) : f.slice(s.length);
      const to = s === '' || dest.endsWith('/') ? path.join(target, rel) : target;
      mkdirSync(path.dirname(to), { recursive: true });
      if (statSync(path.join(ROOT, f)).isFile()) copyFileSync(path.join(ROOT, f), to);
    }
  }
}

/** A command inside the root filesystem, in mount and PID namespaces of its own. */
function chrootArgs(rootfs, runEnv, workdir, shell, command) {
  let env = runEnv;
  // Download caches where the Dockerfile's own clean-up does not reach them.
  const caches = [
    ['apt', '/var/cache/apt/archives'],
    ['npm', '/cache/npm'],
    ['pip', '/cache/pip'],
    ['gomod-download', `${env.GOMODCACHE ?? '/root/go/pkg/mod'}/cache/download`],
  ];
  env = { ...env, npm_config_cache: '/cache/npm', PIP_CACHE_DIR: '/cache/pip' };
  const mounts = [
    // A container's / is a mount point (bubblewrap needs one to make it a slave).
    `mount --bind ${rootfs} ${rootfs}`,
    `mount -t proc proc ${rootfs}/proc`,
    `mount --rbind /sys ${rootfs}/sys`,
    `mount --rbind /dev ${rootfs}/dev`,
    `mkdir -p ${rootfs}/run ${rootfs}/tmp && mount -t tmpfs tmpfs ${rootfs}/run`,
    ...caches.map(
      ([name, at]) =>
        `mkdir -p ${CACHE}/${name} ${rootfs}${at} && mount --bind ${CACHE}/${name} ${rootfs}${at}`,
    ),
  ];
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const inner = [
    'set -e',
    ...mounts,
    // Docker writes these two into every container.
    `cp /etc/resolv.conf ${rootfs}/etc/resolv.conf`,
    `printf '127.0.0.1 localhost\\n::1 localhost ip6-localhost ip6-loopback\\n' >${rootfs}/etc/hosts`,
    `exec chroot ${rootfs} /usr/bin/env -i ${envArgs.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ')} /bin/bash -c 'mkdir -p "$0" && cd "$0" && exec "$@"' ${workdir} ${shell.map((a) => `'${a}'`).join(' ')} '${command.replace(/'/g, "'\\''")}'`,
  ].join('\n');
  return [
    'unshare',
    ['--mount', '--pid', '--fork', '--kill-child', '--propagation', 'private', 'bash', '-c', inner],
  ];
}

const base = mkdtempSync('/var/tmp/slowmo-rootfs-');
const rootfs = path.join(base, 'root');
let lab;
const cleanup = () => {
  if (lab && lab.exitCode === null) {
    try {
      process.kill(-lab.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  // Mounts lived in the namespaces, which are gone with their processes.
  spawnSync('sleep', ['1']);
  rmSync(base, { recursive: true, force: true });
};

try {
  // 1. FROM debian:12
  mkdirSync(CACHE, { recursive: true });
  if (!existsSync('/usr/sbin/debootstrap')) {
    execFileSync('apt-get', ['install', '-y', '-qq', 'debootstrap'], { stdio: 'ignore' });
  }
  const tarball = path.join(CACHE, 'bookworm-minbase.tgz');
  if (!existsSync(tarball)) {
    const tmp = path.join(base, 'tarball');
    execFileSync('debootstrap', [
      '--variant=minbase',
      `--make-tarball=${tarball}`,
      'bookworm',
      tmp,
      MIRROR,
    ]);
  }
  execFileSync(
    'debootstrap',
    ['--variant=minbase', `--unpack-tarball=${tarball}`, 'bookworm', rootfs, MIRROR],
    { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 },
  );
  check(`a fresh Debian 12 root filesystem (debootstrap) in ${secs()}`, true);

  // Behind a TLS-intercepting proxy (as here), the host's own CAs and the
  // variables that point tools at them go in, as a proxied docker build
  // would need: Debian's local-CA directory and the trust variables only.
  const localCAs = '/usr/local/share/ca-certificates';
  if (existsSync(localCAs)) {
    mkdirSync(path.join(rootfs, localCAs), { recursive: true });
    for (const f of readdirSync(localCAs))
      copyFileSync(path.join(localCAs, f), path.join(rootfs, localCAs, f));
  }

  // 2. The Dockerfile's instructions, in order.
  const steps = dockerfileInstructions(readFileSync(DOCKERFILE, 'utf8')).filter(
    (s) => s.op !== '?',
  );
  // What Docker gives every RUN of a root image: its PATH and HOME.
  const env = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: '/root',
  };
  for (const k of TRUST_VARS) if (process.env[k]) env[k] = process.env[k];
  const args = {};
  let workdir = '/';
  let shell = ['/bin/sh', '-c'];
  let entrypoint = [];
  let cmd = [];
  for (const { op, args: a } of steps) {
    const vars = { ...args, ...env };
    if (op === 'FROM') {
      if (a !== 'debian:12') throw new Error(`FROM ${a}: this check makes debian:12 only`);
    } else if (op === 'ARG') {
      const [k, v = ''] = a.split(/=(.*)/s);
      args[k] = v;
    } else if (op === 'ENV') {
      for (const m of a.matchAll(/(\w+)=("[^"]*"|\S+)/g)) {
        env[m[1]] = expand(m[2].replace(/^"|"$/g, ''), vars);
      }
    } else if (op === 'WORKDIR') {
      workdir = path.posix.resolve(workdir, expand(a, vars));
    } else if (op === 'SHELL') {
      shell = JSON.parse(a);
    } else if (op === 'COPY') {
      const parts = a.split(/\s+/).map((p) => expand(p, vars));
      copyInto(rootfs, parts.slice(0, -1), parts.at(-1), workdir);
    } else if (op === 'RUN') {
      const t = Date.now();
      const [c, ca] = chrootArgs(rootfs, { ...args, ...env }, workdir, shell, a);
      const r = spawnSync(c, ca, { encoding: 'utf8', maxBuffer: 256 << 20 });
      const ok = r.status === 0;
      check(
        `RUN ${a.slice(0, 60)}${a.length > 60 ? '…' : ''} (${Math.round((Date.now() - t) / 1000)} s)`,
        ok,
        `exit ${r.status}\n${(r.stdout + r.stderr).slice(-4000)}`,
      );
      if (!ok) throw new Error('the image did not build');
    } else if (op === 'ENTRYPOINT') {
      entrypoint = JSON.parse(a);
    } else if (op === 'CMD') {
      cmd = JSON.parse(a);
    }
    // VOLUME and EXPOSE need nothing here.
  }

  // 3. docker run: ENTRYPOINT + CMD, on a free port, with a token.
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const token = `rootfs${Date.now()}`;
  const runCmd = [...entrypoint, ...cmd].map((x) => `'${x}'`).join(' ');
  const [c, ca] = chrootArgs(
    rootfs,
    { ...env, JUPYTER_TOKEN: token, SLOWMO_PORT: String(port) },
    workdir,
    ['/bin/bash', '-c'],
    `exec ${runCmd}`,
  );
  lab = spawn(c, ca, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let labLog = '';
  lab.stdout.on('data', (d) => (labLog += d));
  lab.stderr.on('data', (d) => (labLog += d));
  const url = `http://127.0.0.1:${port}`;
  const get = (p) => fetch(`${url}${p}`, { headers: { Authorization: `token ${token}` } });
  await waitForLab(get, lab, () => labLog);
  check('the entry point starts JupyterLab', true);

  // JupyterLab's processes: uid 1000, no capabilities at all.
  const labProcs = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map((p) => {
      try {
        return {
          cmd: readFileSync(`/proc/${p}/cmdline`, 'utf8'),
          status: readFileSync(`/proc/${p}/status`, 'utf8'),
          root: execFileSync('readlink', [`/proc/${p}/root`], { encoding: 'utf8' }).trim(),
        };
      } catch {
        return undefined;
      }
    })
    .filter((p) => p && p.root === rootfs && p.cmd.includes('jupyter'));
  const field = (s, f) => new RegExp(`^${f}:\\s+(\\S+)`, 'm').exec(s)?.[1];
  check(
    'JupyterLab runs as uid 1000 with no capability (effective, permitted, bounding)',
    labProcs.length > 0 &&
      labProcs.every(
        (p) =>
          field(p.status, 'Uid') === '1000' &&
          /^0+$/.test(field(p.status, 'CapEff')) &&
          /^0+$/.test(field(p.status, 'CapPrm')) &&
          /^0+$/.test(field(p.status, 'CapBnd')),
      ),
    JSON.stringify(labProcs.map((p) => [p.cmd, field(p.status, 'Uid'), field(p.status, 'CapBnd')])),
  );

  // 4. The bridge, through Jupyter's proxy, started as root by the daemon.
  const infoRes = await get('/slowmo/api/info');
  const infoText = await infoRes.text();
  let info;
  try {
    info = JSON.parse(infoText);
  } catch {
    throw new Error(
      `/slowmo/api/info: HTTP ${infoRes.status}: ${infoText.slice(0, 500)}\n${labLog.slice(-4000)}`,
    );
  }
  check(
    '/slowmo/api/info: eBPF available',
    info.backends?.ebpf?.available === true,
    JSON.stringify(info.backends),
  );
  const run = await runThroughProxy({
    base: `${url}/slowmo`,
    token,
    origin: url,
    greeting: 'hello from the image',
    request: { id: 'rootfs', backend: 'ebpf' },
  });
  const out = run.output;
  check(
    'a run with the eBPF backend through the proxy ends with exit code 0 and its output',
    run.msg.type === 'end' &&
      run.msg.exitCode === 0 &&
      run.events[0]?.backend === 'ebpf' &&
      out.includes('hello from the image 1'),
    JSON.stringify(run.msg),
  );
  const metrics = await (await get('/slowmo/metrics')).text();
  check(
    '/slowmo/metrics counts that run',
    /^slowmo_runs_ended_total\{outcome="end",reason="exit"\} 1$/m.test(metrics),
    metrics.slice(0, 400),
  );
} catch (err) {
  check('the image builds and serves', false, err.stack ?? String(err));
} finally {
  cleanup();
}
console.log(`rootfs check: ${passed} passed, ${failed} failed (${secs()})`);
process.exit(failed ? 1 : 0);
