// The container image, built and run by a real engine (podman, Debian's, as
// root with runc): containers/Dockerfile is built as a Docker user builds it
// (from a debian:12 made locally: no registry here), then started in its
// roles and checked through Jupyter's proxy, as a learner's notebook uses it:
//
//   lab      one machine (compose's role) with compose.yaml's capabilities:
//            eBPF available, a run with the eBPF backend, /metrics counts it,
//            JupyterLab as uid 1000 with no capability.
//   pod      `podman kube play` of the student pod values.yaml describes: the
//            notebook container unprivileged, the bridge sidecar with the
//            values' capabilities, a run under eBPF through Jupyter's proxy.
//   caps     the bridge with exactly the sidecar's capabilities runs a
//            program under eBPF, and without any one of them a named step
//            fails.
//   trace    no capability at all (uid 1000): eBPF off and why, a run with
//            the trace backend.
//   class    the README's class recipe with podman-compose for 3 learners:
//            one learner's token does not open another's lab, notebooks are
//            separate volumes.
//
// Prints a PASS or FAIL line per check and "container check: N passed, M
// failed". The image is rebuilt only when the build context changed
// (scripts/lib/podman.mjs); downloads stay in the build's cache mounts.
//
//   node scripts/container-check.mjs [--image NAME]
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { buildImage, ensureBase, podman } from './lib/podman.mjs';
import { loadValues, podSpec } from './lib/pod-spec.mjs';
import { runThroughProxy } from './lib/proxy-run.mjs';
import { waitForLab } from './lib/wait-lab.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOCKERFILE = path.join(ROOT, 'containers', 'Dockerfile');
const argAt = (flag) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const IMAGE = argAt('--image') ?? 'localhost/go-slowmo:test';
let passed = 0;
let failed = 0;

function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`    ${ok ? 'PASS' : 'FAIL'} ${name}${ok || !detail ? '' : `: ${detail}`}`);
}

const t0 = Date.now();
const since = (t) => `${Math.round((Date.now() - t) / 1000)} s`;

if (process.getuid?.() !== 0 || spawnSync('podman', ['--version']).status !== 0) {
  console.log('container check: not run (needs root and podman: make setup installs it)');
  process.exit(process.env.CI ? 1 : 0);
}

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
const token = () => randomBytes(24).toString('hex');
const cleanups = [];

/**
 * A running container or pod seen through Jupyter: `get(path)` with the token,
 * `logs()` so far. `follow` is the podman logs process of the container whose
 * end means the lab is gone.
 */
async function jupyterAt({ port, tok, follow }) {
  const logsProc = spawn('podman', ['logs', '-f', follow], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  logsProc.stdout.on('data', (d) => (log += d));
  logsProc.stderr.on('data', (d) => (log += d));
  cleanups.push(() => logsProc.kill());
  const url = `http://127.0.0.1:${port}`;
  const get = (p) => fetch(`${url}${p}`, { headers: { Authorization: `token ${tok}` } });
  await waitForLab(get, logsProc, () => log);
  return { url, get, logs: () => log };
}

/**
 * The processes of a container whose command line has `word`: uid and capability sets. A process
 * that ends while the list is read (gone, or a zombie: empty command line) is left out: it runs
 * nothing. One did, once, in a fresh machine's check, and its empty fields failed the check.
 */
function processes(container, word) {
  const field = (name) => `"$(awk '/^${name}:/{print $2}' <<<"$s")"`;
  const out = podman([
    'exec',
    container,
    'bash',
    '-c',
    `for p in /proc/[0-9]*; do c=$(tr '\\0' ' ' <$p/cmdline 2>/dev/null) || continue; ` +
      `s=$(cat $p/status 2>/dev/null) || continue; [ -n "$c" ] || continue; ` +
      `case "$c" in *${word}*) printf '%s|%s|%s|%s|%s\\n' "$c" ` +
      `${field('Uid')} ${field('CapEff')} ${field('CapPrm')} ${field('CapBnd')};; esac; done`,
  ]);
  return out
    .split('\n')
    .filter((l) => l && !l.startsWith('bash -c'))
    .map((l) => {
      const [cmd, uid, eff, prm, bnd] = l.split('|');
      return { cmd, uid, eff, prm, bnd };
    });
}

const unprivileged = (ps) =>
  ps.length > 0 &&
  ps.every((p) => p.uid === '1000' && [p.eff, p.prm, p.bnd].every((c) => /^0+$/.test(c)));

/** Through Jupyter's proxy: /api/info's eBPF, a run with `backend`, the metrics after it. */
async function runThrough(lab, tok, { backend, greeting }) {
  const infoRes = await lab.get('/slowmo/api/info');
  const text = await infoRes.text();
  let info;
  try {
    info = JSON.parse(text);
  } catch {
    throw new Error(
      `/slowmo/api/info: HTTP ${infoRes.status}: ${text.slice(0, 500)}\n${lab.logs().slice(-4000)}`,
    );
  }
  const run = await runThroughProxy({
    base: `${lab.url}/slowmo`,
    token: tok,
    origin: lab.url,
    greeting,
    request: { id: `container-${backend}`, backend },
  });
  const metrics = await (await lab.get('/slowmo/metrics')).text();
  return { info, run, metrics };
}

const ranWith = (run, backend, greeting) =>
  run.msg.type === 'end' &&
  run.msg.exitCode === 0 &&
  run.events[0]?.backend === backend &&
  run.output.includes(`${greeting} 1`);

const counted = (metrics) =>
  /^slowmo_runs_ended_total\{outcome="end",reason="exit"\} 1$/m.test(metrics);

// ---- the image -------------------------------------------------------------

async function image() {
  let t = Date.now();
  const base = ensureBase();
  check(`debian:12 made locally (debootstrap, imported): ${base} in ${since(t)}`, true);
  t = Date.now();
  const built = buildImage({ root: ROOT, dockerfile: DOCKERFILE, image: IMAGE });
  check(`podman build -f containers/Dockerfile: ${built} in ${since(t)}`, true);
}

// ---- the lab role, privileged ----------------------------------------------

/** The capabilities compose.yaml gives the lab role: the set this check proves. */
const composeCaps = YAML.parse(readFileSync(path.join(ROOT, 'containers', 'compose.yaml'), 'utf8'))
  .services.lab.cap_add;

async function labRole() {
  const name = `slowmo-lab-${process.pid}`;
  const port = await freePort();
  const tok = token();
  const t = Date.now();
  podman([
    'run',
    '-d',
    '--name',
    name,
    '--cap-drop=all',
    `--cap-add=${composeCaps.join(',')}`,
    '--init',
    '-p',
    `127.0.0.1:${port}:8888`,
    '-e',
    `JUPYTER_TOKEN=${tok}`,
    IMAGE,
    'lab',
  ]);
  cleanups.push(() =>
    spawnSync('podman', ['rm', '-f', '-v', '-t', '2', name], { stdio: 'ignore' }),
  );
  const lab = await jupyterAt({ port, tok, follow: name });
  check(
    `lab (compose.yaml's capabilities: ${composeCaps.join(', ')}): JupyterLab answers in ${since(t)}`,
    true,
  );
  const ps = processes(name, 'jupyter');
  check(
    'lab: JupyterLab runs as uid 1000 with no capability (effective, permitted, bounding)',
    unprivileged(ps),
    JSON.stringify(ps),
  );
  const greeting = 'hello from the lab container';
  const { info, run, metrics } = await runThrough(lab, tok, { backend: 'ebpf', greeting });
  check(
    'lab: /slowmo/api/info says eBPF is available',
    info.backends?.ebpf?.available === true,
    JSON.stringify(info.backends),
  );
  check(
    'lab: a Go program through the proxy runs under eBPF and ends with exit 0',
    ranWith(run, 'ebpf', greeting),
    `${JSON.stringify(run.msg)}\n${lab.logs().slice(-3000)}`,
  );
  check('lab: /slowmo/metrics counts that run', counted(metrics), metrics.slice(0, 600));
}

// ---- the JupyterHub pod: unprivileged notebook, capability-limited sidecar ----

const VALUES = path.join(ROOT, 'containers', 'jupyterhub', 'values.yaml');

const podVolumes = (spec) =>
  [...spec.matchAll(/^ {4}- name: (\S+)\n {6}emptyDir/gm)].map((m) => m[1]);

/** `podman kube play` of the student pod; resolves with the lab, or rejects. */
async function playPod({ name, sidecarSecurity, valuesFiles = [VALUES] }) {
  const port = await freePort();
  const tok = token();
  const spec = podSpec({
    values: loadValues(...valuesFiles),
    name,
    image: IMAGE,
    port,
    token: tok,
    sidecarSecurity,
  });
  const file = path.join(tmpdir(), `${name}.yaml`);
  writeFileSync(file, spec);
  cleanups.push(() => {
    spawnSync('podman', ['pod', 'rm', '-f', '-t', '2', name], { stdio: 'ignore' });
    // kube play makes the pod's emptyDirs named volumes: the next pod gets fresh ones.
    spawnSync('podman', ['volume', 'rm', '-f', ...podVolumes(spec)], { stdio: 'ignore' });
    rmSync(file, { force: true });
  });
  podman(['kube', 'play', file]);
  const lab = await jupyterAt({ port, tok, follow: `${name}-notebook` });
  return { lab, tok, spec };
}

async function pod() {
  const t = Date.now();
  const name = `slowmo-pod-${process.pid}`;
  const { lab, tok, spec } = await playPod({ name });
  const caps = /add:\n((?:\s+- \w+\n)+)/.exec(spec)?.[1].match(/\w+/g) ?? [];
  check(
    `pod (kube play of values.yaml): JupyterLab answers in ${since(t)}; sidecar adds ${caps.join(', ') || 'nothing'}`,
    caps.length > 0,
    spec,
  );
  const ps = processes(`${name}-notebook`, '');
  check(
    'pod: every process of the notebook container is uid 1000 with no capability',
    unprivileged(ps),
    JSON.stringify(ps),
  );
  const greeting = 'hello from the pod';
  const { info, run, metrics } = await runThrough(lab, tok, { backend: 'ebpf', greeting });
  check(
    'pod: the sidecar bridge has eBPF (/slowmo/api/info)',
    info.backends?.ebpf?.available === true,
    JSON.stringify(info.backends),
  );
  check(
    'pod: a Go program through the proxy runs under eBPF in the sidecar, exit 0',
    ranWith(run, 'ebpf', greeting),
    `${JSON.stringify(run.msg)}\n${lab.logs().slice(-3000)}`,
  );
  check('pod: /slowmo/metrics counts that run', counted(metrics), metrics.slice(0, 600));
}

// ---- the sidecar's capabilities, each shown needed -------------------------

/**
 * What the bridge container needs (containers/README.md), as values.yaml's
 * sidecar adds them; each entry names the step that fails without it. BPF
 * and PERFMON are not among them: SYS_ADMIN, which bubblewrap needs, includes
 * what they allow, so taking them away changes nothing (checked below).
 */
export const SIDECAR_CAPS = {
  SYS_ADMIN: [
    '/api/info: eBPF and the sandbox unavailable',
    (r) =>
      r.info?.backends?.ebpf?.available === false &&
      /namespace/.test(r.info?.backends?.trace?.why ?? ''),
  ],
  NET_ADMIN: [
    "the build: bubblewrap cannot bring up the sandbox's loopback",
    (r) => /loopback/.test(JSON.stringify(r.run?.msg ?? '')),
  ],
  SYS_PTRACE: [
    'the run: the probe never sees the program start',
    (r) => r.run?.msg.reason === 'probe-error',
  ],
  DAC_OVERRIDE: [
    "the build: the program's source, written by root for the build uid, is not read",
    (r) => r.run?.msg.type === 'compile_error' && /not a program/.test(JSON.stringify(r.run.msg)),
  ],
  SETUID: [
    '/api/info: the sandbox cannot start (setpriv: setresuid failed)',
    (r) => /setresuid failed/.test(r.info?.backends?.trace?.why ?? ''),
  ],
  SETGID: [
    '/api/info: the sandbox cannot start (setpriv: setresgid failed)',
    (r) => /setresgid failed/.test(r.info?.backends?.trace?.why ?? ''),
  ],
  CHOWN: [
    'the bridge does not start: it cannot give the Go cache to the build uid',
    (r) => !r.info && /chown/.test(r.logs),
  ],
  FOWNER: [
    "the bridge does not start: it cannot set the Go cache's mode",
    (r) => !r.info && /chmod/.test(r.logs),
  ],
};

/** The bridge alone in a container with `caps` (and nothing else), asked for /api/info and one eBPF run. */
async function bridgeWith(caps) {
  const name = `slowmo-caps-${process.pid}`;
  const port = await freePort();
  const tok = token();
  spawnSync('podman', ['rm', '-f', '-t', '1', name], { stdio: 'ignore' });
  podman([
    'run',
    '-d',
    '--name',
    name,
    '--cap-drop=all',
    `--cap-add=${caps.join(',')}`,
    // Builds share a Go cache across the variants (and test runs).
    '-v',
    'slowmo-check-bridge-work:/tmp/slowmo-bridge-0',
    '-p',
    `127.0.0.1:${port}:8899`,
    '--entrypoint',
    'node',
    IMAGE,
    '/opt/slowmo/kernel-bridge/dist/src/cli.js',
    'serve',
    '--host',
    '0.0.0.0',
    '--port',
    '8899',
    '--token',
    tok,
  ]);
  const url = `http://127.0.0.1:${port}`;
  const out = { logs: '' };
  try {
    for (let i = 0; i < 300; i++) {
      const state = podman(['inspect', name, '--format', '{{.State.Running}}']).trim();
      try {
        const res = await fetch(`${url}/api/info`, { headers: { Authorization: `token ${tok}` } });
        if (res.ok) {
          out.info = await res.json();
          break;
        }
      } catch {
        // not listening yet
      }
      if (state !== 'true') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    if (out.info) {
      out.run = await runThroughProxy({
        base: url,
        token: tok,
        origin: url,
        greeting: `caps ${caps.length} ${Date.now()}`,
        request: { id: 'caps', backend: 'ebpf' },
      });
    }
  } finally {
    out.logs = spawnSync('podman', ['logs', name], { encoding: 'utf8' }).stderr ?? '';
    spawnSync('podman', ['rm', '-f', '-v', '-t', '1', name], { stdio: 'ignore' });
  }
  return out;
}

async function caps() {
  const all = Object.keys(SIDECAR_CAPS);
  const t = Date.now();
  const full = await bridgeWith(all);
  check(
    `caps: the bridge with only ${all.join(', ')} runs a program under eBPF (${since(t)})`,
    full.run?.msg.type === 'end' &&
      full.run.msg.exitCode === 0 &&
      full.run.events[0]?.backend === 'ebpf',
    JSON.stringify(full.run?.msg ?? full.logs.slice(-2000)),
  );
  for (const [cap, [step, failed]] of Object.entries(SIDECAR_CAPS)) {
    const r = await bridgeWith(all.filter((c) => c !== cap));
    check(
      `caps: without ${cap}, ${step}`,
      failed(r),
      JSON.stringify({ info: r.info?.backends, run: r.run?.msg, logs: r.logs.slice(-600) }),
    );
  }
}

// ---- trace only: no capabilities at all ----------------------------------

async function traceOnly() {
  const name = `slowmo-trace-${process.pid}`;
  const port = await freePort();
  const tok = token();
  podman([
    'run',
    '-d',
    '--name',
    name,
    '--init',
    '--cap-drop=all',
    '--user',
    '1000:1000',
    '-p',
    `127.0.0.1:${port}:8888`,
    '-e',
    `JUPYTER_TOKEN=${tok}`,
    IMAGE,
    'lab',
  ]);
  cleanups.push(() =>
    spawnSync('podman', ['rm', '-f', '-v', '-t', '2', name], { stdio: 'ignore' }),
  );
  const lab = await jupyterAt({ port, tok, follow: name });
  const greeting = 'hello from no privilege';
  const { info, run } = await runThrough(lab, tok, { backend: 'trace', greeting });
  check(
    `trace only (uid 1000, no capability): eBPF off, saying why: "${info.backends?.ebpf?.why}"`,
    info.backends?.ebpf?.available === false && (info.backends?.ebpf?.why ?? '').length > 10,
    JSON.stringify(info.backends),
  );
  check(
    'trace only: a Go program through the proxy runs with the trace backend, exit 0',
    ranWith(run, 'trace', greeting),
    `${JSON.stringify(run.msg)}\n${lab.logs().slice(-3000)}`,
  );
}

// ---- a class: the README's recipe, with podman-compose ---------------------

const COMPOSE = path.join(ROOT, 'containers', 'compose.yaml');
const composeBin = path.join(ROOT, '.venv', 'bin', 'podman-compose');

function compose(project, env, ...args) {
  const r = spawnSync(composeBin, ['-f', COMPOSE, '-p', project, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  if (r.status !== 0)
    throw new Error(
      `podman-compose -p ${project} ${args.join(' ')}: exit ${r.status}\n${(r.stdout + r.stderr).slice(-3000)}`,
    );
  return r.stdout;
}

/** Three learners as the README's recipe starts them: a project, port, token and volume each. */
async function startClass() {
  const learners = [];
  for (const i of [1, 2, 3]) {
    const project = `slowmo-student${i}-${process.pid}`;
    const env = {
      SLOWMO_IMAGE: IMAGE,
      SLOWMO_PORT: String(await freePort()),
      JUPYTER_TOKEN: token(),
      SLOWMO_CPUS: '1',
      SLOWMO_MEMORY: '2g',
    };
    cleanups.push(() => {
      try {
        compose(project, env, 'down', '-v', '-t', '2');
      } catch {
        // already gone
      }
    });
    compose(project, env, 'up', '-d', '--no-build');
    learners.push({ project, env });
  }
  return learners;
}

async function classOfThree() {
  const t = Date.now();
  const learners = await startClass();
  const url = (l) => `http://127.0.0.1:${l.env.SLOWMO_PORT}`;
  const as = (l, tok, p, init = {}) =>
    fetch(`${url(l)}${p}`, {
      ...init,
      headers: { Authorization: `token ${tok}`, ...init.headers },
    });
  for (const l of learners) {
    const logs = spawn('podman', ['logs', '-f', `${l.project}_lab_1`], { stdio: 'ignore' });
    cleanups.push(() => logs.kill());
    await waitForLab(
      (p) => as(l, l.env.JUPYTER_TOKEN, p),
      logs,
      () => '',
    );
  }
  check(
    `class: 3 learners up with podman-compose (compose.yaml, -p per learner) in ${since(t)}`,
    true,
  );
  // Each learner saves a notebook of their own.
  for (const [i, l] of learners.entries()) {
    const res = await as(l, l.env.JUPYTER_TOKEN, `/api/contents/mine-${i}.ipynb`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'notebook',
        content: { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 },
      }),
    });
    check(`class: learner ${i + 1} saves a notebook (HTTP ${res.status})`, res.status === 201);
  }
  const statuses = [];
  const seen = [];
  for (const [i, l] of learners.entries()) {
    for (const [j, other] of learners.entries()) {
      if (i === j) continue;
      statuses.push((await as(l, other.env.JUPYTER_TOKEN, '/api/contents')).status);
      statuses.push(
        (await fetch(`${url(l)}/lab?token=${other.env.JUPYTER_TOKEN}`, { redirect: 'manual' }))
          .status,
      );
    }
    const listing = await (await as(l, l.env.JUPYTER_TOKEN, '/api/contents')).json();
    seen.push(listing.content.map((c) => c.name).filter((n) => n.startsWith('mine-')));
  }
  check(
    "class: no learner's token opens another's lab (API 403, /lab redirects to login)",
    statuses.every((s) => s === 403 || s === 302),
    JSON.stringify(statuses),
  );
  check(
    'class: each lab sees only its own notebook (one volume per learner)',
    seen.every((names, i) => names.length === 1 && names[0] === `mine-${i}.ipynb`),
    JSON.stringify(seen),
  );
  const volumes = podman(['volume', 'ls', '--format', '{{.Name}}']).split('\n');
  check(
    'class: three notebook volumes, one per project',
    learners.every((l) => volumes.includes(`${l.project}_notebooks`)),
    JSON.stringify(volumes),
  );
}

const phases = { image, lab: labRole, pod, caps, trace: traceOnly, class: classOfThree };
const only = argAt('--only')?.split(',');
try {
  for (const [name, phase] of Object.entries(phases)) {
    if (only && name !== 'image' && !only.includes(name)) continue;
    try {
      await phase();
    } catch (err) {
      check(`${name}`, false, err.stack ?? String(err));
      if (name === 'image') break;
    }
  }
} finally {
  for (const c of cleanups.reverse()) c();
}
console.log(`container check: ${passed} passed, ${failed} failed (${since(t0)})`);
process.exit(failed ? 1 : 0);
